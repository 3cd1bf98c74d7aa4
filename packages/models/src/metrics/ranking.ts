import { ArgumentError } from '../errors.js';

/** Sorts indices by decreasing score (stable), as sklearn's `_binary_clf_curve` does. */
function byDecreasingScore(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}

/** Cumulative TP/FP counts at each distinct threshold, from the highest score down. */
function binaryCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): { tps: number[]; fps: number[] } {
  if (yTrue.length !== scores.length) {
    throw new ArgumentError(`binary curve: 'yTrue' and 'scores' must have the same length, got ${yTrue.length} and ${scores.length}`);
  }
  const order = byDecreasingScore(scores);
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  order.forEach((i, r) => {
    if (yTrue[i] === 1) tp++;
    else fp++;
    const next = order[r + 1];
    // Ties share a threshold: emit a point only where the score changes.
    if (next === undefined || scores[next] !== scores[i]) {
      tps.push(tp);
      fps.push(fp);
    }
  });
  return { tps, fps };
}

/**
 * Area under the ROC curve of one binary problem (sklearn `roc_auc_score`), trapezoidal with ties
 * as one step. NaN when only one class is present (sklearn raises there).
 *
 * @example auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 */
export function auroc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { tps, fps } = binaryCurve(yTrue, scores);
  const p = tps[tps.length - 1] ?? 0;
  const n = fps[fps.length - 1] ?? 0;
  if (p === 0 || n === 0) return Number.NaN;
  let area = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  for (let i = 0; i < tps.length; i++) {
    const tpr = (tps[i] as number) / p;
    const fpr = (fps[i] as number) / n;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}

/**
 * Average precision (sklearn `average_precision_score`): Σ (R_n − R_{n−1}) · P_n over the distinct
 * thresholds, no interpolation. NaN when there are no positives.
 */
export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { tps, fps } = binaryCurve(yTrue, scores);
  const p = tps[tps.length - 1] ?? 0;
  if (p === 0) return Number.NaN;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < tps.length; i++) {
    const recall = (tps[i] as number) / p;
    const precision = (tps[i] as number) / ((tps[i] as number) + (fps[i] as number));
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

function column(rows: ReadonlyArray<ArrayLike<number>>, c: number): number[] {
  return rows.map((r) => r[c] as number);
}

/**
 * One-vs-rest per-class AUROC/AUPRC and their macro means, from indicator rows `yTrue[N][K]`
 * and scores `[N][K]`. Classes with only one label present are NaN in `perClass` and left out
 * of the mean (listed in `undefinedClasses`).
 */
export function macroRanking(
  yTrue: ReadonlyArray<ArrayLike<number>>,
  scores: ReadonlyArray<ArrayLike<number>>,
  metric: 'auroc' | 'auprc',
): { perClass: number[]; macro: number; undefinedClasses: number[] } {
  if (yTrue.length !== scores.length) {
    throw new ArgumentError(`macroRanking: 'yTrue' and 'scores' must have the same length, got ${yTrue.length} and ${scores.length}`);
  }
  const k = scores[0]?.length ?? 0;
  const fn = metric === 'auroc' ? auroc : averagePrecision;
  const perClass = Array.from({ length: k }, (_, c) => fn(column(yTrue, c), column(scores, c)));
  const defined = perClass.filter((v) => !Number.isNaN(v));
  const undefinedClasses = perClass.flatMap((v, c) => (Number.isNaN(v) ? [c] : []));
  return { perClass, macro: defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length, undefinedClasses };
}

/** One-hot rows `[N][K]` from class indices. */
export function oneHot(labels: ArrayLike<number>, nClasses: number): number[][] {
  return Array.from({ length: labels.length }, (_, i) => {
    const row = new Array<number>(nClasses).fill(0);
    row[labels[i] as number] = 1;
    return row;
  });
}
