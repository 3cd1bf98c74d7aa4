// rdheader: reads and parses a record's `.hea` file, async and sync. Kept apart from rdrecord so
// that the multi-segment reader (which reads segment and layout headers) does not import rdrecord.
import { HeaderError } from '../errors.js';
import { readWhole, readWholeSync } from '../io/read.js';
import { dataLimits, type DataLimits } from '../limits.js';
import { headerLines, parseHeader } from './header.js';
import type { WfdbHeader } from './header-types.js';
import { insidePath, readInside, readInsideSync, recordDir, type ConfineOptions } from './paths.js';

/** Options of {@link rdheader}. */
export interface RdheaderOptions extends ConfineOptions {
  /** Limits on the header's size and line length (default: {@link dataLimits}). */
  limits?: Partial<DataLimits>;
}

/** `records/100` and `records/100.hea` both name record 100. */
export function recordBase(recordPath: string): string {
  return recordPath.endsWith('.hea') ? recordPath.slice(0, -4) : recordPath;
}

// Headers are Latin-1 text (header(5) allows any 8-bit bytes in comments and descriptions).
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** Refuses file and segment names that lead out of the record's folder, naming the header line. */
function checkNames(h: WfdbHeader, file: string, opts: RdheaderOptions): WfdbHeader {
  if (opts.allowOutside) return h;
  const dir = recordDir(file);
  const at = headerLines(h);
  const checked = new Set<string>(); // signals share files (PTB-XL's 12 leads are in one): each name once
  h.signals.forEach((s, i) => {
    if (s.fmt === 0 || s.fileName === '~' || checked.has(s.fileName)) return;
    insidePath(dir, s.fileName, at ? `${file} line ${at.signals[i]}` : file, 'signal file', opts);
    checked.add(s.fileName);
  });
  h.segments?.forEach((s, i) => {
    if (s.name !== '~') insidePath(dir, s.name, at ? `${file} line ${at.segments[i]}` : file, 'segment', opts);
  });
  return h;
}

/** The header read from `bytes` of `file`, its file and segment names checked. */
const headerOf = (bytes: Uint8Array, file: string, limits: DataLimits, opts: RdheaderOptions): WfdbHeader =>
  checkNames(parseHeader(latin1(bytes), file, limits), file, opts);

/**
 * Reads and parses a record's header (`<recordPath>.hea`). Signal file and segment names must stay
 * inside the record's folder unless `allowOutside` is set.
 * @example const h = await rdheader('fixtures/data/wfdb/100'); h.signals[0].description // 'MLII'
 */
export async function rdheader(recordPath: string, opts: RdheaderOptions = {}): Promise<WfdbHeader> {
  const file = `${recordBase(recordPath)}.hea`;
  const limits = dataLimits(opts.limits); // once: both steps check them
  return headerOf(await readWhole(file, HeaderError, limits, 'header file'), file, limits, opts);
}

/** Synchronous {@link rdheader}. */
export function rdheaderSync(recordPath: string, opts: RdheaderOptions = {}): WfdbHeader {
  const file = `${recordBase(recordPath)}.hea`;
  const limits = dataLimits(opts.limits);
  return headerOf(readWholeSync(file, HeaderError, limits, 'header file'), file, limits, opts);
}

/**
 * {@link rdheader} for a header that another header names (a segment of a multi-segment record, named by
 * `source`): its file must be inside `dir` as a signal file must, checked in the open itself (see readInside).
 */
export async function rdheaderInside(recordPath: string, dir: string, source: string, opts: RdheaderOptions = {}): Promise<WfdbHeader> {
  const file = `${recordBase(recordPath)}.hea`;
  const limits = dataLimits(opts.limits);
  return headerOf(await readInside(file, dir, source, 'segment header', opts, (flags) => readWhole(file, HeaderError, limits, 'header file', flags)), file, limits, opts);
}

/** Synchronous {@link rdheaderInside}. */
export function rdheaderInsideSync(recordPath: string, dir: string, source: string, opts: RdheaderOptions = {}): WfdbHeader {
  const file = `${recordBase(recordPath)}.hea`;
  const limits = dataLimits(opts.limits);
  return headerOf(readInsideSync(file, dir, source, 'segment header', opts, (flags) => readWholeSync(file, HeaderError, limits, 'header file', flags)), file, limits, opts);
}
