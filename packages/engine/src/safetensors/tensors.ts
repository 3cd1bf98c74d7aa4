// Tensors ↔ safetensors files: save (atomic) and load, over the byte codec in format.ts.
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Tensor, fromArray, TorchError, type DType } from '../nn/core.js';
import { SafetensorsError } from './errors.js';
import { decode, encode, type RawTensor, type StDType } from './format.js';

/**
 * Largest safetensors file `load` reads: 2 GiB by default (ecglab's models are a few MB; a larger
 * file is damage or a trap), or `ECGLAB_MAX_MODEL_BYTES`.
 */
export function maxModelBytes(): number {
  const env = process.env.ECGLAB_MAX_MODEL_BYTES;
  if (env === undefined || env === '') return 2 ** 31;
  const n = /^\d+$/.test(env.trim()) ? Number(env.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 8) throw new SafetensorsError(`ECGLAB_MAX_MODEL_BYTES must be an integer of at least 8 bytes, found '${env}'`);
  return n;
}

/** A tensor's dtype, shape and a fresh copy of its elements (row-major). */
export function tensorToRaw(t: Tensor, name = 'tensor'): RawTensor {
  if (!(t instanceof Tensor)) throw new TorchError('ARGUMENT', `safetensors: '${name}' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  // Writing bfloat16 would need a rounding codec; autocast leaves parameters in float32, so none is saved.
  if (t.dtype === 'bfloat16') throw new TorchError('DTYPE', `safetensors: '${name}' is bfloat16; save float32 (t.float())`);
  return { dtype: t.dtype, shape: [...t.shape], data: t.toArray() };
}

/** A new tensor from raw data. int8/int16 (no engine dtype) are widened exactly to int32. */
export function rawToTensor(r: RawTensor): Tensor {
  const wide: Record<StDType, DType> = { float64: 'float64', float32: 'float32', int64: 'int64', int32: 'int32', int16: 'int32', int8: 'int32', uint8: 'uint8', bool: 'bool' };
  const data = r.dtype === 'int16' || r.dtype === 'int8' ? Int32Array.from(r.data as Int16Array) : r.data;
  return fromArray(data as Float32Array, r.shape, { dtype: wide[r.dtype] });
}

/**
 * Write tensors (e.g. a module's stateDict()) to a safetensors file, atomically and durably: a
 * temporary file in the same directory is written, fsynced and renamed over `path`, then the
 * directory is fsynced, so readers never see half a file and a power loss keeps the old or the new one.
 * @example safetensors.save('model.safetensors', model.stateDict(), { epoch: '12' })
 */
export function save(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const raw = new Map<string, RawTensor>(entries.map(([n, t]) => [n, tensorToRaw(t, n)]));
  const bytes = encode(raw, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    // fsync before the rename, so that the new name never points at blocks not yet on disk...
    const fd = openSync(tmp, 'w');
    try {
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  // ...and the directory after it, so that the rename itself survives a power loss.
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/**
 * The bytes of a regular file of at most {@link maxModelBytes}. A symlink to /dev/zero, a FIFO or a
 * directory has no size to trust (and a FIFO would block), so each is refused by name.
 */
function readModelFile(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new SafetensorsError(code === 'ENOENT' ? `${path}: file not found` : `${path}: cannot open (${(e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
      throw new SafetensorsError(`${path}: is ${kind}, expected a safetensors file`);
    }
    const max = maxModelBytes();
    if (st.size > max) throw new SafetensorsError(`${path}: file of ${st.size} bytes is larger than the ${max}-byte limit for a model (set ECGLAB_MAX_MODEL_BYTES to raise it)`);
    const bytes = new Uint8Array(st.size);
    let off = 0;
    while (off < st.size) {
      const got = readSync(fd, bytes, off, st.size - off, off);
      if (got === 0) break;
      off += got;
    }
    return off === st.size ? bytes : bytes.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/**
 * Read a safetensors file into new tensors (the caller owns and disposes them). Only a regular file
 * within {@link maxModelBytes} is read.
 * @example const { tensors } = safetensors.load('model.safetensors'); model.loadStateDict(tensors);
 */
export function load(path: string): { tensors: Map<string, Tensor>; metadata: Record<string, string> | null } {
  const { tensors: raw, metadata } = decode(readModelFile(path), path);
  const tensors = new Map<string, Tensor>();
  try {
    for (const [n, r] of raw) tensors.set(n, rawToTensor(r));
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}
