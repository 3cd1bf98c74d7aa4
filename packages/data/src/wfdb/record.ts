// Reading the samples of a single-segment WFDB record. The work is split into a plan (which byte
// range of which file) and a finish step (decode, de-interleave, convert), so that the async and
// the sync readers share every line except the file I/O.
import { basename, dirname } from 'node:path';
import { HeaderError, LimitError, RangeRequestError, SignalFileError, UnsupportedFormatError } from '../errors.js';
import type { ByteRange } from '../io/read.js';
import { dataLimits, raiseHint } from '../limits.js';
import { checkSignal } from './checksum.js';
import { FORMATS, bytesFor, samplesIn, type FormatSpec } from './formats.js';
import { decodeFlacFrames, flacSpec, isFlacFormat } from './flac.js';
import { EMPTY, NULL_SAMPLE, extract, gainOf, integrateFormat8, invalidOf, smoothDigital, storedSum, toPhysical, type PhysicalArray } from './samples.js';
import { PickMode, SampleKind, pickSignals, type PickSignal } from './pick-kernel.js';
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
    } else if (g.spec.fmt !== spec.fmt || g.byteOffset !== s.byteOffset) {
      throw new HeaderError(`${heaFile}: signal ${sig} (${s.description}) in ${s.fileName} has format ${s.fmt}+${s.byteOffset}, but earlier signals of that file have ${g.spec.fmt}+${g.byteOffset}`, heaFile);
    }
    // A FLAC file's channels share one sample rate (signal(5)).
    if (isFlacFormat(s.fmt) && g.members.length > 0 && g.members[0]!.spf !== s.sampsPerFrame) {
      throw new HeaderError(`${heaFile}: signal ${sig} (${s.description}) in FLAC file ${s.fileName} has ${s.sampsPerFrame} samples per frame, earlier signals of that file have ${g.members[0]!.spf}`, heaFile);
    }
    if (isFlacFormat(s.fmt) && g.members.length === 8) throw new HeaderError(`${heaFile}: FLAC file ${s.fileName} holds more than 8 signals`, heaFile);
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
  if (isFlacFormat(s.fmt)) return flacSpec(s.fmt);
  throw new UnsupportedFormatError(`${heaFile}: signal ${sig} (${s.description}): unknown format ${s.fmt} (supported: ${[...FORMATS.keys()].join(', ')}, 508, 516, 524)`, heaFile);
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
  /** Whether a file to read is FLAC (whose decoder must be loaded first). */
  flac: boolean;
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
    const at = headerLines(h)?.signals[group.members[0]!.sig];
    const path = insidePath(dir, group.fileName, at === undefined ? heaFile : `${heaFile} line ${at}`, 'signal file', opts);
    if (isFlacFormat(spec.fmt)) {
      // A FLAC stream is decoded from its start: the whole file is read, within the file-size limit.
      reads.push({ group, path, start: 0, length: dataLimits(opts.limits).maxFileBytes + 1, lead: 0, matHeader: 0 });
      continue;
    }
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
    reads.push({ group, path, start, length, lead, matHeader });
  }
  return { flac: reads.some((r) => isFlacFormat(r.group.spec.fmt)), from, to, channels, reads };
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
  if (isFlacFormat(group.spec.fmt)) {
    throw new HeaderError(`${group.fileName}: a FLAC signal file's length cannot be told from its size; the header's record line must give the number of samples`, group.fileName);
  }
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
export function finishRead(recordPath: string, h: WfdbHeader, sigLen: number, plan: Plan, got: ByteRange[], opts: RdrecordOptions): WfdbRecord<PhysicalArray> {
  const physical = opts.physical ?? true;
  const Out = opts.float32 ? Float32Array : Float64Array;
  const scaleOf = physicalScales(recordPath, plan.channels, opts);
  const smooth = opts.smoothFrames ?? true;
  const { from, to } = plan;
  const n = to - from;
  const whole = from === 0 && to === sigLen;
  const allZero = h.signals.every((s) => s.checksum === 0);
  const warnings = [...h.warnings];
  const expanded = new Map<number, Int32Array>();
  const physicalDirect = new Map<number, PhysicalArray>();
  const status = new Map<number, ChecksumStatus>();
  const invalidCount = new Map<number, number>();
  const mode = !physical ? PickMode.Digital : opts.float32 ? PickMode.Float32 : PickMode.Float64;
  // The caller's arrays, all checked before anything is written; the kernel writes straight into them.
  if (opts.out !== undefined) plan.channels.forEach((c, i) => callerArray(recordPath, opts, plan.channels.length, i, smooth ? n : n * h.signals[c]!.sampsPerFrame));
  const intoFor = (sig: number): PhysicalArray | Int32Array | undefined => opts.out?.[plan.channels.indexOf(sig)];
  const pickSpec = (sig: number, at: number, kind: SampleKind, invalid: number): PickSignal => {
    const sp = h.signals[sig]!;
    return { at, kind, baseline: sp.baseline, gain: gainOf(sp), k: scaleOf.get(sig)!, invalid };
  };
  // The signals `picked` returns (in order), their samples' 16-bit sums checked against the header.
  const keepPicked = (r: GroupRead, sigs: number[], picked: { out: Int32Array | PhysicalArray; sum: number; invalid: number }[]): void => {
    sigs.forEach((sig, i) => {
      const { out, sum, invalid } = picked[i]!;
      invalidCount.set(sig, invalid);
      if (physical) physicalDirect.set(sig, out as PhysicalArray);
      else expanded.set(sig, out as Int32Array);
      const sp = h.signals[sig]!;
      status.set(sig, whole
        ? checkSignal(sp, sum, allZero, `${r.path} signal ${sig} (${sp.description})`, opts.onChecksumMismatch ?? 'error', warnings)
        : sp.checksum === undefined ? 'absent' : 'unchecked');
    });
  };
  // Each wanted signal of a file out of its frame-ordered stream: picked, summed and converted in one pass
  // where it has one sample per frame and no skew, else extracted and converted below.
  const pickMembers = (stream: Int16Array | Int32Array, r: GroupRead): void => {
    const { group } = r;
    const { spec, tpf } = group;
    const size = stream.BYTES_PER_ELEMENT;
    const kind = size === 2 ? SampleKind.Int16 : SampleKind.Int32;
    const direct = group.members.filter((m) => plan.channels.includes(m.sig) && m.spf === 1 && m.skew === 0);
    if (direct.length > 0) {
      const bytes = new Uint8Array(stream.buffer, stream.byteOffset + r.lead * size, (stream.length - r.lead) * size);
      keepPicked(r, direct.map((m) => m.sig), pickSignals(bytes, tpf * size, n, direct.map((m) => pickSpec(m.sig, m.offset * size, kind, spec.invalid)), mode, direct.map((m) => intoFor(m.sig))));
    }
    for (const m of group.members) {
      if (!plan.channels.includes(m.sig) || direct.includes(m)) continue;
      const sp = h.signals[m.sig]!;
      expanded.set(m.sig, extract(stream, r.lead + m.skew * tpf + m.offset, tpf, m.spf, n, spec.invalid));
      const sum = whole ? storedSum(stream, r.lead + m.offset, tpf, m.spf, n) : 0;
      status.set(m.sig, whole
        ? checkSignal(sp, sum, allZero, `${r.path} signal ${m.sig} (${sp.description})`, opts.onChecksumMismatch ?? 'error', warnings)
        : sp.checksum === undefined ? 'absent' : 'unchecked');
    }
  };
  plan.reads.forEach((r, k) => {
    const { group } = r;
    const { spec, tpf } = group;
    let bytes = got[k]!.bytes;
    if (isFlacFormat(spec.fmt)) {
      const { maxFileBytes } = dataLimits(opts.limits);
      if (got[k]!.fileSize > maxFileBytes) {
        throw new LimitError(`${r.path}: FLAC file of ${got[k]!.fileSize} bytes is larger than a file read whole may be; ${raiseHint('maxFileBytes', maxFileBytes)}`, r.path);
      }
      // The stream is decoded (and held) for every signal of the file, skewed ones up to their
      // last frame: unlike a plain file's bytes, a few FLAC bytes can stand for any number of samples.
      const frames = n === 0 ? 0 : n + group.maxSkew;
      checkSampleLimit(`${recordPath}.hea`, h, frames, group.members.map((m) => m.spf), opts);
      const stream = decodeFlacFrames(bytes, {
        path: r.path, fmt: spec.fmt, channels: group.members.length, keep: group.members.map((m) => plan.channels.includes(m.sig)),
        spf: group.members[0]!.spf, sampleOffset: group.byteOffset, firstFrame: from, frames,
      });
      if (stream.length < n * tpf) {
        throw new SignalFileError(`${r.path}: truncated: the FLAC stream holds ${from + stream.length / tpf} frames${group.byteOffset > 0 ? ` after its ${group.byteOffset}-sample offset` : ''}, the header says ${sigLen}`, r.path);
      }
      pickMembers(stream, r);
      return;
    }
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
    if (spec.fmt === 212 && group.members.length === 2 && tpf === 2 && group.maxSkew === 0 && r.lead === 0) {
      const wanted = group.members.filter((m) => plan.channels.includes(m.sig));
      const kinds = wanted.map((m) => (m.offset === 0 ? SampleKind.Fmt212First : SampleKind.Fmt212Second));
      keepPicked(r, wanted.map((m) => m.sig), pickSignals(bytes, 3, n, wanted.map((m, i) => pickSpec(m.sig, 0, kinds[i]!, spec.invalid)), mode, wanted.map((m) => intoFor(m.sig))));
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
    pickMembers(stream, r);
  });
  const sigs = plan.channels.map((c) => h.signals[c]!);
  plan.channels.forEach((c) => {
    const s = h.signals[c]!;
    if (!isNullSignal(s)) return;
    // No file: every sample is invalid, made straight in the form returned (no stream, no copy).
    const len = smooth ? n : n * s.sampsPerFrame;
    if (physical) physicalDirect.set(c, new Out(len).fill(NaN));
    else expanded.set(c, new Int32Array(len).fill(NULL_SAMPLE));
    status.set(c, 'absent');
    invalidCount.set(c, len);
  });
  const digital = plan.channels.map((c, i) => {
    const e = expanded.get(c) ?? EMPTY; // EMPTY where physical values were made directly
    const spf = sigs[i]!.sampsPerFrame;
    const d = smooth && spf > 1 && !isNullSignal(sigs[i]!) ? smoothDigital(e, spf, n, invalidOf(sigs[i]!)) : e;
    if (!invalidCount.has(c)) invalidCount.set(c, countOf(d, invalidOf(sigs[i]!)));
    return d;
  });
  const rec: WfdbRecord<PhysicalArray> = {
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
    physical: physical ? digital.map((d, i) => physicalDirect.get(plan.channels[i]!) ?? toPhysical(d, sigs[i]!, scaleOf.get(plan.channels[i]!)!, Out)) : undefined,
    digital: physical ? undefined : digital,
    checksums: plan.channels.map((c) => status.get(c)!),
    invalid: plan.channels.map((c) => invalidCount.get(c)!),
    warnings,
  };
  return intoCallerArrays(recordPath, rec, opts);
}

/**
 * The array `opts.out` gives for returned channel `i` of `channels`, checked: one array per channel, of the type
 * this read returns, able to take `length` values. Throws a RangeRequestError naming `out[i]` otherwise.
 */
function callerArray(recordPath: string, opts: RdrecordOptions, channels: number, i: number, length: number): Float64Array | Float32Array | Int32Array {
  if (opts.out!.length !== channels) {
    throw new RangeRequestError(`${basename(recordPath)}: 'out' gives ${opts.out!.length} arrays; the read returns ${channels} channels`, `${recordPath}.hea`);
  }
  const Want = opts.physical === false ? Int32Array : opts.float32 ? Float32Array : Float64Array;
  const a = opts.out![i];
  const problem = a === undefined ? 'is missing'
    : !(a instanceof Want) ? `is a ${Object.prototype.toString.call(a).slice(8, -1)}; this read returns ${Want.name} values`
      : a.length < length ? `holds ${a.length} values; the channel has ${length}` : undefined;
  if (problem !== undefined) {
    throw new RangeRequestError(`${basename(recordPath)}: 'out[${i}]' ${problem} (one array per returned channel, ${opts.out!.length} given)`, `${recordPath}.hea`);
  }
  return a!;
}

/**
 * With `opts.out`, each returned channel's values in the caller's array (as a view of its first values): those the
 * kernel wrote there already are kept, the others are copied in.
 */
export function intoCallerArrays(recordPath: string, rec: WfdbRecord<PhysicalArray>, opts: RdrecordOptions): WfdbRecord<PhysicalArray> {
  if (opts.out === undefined) return rec;
  const arrays: (PhysicalArray | Int32Array)[] = rec.physical ?? rec.digital!;
  const to = arrays.map((a, i) => callerArray(recordPath, opts, arrays.length, i, a.length)); // all checked first
  const placed = arrays.map((a, i) => {
    if (to[i]!.buffer === a.buffer && to[i]!.byteOffset === a.byteOffset) return a;
    to[i]!.set(a);
    return to[i]!.subarray(0, a.length);
  });
  return rec.physical ? { ...rec, physical: placed as PhysicalArray[] } : { ...rec, digital: placed as Int32Array[] };
}

function countOf(d: Int32Array, value: number): number {
  let k = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === value) k++;
  return k;
}

/** `opts.scale` (one factor per returned channel, default 1) by signal index, checked. */
export function physicalScales(recordPath: string, channels: readonly number[], opts: RdrecordOptions): Map<number, number> {
  const { scale } = opts;
  if (scale !== undefined && (scale.length !== channels.length || !scale.every((k) => Number.isFinite(k)))) {
    throw new RangeRequestError(`${basename(recordPath)}: 'scale' must give one finite factor per returned channel (${channels.length}), got [${scale.join(', ')}]`, `${recordPath}.hea`);
  }
  return new Map(channels.map((c, i) => [c, scale?.[i] ?? 1]));
}

export { toPhysical } from './samples.js';
