// rdheader / rdrecord: the public readers, async (fs/promises) and sync. The sync variants exist
// for data loaders that decode inside worker threads or synchronous iterators; both share the plan
// and decode steps of record.ts and differ only in how bytes are fetched.
import { stat } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { HeaderError } from '../errors.js';
import { readRange, readRangeSync } from '../io/read.js';
import { parseHeader } from './header.js';
import type { WfdbHeader } from './header-types.js';
import { fileGroups, finishRead, framesInFile, planRead } from './record.js';
import type { RdrecordOptions, WfdbRecord } from './record-types.js';
import { readMultiSegment, readMultiSegmentSync } from './multi.js';

/** `records/100` and `records/100.hea` both name record 100. */
export function recordBase(recordPath: string): string {
  return recordPath.endsWith('.hea') ? recordPath.slice(0, -4) : recordPath;
}

function headerMissing(file: string, err: unknown): HeaderError {
  const code = (err as { code?: string }).code;
  return new HeaderError(code === 'ENOENT' ? `${file}: header file not found` : `${file}: cannot read (${(err as Error).message})`, file);
}

/**
 * Reads and parses a record's header (`<recordPath>.hea`).
 * @example const h = await rdheader('fixtures/data/wfdb/100'); h.signals[0].description // 'MLII'
 */
export async function rdheader(recordPath: string): Promise<WfdbHeader> {
  const file = `${recordBase(recordPath)}.hea`;
  let bytes: Uint8Array;
  try {
    // One open/stat/read: fs.promises.readFile reads in chunks and costs several round trips.
    bytes = (await readRange(file, 0, Infinity)).bytes;
  } catch (err) {
    throw headerMissing(file, (err as { cause?: unknown }).cause ?? err);
  }
  return parseHeader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), file);
}

/** Synchronous {@link rdheader}. */
export function rdheaderSync(recordPath: string): WfdbHeader {
  const file = `${recordBase(recordPath)}.hea`;
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (err) {
    throw headerMissing(file, err);
  }
  return parseHeader(text, file);
}

/**
 * Reads a record's samples (formats 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 and MAT v4 `16+24`),
 * verifying checksums when the whole record is read. For fixed-size formats only the bytes of the
 * requested range are read from disk. Multi-segment records are read across their segments.
 * The header's initial value is used only to integrate format 8; it is not compared with the first
 * sample, because original data disagree (75 CinC 2017 records, per the data manifest).
 * Checksums: see checksum.ts for how a field of 0 is treated.
 * @example const r = await rdrecord('fixtures/data/wfdb/100', { sampto: 3600 }); r.physical![0][0] // -0.145
 */
export async function rdrecord(recordPath: string, opts: RdrecordOptions = {}): Promise<WfdbRecord> {
  const base = recordBase(recordPath);
  const h = await rdheader(base);
  if (h.segments) return readMultiSegment(base, h, opts, rdrecord);
  let sigLen = h.sigLen;
  if (sigLen === undefined) {
    const g = fileGroups(h, `${base}.hea`)[0];
    sigLen = g === undefined ? 0 : framesInFile(g, (await statOrZero(base, g.fileName)));
  }
  const plan = planRead(base, h, sigLen, opts);
  const got = await Promise.all(plan.reads.map((r) => readRange(r.path, r.start, r.length)));
  return finishRead(base, h, sigLen, plan, got, opts);
}

/** Synchronous {@link rdrecord}. */
export function rdrecordSync(recordPath: string, opts: RdrecordOptions = {}): WfdbRecord {
  const base = recordBase(recordPath);
  const h = rdheaderSync(base);
  if (h.segments) return readMultiSegmentSync(base, h, opts, rdrecordSync);
  let sigLen = h.sigLen;
  if (sigLen === undefined) {
    const g = fileGroups(h, `${base}.hea`)[0];
    sigLen = g === undefined ? 0 : framesInFile(g, statOrZeroSync(base, g.fileName));
  }
  const plan = planRead(base, h, sigLen, opts);
  const got = plan.reads.map((r) => readRangeSync(r.path, r.start, r.length));
  return finishRead(base, h, sigLen, plan, got, opts);
}

const sigPath = (base: string, f: string): string => `${base.slice(0, base.lastIndexOf('/') + 1)}${f}`;

async function statOrZero(base: string, f: string): Promise<number> {
  try { return (await stat(sigPath(base, f))).size; } catch { return 0; }
}
function statOrZeroSync(base: string, f: string): number {
  try { return statSync(sigPath(base, f)).size; } catch { return 0; }
}
