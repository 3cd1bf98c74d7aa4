// Threads, seeds and devices.
import { call } from './native.js';
import { TorchError } from './errors.js';

/** Sets libtorch's intra-op thread count (the addon sets it to all cores at load; each change rebuilds the pool). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new TorchError('ARGUMENT', `setNumThreads: 'n' must be an integer >= 1, got ${n}`);
  call('setNumThreads', n);
}

export function getNumThreads(): number {
  return call('getNumThreads') as number;
}

/** Seeds libtorch's global generator (randn, rand, dropout, init). */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new TorchError('ARGUMENT', `manualSeed: 'seed' must be a non-negative safe integer, got ${seed}`);
  }
  call('manualSeed', seed);
}

export function cudaIsAvailable(): boolean {
  return call('cudaIsAvailable') as boolean;
}
