import { open, readFile } from 'node:fs/promises';
import { openSync, readSync, closeSync, fstatSync, readFileSync } from 'node:fs';
import { SignalFileError } from '../errors.js';

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

function missing(path: string, err: unknown): SignalFileError {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return new SignalFileError(`${path}: file not found`, path, { cause: err });
  return new SignalFileError(`${path}: cannot read (${(err as Error).message})`, path, { cause: err });
}

/**
 * Reads `length` bytes at `start` (or up to the end of the file if it is shorter), so that a sample
 * range is read without loading the whole file. `length = Infinity` reads to the end.
 */
export async function readRange(path: string, start: number, length: number): Promise<ByteRange> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw missing(path, err);
  }
  try {
    const fileSize = (await fh.stat()).size;
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
export function readRangeSync(path: string, start: number, length: number): ByteRange {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw missing(path, err);
  }
  try {
    const fileSize = fstatSync(fd).size;
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

/** Whole file as bytes, with a SignalFileError naming the file when it cannot be read. */
export async function readWhole(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw missing(path, err);
  }
}

/** Synchronous {@link readWhole}. */
export function readWholeSync(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw missing(path, err);
  }
}
