import { open } from 'node:fs/promises';
import { constants, openSync, readSync, closeSync, fstatSync, type Stats } from 'node:fs';
import { DataError, LimitError, SignalFileError } from '../errors.js';
import { dataLimits, raiseHint, type DataLimits } from '../limits.js';

/** Bytes [start, start+length) of a file, and the file's total size. Reads no more than asked. */
export interface ByteRange {
  bytes: Uint8Array;
  fileSize: number;
}

// Every byte is overwritten by the read (a short read is cut off below), so skip zero-filling.
// allocUnsafeSlow gives the buffer its own ArrayBuffer at offset 0: aligned for typed-array views.
function uninitialised(n: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n); // a plain Uint8Array keeps decoders monomorphic
}

function missingAs(path: string, err: unknown, Err: ErrorClass, what = 'file'): DataError {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return new Err(`${path}: ${what} not found`, path, { cause: err });
  return new Err(`${path}: cannot read (${(err as Error).message})`, path, { cause: err });
}

const missing = (path: string, err: unknown): DataError => missingAs(path, err, SignalFileError);

type ErrorClass = new (message: string, file?: string, options?: { cause?: unknown }) => DataError;

// A FIFO, a device (a symlink to /dev/zero) or a directory has no size to bound the read by, and a
// FIFO can block for ever: only regular files are read.
function checkRegular(path: string, st: Stats, Err: ErrorClass): void {
  if (st.isFile()) return;
  const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
  throw new Err(`${path}: is ${kind}, expected a regular file`, path);
}

function checkSize(path: string, size: number, limits: DataLimits): void {
  if (size > limits.maxFileBytes) {
    throw new LimitError(`${path}: file of ${size} bytes is larger than a file read whole may be; ${raiseHint('maxFileBytes', limits.maxFileBytes)}`, path);
  }
}

/**
 * Reads `length` bytes at `start` (or up to the end of the file if it is shorter), so that a sample
 * range is read without loading the whole file. `length = Infinity` reads to the end. `flags` are added to
 * the open (`O_NOFOLLOW`).
 */
export async function readRange(path: string, start: number, length: number, flags = 0): Promise<ByteRange> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | flags);
  } catch (err) {
    throw missing(path, err);
  }
  try {
    const st = await fh.stat();
    checkRegular(path, st, SignalFileError);
    const fileSize = st.size;
    const n = Math.max(0, Math.min(length, fileSize - start));
    const bytes = uninitialised(n);
    let off = 0;
    while (off < n) {
      const { bytesRead } = await fh.read(bytes, off, n - off, start + off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { bytes: off === n ? bytes : bytes.subarray(0, off), fileSize };
  } finally {
    await fh.close();
  }
}

/** Synchronous {@link readRange}. */
export function readRangeSync(path: string, start: number, length: number, flags = 0): ByteRange {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | flags);
  } catch (err) {
    throw missing(path, err);
  }
  try {
    const st = fstatSync(fd);
    checkRegular(path, st, SignalFileError);
    const fileSize = st.size;
    const n = Math.max(0, Math.min(length, fileSize - start));
    const bytes = uninitialised(n);
    let off = 0;
    while (off < n) {
      const got = readSync(fd, bytes, off, n - off, start + off);
      if (got === 0) break;
      off += got;
    }
    return { bytes: off === n ? bytes : bytes.subarray(0, off), fileSize };
  } finally {
    closeSync(fd);
  }
}

/**
 * A whole regular file as bytes, refusing FIFOs, devices, directories and files over the
 * `maxFileBytes` limit; errors are of class `Err` (the caller's kind of file) and name the file
 * (`what` says what was not found: `header file`). `flags` are added to the open (`O_NOFOLLOW`).
 * @example const bytes = await readWhole('100.atr', AnnotationError);
 */
export async function readWhole(path: string, Err: ErrorClass = SignalFileError, limits: Partial<DataLimits> = {}, what = 'file', flags = 0): Promise<Uint8Array> {
  const lim = dataLimits(limits);
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | flags);
  } catch (err) {
    throw missingAs(path, err, Err, what);
  }
  try {
    const st = await fh.stat();
    checkRegular(path, st, Err);
    checkSize(path, st.size, lim);
    const bytes = uninitialised(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(bytes, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === st.size ? bytes : bytes.subarray(0, off);
  } catch (err) {
    throw err instanceof DataError ? err : missingAs(path, err, Err, what);
  } finally {
    await fh.close();
  }
}

/** Synchronous {@link readWhole}. */
export function readWholeSync(path: string, Err: ErrorClass = SignalFileError, limits: Partial<DataLimits> = {}, what = 'file', flags = 0): Uint8Array {
  const lim = dataLimits(limits);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | flags);
  } catch (err) {
    throw missingAs(path, err, Err, what);
  }
  try {
    const st = fstatSync(fd);
    checkRegular(path, st, Err);
    checkSize(path, st.size, lim);
    const bytes = uninitialised(st.size);
    let off = 0;
    while (off < st.size) {
      const got = readSync(fd, bytes, off, st.size - off, off);
      if (got === 0) break;
      off += got;
    }
    return off === st.size ? bytes : bytes.subarray(0, off);
  } catch (err) {
    throw err instanceof DataError ? err : missingAs(path, err, Err, what);
  } finally {
    closeSync(fd);
  }
}
