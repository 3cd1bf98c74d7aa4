import { argError } from '../dsp/errors.js';
import type { Rng } from '../random/rng.js';

/**
 * The order records are visited in during one epoch:
 * - `shuffle`: a seeded permutation;
 * - `balanced`: as many draws as records, with replacement, each class equally likely (Ma & Liang's
 *   ClassBalancedSampler; with several labels a record counts for its rarest class);
 * - `sequential`: the source's order (evaluation).
 */
export type EpochOrder = 'shuffle' | 'balanced' | 'sequential';

/** Record indices `0..n-1` in the order of one epoch; `targets` (multi-hot rows) are needed for `balanced`. */
export function epochOrder(n: number, order: EpochOrder, rng: Rng, targets?: readonly Float32Array[]): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  switch (order) {
    case 'sequential':
      return all;
    case 'shuffle':
      return rng.shuffle(all);
    case 'balanced':
      if (!targets || targets.length !== n) argError('epochOrder', 'targets', `must give one row per record for 'balanced' order, got ${targets?.length ?? 'none'} for ${n} records`);
      return weightedSample(classBalancedWeights(targets), n, rng);
    default:
      return argError('epochOrder', 'order', `must be 'shuffle', 'balanced' or 'sequential', got '${String(order)}'`);
  }
}

/** Cuts an order into batches of `batchSize` (the last may be smaller). */
export function chunkBatches(order: readonly number[], batchSize: number): number[][] {
  checkBatch(batchSize);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/**
 * Length bucketing: cut `order` into pools of `poolBatches` batches, sort each pool by length, cut it into
 * batches and shuffle the batch order. Records in a batch have similar lengths (less padding to compute)
 * while the epoch stays random at the pool scale; every index of `order` appears once.
 */
export function bucketBatches(order: readonly number[], lengths: ArrayLike<number>, batchSize: number, rng: Rng, poolBatches = 50): number[][] {
  checkBatch(batchSize);
  if (!Number.isInteger(poolBatches) || poolBatches < 1) argError('bucketBatches', 'poolBatches', `must be an integer >= 1, got ${poolBatches}`);
  const batches: number[][] = [];
  for (const pool of chunkBatches(order, batchSize * poolBatches)) {
    pool.sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    batches.push(...chunkBatches(pool, batchSize));
  }
  return rng.shuffle(batches);
}

/**
 * Class-balanced sample weights: a record's weight is 1/n_c for its class c (the class frequency
 * in `targets`); with several labels, the largest 1/n_c of its classes (its rarest class counts);
 * records with no label form their own group. Single-label: each class is drawn equally often.
 */
export function classBalancedWeights(targets: readonly Float32Array[]): Float64Array {
  if (targets.length === 0) return new Float64Array(0);
  const freq = positiveCounts(targets);
  const none = targets.filter((y) => !y.some((v) => v > 0)).length;
  return Float64Array.from(targets, (y) => {
    let w = 0;
    for (let j = 0; j < freq.length; j++) if (y[j]! > 0) w = Math.max(w, 1 / freq[j]!);
    return w === 0 ? 1 / none : w;
  });
}

/** `count` indices drawn with replacement with probability ∝ weights (cumulative sums + binary search). */
export function weightedSample(weights: Float64Array, count: number, rng: Rng): number[] {
  const cum = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => {
    if (!(w >= 0) || !Number.isFinite(w)) argError('weightedSample', 'weights', `must be finite and >= 0, got ${w} at ${i}`);
    s += w;
    cum[i] = s;
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

/**
 * Loss weights per class from training targets (multi-hot rows):
 * - `single-label`: n / (K · n_c), sklearn's `class_weight='balanced'` (0 for a class with no record);
 * - `multi-label`: negatives / positives, BCE's `pos_weight` (1 for a class with no positive).
 */
export function lossClassWeights(targets: readonly Float32Array[], task: 'single-label' | 'multi-label'): number[] {
  const n = targets.length;
  const pos = positiveCounts(targets);
  const k = pos.length;
  return Array.from(pos, (p) => (task === 'single-label' ? (p === 0 ? 0 : n / (k * p)) : p === 0 ? 1 : (n - p) / p));
}

/** Fraction of padded samples when each batch is padded to its longest record. */
export function paddingFraction(batches: readonly number[][], lengths: ArrayLike<number>): number {
  let padded = 0;
  let total = 0;
  for (const b of batches) {
    const max = Math.max(...b.map((i) => lengths[i] as number));
    for (const i of b) {
      padded += max - (lengths[i] as number);
      total += max;
    }
  }
  return total === 0 ? 0 : padded / total;
}

function positiveCounts(targets: readonly Float32Array[]): Float64Array {
  const k = targets[0]?.length ?? 0;
  const freq = new Float64Array(k);
  for (const y of targets) {
    if (y.length !== k) argError('classBalance', 'targets', `rows must all have ${k} classes, got one with ${y.length}`);
    for (let j = 0; j < k; j++) if (y[j]! > 0) freq[j]!++;
  }
  return freq;
}

function checkBatch(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) argError('batches', 'batchSize', `must be an integer >= 1, got ${batchSize}`);
}
