// rdheader / rdrecord: the public readers, async (fs/promises) and sync. The sync variants exist
// for data loaders that decode inside worker threads or synchronous iterators; both share the plan
// and decode steps of record.ts and differ only in how bytes are fetched.
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HeaderError } from '../errors.js';
import { dataLimits } from '../limits.js';
import { statSync } from 'node:fs';
import type { WfdbHeader } from './header-types.js';
import { readMultiSegment, readMultiSegmentSync } from './multi.js';
import { loadFlacDecoder } from './flac.js';
import { readRange, readRangeSync } from '../io/read.js';
import { readInside, readInsideSync } from './paths.js';
import { rdheader, rdheaderSync, recordBase } from './rdheader.js';
import { fileGroups, finishRead, framesInFile, intoCallerArrays, planRead } from './record.js';
import type { RdrecordOptions, WfdbRecord } from './record-types.js';
import type { PhysicalArray } from './samples.js';

export { rdheader, rdheaderSync, recordBase, type RdheaderOptions } from './rdheader.js';

/**
 * Reads a record's samples (formats 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, MAT v4 `16+24`, and
 * FLAC 508, 516, 524: see flac.ts; rdrecordSync needs `await loadFlacDecoder()` once before those),
 * verifying checksums when the whole record is read. For fixed-size formats only the bytes of the
 * requested range are read from disk. Multi-segment records are read across their segments.
 * The header's initial value is used only to integrate format 8; it is not compared with the first
 * sample, because original data disagree (75 CinC 2017 records, per the data manifest).
 * Checksums: see checksum.ts for how a field of 0 is treated.
 * @example const r = await rdrecord('fixtures/data/wfdb/100', { sampto: 3600 }); r.physical![0][0] // -0.145
 */
export async function rdrecord(recordPath: string, opts: RdrecordOptions & { float32: true }): Promise<WfdbRecord<Float32Array>>;
export async function rdrecord(recordPath: string, opts?: RdrecordOptions & { float32?: false }): Promise<WfdbRecord>;
export async function rdrecord(recordPath: string, opts?: RdrecordOptions): Promise<WfdbRecord<PhysicalArray>>;
export async function rdrecord(recordPath: string, opts: RdrecordOptions = {}): Promise<WfdbRecord<PhysicalArray>> {
  opts = withLimits(opts);
  const base = recordBase(recordPath);
  const h = opts.header ?? await rdheader(base, opts);
  if (h.segments) return intoCallerArrays(base, await readMultiSegment(base, h, opts, readSegment), opts);
  return readSingle(base, h, opts);
}

// A segment of a multi-segment record is an ordinary record in the same folder (read as Float64, unscaled:
// the multi-segment reader converts when it assembles).
async function readSegment(path: string, opts: RdrecordOptions): Promise<WfdbRecord> {
  const h = opts.header ?? await rdheader(path, opts);
  if (h.segments) throw nestedSegments(path);
  return readSingle(path, h, opts) as Promise<WfdbRecord>;
}

async function readSingle(base: string, h: WfdbHeader, opts: RdrecordOptions): Promise<WfdbRecord<PhysicalArray>> {
  let sigLen = h.sigLen;
  if (sigLen === undefined) {
    const g = fileGroups(h, `${base}.hea`)[0];
    sigLen = g === undefined ? 0 : framesInFile(g, (await statOrZero(base, g.fileName)));
  }
  const plan = planRead(base, h, sigLen, opts);
  if (plan.flac) await loadFlacDecoder();
  const got = await Promise.all(plan.reads.map((r) => readInside(r.path, dirname(base), `${base}.hea`, 'signal file', opts, (flags) => readRange(r.path, r.start, r.length, flags))));
  return finishRead(base, h, sigLen, plan, got, opts);
}

/** Synchronous {@link rdrecord}. */
export function rdrecordSync(recordPath: string, opts: RdrecordOptions & { float32: true }): WfdbRecord<Float32Array>;
export function rdrecordSync(recordPath: string, opts?: RdrecordOptions & { float32?: false }): WfdbRecord;
export function rdrecordSync(recordPath: string, opts?: RdrecordOptions): WfdbRecord<PhysicalArray>;
export function rdrecordSync(recordPath: string, opts: RdrecordOptions = {}): WfdbRecord<PhysicalArray> {
  opts = withLimits(opts);
  const base = recordBase(recordPath);
  const h = opts.header ?? rdheaderSync(base, opts);
  if (h.segments) return intoCallerArrays(base, readMultiSegmentSync(base, h, opts, readSegmentSync), opts);
  return readSingleSync(base, h, opts);
}

function readSegmentSync(path: string, opts: RdrecordOptions): WfdbRecord {
  const h = opts.header ?? rdheaderSync(path, opts);
  if (h.segments) throw nestedSegments(path);
  return readSingleSync(path, h, opts) as WfdbRecord;
}

function readSingleSync(base: string, h: WfdbHeader, opts: RdrecordOptions): WfdbRecord<PhysicalArray> {
  let sigLen = h.sigLen;
  if (sigLen === undefined) {
    const g = fileGroups(h, `${base}.hea`)[0];
    sigLen = g === undefined ? 0 : framesInFile(g, statOrZeroSync(base, g.fileName));
  }
  const plan = planRead(base, h, sigLen, opts);
  const got = plan.reads.map((r) => readInsideSync(r.path, dirname(base), `${base}.hea`, 'signal file', opts, (flags) => readRangeSync(r.path, r.start, r.length, flags)));
  return finishRead(base, h, sigLen, plan, got, opts);
}

// The limits resolved once (defaults, environment, the caller's), for the several steps of a read that check them.
const withLimits = (opts: RdrecordOptions): RdrecordOptions => ({ ...opts, limits: dataLimits(opts.limits) });

const sigPath = (base: string, f: string): string => `${base.slice(0, base.lastIndexOf('/') + 1)}${f}`;

// header(5) has no nesting: a segment is a single-segment record (a master header as a segment
// would also let a header refer to itself and loop).
const nestedSegments = (path: string): HeaderError =>
  new HeaderError(`${path}.hea: is a multi-segment header, but it is named as a segment of another record; segments must be single-segment records`, `${path}.hea`);

async function statOrZero(base: string, f: string): Promise<number> {
  try { return (await stat(sigPath(base, f))).size; } catch { return 0; }
}
function statOrZeroSync(base: string, f: string): number {
  try { return statSync(sigPath(base, f)).size; } catch { return 0; }
}
