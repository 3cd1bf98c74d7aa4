// MATLAB MAT files, versions 4 and 5 (v7.3 is HDF5 and reported as unsupported).
import { MatError } from '../errors.js';
import { readWhole, readWholeSync } from '../io/read.js';
import type { DataLimits } from '../limits.js';
import { looksLikeV4, parseV4 } from './v4.js';
import { looksLikeV5, parseV5 } from './v5.js';
import type { MatChar, MatFile, MatNumeric, MatValue } from './types.js';

export type { MatCell, MatChar, MatFile, MatNumeric, MatNumericClass, MatStruct, MatTypedArray, MatValue } from './types.js';

/** Parses MAT bytes; `file` names the source in errors. Compressed v5 elements inflate within `limits.maxFileBytes`. */
export function parseMat(bytes: Uint8Array, file = '<bytes>', limits: Partial<DataLimits> = {}): MatFile {
  if (looksLikeV5(bytes)) return parseV5(bytes, file, limits);
  if (looksLikeV4(bytes)) return parseV4(bytes, file);
  throw new MatError(`${file}: not a MAT file (no MAT v5 header with 'IM'/'MI' at byte 126, and no valid MAT v4 matrix header at byte 0)`, file);
}

/**
 * Reads a MAT v4 or v5 file (or its bytes) and returns its variables by name. Only regular files up
 * to the `maxFileBytes` limit are read (see limits.ts).
 * @example const { variables } = await readMat('A1980.mat'); const ecg = variables.ECG; // struct with sex, age, data
 */
export async function readMat(input: Uint8Array | string, limits: Partial<DataLimits> = {}): Promise<MatFile> {
  if (typeof input !== 'string') return parseMat(input, '<bytes>', limits);
  return parseMat(await readWhole(input, MatError, limits), input, limits);
}

/** Synchronous {@link readMat}. */
export function readMatSync(input: Uint8Array | string, limits: Partial<DataLimits> = {}): MatFile {
  if (typeof input !== 'string') return parseMat(input, '<bytes>', limits);
  return parseMat(readWholeSync(input, MatError, limits), input, limits);
}

/** A numeric variable as one number (a 1×1 array), or a clear error. */
export function matScalar(v: MatValue | undefined, what: string): number {
  if (v?.kind !== 'numeric' || v.data.length !== 1) throw new MatError(`${what}: expected a numeric scalar, found ${describe(v)}`);
  return Number(v.data[0]);
}

/** A char variable as one string (its rows joined by newlines), or a clear error. */
export function matString(v: MatValue | undefined, what: string): string {
  if (v?.kind !== 'char') throw new MatError(`${what}: expected a char array, found ${describe(v)}`);
  return (v as MatChar).rows.join('\n');
}

/** A numeric variable's data as Float64Array (any class), or a clear error. */
export function matDoubles(v: MatValue | undefined, what: string): { dims: number[]; data: Float64Array } {
  if (v?.kind !== 'numeric') throw new MatError(`${what}: expected a numeric array, found ${describe(v)}`);
  const n = v as MatNumeric;
  return { dims: n.dims, data: n.data instanceof Float64Array ? n.data : Float64Array.from(n.data as ArrayLike<number>, Number) };
}

function describe(v: MatValue | undefined): string {
  if (v === undefined) return 'nothing';
  return `${v.kind === 'numeric' ? v.class : v.kind} ${v.dims.join('×')}`;
}
