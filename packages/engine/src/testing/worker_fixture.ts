// A module for TorchWorker tests: a tiny model held by the worker thread, and a deliberately heavy call.
import { Tensor, fromArray, randn, tidy, noGrad, F, manualSeed, getNumThreads, liveTensorCount, keep } from '../index.js';

let weight: Tensor | null = null;

/** Builds the model inside the worker; its tensors live on this thread only. */
export function init(seed: number): number {
  manualSeed(seed);
  weight = keep(randn([3, 4]));
  return liveTensorCount();
}

/** [N, 4] float32 → softmax probabilities [N, 3] as a Float32Array (transferred back). */
export function predict(data: Float32Array, shape: number[]): { probs: Float32Array; shape: number[] } {
  return tidy(() => noGrad(() => {
    const y = F.softmax(F.linear(fromArray(data, shape), weight!), 1);
    return { probs: y.toArray() as Float32Array, shape: y.shape };
  }));
}

/** Repeated matmuls that keep this thread busy for a while. */
export function heavy(rounds: number): number {
  return tidy(() => {
    let acc = 0;
    const a = randn([256, 256]);
    for (let i = 0; i < rounds; i++) acc += tidy(() => a.matmul(a).tanh().sum().item());
    return acc;
  });
}

export function threads(): number {
  return getNumThreads();
}

export function fail(): never {
  return F.conv1d(randn([2, 3]), randn([1, 2, 3])) as never;
}

export async function later(x: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 1));
  return x * 2;
}
