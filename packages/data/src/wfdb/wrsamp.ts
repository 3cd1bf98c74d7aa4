// wrsamp: writes a single-segment record, one `.dat` file with all signals interleaved in format
// 16, 212 or 80 (or 24, 32, 61, 160, 310, 311), and a standard header with checksums and initial
// values, so that rdsamp and wfdb-python read it. The `.dat` is written before the `.hea`, each
// atomically, so a reader never finds a header whose signal file is missing or partial.
import { basename } from 'node:path';
import { WriteError } from '../errors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../io/atomic.js';
import { checksum16 } from './checksum.js';
import { FORMATS, type FormatSpec } from './formats.js';
import { formatHeader } from './header.js';
import { gainOf } from './samples.js';
import type { SignalSpec, WfdbHeader } from './header-types.js';

/** What {@link wrsamp} writes. Give `physical` (converted with `adcGain`/`baseline`, chosen to fit the format's range if omitted) or `digital`. */
export interface WrsampInput {
  fs: number;
  sigName: string[];
  /** Physical units per signal (default `mV`). */
  units?: string[];
  /** One format for all signals, or one per signal (default 16). */
  fmt?: number | number[];
  physical?: ArrayLike<number>[];
  digital?: ArrayLike<number>[];
  adcGain?: number[];
  baseline?: number[];
  comments?: string[];
  baseTime?: string;
  baseDate?: string;
}

/** Gain and baseline mapping [pmin, pmax] into the format's valid range (its invalid value excluded). */
export function fitGain(values: ArrayLike<number>, spec: FormatSpec): { gain: number; baseline: number } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return { gain: 200, baseline: 0 };
  if (hi === lo) { lo -= 1; hi += 1; } // a flat signal still needs a non-zero range
  const dmin = spec.min + 1;
  const dmax = spec.max;
  // One unit of headroom so that rounding the baseline up cannot push pmax past dmax.
  const gain = (dmax - dmin - 1) / (hi - lo);
  const baseline = Math.ceil(dmin - lo * gain);
  return { gain, baseline };
}

/**
 * Physical to digital units: round(x × gain + baseline), NaN to the format's invalid value; a value
 * outside the format's range is a WriteError naming `what` and the sample.
 * @example toDigital([0.5, NaN], { fmt: 212, adcGain: 200, baseline: 0 }) // Int32Array [100, -2048]
 */
export function toDigital(x: ArrayLike<number>, s: { fmt: number; adcGain: number; baseline: number }, what = 'toDigital'): Int32Array {
  const spec = FORMATS.get(s.fmt);
  if (!spec) throw new WriteError(`${what}: unknown format ${s.fmt}`);
  const gain = gainOf(s);
  const d = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) { d[i] = spec.invalid; continue; }
    const q = Math.round(v * gain + s.baseline);
    // The invalid value itself is reserved, so the lowest storable sample is min + 1.
    if (!(q > spec.min && q <= spec.max)) throw new WriteError(`${what} sample ${i} = ${v} maps to ${q}, outside format ${s.fmt}'s range ${spec.min + 1}..${spec.max}; lower the gain`);
    d[i] = q;
  }
  return d;
}

/** Builds the header and the interleaved `.dat` bytes of a record without writing them. */
export function encodeRecord(recordName: string, input: WrsampInput): { header: WfdbHeader; dat: Uint8Array } {
  const nSig = input.sigName.length;
  const data = input.digital ?? input.physical;
  const where = `wrsamp(${recordName})`;
  if (!data) throw new WriteError(`${where}: give 'physical' or 'digital' samples`);
  if (data.length !== nSig) throw new WriteError(`${where}: ${nSig} signal names but ${data.length} signals`);
  if (!(input.fs > 0)) throw new WriteError(`${where}: 'fs' must be positive, got ${input.fs}`);
  const sigLen = data[0]?.length ?? 0;
  const fmts = Array.isArray(input.fmt) ? input.fmt : new Array<number>(nSig).fill(input.fmt ?? 16);
  const fmt0 = fmts[0] ?? 16;
  // All signals share one file, so they share one format.
  if (fmts.some((f) => f !== fmt0)) throw new WriteError(`${where}: all signals in one file need the same format, got ${fmts.join(', ')}`);
  const spec = FORMATS.get(fmt0);
  if (!spec || fmt0 === 8) throw new WriteError(`${where}: cannot write format ${fmt0} (writable: 16, 212, 80, 24, 32, 61, 160, 310, 311)`);
  const digital: Int32Array[] = [];
  const signals: SignalSpec[] = [];
  for (let s = 0; s < nSig; s++) {
    const x = data[s]!;
    if (x.length !== sigLen) throw new WriteError(`${where}: signal ${s} has ${x.length} samples, signal 0 has ${sigLen}`);
    let d: Int32Array;
    let gain = input.adcGain?.[s] ?? 200;
    let baseline = input.baseline?.[s] ?? 0;
    if (input.digital) {
      d = Int32Array.from(x as ArrayLike<number>);
      for (let i = 0; i < sigLen; i++) {
        if (d[i]! < spec.min || d[i]! > spec.max || d[i] !== x[i]) throw new WriteError(`${where}: signal ${s} sample ${i} = ${x[i]} is not an integer in format ${fmt0}'s range ${spec.min}..${spec.max}`);
      }
    } else {
      if (input.adcGain?.[s] === undefined) ({ gain, baseline } = fitGain(x, spec));
      d = toDigital(x, { fmt: fmt0, adcGain: gain, baseline }, `${where}: signal ${s}`);
    }
    digital.push(d);
    signals.push({
      fileName: `${recordName}.dat`, fmt: fmt0, sampsPerFrame: 1, skew: 0, byteOffset: 0,
      adcGain: gain, baseline, units: input.units?.[s] ?? 'mV', adcRes: spec.bits, adcZero: 0,
      initValue: sigLen > 0 ? d[0]! : 0, checksum: checksum16(d), blockSize: 0,
      description: input.sigName[s]!,
    });
  }
  const frames = new Int32Array(sigLen * nSig); // [frame][signal]
  for (let s = 0; s < nSig; s++) {
    const d = digital[s]!;
    for (let i = 0; i < sigLen; i++) frames[i * nSig + s] = d[i]!;
  }
  const header: WfdbHeader = {
    recordName, nSig, fs: input.fs, counterFreq: undefined, baseCounter: undefined, sigLen,
    baseTime: input.baseTime, baseDate: input.baseDate, signals, segments: undefined,
    comments: input.comments ?? [], info: { fields: {} }, warnings: [],
  };
  return { header, dat: spec.encode(frames, frames.length) };
}

function checkName(recordPath: string): string {
  const name = basename(recordPath);
  if (!/^[\w-]+$/.test(name)) throw new WriteError(`wrsamp: record name '${name}' may hold only letters, digits, '_' and '-'`);
  return name;
}

/**
 * Writes `<recordPath>.dat` and `<recordPath>.hea`.
 * @example await wrsamp('out/rec1', { fs: 500, sigName: ['I'], fmt: 212, physical: [Float64Array.of(0, 0.1)] });
 */
export async function wrsamp(recordPath: string, input: WrsampInput): Promise<WfdbHeader> {
  const { header, dat } = encodeRecord(checkName(recordPath), input);
  await writeFileAtomic(`${recordPath}.dat`, dat);
  await writeFileAtomic(`${recordPath}.hea`, Buffer.from(formatHeader(header), 'latin1'));
  return header;
}

/** Synchronous {@link wrsamp}. */
export function wrsampSync(recordPath: string, input: WrsampInput): WfdbHeader {
  const { header, dat } = encodeRecord(checkName(recordPath), input);
  writeFileAtomicSync(`${recordPath}.dat`, dat);
  writeFileAtomicSync(`${recordPath}.hea`, Buffer.from(formatHeader(header), 'latin1'));
  return header;
}
