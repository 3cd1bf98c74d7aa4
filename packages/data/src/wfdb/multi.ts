// Multi-segment records (header(5), "Multi-segment records"): the master header lists segments;
// in a variable layout the first segment has length 0 and its header (the layout header) names
// all signals, and each segment holds some of them; `~` segments are gaps. Samples are read per
// segment with the single-segment reader and joined; absent signals and gaps read as invalid.
import { dirname, join } from 'node:path';
import { HeaderError, RangeRequestError } from '../errors.js';
import type { SignalSpec, WfdbHeader } from './header-types.js';
import { rdheader, rdheaderSync } from './rdrecord.js';
import type { ChecksumStatus, RdrecordOptions, WfdbRecord } from './record-types.js';

type Reader<T> = (path: string, opts: RdrecordOptions) => T;

interface Piece { name: string; start: number; len: number }

function pieces(h: WfdbHeader): Piece[] {
  let start = 0;
  return h.segments!.map((s) => {
    const p = { name: s.name, start, len: s.sigLen };
    start += s.sigLen;
    return p;
  });
}

/** The digital value used for samples a segment does not have: WFDB's invalid value at the signal's resolution. */
const missingDigital = (s: SignalSpec): number => (s.adcRes > 0 && s.adcRes <= 32 ? -(2 ** (s.adcRes - 1)) : -32768);

function assemble(h: WfdbHeader, layout: SignalSpec[], fixed: boolean, opts: RdrecordOptions, parts: { piece: Piece; from: number; to: number; rec: WfdbRecord | undefined }[]): WfdbRecord {
  const total = pieces(h).reduce((a, p) => a + p.len, 0);
  const sigLen = h.sigLen ?? total;
  const from = opts.sampfrom ?? 0;
  const to = opts.sampto ?? sigLen;
  const channels = opts.channels ?? layout.map((_, i) => i);
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= layout.length) throw new RangeRequestError(`${h.recordName}: channel ${c} does not exist (the record has ${layout.length} signals)`);
  }
  const physical = opts.physical ?? true;
  const n = to - from;
  const phys = channels.map(() => new Float64Array(n).fill(NaN));
  const dig = channels.map((c) => new Int32Array(n).fill(missingDigital(layout[c]!)));
  const checks: ChecksumStatus[][] = channels.map(() => []);
  const warnings = [...h.warnings];
  for (const part of parts) {
    if (!part.rec) continue;
    const spf = part.rec.sampsPerFrame.find((x) => x > 1);
    if (spf !== undefined) {
      throw new RangeRequestError(`${h.recordName}: smoothFrames: false is not supported for multi-segment records (segment ${part.piece.name} has ${spf} samples per frame)`);
    }
    const at = part.piece.start + part.from - from;
    warnings.push(...part.rec.warnings);
    channels.forEach((c, i) => {
      // Fixed layout: every segment has the same signals in the same order (names may repeat).
      const k = fixed ? c : part.rec!.sigName.indexOf(layout[c]!.description);
      if (k < 0) return;
      if (physical) phys[i]!.set(part.rec!.physical![k]!, at);
      else dig[i]!.set(part.rec!.digital![k]!, at);
      checks[i]!.push(part.rec!.checksums[k]!);
    });
  }
  const combine = (s: ChecksumStatus[]): ChecksumStatus =>
    s.includes('mismatch') ? 'mismatch' : s.length > 0 && s.every((x) => x === 'ok') ? 'ok' : s.every((x) => x === 'absent') ? 'absent' : 'unchecked';
  const sigs = channels.map((c) => layout[c]!);
  return {
    recordName: h.recordName, header: h, fs: h.fs, sampfrom: from, sigLen: n,
    sigName: sigs.map((s) => s.description), units: sigs.map((s) => s.units),
    adcGain: sigs.map((s) => s.adcGain), baseline: sigs.map((s) => s.baseline), fmt: sigs.map((s) => s.fmt),
    sampsPerFrame: sigs.map(() => 1),
    physical: physical ? phys : undefined, digital: physical ? undefined : dig,
    checksums: checks.map(combine), warnings,
  };
}

function layoutAndParts(base: string, h: WfdbHeader, opts: RdrecordOptions): { layoutName: string | undefined; parts: { piece: Piece; from: number; to: number; segOpts: RdrecordOptions }[] } {
  const all = pieces(h);
  const total = all.reduce((a, p) => a + p.len, 0);
  const sigLen = h.sigLen ?? total;
  const from = opts.sampfrom ?? 0;
  const to = opts.sampto ?? sigLen;
  if (to > total || from > to || from < 0) {
    throw new RangeRequestError(`${h.recordName}: samples ${from}–${to} are outside the record (${total} samples in ${all.length} segments)`, `${base}.hea`);
  }
  if (to - from > 2 ** 31 - 1) {
    throw new RangeRequestError(`${h.recordName}: ${to - from} samples per signal are too many to read at once; read ranges with sampfrom/sampto`, `${base}.hea`);
  }
  const first = all[0]!;
  const layoutName = first.len === 0 && first.name !== '~' ? first.name : undefined;
  const parts = all
    .filter((p) => p.len > 0 && p.start < to && p.start + p.len > from)
    .map((piece) => ({
      piece,
      from: Math.max(from, piece.start) - piece.start,
      to: Math.min(to, piece.start + piece.len) - piece.start,
      segOpts: { ...opts, sampfrom: Math.max(from, piece.start) - piece.start, sampto: Math.min(to, piece.start + piece.len) - piece.start, channels: undefined },
    }));
  return { layoutName, parts };
}

function layoutSignals(h: WfdbHeader, layout: WfdbHeader | undefined, firstSeg: WfdbHeader | undefined, base: string): SignalSpec[] {
  const sigs = layout?.signals ?? firstSeg?.signals;
  if (!sigs) throw new HeaderError(`${base}.hea: multi-segment record has no layout header and no non-empty segment`, `${base}.hea`);
  return sigs;
}

/** Reads a multi-segment record with the async single-segment reader. */
export async function readMultiSegment(base: string, h: WfdbHeader, opts: RdrecordOptions, read: Reader<Promise<WfdbRecord>>): Promise<WfdbRecord> {
  const dir = dirname(base);
  const { layoutName, parts } = layoutAndParts(base, h, opts);
  const layout = layoutName ? await rdheader(join(dir, layoutName)) : undefined;
  const firstReal = h.segments!.find((s) => s.name !== '~' && s.sigLen > 0);
  const firstSeg = !layout && firstReal ? await rdheader(join(dir, firstReal.name)) : undefined;
  const sigs = layoutSignals(h, layout, firstSeg, base);
  const recs = [];
  for (const p of parts) recs.push({ ...p, rec: p.piece.name === '~' ? undefined : await read(join(dir, p.piece.name), p.segOpts) });
  return assemble(h, sigs, layoutName === undefined, opts, recs);
}

/** Synchronous {@link readMultiSegment}. */
export function readMultiSegmentSync(base: string, h: WfdbHeader, opts: RdrecordOptions, read: Reader<WfdbRecord>): WfdbRecord {
  const dir = dirname(base);
  const { layoutName, parts } = layoutAndParts(base, h, opts);
  const layout = layoutName ? rdheaderSync(join(dir, layoutName)) : undefined;
  const firstReal = h.segments!.find((s) => s.name !== '~' && s.sigLen > 0);
  const firstSeg = !layout && firstReal ? rdheaderSync(join(dir, firstReal.name)) : undefined;
  const sigs = layoutSignals(h, layout, firstSeg, base);
  const recs = parts.map((p) => ({ ...p, rec: p.piece.name === '~' ? undefined : read(join(dir, p.piece.name), p.segOpts) }));
  return assemble(h, sigs, layoutName === undefined, opts, recs);
}
