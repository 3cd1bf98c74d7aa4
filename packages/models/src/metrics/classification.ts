import { ArgumentError } from '../errors.js';
import { checkLabels, confusionMatrix, type ConfusionMatrix } from './confusion.js';

/** 2·TP / (2·TP + FP + FN), 0 when the class never occurs in truth or prediction (sklearn's zero_division=0). */
function f1FromCounts(tp: number, fp: number, fn: number): number {
  const d = 2 * tp + fp + fn;
  return d === 0 ? 0 : (2 * tp) / d;
}

/** Per-class F1 of a confusion matrix (rows true, columns predicted). */
export function perClassF1FromConfusion(m: ConfusionMatrix): number[] {
  const k = m.length;
  return m.map((row, i) => {
    const tp = row[i] as number;
    const rowSum = row.reduce((a, b) => a + b, 0);
    let colSum = 0;
    for (let r = 0; r < k; r++) colSum += (m[r] as number[])[i] as number;
    return f1FromCounts(tp, colSum - tp, rowSum - tp);
  });
}

/** Per-class F1 of single-label predictions (sklearn `f1_score(average=None, labels=range(K))`). */
export function perClassF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[] {
  return perClassF1FromConfusion(confusionMatrix(yTrue, yPred, nClasses));
}

/** Unweighted mean of per-class F1 over all K classes (sklearn `average='macro', labels=range(K)`). */
export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number {
  const f = perClassF1(yTrue, yPred, nClasses);
  return f.reduce((a, b) => a + b, 0) / nClasses;
}

/** Micro F1; for single-label predictions over all classes this equals accuracy. */
export function microF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number {
  checkLabels('microF1', yTrue, yPred, nClasses);
  let tp = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) tp++;
  const wrong = yTrue.length - tp;
  return f1FromCounts(tp, wrong, wrong);
}

/** Accuracy: the fraction of exact matches. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return yTrue.length === 0 ? 0 : ok / yTrue.length;
}

/**
 * Mean per-class recall over the classes present in `yTrue` (sklearn `balanced_accuracy_score`,
 * which also skips classes with no true samples).
 */
export function balancedAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number {
  const m = confusionMatrix(yTrue, yPred, nClasses);
  let sum = 0;
  let n = 0;
  m.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support > 0) {
      sum += (row[i] as number) / support;
      n++;
    }
  });
  return n === 0 ? 0 : sum / n;
}

/** Class order of the CinC 2017 challenge: Normal, AF, Other rhythm, Noisy. */
export const CINC2017_CLASSES = ['N', 'A', 'O', '~'] as const;

/**
 * The CinC 2017 challenge score: the mean of the N, A and O F1s (the noisy class is scored in
 * the matrix but not averaged). Labels index CINC2017_CLASSES.
 *
 * @example cinc2017F1([0, 1, 2, 3], [0, 1, 2, 3]).score; // 1
 */
export function cinc2017F1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): { score: number; fN: number; fA: number; fO: number; fNoise: number } {
  const f = perClassF1(yTrue, yPred, 4) as [number, number, number, number];
  return { score: (f[0] + f[1] + f[2]) / 3, fN: f[0], fA: f[1], fO: f[2], fNoise: f[3] };
}

/** Class order of CPSC 2018 (codes 1..9 of its REFERENCE.csv, here 0..8). */
export const CPSC2018_CLASSES = ['Normal', 'AF', 'I-AVB', 'LBBB', 'RBBB', 'PAC', 'PVC', 'STD', 'STE'] as const;

export interface Cpsc2018Score {
  /** Mean of the nine per-class F1s: the challenge's headline score. */
  f1: number;
  perClass: number[];
  fAF: number;
  fBlock: number;
  fPC: number;
  fST: number;
  /** The challenge's matrix A (rows true, columns predicted). */
  matrix: ConfusionMatrix;
}

/**
 * The CPSC 2018 score, as in the challenge's `score_py3.py`: one predicted class per record; a
 * multi-label record counts as correct when the prediction is any of its labels (A[p][p] += 1),
 * otherwise the error is booked against its first label (A[first][p] += 1). F_i = 2·A_ii / (ΣA_i· + ΣA_·i);
 * the sub-scores pool classes: F_Block over I-AVB, LBBB, RBBB; F_PC over PAC, PVC; F_ST over STD, STE.
 *
 * @param yTrue per record its labels (0..8), first label first
 * @param yPred per record one predicted class (0..8)
 */
export function cpsc2018Score(yTrue: ReadonlyArray<ReadonlyArray<number>>, yPred: ArrayLike<number>): Cpsc2018Score {
  if (yTrue.length !== yPred.length) {
    throw new ArgumentError(`cpsc2018Score: 'yTrue' and 'yPred' must have the same length, got ${yTrue.length} and ${yPred.length}`);
  }
  const a = Array.from({ length: 9 }, () => new Array<number>(9).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const labels = yTrue[i] as ReadonlyArray<number>;
    const p = yPred[i] as number;
    if (labels.length === 0) throw new ArgumentError(`cpsc2018Score: 'yTrue[${i}]' has no label`);
    for (const v of [...labels, p]) {
      if (!Number.isInteger(v) || v < 0 || v > 8) throw new ArgumentError(`cpsc2018Score: record ${i} has class ${v}, expected an integer in [0, 9)`);
    }
    if (labels.includes(p)) (a[p] as number[])[p]! += 1;
    else (a[labels[0] as number] as number[])[p]! += 1;
  }
  const pooled = (classes: number[]): number => {
    let diag = 0;
    let rows = 0;
    let cols = 0;
    for (const c of classes) {
      diag += (a[c] as number[])[c] as number;
      for (let j = 0; j < 9; j++) {
        rows += (a[c] as number[])[j] as number;
        cols += (a[j] as number[])[c] as number;
      }
    }
    return rows + cols === 0 ? 0 : (2 * diag) / (rows + cols);
  };
  const perClass = Array.from({ length: 9 }, (_, c) => pooled([c]));
  return {
    f1: perClass.reduce((x, y) => x + y, 0) / 9,
    perClass,
    fAF: pooled([1]),
    fBlock: pooled([2, 3, 4]),
    fPC: pooled([5, 6]),
    fST: pooled([7, 8]),
    matrix: a,
  };
}

/**
 * Per-class true-positive, false-positive and false-negative counts of 0/1 indicator rows `[N][K]`; errors name
 * `caller`. Shared by the F1, precision and recall metrics.
 *
 * @example indicatorCounts([[1, 0]], [[1, 1]], 'f'); // { tp: [1, 0], fp: [0, 1], fn: [0, 0] }
 */
export function indicatorCounts(
  yTrue: ReadonlyArray<ArrayLike<number>>,
  yPred: ReadonlyArray<ArrayLike<number>>,
  caller: string,
): { tp: number[]; fp: number[]; fn: number[] } {
  if (yTrue.length !== yPred.length) {
    throw new ArgumentError(`${caller}: 'yTrue' and 'yPred' must have the same length, got ${yTrue.length} and ${yPred.length}`);
  }
  const k = yTrue[0]?.length ?? 0;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  yTrue.forEach((row, i) => {
    const pred = yPred[i] as ArrayLike<number>;
    if (row.length !== k || pred.length !== k) throw new ArgumentError(`${caller}: row ${i} must have ${k} classes, got ${row.length} and ${pred.length}`);
    for (let c = 0; c < k; c++) {
      const t = row[c] === 1;
      const p = pred[c] === 1;
      if (t && p) tp[c]! += 1;
      else if (p) fp[c]! += 1;
      else if (t) fn[c]! += 1;
    }
  });
  return { tp, fp, fn };
}

/** Multi-label F1s from 0/1 indicator rows `[N][K]`: per class, macro (mean) and micro (pooled counts). */
export function multiLabelF1(yTrue: ReadonlyArray<ArrayLike<number>>, yPred: ReadonlyArray<ArrayLike<number>>): { perClass: number[]; macro: number; micro: number } {
  const { tp, fp, fn } = indicatorCounts(yTrue, yPred, 'multiLabelF1');
  const k = tp.length;
  const perClass = tp.map((t, c) => f1FromCounts(t, fp[c] as number, fn[c] as number));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { perClass, macro: k === 0 ? 0 : sum(perClass) / k, micro: f1FromCounts(sum(tp), sum(fp), sum(fn)) };
}
