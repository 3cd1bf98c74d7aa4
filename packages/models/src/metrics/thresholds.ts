import { ArgumentError } from '../errors.js';

/**
 * Per-class decision thresholds for multi-label outputs, each chosen to maximise that class's F1 on
 * the given (validation) scores. Candidates are the distinct scores of the class; a record is
 * positive when `score >= threshold`. Among equal F1s the lowest candidate wins. A class with no
 * positives keeps `fallback`.
 */
export function tuneThresholds(
  yTrue: ReadonlyArray<ArrayLike<number>>,
  scores: ReadonlyArray<ArrayLike<number>>,
  fallback = 0.5,
): { thresholds: number[]; f1: number[] } {
  if (yTrue.length !== scores.length) {
    throw new ArgumentError(`tuneThresholds: 'yTrue' and 'scores' must have the same length, got ${yTrue.length} and ${scores.length}`);
  }
  const k = scores[0]?.length ?? 0;
  const thresholds: number[] = [];
  const f1s: number[] = [];
  for (let c = 0; c < k; c++) {
    const pairs = scores.map((s, i) => [s[c] as number, (yTrue[i] as ArrayLike<number>)[c] as number] as const);
    const positives = pairs.filter(([, t]) => t === 1).length;
    if (positives === 0) {
      thresholds.push(fallback);
      f1s.push(0);
      continue;
    }
    // Sweep candidates from high to low: predicted positives grow by each tie group.
    pairs.sort((a, b) => b[0] - a[0]);
    let tp = 0;
    let predicted = 0;
    let best = -1;
    let bestT = fallback;
    for (let i = 0; i < pairs.length; i++) {
      const [s, t] = pairs[i] as readonly [number, number];
      predicted++;
      if (t === 1) tp++;
      const next = pairs[i + 1];
      if (next !== undefined && next[0] === s) continue;
      const f1 = (2 * tp) / (predicted + positives);
      if (f1 >= best) {
        best = f1;
        bestT = s;
      }
    }
    thresholds.push(bestT);
    f1s.push(best);
  }
  return { thresholds, f1: f1s };
}

/** Applies per-class thresholds: 1 where `score >= threshold`. */
export function applyThresholds(scores: ReadonlyArray<ArrayLike<number>>, thresholds: ArrayLike<number>): number[][] {
  return scores.map((row) => Array.from(row as ArrayLike<number>, (s, c) => (s >= (thresholds[c] as number) ? 1 : 0)));
}
