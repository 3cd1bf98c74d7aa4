import { argError } from '../dsp/errors.js';
import type { Rng } from '../noise/prng.js';

/** Batches of indices in a seeded random order (the last batch may be smaller). */
export function randomBatches(n: number, batchSize: number, rng: Rng): number[][] {
  checkBatch(batchSize);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return chunk(order, batchSize);
}

/**
 * Length bucketing: shuffle, cut into pools of `poolBatches` batches, sort each pool by length,
 * cut the pool into batches, then shuffle the batch order. Records in a batch have similar
 * lengths (less padding) while the epoch stays random at the pool scale.
 */
export function bucketBatches(lengths: readonly number[], batchSize: number, rng: Rng, poolBatches = 50): number[][] {
  checkBatch(batchSize);
  if (!Number.isInteger(poolBatches) || poolBatches < 1) argError('bucketBatches', 'poolBatches', `must be an integer >= 1, got ${poolBatches}`);
  const order = rng.shuffle(Array.from({ length: lengths.length }, (_, i) => i));
  const batches: number[][] = [];
  for (const pool of chunk(order, batchSize * poolBatches)) {
    pool.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
    batches.push(...chunk(pool, batchSize));
  }
  return rng.shuffle(batches);
}

/**
 * Class-balanced sample weights: a record's weight is 1/n_c for its class c (the class frequency
 * in `labels`); with several labels, the largest 1/n_c of its classes (its rarest class counts);
 * records with no label form their own group. Single-label: each class is drawn equally often.
 */
export function classBalancedWeights(labels: readonly Float32Array[]): Float64Array {
  if (labels.length === 0) return new Float64Array(0);
  const c = labels[0]!.length;
  const freq = new Float64Array(c);
  let none = 0;
  for (const y of labels) {
    let any = false;
    for (let j = 0; j < c; j++) if (y[j]! > 0) {
      freq[j]!++;
      any = true;
    }
    if (!any) none++;
  }
  return Float64Array.from(labels, (y) => {
    let w = 0;
    for (let j = 0; j < c; j++) if (y[j]! > 0) w = Math.max(w, 1 / freq[j]!);
    return w === 0 ? 1 / none : w;
  });
}

/** `count` indices drawn with replacement with probability ∝ weights (cumulative sums + binary search). */
export function weightedSample(weights: Float64Array, count: number, rng: Rng): number[] {
  const cum = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => {
    if (!(w >= 0) || !Number.isFinite(w)) argError('weightedSample', 'weights', `weight ${i} is ${w}; weights must be finite and >= 0`);
    cum[i] = s += w;
  });
  if (!(s > 0)) argError('weightedSample', 'weights', 'must have a positive sum');
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const u = rng.next() * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    out.push(lo);
  }
  return out;
}

/** Fraction of padded samples when each batch is padded to its longest record. */
export function paddingFraction(batches: readonly number[][], lengths: readonly number[]): number {
  let padded = 0;
  let total = 0;
  for (const b of batches) {
    const max = Math.max(...b.map((i) => lengths[i]!));
    for (const i of b) {
      padded += max - lengths[i]!;
      total += max;
    }
  }
  return total === 0 ? 0 : padded / total;
}

function checkBatch(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) argError('batches', 'batchSize', `must be an integer >= 1, got ${batchSize}`);
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
