import { ArgumentError } from '../errors.js';

/** Rows are true classes, columns predicted (sklearn's `confusion_matrix` orientation). */
export type ConfusionMatrix = number[][];

/**
 * Confusion matrix of single-label predictions over classes 0..nClasses-1.
 *
 * @example confusionMatrix([0, 1, 1], [0, 1, 0], 2); // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): ConfusionMatrix {
  checkLabels('confusionMatrix', yTrue, yPred, nClasses);
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) (m[yTrue[i] as number] as number[])[yPred[i] as number]! += 1;
  return m;
}

export function checkLabels(fn: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): void {
  if (yTrue.length !== yPred.length) {
    throw new ArgumentError(`${fn}: 'yTrue' and 'yPred' must have the same length, got ${yTrue.length} and ${yPred.length}`);
  }
  for (const [name, ys] of [['yTrue', yTrue], ['yPred', yPred]] as const) {
    for (let i = 0; i < ys.length; i++) {
      const v = ys[i] as number;
      if (!Number.isInteger(v) || v < 0 || v >= nClasses) {
        throw new ArgumentError(`${fn}: '${name}[${i}]' must be an integer class in [0, ${nClasses}), got ${v}`);
      }
    }
  }
}
