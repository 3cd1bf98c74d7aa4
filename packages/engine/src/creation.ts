// Tensor creators: PyTorch's factories with an options bag, plus copies from typed arrays and nested arrays.
import { call, type Handle } from './native.js';
import { TorchError, fmtShape } from './errors.js';
import { Tensor, handleOf, type NestedArray } from './tensor.js';
import { checkOptions, dtypeOfArray, isFloat, type AnyTypedArray, type TensorOptions } from './dtype.js';

function checkShape(fn: string, shape: unknown): number[] {
  const ok = Array.isArray(shape) && shape.every((s) => Number.isInteger(s) && (s as number) >= 0);
  if (!ok) {
    throw new TorchError('SHAPE', `${fn}: 'shape' must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

function make(fn: string, shape: number[], opts: TensorOptions | undefined): Tensor {
  const o = checkOptions(fn, opts);
  return new Tensor(call(fn, checkShape(fn, shape), o.dtype, o.device, o.requiresGrad ?? false) as Handle);
}

/** @example zeros([2, 3]) // float32 zeros */
export function zeros(shape: number[], opts?: TensorOptions): Tensor { return make('zeros', shape, opts); }
export function ones(shape: number[], opts?: TensorOptions): Tensor { return make('ones', shape, opts); }
export function empty(shape: number[], opts?: TensorOptions): Tensor { return make('empty', shape, opts); }
/** Standard normal samples from the global generator (see manualSeed). */
export function randn(shape: number[], opts?: TensorOptions): Tensor { return make('randn', shape, opts); }
/** Uniform samples in [0, 1). */
export function rand(shape: number[], opts?: TensorOptions): Tensor { return make('rand', shape, opts); }

export function full(shape: number[], value: number, opts?: TensorOptions): Tensor {
  const o = checkOptions('full', opts);
  if (typeof value !== 'number') throw new TorchError('ARGUMENT', `full: 'value' must be a number, got ${typeof value}`);
  return new Tensor(call('full', checkShape('full', shape), value, o.dtype, o.device, o.requiresGrad ?? false) as Handle);
}

/** Integers uniform in [low, high). Default dtype int64. */
export function randint(low: number, high: number, shape: number[], opts?: TensorOptions): Tensor {
  const o = checkOptions('randint', { dtype: 'int64', ...opts });
  return new Tensor(call('randint', low, high, checkShape('randint', shape), o.dtype, o.device) as Handle);
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts?: TensorOptions): Tensor {
  const o = checkOptions('randperm', { dtype: 'int64', ...opts });
  return new Tensor(call('randperm', n, o.dtype, o.device) as Handle);
}

/** `arange(5)` → 0..4; `arange(1, 4, 0.5)`. Default dtype float32 (pass {dtype: 'int64'} for indices). */
export function arange(start: number, end?: number, step = 1, opts?: TensorOptions): Tensor {
  const o = checkOptions('arange', opts);
  const [s, e] = end === undefined ? [0, start] : [start, end];
  if (step === 0) throw new TorchError('ARGUMENT', `arange: 'step' must be non-zero, got 0`);
  return new Tensor(call('arange', s, e, step, o.dtype, o.device, o.requiresGrad ?? false) as Handle);
}

export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  const o = checkOptions('linspace', opts);
  return new Tensor(call('linspace', start, end, steps, o.dtype, o.device) as Handle);
}

export function eye(n: number, opts?: TensorOptions): Tensor {
  const o = checkOptions('eye', opts);
  return new Tensor(call('eye', n, o.dtype, o.device) as Handle);
}

/**
 * Copies a typed array into a new tensor of `shape` (dtype inferred from the array unless `opts.dtype`).
 * @example fromArray(new Float32Array([1, 2, 3, 4]), [2, 2])
 */
export function fromArray(data: AnyTypedArray, shape: number[], opts: TensorOptions = {}): Tensor {
  const src = dtypeOfArray('fromArray', data);
  const o = checkOptions('fromArray', { ...opts, dtype: opts.dtype ?? src });
  checkShape('fromArray', shape);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) {
    throw new TorchError('SHAPE', `fromArray: 'data' has ${data.length} elements but shape ${fmtShape(shape)} needs ${n}`);
  }
  return new Tensor(call('fromArray', data, shape, o.dtype, o.device, o.requiresGrad ?? false) as Handle);
}

/**
 * A tensor from nested arrays of numbers or booleans (rectangular), or one number (0-dim).
 * Default dtype float32, or bool when every element is a boolean.
 * @example tensor([[1, 2], [3, 4]], { dtype: 'float64' })
 */
export function tensor(data: NestedArray, opts: TensorOptions = {}): Tensor {
  const shape: number[] = [];
  for (let d: NestedArray = data; Array.isArray(d); d = d[0] as NestedArray) {
    shape.push(d.length);
    if (d.length === 0) break;
  }
  const flat: (number | boolean)[] = [];
  const walk = (v: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean') {
        throw new TorchError('SHAPE', `tensor: 'data${path}' must be a number, got ${Array.isArray(v) ? 'an array' : typeof v}`);
      }
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new TorchError('SHAPE', `tensor: 'data${path}' must be an array of length ${shape[depth]} ` +
        `(nested arrays must be rectangular), got ${Array.isArray(v) ? `length ${v.length}` : typeof v}`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  const allBool = flat.length > 0 && flat.every((x) => typeof x === 'boolean');
  const dtype = opts.dtype ?? (allBool ? 'bool' : 'float32');
  const values = Float64Array.from(flat, (x) => Number(x));
  return fromArray(values, shape, { ...opts, dtype });
}

function likeOpts(fn: string, t: Tensor, opts?: TensorOptions): TensorOptions {
  handleOf(t, fn, 'input');
  return { dtype: t.dtype, device: t.device, ...opts };
}
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor { return zeros(t.shape, likeOpts('zerosLike', t, opts)); }
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor { return ones(t.shape, likeOpts('onesLike', t, opts)); }
export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return full(t.shape, value, likeOpts('fullLike', t, opts));
}
export function randnLike(t: Tensor, opts?: TensorOptions): Tensor {
  const o = likeOpts('randnLike', t, opts);
  if (!isFloat(o.dtype ?? 'float32')) throw new TorchError('DTYPE', `randnLike: needs a floating-point dtype, got ${o.dtype}`);
  return randn(t.shape, o);
}

function tensorList(fn: string, tensors: Tensor[]): Handle[] {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new TorchError('ARGUMENT', `${fn}: 'tensors' must be a non-empty array of tensors`);
  }
  return tensors.map((t, i) => handleOf(t, fn, `tensors[${i}]`));
}

/** Joins tensors along an existing dim. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  return new Tensor(call('cat', tensorList('cat', tensors), dim) as Handle);
}

/** Joins tensors along a new dim. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return new Tensor(call('stack', tensorList('stack', tensors), dim) as Handle);
}

/** `torch.where(cond, a, b)`. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const h = (x: Tensor | number, n: string) => (typeof x === 'number' ? x : handleOf(x, 'where', n));
  return new Tensor(call('where', handleOf(cond, 'where', 'cond'), h(a, 'input'), h(b, 'other')) as Handle);
}
