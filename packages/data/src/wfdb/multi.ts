// Multi-segment records (header(5), "Multi-segment records"): the master header lists segments;
// in a variable layout the first segment has length 0 and its header (the layout header) names
// all signals, and each segment holds some of them; `~` segments are gaps. Samples are read per
// segment with the single-segment reader (passed in, so that this file does not import rdrecord)
// and joined; absent signals and gaps read as invalid.
import { dirname } from 'node:path';
import { HeaderError, RangeRequestError } from '../errors.js';
import { headerLines } from './header.js';
import type { SignalSpec, WfdbHeader } from './header-types.js';
import { insidePath } from './paths.js';
import { rdheaderInside, rdheaderInsideSync } from './rdheader.js';
import { checkSampleLimit, physicalScales } from './record.js';
import type { PhysicalArray } from './samples.js';
import type { ChecksumStatus, RdrecordOptions, WfdbRecord } from './record-types.js';

/** Reads one segment (a single-segment record) at `path` with the options given (its header read already: `opts.header`). */
type SegmentReader<T> = (path: string, opts: RdrecordOptions) => T;

interface Piece { name: string; start: number; len: number; line: number | undefined }

interface Part { piece: Piece; from: number; to: number; segOpts: RdrecordOptions; path: string | undefined }

function pieces(h: WfdbHeader): Piece[] {
  let start = 0;
  const lines = headerLines(h)?.segments;
  return h.segments!.map((s, i) => {
    const p = { name: s.name, start, len: s.sigLen, line: lines?.[i] };
    start += s.sigLen;
    return p;
  });
}

/** The digital value used for samples a segment does not have: WFDB's invalid value at the signal's resolution. */
const missingDigital = (s: SignalSpec): number => (s.adcRes > 0 && s.adcRes <= 32 ? -(2 ** (s.adcRes - 1)) : -32768);

/** The frame range asked for, the segments it touches, and the path of each (confined to the folder). */
function plan(base: string, h: WfdbHeader, opts: RdrecordOptions): { from: number; to: number; layoutPath: string | undefined; firstPath: string | undefined; parts: Part[] } {
  const heaFile = `${base}.hea`;
  const dir = dirname(base);
  const where = (p: Piece): string => (p.line === undefined ? heaFile : `${heaFile} line ${p.line}`);
  const pathOf = (p: Piece): string => insidePath(dir, p.name, where(p), 'segment', opts);
  const all = pieces(h);
  const total = all.reduce((a, p) => a + p.len, 0);
  const sigLen = h.sigLen ?? total;
  const from = opts.sampfrom ?? 0;
  const to = opts.sampto ?? sigLen;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to > total || from > to || from < 0) {
    throw new RangeRequestError(`${h.recordName}: samples ${from}–${to} are outside the record (${total} samples in ${all.length} segments)`, heaFile);
  }
  const first = all[0]!;
  const layoutPath = first.len === 0 && first.name !== '~' ? pathOf(first) : undefined;
  const firstReal = all.find((p) => p.name !== '~' && p.len > 0);
  const parts = all
    .filter((p) => p.len > 0 && p.start < to && p.start + p.len > from)
    .map((piece) => {
      const segFrom = Math.max(from, piece.start) - piece.start;
      const segTo = Math.min(to, piece.start + piece.len) - piece.start;
      return {
        piece, from: segFrom, to: segTo, path: piece.name === '~' ? undefined : pathOf(piece),
        segOpts: { ...opts, sampfrom: segFrom, sampto: segTo, channels: undefined, scale: undefined, float32: undefined, header: undefined, out: undefined },
      };
    });
  return { from, to, layoutPath, firstPath: layoutPath === undefined && firstReal ? pathOf(firstReal) : undefined, parts };
}

function layoutSignals(layout: WfdbHeader | undefined, firstSeg: WfdbHeader | undefined, base: string): SignalSpec[] {
  const sigs = layout?.signals ?? firstSeg?.signals;
  if (!sigs) throw new HeaderError(`${base}.hea: multi-segment record has no layout header and no non-empty segment`, `${base}.hea`);
  return sigs;
}

const combine = (s: ChecksumStatus[]): ChecksumStatus =>
  s.includes('mismatch') ? 'mismatch' : s.length > 0 && s.every((x) => x === 'ok') ? 'ok' : s.every((x) => x === 'absent') ? 'absent' : 'unchecked';

/**
 * The gain and baseline a channel's samples have in the segments read: one pair when every segment
 * agrees. In a variable layout they may differ per segment (s25047: lead II at 86, 67, 53 … ADC
 * units per mV); physical values are right either way, but digital values would need one gain per
 * segment, so a digital read of such a channel is refused, as wfdb-python does.
 */
function segmentScale(name: string, c: string, parts: { piece: Piece; rec: WfdbRecord; k: number }[], physical: boolean): { gain: number; baseline: number } | undefined {
  const first = parts[0];
  if (!first) return undefined;
  const g0 = first.rec.adcGain[first.k]!, b0 = first.rec.baseline[first.k]!;
  const other = parts.find((p) => p.rec.adcGain[p.k] !== g0 || p.rec.baseline[p.k] !== b0);
  if (other === undefined) return { gain: g0, baseline: b0 };
  if (physical) return undefined;
  throw new RangeRequestError(`${name}: signal ${c} has gain ${g0} and baseline ${b0} in segment ${first.piece.name} but ${other.rec.adcGain[other.k]} and ${other.rec.baseline[other.k]} in segment ${other.piece.name}, so its digital samples have no single scale; read it in physical units (physical: true) or by segment`);
}

/** Samples per frame of each channel returned: 1 when frames are smoothed. */
function outputSpf(layout: SignalSpec[], opts: RdrecordOptions): number[] {
  const channels = opts.channels ?? layout.map((_, i) => i);
  return channels.map((c) => (opts.smoothFrames ?? true ? 1 : layout[c]?.sampsPerFrame ?? 1));
}

function assemble(base: string, h: WfdbHeader, layout: SignalSpec[], fixed: boolean, opts: RdrecordOptions, from: number, to: number, parts: { piece: Piece; from: number; rec: WfdbRecord | undefined }[]): WfdbRecord<PhysicalArray> {
  const channels = opts.channels ?? layout.map((_, i) => i);
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= layout.length) throw new RangeRequestError(`${h.recordName}: channel ${c} does not exist (the record has ${layout.length} signals)`, `${base}.hea`);
  }
  const physical = opts.physical ?? true;
  const spfOut = outputSpf(layout, opts);
  const n = to - from;
  // Only the kind of array returned is made; samples no segment covers stay invalid.
  const Out = opts.float32 ? Float32Array : Float64Array;
  const scales = physicalScales(base, channels, opts);
  const phys = physical ? channels.map((_, i) => new Out(n * spfOut[i]!).fill(NaN)) : undefined;
  const dig = physical ? undefined : channels.map((c, i) => new Int32Array(n * spfOut[i]!).fill(missingDigital(layout[c]!)));
  const checks: ChecksumStatus[][] = channels.map(() => []);
  // Every sample starts invalid; each segment's samples copied in replace theirs with the segment's count.
  const invalid = channels.map((_, i) => n * spfOut[i]!);
  const found: { piece: Piece; rec: WfdbRecord; k: number }[][] = channels.map(() => []);
  const warnings = [...h.warnings];
  for (const part of parts) {
    const rec = part.rec;
    if (!rec) continue;
    const at = part.piece.start + part.from - from;
    warnings.push(...rec.warnings);
    channels.forEach((c, i) => {
      // Fixed layout: every segment has the same signals in the same order (names may repeat).
      const k = fixed ? c : rec.sigName.indexOf(layout[c]!.description);
      if (k < 0) return;
      if (k >= rec.sigName.length) {
        throw new HeaderError(`${h.recordName}: segment ${part.piece.name} has ${rec.sigName.length} signal(s), but a fixed-layout record's segments all have the ${layout.length} of its first segment`, `${base}.hea`);
      }
      const spf = rec.sampsPerFrame[k]!;
      if (spf !== spfOut[i]) {
        throw new HeaderError(`${h.recordName}: signal ${layout[c]!.description} has ${rec.header.signals[k]!.sampsPerFrame} samples per frame in segment ${part.piece.name}, the layout has ${layout[c]!.sampsPerFrame}`, `${base}.hea`);
      }
      const got = phys ? rec.physical![k]! : rec.digital![k]!;
      if (phys) setScaled(phys[i]!, got as Float64Array, at * spf, scales.get(c)!);
      else dig![i]!.set(got, at * spf);
      invalid[i] = invalid[i]! - got.length + rec.invalid[k]!;
      checks[i]!.push(rec.checksums[k]!);
      found[i]!.push({ piece: part.piece, rec, k });
    });
  }
  const sigs = channels.map((c) => layout[c]!);
  const scale = channels.map((c, i) => (fixed ? undefined : segmentScale(h.recordName, layout[c]!.description, found[i]!, physical)));
  return {
    recordName: h.recordName, header: h, fs: h.fs, sampfrom: from, sigLen: n,
    sigName: sigs.map((s) => s.description), units: sigs.map((s) => s.units),
    // A variable layout's segments may store a signal at another scale than the layout header says:
    // report the scale of the samples returned when the segments agree on one.
    adcGain: sigs.map((s, i) => scale[i]?.gain ?? s.adcGain), baseline: sigs.map((s, i) => scale[i]?.baseline ?? s.baseline),
    fmt: sigs.map((s) => s.fmt),
    sampsPerFrame: spfOut,
    physical: phys, digital: dig,
    checksums: checks.map(combine), invalid, warnings,
  };
}

// A segment's physical values into the record's array at `at`, times `k` (the product rounded once).
function setScaled(out: PhysicalArray, x: Float64Array, at: number, k: number): void {
  if (k === 1) { out.set(x, at); return; }
  for (let i = 0; i < x.length; i++) out[at + i] = x[i]! * k;
}

/** Reads a multi-segment record with the async single-segment reader. */
export async function readMultiSegment(base: string, h: WfdbHeader, opts: RdrecordOptions, read: SegmentReader<Promise<WfdbRecord>>): Promise<WfdbRecord<PhysicalArray>> {
  const { from, to, layoutPath, firstPath, parts } = plan(base, h, opts);
  const dir = dirname(base);
  const header = (p: string): Promise<WfdbHeader> => rdheaderInside(p, dir, `${base}.hea`, opts);
  const layout = layoutPath ? await header(layoutPath) : undefined;
  const firstSeg = firstPath ? await header(firstPath) : undefined;
  const sigs = layoutSignals(layout, firstSeg, base);
  checkSampleLimit(`${base}.hea`, h, to - from, outputSpf(sigs, opts), opts);
  const recs = [];
  for (const p of parts) {
    // Each segment's header read confined to the folder, then handed to the reader, which does not read it again.
    recs.push({ ...p, rec: p.path === undefined ? undefined : await read(p.path, { ...p.segOpts, header: await header(p.path) }) });
  }
  return assemble(base, h, sigs, layoutPath === undefined, opts, from, to, recs);
}

/** Synchronous {@link readMultiSegment}. */
export function readMultiSegmentSync(base: string, h: WfdbHeader, opts: RdrecordOptions, read: SegmentReader<WfdbRecord>): WfdbRecord<PhysicalArray> {
  const { from, to, layoutPath, firstPath, parts } = plan(base, h, opts);
  const dir = dirname(base);
  const header = (p: string): WfdbHeader => rdheaderInsideSync(p, dir, `${base}.hea`, opts);
  const layout = layoutPath ? header(layoutPath) : undefined;
  const firstSeg = firstPath ? header(firstPath) : undefined;
  const sigs = layoutSignals(layout, firstSeg, base);
  checkSampleLimit(`${base}.hea`, h, to - from, outputSpf(sigs, opts), opts);
  const recs = parts.map((p) => ({ ...p, rec: p.path === undefined ? undefined : read(p.path, { ...p.segOpts, header: header(p.path) }) }));
  return assemble(base, h, sigs, layoutPath === undefined, opts, from, to, recs);
}
