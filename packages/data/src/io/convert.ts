// Record summaries (`ecglab info`) and conversions to WFDB, CSV and NPY (`ecglab convert`).
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { WriteError } from '../errors.js';
import { FORMATS } from '../wfdb/formats.js';
import type { CommentInfo } from '../wfdb/header-types.js';
import { rdrecord } from '../wfdb/rdrecord.js';
import type { ChecksumStatus, WfdbRecord } from '../wfdb/record-types.js';
import { wrsamp } from '../wfdb/wrsamp.js';
import { writeFileAtomic } from './atomic.js';
import { encodeNpy } from './npy.js';

export interface SignalSummary {
  name: string;
  units: string;
  gain: number;
  baseline: number;
  fmt: number;
  /** Over valid samples, in physical units; null when every sample is invalid. */
  min: number | null;
  max: number | null;
  mean: number | null;
  invalid: number;
  checksum: ChecksumStatus;
}

export interface RecordSummary {
  record: string;
  nSig: number;
  fs: number;
  sigLen: number;
  durationS: number;
  baseTime: string | null;
  baseDate: string | null;
  segments: number | null;
  info: CommentInfo;
  comments: string[];
  signals: SignalSummary[];
  warnings: string[];
}

/**
 * Reads a whole record and summarises each signal (checksum mismatches become warnings here, so a
 * damaged record can still be inspected).
 * @example const s = await summarizeRecord('fixtures/data/wfdb/100_3chan'); s.signals[0].checksum // 'ok'
 */
export async function summarizeRecord(recordPath: string): Promise<RecordSummary> {
  const r = await rdrecord(recordPath, { onChecksumMismatch: 'warn' });
  const h = r.header;
  const signals = r.physical!.map((x, c): SignalSummary => {
    let min = Infinity, max = -Infinity, sum = 0, n = 0;
    for (const v of x) {
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      n++;
    }
    return {
      name: r.sigName[c]!, units: r.units[c]!, gain: r.adcGain[c]!, baseline: r.baseline[c]!, fmt: r.fmt[c]!,
      min: n ? min : null, max: n ? max : null, mean: n ? sum / n : null, invalid: x.length - n, checksum: r.checksums[c]!,
    };
  });
  return {
    record: h.recordName, nSig: r.sigName.length, fs: r.fs, sigLen: r.sigLen, durationS: r.sigLen / r.fs,
    baseTime: h.baseTime ?? null, baseDate: h.baseDate ?? null, segments: h.segments?.length ?? null,
    info: h.info, comments: h.comments, signals, warnings: r.warnings,
  };
}

export interface ConvertOptions {
  to: 'wfdb' | 'csv' | 'npy';
  /** WFDB output format (default 16). */
  fmt?: 16 | 212 | 80;
  /** NPY element type: physical float32 (default) or stored digital int16. */
  dtype?: 'float32' | 'int16';
}

export interface ConvertResult {
  files: string[];
  notes: string[];
}

// Whether every valid stored value can be written unchanged in `fmt` (its invalid value excluded).
function fits(r: WfdbRecord, fmt: number): boolean {
  const to = FORMATS.get(fmt)!;
  return r.digital!.every((d, c) => {
    const invalid = FORMATS.get(r.fmt[c]!)?.invalid;
    return d.every((v) => v === invalid || (v > to.min && v <= to.max));
  });
}

/**
 * Converts a record (any readable WFDB record, MAT-backed ones included) to WFDB (`out` is the new
 * record path, without extension), CSV (`time,<signal>...`, physical units, empty for invalid) or NPY
 * ([signals, samples], row-major).
 * @example await convertRecord('fixtures/data/wfdb/100_3chan', '/tmp/x.npy', { to: 'npy' })
 */
export async function convertRecord(recordPath: string, out: string, opts: ConvertOptions): Promise<ConvertResult> {
  const notes: string[] = [];
  await mkdir(dirname(out), { recursive: true }); // `-o out/A00001` into a folder that does not exist yet
  if (opts.to === 'wfdb') {
    const fmt = opts.fmt ?? 16;
    const d = await rdrecord(recordPath, { physical: false });
    const common = { fs: d.fs, sigName: d.sigName, units: d.units, fmt, comments: d.header.comments, baseTime: d.header.baseTime, baseDate: d.header.baseDate };
    if (d.header.signals.some((s) => s.sampsPerFrame > 1)) notes.push('signals with several samples per frame were averaged to one per frame');
    // Same digital values when they fit the new format (bit-exact). Otherwise, and for multi-segment
    // records (whose segments may use different gains), rescale from physical units.
    if (!d.header.segments && fits(d, fmt)) {
      const to = FORMATS.get(fmt)!;
      const digital = d.digital!.map((x, c) => {
        const invalid = FORMATS.get(d.fmt[c]!)!.invalid;
        return x.map((v) => (v === invalid ? to.invalid : v));
      });
      await wrsamp(out, { ...common, digital, adcGain: d.adcGain, baseline: d.baseline });
    } else {
      const p = await rdrecord(recordPath);
      await wrsamp(out, { ...common, physical: p.physical! });
      notes.push(`samples rescaled from physical units with a gain fitted to format ${fmt}`);
    }
    return { files: [`${out}.hea`, `${out}.dat`], notes };
  }
  if (opts.to === 'csv') {
    const r = await rdrecord(recordPath);
    const cols = r.physical!;
    const lines: string[] = [['time', ...r.sigName.map((n, c) => `${n} (${r.units[c]})`)].map(csvField).join(',')];
    for (let i = 0; i < r.sigLen; i++) {
      let line = String((r.sampfrom + i) / r.fs);
      for (const x of cols) line += `,${Number.isNaN(x[i]!) ? '' : String(x[i])}`;
      lines.push(line);
    }
    await writeFileAtomic(out, Buffer.from(lines.join('\n') + '\n', 'utf8'));
    return { files: [out], notes };
  }
  if (opts.to === 'npy') {
    const dtype = opts.dtype ?? 'float32';
    const r = await rdrecord(recordPath, { physical: dtype === 'float32' });
    const n = r.sigLen, k = r.sigName.length;
    if (dtype === 'int16') {
      const a = new Int16Array(k * n); // [signal, sample]
      r.digital!.forEach((x, c) => x.forEach((v, i) => {
        if (v < -32768 || v > 32767) throw new WriteError(`${basename(recordPath)}: signal ${c} sample ${i} = ${v} does not fit int16; use float32`);
        a[c * n + i] = v;
      }));
      await writeFileAtomic(out, encodeNpy(a, [k, n]));
    } else {
      const a = new Float32Array(k * n); // [signal, sample]
      r.physical!.forEach((x, c) => a.set(x, c * n));
      await writeFileAtomic(out, encodeNpy(a, [k, n]));
      notes.push('physical units as float32, shape [signals, samples]; invalid samples are NaN');
    }
    return { files: [out], notes };
  }
  throw new WriteError(`convert: unknown target '${String(opts.to)}' (expected wfdb, csv or npy)`);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
