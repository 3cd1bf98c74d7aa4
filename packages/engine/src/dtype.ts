// Dtypes, devices and the typed arrays that carry each dtype's data.
import { TorchError } from './errors.js';

// bfloat16 is what autocast's lower-precision ops return; toArray widens it to float32 (exactly).
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool' | 'bfloat16';
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'uint8', 'bool', 'bfloat16'];

/** The typed array `toArray()` returns for a dtype (bool comes back as 0/1 bytes, bfloat16 as float32). */
export type TypedArrayFor<D extends DType> = D extends 'float32' | 'bfloat16' ? Float32Array
  : D extends 'float64' ? Float64Array
  : D extends 'int64' ? BigInt64Array
  : D extends 'int32' ? Int32Array
  : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** Options bag accepted by every creator. */
export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isDevice(x: unknown): x is Device {
  return typeof x === 'string' && (x === 'cpu' || x === 'cuda' || /^cuda:\d+$/.test(x));
}

export function isFloat(d: DType | string): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

/** Validates the options bag of creator `fn`. */
export function checkOptions(fn: string, opts: TensorOptions | undefined): Required<Pick<TensorOptions, 'dtype'>> & TensorOptions {
  const o = opts ?? {};
  if (o.dtype !== undefined && !isDType(o.dtype)) {
    throw new TorchError('DTYPE', `${fn}: 'dtype' must be one of ${DTYPES.join(', ')}, got ${String(o.dtype)}`);
  }
  if (o.device !== undefined && !isDevice(o.device)) {
    throw new TorchError('ARGUMENT', `${fn}: 'device' must be 'cpu', 'cuda' or 'cuda:N', got ${String(o.device)}`);
  }
  const dtype = o.dtype ?? 'float32';
  if (o.requiresGrad === true && !isFloat(dtype)) {
    throw new TorchError('DTYPE', `${fn}: only floating-point tensors can require gradients, got dtype ${dtype}`);
  }
  return { ...o, dtype };
}

/** The dtype a typed array's elements have. */
export function dtypeOfArray(fn: string, a: unknown): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'uint8';
  throw new TorchError('DTYPE', `${fn}: 'data' must be a Float32Array, Float64Array, BigInt64Array, Int32Array ` +
    `or Uint8Array, got ${a === null ? 'null' : typeof a === 'object' ? a.constructor.name : typeof a}`);
}
