import { ArgumentError } from '../errors.js';
import { Rng } from '@ecglab/data';

/**
 * The q-th percentile (0..100) with linear interpolation between order statistics, as numpy's
 * default `np.percentile(x, q)`.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new ArgumentError(`percentile: 'values' is empty`);
  if (!(q >= 0 && q <= 100)) throw new ArgumentError(`percentile: 'q' must be in [0, 100], got ${q}`);
  const s = Float64Array.from(values).sort();
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return (s[lo] as number) + (pos - lo) * ((s[hi] as number) - (s[lo] as number));
}

export interface BootstrapResult {
  estimate: number;
  lower: number;
  upper: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  iterations: number;
  seed: number;
}

/**
 * Seeded percentile-bootstrap confidence interval of a statistic over n records: resample the
 * record indices with replacement `iterations` times, compute the statistic on each resample,
 * and take the (1−level)/2 and (1+level)/2 percentiles. Resamples whose statistic is NaN (e.g. a
 * class missing) are skipped.
 *
 * @example bootstrapCI(yTrue.length, (idx) => accuracy(pick(yTrue, idx), pick(yPred, idx)), { seed: 1 });
 */
export function bootstrapCI(
  n: number,
  statistic: (indices: Int32Array) => number,
  opts: { iterations?: number; level?: number; seed?: number } = {},
): BootstrapResult {
  const iterations = opts.iterations ?? 1000;
  const level = opts.level ?? 0.95;
  const seed = opts.seed ?? 0;
  if (!(Number.isInteger(n) && n > 0)) throw new ArgumentError(`bootstrapCI: 'n' must be a positive integer, got ${n}`);
  if (!(level > 0 && level < 1)) throw new ArgumentError(`bootstrapCI: 'level' must be in (0, 1), got ${level}`);
  // Each iteration recomputes the statistic on n resampled records: past 100,000 the CI no longer moves, the run time does.
  if (!(Number.isInteger(iterations) && iterations >= 1 && iterations <= 100_000)) throw new ArgumentError(`bootstrapCI: 'iterations' must be an integer from 1 to 100000, got ${iterations}`);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const estimate = statistic(all);
  const rng = new Rng(seed);
  const stats: number[] = [];
  const idx = new Int32Array(n);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    const v = statistic(idx);
    if (!Number.isNaN(v)) stats.push(v);
  }
  // Undefined on every resample (AUROC of a class with no positives): no interval, NaN bounds
  // (null in JSON) rather than an error after a whole training.
  if (stats.length === 0) return { estimate, lower: Number.NaN, upper: Number.NaN, level, iterations, seed };
  return {
    estimate,
    lower: percentile(stats, ((1 - level) / 2) * 100),
    upper: percentile(stats, ((1 + level) / 2) * 100),
    level,
    iterations,
    seed,
  };
}

/** Picks `values[indices[i]]` for each i. */
export function pick<T>(values: ArrayLike<T>, indices: ArrayLike<number>): T[] {
  return Array.from(indices, (i) => values[i] as T);
}
