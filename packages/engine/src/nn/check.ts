// Constructor and input checks shared by the layers; messages name the layer, the argument, expected and found.
import { TorchError, type Tensor } from './core.js';

export function positiveInt(fn: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) <= 0) {
    throw new TorchError('ARGUMENT', `${fn}: '${name}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v as number;
}

export function nonNegativeInt(fn: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 0) {
    throw new TorchError('ARGUMENT', `${fn}: '${name}' must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return v as number;
}

/** A number or an n-tuple of numbers, expanded to n entries (PyTorch's _single/_pair). */
export function tuple(fn: string, name: string, v: number | number[], n: number, min = 0): number[] {
  const out = typeof v === 'number' ? Array<number>(n).fill(v) : v;
  if (!Array.isArray(out) || out.length !== n || !out.every((x) => Number.isInteger(x) && x >= min)) {
    throw new TorchError('ARGUMENT', `${fn}: '${name}' must be an integer >= ${min} or ${n} of them, got ${JSON.stringify(v)}`);
  }
  return out;
}

export function probability(fn: string, name: string, p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new TorchError('ARGUMENT', `${fn}: '${name}' must be in [0, 1], got ${JSON.stringify(p)}`);
  }
  return p;
}

/** The input has one of the allowed ranks, and (if given) `channels` at dim 1. */
export function inputRank(fn: string, x: Tensor, ranks: number[], what: string, channels?: number): void {
  if (!ranks.includes(x.ndim)) {
    throw new TorchError('SHAPE', `${fn}: input must be ${what}, got shape [${x.shape.join(', ')}]`);
  }
  if (channels !== undefined && x.shape[1] !== channels) {
    throw new TorchError('SHAPE', `${fn}: input must have ${channels} channels at dim 1, got shape [${x.shape.join(', ')}]`);
  }
}
