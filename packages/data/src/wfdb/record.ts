// Reading the samples of a single-segment WFDB record. The work is split into a plan (which byte
// range of which file) and a finish step (decode, de-interleave, convert), so that the async and
// the sync readers share every line except the file I/O.
import { basename, dirname } from 'node:path';
import { HeaderError, LimitError, RangeRequestError, SignalFileError, UnsupportedFormatError } from '../errors.js';
import type { ByteRange } from '../io/read.js';
import { dataLimits, raiseHint } from '../limits.js';
import { checkSignal } from './checksum.js';
import { FLAC_FORMATS, FORMATS, bytesFor, samplesIn, type FormatSpec } from './formats.js';
import { headerLines } from './header.js';
import type { SignalSpec, WfdbHeader } from './header-types.js';
import { insidePath } from './paths.js';
import type { ChecksumStatus, RdrecordOptions, WfdbRecord } from './record-types.js';

/** Signals stored together in one file, in frame order. */
export interface FileGroup {
  fileName: string;
  spec: FormatSpec;
  byteOffset: number;
  /** Samples per frame in the file (sum over its signals). */
  tpf: number;
  members: { sig: number; offset: number; spf: number; skew: number }[];
  maxSkew: number;
}

/** Groups a header's signals by file and checks that each file's format is one we can decode. */
export function fileGroups(h: WfdbHeader, heaFile: string): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  h.signals.forEach((s, sig) => {
    if (isNullSignal(s)) return; // no file: read as invalid samples
    const spec = formatOf(s, sig, heaFile);
    let g = groups.get(s.fileName);
    if (g === undefined) {
      g = { fileName: s.fileName, spec, byteOffset: s.byteOffset, tpf: 0, members: [], maxSkew: 0 };
      groups.set(s.fileName, g);
    } else if (g.spec !== spec || g.byteOffset !== s.byteOffset) {
      throw new HeaderError(`${heaFile}: signal ${sig} (${s.description}) in ${s.fileName} has format ${s.fmt}+${s.byteOffset}, but earlier signals of that file have ${g.spec.fmt}+${g.byteOffset}`, heaFile);
    }
    g.members.push({ sig, offset: g.tpf, spf: s.sampsPerFrame, skew: s.skew });
    g.tpf += s.sampsPerFrame;
    g.maxSkew = Math.max(g.maxSkew, s.skew);
  });
  return [...groups.values()];
}

/** Format 0 (file `~` in layout headers): a signal with no stored samples (header(5)). */
export const isNullSignal = (s: SignalSpec): boolean => s.fmt === 0;

function formatOf(s: SignalSpec, sig: number, heaFile: string): FormatSpec {
  const spec = FORMATS.get(s.fmt);
  if (spec) return spec;
  if (FLAC_FORMATS.has(s.fmt)) {
    throw new UnsupportedFormatError(`${heaFile}: signal ${sig} (${s.description}): format ${s.fmt} is FLAC-compressed, which this reader does not support; convert it with WFDB's xform to format 16`, heaFile);
  }
  throw new UnsupportedFormatError(`${heaFile}: signal ${sig} (${s.description}): unknown format ${s.fmt} (supported: ${[...FORMATS.keys()].join(', ')})`, heaFile);
}

/** One contiguous byte range to read, and how the frames requested sit inside it. */
export interface GroupRead {
  group: FileGroup;
  path: string;
  start: number;
  length: number;
  /** Stream index (in samples from the block at `start`) of frame `from`. */
  lead: number;
  /** Bytes of a MAT v4 header read along with the data, to be checked then skipped. */
  matHeader: number;
}

export interface Plan {
  from: number;
  to: number;
  channels: number[];
  reads: GroupRead[];
}

/** Which frames, channels and byte ranges `opts` asks for. `sigLen` must be known. */
export function planRead(recordPath: string, h: WfdbHeader, sigLen: number, opts: RdrecordOptions): Plan {
  const heaFile = `${recordPath}.hea`;
  const from = opts.sampfrom ?? 0;
  const to = opts.sampto ?? sigLen;
  const name = basename(recordPath);
  for (const [k, v] of [['sampfrom', from], ['sampto', to]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeRequestError(`${name}: ${k} ${v} is not a non-negative integer`, heaFile);
  }
  if (to > sigLen) throw new RangeRequestError(`${name}: sampto ${to} is beyond the end of the record (${sigLen} samples)`, heaFile);
  if (from > to) throw new RangeRequestError(`${name}: sampfrom ${from} is after sampto ${to}`, heaFile);
  const channels = opts.channels ?? h.signals.map((_, i) => i);
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= h.nSig) throw new RangeRequestError(`${name}: channel ${c} does not exist (the record has ${h.nSig} signals)`, heaFile);
  }
  checkSampleLimit(heaFile, h, to - from, channels.map((c) => h.signals[c]!.sampsPerFrame), opts);
  const wanted = new Set(channels);
  const dir = dirname(recordPath);
  const reads: GroupRead[] = [];
  for (const group of fileGroups(h, heaFile)) {
    if (!group.members.some((m) => wanted.has(m.sig))) continue;
    const { spec, tpf } = group;
    const endIdx = (to + group.maxSkew) * tpf;
    // Format 8 stores differences, so it is always read from the first sample.
    const startBlock = spec.fmt === 8 ? 0 : Math.floor((from * tpf) / spec.blockSamples);
    const lead = from * tpf - startBlock * spec.blockSamples;
    const endBlock = Math.ceil(endIdx / spec.blockSamples);
    let start = group.byteOffset + startBlock * spec.blockBytes;
    let length = (endBlock - startBlock) * spec.blockBytes;
    // A MAT v4 signal file's header precedes the data (`16+24`); read it too when it is adjacent.
    const matHeader = group.fileName.endsWith('.mat') && startBlock === 0 ? group.byteOffset : 0;
    start -= matHeader;
    length += matHeader;
    const at = headerLines(h)?.signals[group.members[0]!.sig];
    const path = insidePath(dir, group.fileName, at === undefined ? heaFile : `${heaFile} line ${at}`, 'signal file', opts);
    reads.push({ group, path, start, length, lead, matHeader });
  }
  return { from, to, channels, reads };
}

/**
 * Refuses a read of `frames` frames of signals with these samples per frame when it would return
 * more samples than the `maxSamples` limit: a null signal or a gap has no file to bound its length,
 * so a header of a few bytes could otherwise ask for billions. The error names the record line.
 */
export function checkSampleLimit(heaFile: string, h: WfdbHeader, frames: number, spf: number[], opts: RdrecordOptions): void {
  const { maxSamples } = dataLimits(opts.limits);
  const total = frames * spf.reduce((a, b) => a + b, 0);
  if (total > maxSamples) {
    const line = headerLines(h)?.record;
    throw new LimitError(`${heaFile}${line === undefined ? '' : ` line ${line}`}: reading ${frames} frames of ${spf.length} signal(s) is ${total} samples; ${raiseHint('maxSamples', maxSamples)}, or read a range with sampfrom/sampto`, heaFile);
  }
}

/** Frames a signal file holds (for headers without a length), from its size. */
export function framesInFile(group: FileGroup, fileSize: number): number {
  return Math.floor(samplesIn(group.spec, Math.max(0, fileSize - group.byteOffset)) / group.tpf);
}

function checkMatHeader(r: GroupRead, bytes: Uint8Array, h: WfdbHeader, sigLen: number): void {
  if (bytes.length < 20) return; // too short: reported as truncation below
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 20);
  const type = dv.getInt32(0, true);
  const rows = dv.getInt32(4, true);
  const cols = dv.getInt32(8, true);
  // MAT v4 type MOPT: 30 = little-endian int16, 20 = little-endian int32 (formats 16 and 32).
  const expectType = r.group.spec.fmt === 16 ? 30 : r.group.spec.fmt === 32 ? 20 : undefined;
  const problem = expectType !== undefined && type !== expectType
    ? `MAT v4 type ${type}, expected ${expectType} for format ${r.group.spec.fmt}`
    : rows !== r.group.tpf ? `MAT v4 matrix has ${rows} rows, the header has ${r.group.tpf} samples per frame`
      : cols < sigLen ? `MAT v4 matrix has ${cols} columns, the header says ${sigLen} samples` : undefined;
  if (problem) throw new SignalFileError(`${r.path}: ${problem} (header ${h.recordName}.hea)`, r.path);
}

/** Decodes the bytes read for a plan into the record. */
export function finishRead(recordPath: string, h: WfdbHeader, sigLen: number, plan: Plan, got: ByteRange[], opts: RdrecordOptions): WfdbRecord {
  const physical = opts.physical ?? true;
  const smooth = opts.smoothFrames ?? true;
  const { from, to } = plan;
  const n = to - from;
  const whole = from === 0 && to === sigLen;
  const allZero = h.signals.every((s) => s.checksum === 0);
  const warnings = [...h.warnings];
  const expanded = new Map<number, Int32Array>();
  const physicalDirect = new Map<number, Float64Array>();
  const status = new Map<number, ChecksumStatus>();
  plan.reads.forEach((r, k) => {
    const { group } = r;
    const { spec, tpf } = group;
    let bytes = got[k]!.bytes;
    if (r.matHeader > 0) {
      checkMatHeader(r, bytes, h, sigLen);
      bytes = bytes.subarray(Math.min(r.matHeader, bytes.length));
    }
    const avail = samplesIn(spec, bytes.length);
    const needed = r.lead + n * tpf;
    if (avail < needed) {
      const want = group.byteOffset + bytesFor(spec, sigLen * tpf);
      throw new SignalFileError(`${r.path}: truncated: ${sigLen} samples of ${tpf} per frame in format ${spec.fmt} need ${want} bytes, the file has ${got[k]!.fileSize}`, r.path);
    }
    // Two signals in format 212 with one sample per frame (MIT-BIH, NSTDB): each 3-byte block is one
    // frame, so both signals are decoded straight into their outputs, without a stream in between.
    if (spec.fmt === 212 && tpf === 2 && group.maxSkew === 0 && r.lead === 0) {
      const [m0, m1] = group.members as [FileGroup['members'][0], FileGroup['members'][0]];
      const s0 = h.signals[m0.sig]!, s1 = h.signals[m1.sig]!;
      const x = physical
        ? decode212Physical(bytes, n, s0.baseline, s0.adcGain === 0 ? 200 : s0.adcGain, s1.baseline, s1.adcGain === 0 ? 200 : s1.adcGain)
        : decode212Digital(bytes, n);
      for (const [k, m] of [[0, m0], [1, m1]] as const) {
        if (!plan.channels.includes(m.sig)) continue;
        if (physical) physicalDirect.set(m.sig, x.out[k] as Float64Array);
        else expanded.set(m.sig, x.out[k] as Int32Array);
        const sp = h.signals[m.sig]!;
        status.set(m.sig, whole
          ? checkSignal(sp, x.sums[k]!, allZero, `${r.path} signal ${m.sig} (${sp.description})`, opts.onChecksumMismatch ?? 'error', warnings)
          : sp.checksum === undefined ? 'absent' : 'unchecked');
      }
      return;
    }
    // The file's samples in frame order. Format 16 needs no decoding at all: an Int16Array view of
    // the bytes serves (the buffers readRange allocates are 2-aligned, so this is the common case).
    const count = Math.min(avail, r.lead + (n + group.maxSkew) * tpf);
    let stream: Int16Array | Int32Array;
    if (spec.fmt === 16 && (bytes.byteOffset & 1) === 0) {
      stream = new Int16Array(bytes.buffer, bytes.byteOffset, count);
    } else {
      stream = new Int32Array(count);
      spec.decode(bytes, count, stream, 0);
      if (spec.fmt === 8) integrateFormat8(stream, group, h);
    }
    for (const m of group.members) {
      if (!plan.channels.includes(m.sig)) continue;
      const sp = h.signals[m.sig]!;
      let sum = 0;
      if (m.spf === 1 && m.skew === 0) {
        // One pass per signal: pick its samples, sum them, and convert them if asked.
        if (physical) {
          const x = pickPhysical(stream, r.lead + m.offset, tpf, n, sp.baseline, sp.adcGain === 0 ? 200 : sp.adcGain, spec.invalid);
          physicalDirect.set(m.sig, x.out);
          sum = x.sum;
        } else {
          const x = pickDigital(stream, r.lead + m.offset, tpf, n);
          expanded.set(m.sig, x.out);
          sum = x.sum;
        }
      } else {
        expanded.set(m.sig, extract(stream, r.lead + m.skew * tpf + m.offset, tpf, m.spf, n, spec.invalid));
        if (whole) sum = storedSum(stream, r.lead + m.offset, tpf, m.spf, n);
      }
      status.set(m.sig, whole
        ? checkSignal(sp, sum, allZero, `${r.path} signal ${m.sig} (${sp.description})`, opts.onChecksumMismatch ?? 'error', warnings)
        : sp.checksum === undefined ? 'absent' : 'unchecked');
    }
  });
  const sigs = plan.channels.map((c) => h.signals[c]!);
  plan.channels.forEach((c) => {
    const s = h.signals[c]!;
    if (!isNullSignal(s)) return;
    // No file: every sample is invalid, made straight in the form returned (no stream, no copy).
    const len = smooth ? n : n * s.sampsPerFrame;
    if (physical) physicalDirect.set(c, new Float64Array(len).fill(NaN));
    else expanded.set(c, new Int32Array(len).fill(NULL_SAMPLE));
    status.set(c, 'absent');
  });
  const digital = plan.channels.map((c, i) => {
    const e = expanded.get(c) ?? EMPTY; // EMPTY where physical values were made directly
    const spf = sigs[i]!.sampsPerFrame;
    return smooth && spf > 1 && !isNullSignal(sigs[i]!) ? smoothDigital(e, spf, n, invalidOf(sigs[i]!)) : e;
  });
  return {
    recordName: h.recordName,
    header: h,
    fs: h.fs,
    sampfrom: from,
    sigLen: n,
    sigName: sigs.map((s) => s.description),
    units: sigs.map((s) => s.units),
    adcGain: sigs.map((s) => s.adcGain),
    baseline: sigs.map((s) => s.baseline),
    fmt: sigs.map((s) => s.fmt),
    sampsPerFrame: sigs.map((s) => (smooth ? 1 : s.sampsPerFrame)),
    physical: physical ? digital.map((d, i) => physicalDirect.get(plan.channels[i]!) ?? toPhysical(d, sigs[i]!)) : undefined,
    digital: physical ? undefined : digital,
    checksums: plan.channels.map((c) => status.get(c)!),
    warnings,
  };
}

// The checksum covers the samples as stored in the file's first sigLen frames: a skew moves what
// rdsamp returns, not what the writer summed (100skew and test01_00s_skew keep the unskewed sums).
function storedSum(stream: Int16Array | Int32Array, base: number, tpf: number, spf: number, n: number): number {
  let s = 0;
  for (let f = 0; f < n; f++) for (let j = 0; j < spf; j++) s = (s + stream[base + f * tpf + j]!) | 0;
  return ((s % 65536) + 65536) % 65536;
}

// One signal's samples out of the interleaved stream: `spf` per frame, frames `tpf` apart.
function extract(stream: Int16Array | Int32Array, base: number, tpf: number, spf: number, n: number, invalid: number): Int32Array {
  const out = new Int32Array(n * spf);
  if (spf === 1 && base + (n - 1) * tpf < stream.length) {
    for (let f = 0, p = base; f < n; f++, p += tpf) out[f] = stream[p]!;
    return out;
  }
  const count = stream.length;
  for (let f = 0; f < n; f++) {
    for (let j = 0; j < spf; j++) {
      const p = base + f * tpf + j;
      // A skewed signal's last samples lie beyond the file's last frame: WFDB reads them as invalid.
      out[f * spf + j] = p < count ? stream[p]! : invalid;
    }
  }
  return out;
}

const EMPTY = new Int32Array(0);

const mod16 = (acc: number): number => ((acc % 65536) + 65536) % 65536;

// Format 212 frames of two signals (3 bytes each) to physical units, with both checksums.
function decode212Physical(src: Uint8Array, n: number, b0: number, g0: number, b1: number, g1: number): { out: [Float64Array, Float64Array]; sums: [number, number] } {
  const o0 = new Float64Array(n), o1 = new Float64Array(n);
  let a0 = 0, a1 = 0;
  for (let f = 0, j = 0; f < n; f++, j += 3) {
    const mid = src[j + 1]!;
    const x = ((src[j]! | ((mid & 0x0f) << 8)) << 20) >> 20;
    const y = ((src[j + 2]! | ((mid & 0xf0) << 4)) << 20) >> 20;
    a0 = (a0 + x) | 0;
    a1 = (a1 + y) | 0;
    o0[f] = x === -2048 ? NaN : (x - b0) / g0;
    o1[f] = y === -2048 ? NaN : (y - b1) / g1;
  }
  return { out: [o0, o1], sums: [mod16(a0), mod16(a1)] };
}

/** {@link decode212Physical} for digital values. */
function decode212Digital(src: Uint8Array, n: number): { out: [Int32Array, Int32Array]; sums: [number, number] } {
  const o0 = new Int32Array(n), o1 = new Int32Array(n);
  let a0 = 0, a1 = 0;
  for (let f = 0, j = 0; f < n; f++, j += 3) {
    const mid = src[j + 1]!;
    const x = ((src[j]! | ((mid & 0x0f) << 8)) << 20) >> 20;
    const y = ((src[j + 2]! | ((mid & 0xf0) << 4)) << 20) >> 20;
    a0 = (a0 + x) | 0;
    a1 = (a1 + y) | 0;
    o0[f] = x;
    o1[f] = y;
  }
  return { out: [o0, o1], sums: [mod16(a0), mod16(a1)] };
}

// Every `tpf`-th sample from `base`, in physical units, with the samples' 16-bit sum. Digital and
// physical are two functions because one with both branches deoptimises on whichever ran second.
function pickPhysical(src: Int16Array | Int32Array, base: number, tpf: number, n: number, baseline: number, gain: number, invalid: number): { out: Float64Array; sum: number } {
  let acc = 0;
  const out = new Float64Array(n);
  for (let f = 0, p = base; f < n; f++, p += tpf) {
    const x = src[p]!;
    acc = (acc + x) | 0;
    out[f] = x === invalid ? NaN : (x - baseline) / gain;
  }
  return { out, sum: ((acc % 65536) + 65536) % 65536 };
}

/** {@link pickPhysical} for digital values. */
function pickDigital(src: Int16Array | Int32Array, base: number, tpf: number, n: number): { out: Int32Array; sum: number } {
  let acc = 0;
  const out = new Int32Array(n);
  for (let f = 0, p = base; f < n; f++, p += tpf) {
    const x = src[p]!;
    acc = (acc + x) | 0;
    out[f] = x;
  }
  return { out, sum: ((acc % 65536) + 65536) % 65536 };
}

// WFDB_INVALID_SAMPLE, for null signals, which have no format of their own.
const NULL_SAMPLE = -32768;
const invalidOf = (s: SignalSpec): number => FORMATS.get(s.fmt)?.invalid ?? NULL_SAMPLE;

// Format 8: each byte is the difference from the signal's previous sample; the first is relative to
// the header's initial value.
function integrateFormat8(stream: Int32Array, g: FileGroup, h: WfdbHeader): void {
  for (const m of g.members) {
    let v = h.signals[m.sig]!.initValue;
    for (let f = 0; f * g.tpf + m.offset < stream.length; f++) {
      for (let j = 0; j < m.spf; j++) {
        const p = f * g.tpf + m.offset + j;
        if (p >= stream.length) break;
        v += stream[p]!;
        stream[p] = v;
      }
    }
  }
}

// One value per frame from `spf` samples: their mean, rounded half away from zero as rdsamp does.
function smoothDigital(e: Int32Array, spf: number, n: number, invalid: number): Int32Array {
  const out = new Int32Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    let bad = false;
    for (let j = 0; j < spf; j++) {
      const v = e[f * spf + j]!;
      if (v === invalid) bad = true;
      s += v;
    }
    out[f] = bad ? invalid : Math.trunc(s / spf);
  }
  return out;
}

/** Digital to physical units: (d − baseline) / gain, NaN for the format's invalid value. */
export function toPhysical(d: Int32Array, s: SignalSpec): Float64Array {
  const gain = s.adcGain === 0 ? 200 : s.adcGain; // WFDB_DEFGAIN for uncalibrated signals
  const invalid = invalidOf(s);
  const baseline = s.baseline;
  const n = d.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    out[i] = v === invalid ? NaN : (v - baseline) / gain;
  }
  return out;
}
