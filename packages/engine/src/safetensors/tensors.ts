// Tensors ↔ safetensors files: save (atomic) and load, over the byte codec in format.ts.
import { readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Tensor, fromArray, TorchError, type DType } from '../nn/core.js';
import { decode, encode, type RawTensor, type StDType } from './format.js';

/** A tensor's dtype, shape and a fresh copy of its elements (row-major). */
export function tensorToRaw(t: Tensor, name = 'tensor'): RawTensor {
  if (!(t instanceof Tensor)) throw new TorchError('ARGUMENT', `safetensors: '${name}' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  return { dtype: t.dtype, shape: [...t.shape], data: t.toArray() };
}

/** A new tensor from raw data. int8/int16 (no engine dtype) are widened exactly to int32. */
export function rawToTensor(r: RawTensor): Tensor {
  const wide: Record<StDType, DType> = { float64: 'float64', float32: 'float32', int64: 'int64', int32: 'int32', int16: 'int32', int8: 'int32', uint8: 'uint8', bool: 'bool' };
  const data = r.dtype === 'int16' || r.dtype === 'int8' ? Int32Array.from(r.data as Int16Array) : r.data;
  return fromArray(data as Float32Array, r.shape, { dtype: wide[r.dtype] });
}

/**
 * Write tensors (e.g. a module's stateDict()) to a safetensors file, atomically: a temporary file in the
 * same directory is renamed over `path`, so readers never see half a file.
 * @example safetensors.save('model.safetensors', model.stateDict(), { epoch: '12' })
 */
export function save(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const raw = new Map<string, RawTensor>(entries.map(([n, t]) => [n, tensorToRaw(t, n)]));
  const bytes = encode(raw, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Read a safetensors file into new tensors (the caller owns and disposes them).
 * @example const { tensors } = safetensors.load('model.safetensors'); model.loadStateDict(tensors);
 */
export function load(path: string): { tensors: Map<string, Tensor>; metadata: Record<string, string> | null } {
  const { tensors: raw, metadata } = decode(readFileSync(path), path);
  const tensors = new Map<string, Tensor>();
  try {
    for (const [n, r] of raw) tensors.set(n, rawToTensor(r));
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}
