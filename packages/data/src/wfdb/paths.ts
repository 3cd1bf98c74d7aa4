// Files a header names (signal files, segment records) and annotation files resolve inside the
// record's folder: a header is data, and `../../etc/passwd` in its file-name field must not make a
// reader return another file's bytes as samples. A caller that trusts its headers can opt out with
// `allowOutside: true` (e.g. a collection whose signal files are symlinks into shared storage).
import { lstat, realpath } from 'node:fs/promises';
import { constants, lstatSync, realpathSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { DataError, PathError } from '../errors.js';

/** The option every reader that follows a name from a file takes. */
export interface ConfineOptions {
  /** Follow names that lead outside the record's folder (`..`, absolute paths, symlinks out). Default false. */
  allowOutside?: boolean;
}

/**
 * `dir/name` for a name read from `source` (a header, or an argument), refusing absolute names and
 * `..` components unless `allowOutside`. Symlinks are checked when the file is opened ({@link readInside}).
 * @example insidePath('/data/rec', '100.dat', '/data/rec/100.hea', 'signal file') // '/data/rec/100.dat'
 */
export function insidePath(dir: string, name: string, source: string, what: string, opts: ConfineOptions = {}): string {
  if (!opts.allowOutside) {
    if (name === '' || name.includes('\0')) throw new PathError(`${source}: ${what} '${name}' is not a file name`, source);
    if (isAbsolute(name) || /^[A-Za-z]:/.test(name)) {
      throw new PathError(`${source}: ${what} '${name}' is an absolute path; only names inside the record's folder are read (pass allowOutside to follow it)`, source);
    }
    if (name.split(/[\\/]/).includes('..')) {
      throw new PathError(`${source}: ${what} '${name}' leads out of the record's folder through '..' (pass allowOutside to follow it)`, source);
    }
  }
  return isAbsolute(name) ? name : join(dir, name);
}

function outside(dirReal: string, fileReal: string): boolean {
  const rel = relative(dirReal, fileReal);
  return rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel);
}

function escapeError(path: string, real: string, dir: string, source: string, what: string): PathError {
  return new PathError(`${source}: ${what} '${path}' is a symlink to '${real}', outside the record's folder '${dir}' (pass allowOutside to follow it)`, source);
}

// A file that is a direct entry of `dir` and not a symlink is inside `dir`, whatever `dir`'s own real path:
// one lstat decides the common case, where resolving both real paths costs a dozen (one per component).
const directEntry = (path: string, dir: string): boolean => join(dir, basename(path)) === path;
const plainFile = (st: Stats | undefined): boolean => st !== undefined && !st.isSymbolicLink();
function lstatOrUndefined(path: string): Stats | undefined {
  try { return lstatSync(path); } catch { return undefined; }
}

/**
 * Refuses a file whose real path (symlinks resolved) lies outside the real path of `dir`.
 * A file that does not exist passes: opening it reports that, with the reader's own error.
 */
async function checkRealInside(path: string, dir: string, source: string, what: string, opts: ConfineOptions = {}): Promise<void> {
  if (opts.allowOutside) return;
  if (directEntry(path, dir) && plainFile(await lstat(path).catch(() => undefined))) return;
  let real: string;
  let dirReal: string;
  try {
    [real, dirReal] = await Promise.all([realpath(path), realpath(dir)]);
  } catch {
    return;
  }
  if (outside(dirReal, real)) throw escapeError(path, real, dir, source, what);
}

/** Synchronous {@link checkRealInside}. */
function checkRealInsideSync(path: string, dir: string, source: string, what: string, opts: ConfineOptions = {}): void {
  if (opts.allowOutside) return;
  if (directEntry(path, dir) && plainFile(lstatOrUndefined(path))) return;
  let real: string;
  let dirReal: string;
  try {
    real = realpathSync(path);
    dirReal = realpathSync(dir);
  } catch {
    return;
  }
  if (outside(dirReal, real)) throw escapeError(path, real, dir, source, what);
}

// Where the system has it (not Windows), O_NOFOLLOW makes the open itself refuse a symlink (ELOOP).
const NOFOLLOW: number | undefined = constants.O_NOFOLLOW;
const isSymlinkRefusal = (e: unknown): boolean => e instanceof DataError && (e.cause as { code?: string } | undefined)?.code === 'ELOOP';

/**
 * `read(flags)` of a file named by a header (a reader of io/read.ts that adds `flags` to its open), refusing a
 * file whose real path is outside `dir` as {@link checkRealInside} does. A direct entry of `dir` is opened with
 * O_NOFOLLOW, which refuses a symlink in the open itself: a plain file costs no `lstat`, and nothing can swap it
 * for a symlink between a check and the open. A symlink, or a name with folders in it, takes the full check.
 * @example const bytes = await readInside(file, dir, file, 'annotation file', opts, (flags) => readWhole(file, AnnotationError, limits, 'annotation file', flags));
 */
export async function readInside<T>(path: string, dir: string, source: string, what: string, opts: ConfineOptions, read: (flags: number) => Promise<T>): Promise<T> {
  if (!opts.allowOutside && NOFOLLOW !== undefined && directEntry(path, dir)) {
    try {
      return await read(NOFOLLOW);
    } catch (e) {
      if (!isSymlinkRefusal(e)) throw e;
    }
  }
  await checkRealInside(path, dir, source, what, opts);
  return read(0);
}

/** Synchronous {@link readInside}. */
export function readInsideSync<T>(path: string, dir: string, source: string, what: string, opts: ConfineOptions, read: (flags: number) => T): T {
  if (!opts.allowOutside && NOFOLLOW !== undefined && directEntry(path, dir)) {
    try {
      return read(NOFOLLOW);
    } catch (e) {
      if (!isSymlinkRefusal(e)) throw e;
    }
  }
  checkRealInsideSync(path, dir, source, what, opts);
  return read(0);
}

/** The folder of a record path (`data/100` → `data`). */
export const recordDir = (recordPath: string): string => dirname(recordPath);
