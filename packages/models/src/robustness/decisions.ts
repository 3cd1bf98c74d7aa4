import { fromArray, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import type { AttackLossKind, AttackTargets } from './losses.js';

/**
 * How a model's logits become a decision, and when two decisions are the same. Single-label: the argmax class
 * (int64 `[N]`). Multi-label: the thresholded set (bool `[N, K]`, `sigmoid(z) >= threshold` per class), and
 * two sets are the same only when every class agrees, so an attack "changes the label" of a multi-label record
 * when any class flips.
 */
export interface DecisionRule {
  readonly multiLabel: boolean;
  decide(logits: Tensor): Tensor;
  /** bool `[N]`: decisions `a` and `b` agree. */
  same(a: Tensor, b: Tensor): Tensor;
  /** bool `[N]`: the decision is right (single-label: the true class; multi-label: exactly the true set). */
  correct(logits: Tensor, truth: AttackTargets): Tensor;
}

/**
 * The decision rule that goes with an attack loss (`bce`: multi-label, else single-label), for `classes`
 * outputs; `thresholds` are per-class probabilities (default 0.5, a logit of 0).
 *
 * @example decisionRule('ce', 4).decide(logits); // argmax [N]
 */
export function decisionRule(loss: AttackLossKind, classes: number, thresholds?: readonly number[]): DecisionRule {
  if (loss !== 'bce') {
    if (thresholds !== undefined) throw new ArgumentError(`decisionRule: 'thresholds' apply to multi-label ('bce') attacks only, got them with '${loss}'`);
    return {
      multiLabel: false,
      decide: (z) => z.argmax(1),
      same: (a, b) => a.eq(b),
      correct: (z, truth) => {
        if (!truth.labels) throw new ArgumentError(`decisionRule: a single-label batch needs int64 'labels' [N], got none`);
        return z.argmax(1).eq(truth.labels);
      },
    };
  }
  const t = thresholds ?? Array<number>(classes).fill(0.5);
  if (t.length !== classes || t.some((p) => !(p > 0 && p < 1))) {
    throw new ArgumentError(`decisionRule: 'thresholds' must be ${classes} probabilities in (0, 1), got [${t.join(', ')}]`);
  }
  const logitThresholds = Float64Array.from(t, (p) => Math.log(p / (1 - p))); // sigmoid(z) >= p ⇔ z >= logit(p)
  const decide = (z: Tensor) => {
    const thr = fromArray(logitThresholds, [1, classes], { dtype: z.dtype });
    const d = z.ge(thr); // [N, K] bool
    thr.dispose();
    return d;
  };
  const same = (a: Tensor, b: Tensor) => a.ne(b).float().sum(1).eq(0); // [N]
  return {
    multiLabel: true,
    decide,
    same,
    correct: (z, truth) => {
      if (!truth.targets) throw new ArgumentError(`decisionRule: a multi-label batch needs multi-hot 'targets' [N, K], got none`);
      return same(decide(z), truth.targets.gt(0.5));
    },
  };
}
