import { ArgumentError } from '../errors.js';

/**
 * Ma & Liang's robustness AUC (Evaluate_mask.py cal_AUC_robustness): the trapezoidal area under accuracy against
 * noise level, divided by the largest level, so a model unaffected by noise scores its clean accuracy. `levels`
 * ascend from 0 (the clean input), one accuracy per level.
 *
 * @example robustnessAuc([0, 0.01, 0.03], [0.9, 0.6, 0.2]); // (0.75·0.01 + 0.4·0.02)/0.03 = 0.5167
 */
export function robustnessAuc(levels: readonly number[], accuracies: readonly number[]): number {
  if (levels.length < 2 || levels.length !== accuracies.length) {
    throw new ArgumentError(`robustnessAuc: 'levels' and 'accuracies' must have the same length >= 2, got ${levels.length} and ${accuracies.length}`);
  }
  for (let i = 1; i < levels.length; i++) {
    if (!(levels[i]! > levels[i - 1]!)) throw new ArgumentError(`robustnessAuc: 'levels' must ascend, got ${levels[i - 1]} then ${levels[i]}`);
  }
  if (levels[0] !== 0) throw new ArgumentError(`robustnessAuc: 'levels' must start at 0 (the clean accuracy), got ${levels[0]}`);
  let area = 0;
  for (let i = 1; i < levels.length; i++) area += ((accuracies[i]! + accuracies[i - 1]!) * (levels[i]! - levels[i - 1]!)) / 2;
  return area / levels[levels.length - 1]!;
}
