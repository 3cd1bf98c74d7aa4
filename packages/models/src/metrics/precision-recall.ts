import { ArgumentError } from '../errors.js';

/**
 * Per-class and macro precision and recall of multi-hot decisions `yPred` against multi-hot truth `yTrue`
 * (one-hot rows for single-label tasks, where macro recall is the balanced accuracy). A class never predicted
 * has precision 0, a class never present recall 0 (scikit-learn's `zero_division=0`), so a model that ignores
 * a class pays for it in the macro means.
 *
 * @example macroPrecisionRecall([[1, 0], [0, 1]], [[1, 0], [1, 0]]) // { precision: [0.5, 0], recall: [1, 0], macroPrecision: 0.25, macroRecall: 0.5 }
 */
export function macroPrecisionRecall(
  yTrue: ReadonlyArray<ArrayLike<number>>,
  yPred: ReadonlyArray<ArrayLike<number>>,
): { precision: number[]; recall: number[]; macroPrecision: number; macroRecall: number } {
  if (yTrue.length !== yPred.length) throw new ArgumentError(`macroPrecisionRecall: 'yTrue' and 'yPred' must have the same length, got ${yTrue.length} and ${yPred.length}`);
  const k = yTrue[0]?.length ?? 0;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  yTrue.forEach((row, i) => {
    const pred = yPred[i]!;
    if (row.length !== k || pred.length !== k) throw new ArgumentError(`macroPrecisionRecall: row ${i} must have ${k} classes, got ${row.length} and ${pred.length}`);
    for (let c = 0; c < k; c++) {
      const t = row[c] === 1;
      const p = pred[c] === 1;
      if (t && p) tp[c]! += 1;
      else if (p) fp[c]! += 1;
      else if (t) fn[c]! += 1;
    }
  });
  const precision = tp.map((t, c) => (t + fp[c]! === 0 ? 0 : t / (t + fp[c]!)));
  const recall = tp.map((t, c) => (t + fn[c]! === 0 ? 0 : t / (t + fn[c]!)));
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { precision, recall, macroPrecision: mean(precision), macroRecall: mean(recall) };
}
