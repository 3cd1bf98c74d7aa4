import { ArgumentError } from '../errors.js';
import { iterativeStratification, Mulberry32 } from '@ecglab/data';

/**
 * Stratified split: per class, the record indices in order, shuffled with `seed`, the first
 * round(valFraction·n_c) to validation. Deterministic for a given label list and seed.
 *
 * @example stratifiedSplit([0, 0, 1, 1, 1], 0.4, 1); // { train: [...], val: [...] }
 */
export function stratifiedSplit(labels: ArrayLike<number>, valFraction: number, seed: number): { train: number[]; val: number[] } {
  if (!(valFraction > 0 && valFraction < 1)) throw new ArgumentError(`stratifiedSplit: 'valFraction' must be in (0, 1), got ${valFraction}`);
  const rng = new Mulberry32(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const train: number[] = [];
  const val: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng.shuffle(byClass.get(c)!);
    const k = Math.round(valFraction * idx.length);
    val.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

/**
 * Multi-label train/val split by @ecglab/data's iterative stratification (Sechidis et al. 2011):
 * the records are dealt into k = round(1 / valFraction) folds keeping each class's share in every
 * fold, and fold 0 is the validation split. Deterministic for a seed.
 */
export function multiLabelSplit(targets: readonly ArrayLike<number>[], valFraction: number, seed: number): { train: number[]; val: number[] } {
  if (!(valFraction > 0 && valFraction < 1)) throw new ArgumentError(`multiLabelSplit: 'valFraction' must be in (0, 1), got ${valFraction}`);
  const k = Math.max(2, Math.round(1 / valFraction));
  if (targets.length < k) throw new ArgumentError(`multiLabelSplit: valFraction ${valFraction} deals the records into ${k} folds, but there are only ${targets.length} records`);
  const labels = targets.map((t) => Array.from(t).flatMap((v, c) => (v > 0 ? [c] : [])));
  const folds = iterativeStratification(labels, k, seed);
  const train: number[] = [];
  const val: number[] = [];
  folds.forEach((f, i) => (f === 0 ? val : train).push(i));
  return { train, val };
}

/**
 * The order of one epoch's training records. `shuffle`: a permutation; `balanced`: as many draws
 * as records, each picking a class uniformly and then a record of it (with replacement), like
 * Ma & Liang's ClassBalancedSampler. Drawn from `rng`, so storing the rng state at the start of
 * an epoch (and the position within it) is enough to resume the epoch exactly.
 */
export function epochOrder(indices: number[], labels: ArrayLike<number>, mode: 'shuffle' | 'balanced', rng: Mulberry32): number[] {
  if (mode === 'shuffle') return rng.shuffle([...indices]);
  const byClass = new Map<number, number[]>();
  for (const i of indices) {
    const c = labels[i] as number;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  return indices.map(() => {
    const members = byClass.get(classes[rng.int(classes.length)]!)!;
    return members[rng.int(members.length)]!;
  });
}

/** Class weights n / (K · n_c) over the training labels (sklearn's `class_weight='balanced'`); absent classes get 0. */
export function balancedClassWeights(labels: ArrayLike<number>, nClasses: number): number[] {
  const counts = new Array<number>(nClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i] as number]! += 1;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (nClasses * c)));
}

/** Learning rate at a fractional epoch: linear warm-up from 0, then constant or cosine to `minLrFraction·lr`. */
export function learningRate(
  schedule: { kind: 'constant'; warmupEpochs: number } | { kind: 'cosine'; warmupEpochs: number; minLrFraction: number },
  lr: number,
  epochs: number,
  t: number,
): number {
  const w = schedule.warmupEpochs;
  if (t < w) return (lr * t) / w;
  if (schedule.kind === 'constant') return lr;
  const p = Math.min(1, (t - w) / Math.max(1e-12, epochs - w));
  const min = lr * schedule.minLrFraction;
  return min + ((lr - min) * (1 + Math.cos(Math.PI * p))) / 2;
}

/**
 * Reorders an epoch's records so that each batch holds records of similar length (less zero-padding
 * to compute): windows of `batchSize·window` records are sorted by length and cut into batches, and
 * the batches are then shuffled with `rng`. The result is a permutation of `order`, reproducible
 * from the rng state, so resuming stays exact.
 */
export function bucketByLength(order: number[], lengths: ArrayLike<number>, batchSize: number, rng: Mulberry32, window = 50): number[] {
  const batches: number[][] = [];
  const span = batchSize * window;
  for (let s = 0; s < order.length; s += span) {
    const chunk = order.slice(s, s + span).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  return rng.shuffle(batches).flat();
}
