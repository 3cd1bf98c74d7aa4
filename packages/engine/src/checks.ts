// Argument checks shared by F and the creators: each names the function and argument, what was expected
// and what was found.
import { TorchError, fmtShape } from './errors.js';
import { Tensor, handleOf } from './tensor.js';
import { isFloat } from './dtype.js';
import { tidy } from './scope.js';

/** `t` must be a live tensor with one of `ndims` dims; `layout` describes the expected shape. */
export function checkDims(fn: string, arg: string, t: Tensor, ndims: number | number[], layout: string): void {
  handleOf(t, fn, arg);
  const want = Array.isArray(ndims) ? ndims : [ndims];
  if (!want.includes(t.ndim)) {
    throw new TorchError('SHAPE', `${fn}: '${arg}' must have shape ${layout} (${want.join(' or ')} dims), ` +
      `got ${fmtShape(t.shape)}`);
  }
}

/** `t` must be a floating-point tensor. */
export function checkFloat(fn: string, arg: string, t: Tensor): void {
  handleOf(t, fn, arg);
  if (!isFloat(t.dtype)) throw new TorchError('DTYPE', `${fn}: '${arg}' must be float32 or float64, got ${t.dtype}`);
}

export function checkOptionalTensor(fn: string, arg: string, t: Tensor | null | undefined): void {
  if (t !== undefined && t !== null) handleOf(t, fn, arg);
}

export function checkInt(fn: string, arg: string, v: unknown, min = 0): number {
  if (!Number.isInteger(v) || (v as number) < min) {
    throw new TorchError('ARGUMENT', `${fn}: '${arg}' must be an integer >= ${min}, got ${String(v)}`);
  }
  return v as number;
}

export function checkIntList(fn: string, arg: string, v: unknown, n: number, min = 0): number[] {
  const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
  if (!Array.isArray(list) || list.length !== n || !list.every((x) => Number.isInteger(x) && x >= min)) {
    throw new TorchError('ARGUMENT', `${fn}: '${arg}' must be an integer >= ${min} or ${n} of them, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

export function checkProbability(fn: string, arg: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new TorchError('ARGUMENT', `${fn}: '${arg}' must be a probability in [0, 1], got ${String(p)}`);
  }
  return p;
}

/**
 * Throws NONFINITE if `t` holds a NaN or an infinity (the trainer calls it on every loss).
 * @example assertFinite(loss, 'loss')
 */
export function assertFinite(t: Tensor, name: string): void {
  handleOf(t, 'assertFinite', name);
  if (!isFloat(t.dtype)) return;
  const bad = tidy(() => t.isfinite().logicalNot().sum().item());
  if (bad > 0) {
    const shown = t.numel === 1 ? `value ${t.item()}` : `${bad} of ${t.numel} elements non-finite`;
    throw new TorchError('NONFINITE', `'${name}' is not finite (${shown}, shape ${fmtShape(t.shape)})`);
  }
}
