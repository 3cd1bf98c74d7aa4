import { indicatorCounts } from './classification.js';

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
  const { tp, fp, fn } = indicatorCounts(yTrue, yPred, 'macroPrecisionRecall');
  const precision = tp.map((t, c) => (t + fp[c]! === 0 ? 0 : t / (t + fp[c]!)));
  const recall = tp.map((t, c) => (t + fn[c]! === 0 ? 0 : t / (t + fn[c]!)));
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { precision, recall, macroPrecision: mean(precision), macroRecall: mean(recall) };
}
