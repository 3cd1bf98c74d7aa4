import { F, type Tensor } from '@ecglab/engine';
import type { Task } from '../task.js';
import { ArgumentError } from '../errors.js';
import type { Objective, StepShard } from './objective.js';

/** `train.objective` `{ kind: 'ce' }`: the plain classification loss. */
export interface CrossEntropyConfig {
  kind: 'ce';
  /** Label smoothing of the single-label cross-entropy, in [0, 1) (0: none, the default, as Ma & Liang). */
  labelSmoothing: number;
}

/**
 * Cross-entropy for single-label tasks (softmax over the classes, with the step's class weights) and
 * binary cross-entropy with logits for multi-label tasks (with the class weights as `pos_weight`).
 * The loss every defence adds its terms to.
 *
 * @example const objective = crossEntropyObjective({ kind: 'ce', labelSmoothing: 0 });
 */
export function crossEntropyObjective(cfg: CrossEntropyConfig): Objective {
  if (!(cfg.labelSmoothing >= 0 && cfg.labelSmoothing < 1)) throw new ArgumentError(`crossEntropyObjective: 'labelSmoothing' must be in [0, 1), got ${cfg.labelSmoothing}`);
  return {
    name: 'ce',
    compute(model, batch, ctx) {
      const logits = model.logits(batch); // [N, K]
      return { loss: classificationLoss(logits, batch, ctx, cfg.labelSmoothing) };
    },
  };
}

/**
 * The task's classification loss of `logits` `[N, K]` against the batch's labels or targets, weighted by
 * `ctx.classWeights`. Shared by the cross-entropy objective and the defences built on it.
 */
export function classificationLoss(
  logits: Tensor,
  batch: { labels: Tensor | null; targets: Tensor | null },
  ctx: { task: Task; classWeights: Tensor | null; shard?: StepShard },
  labelSmoothing = 0,
): Tensor {
  if (ctx.task === 'single-label') {
    if (!batch.labels) throw new ArgumentError('classificationLoss: a single-label batch needs labels');
    const loss = F.crossEntropy(logits, batch.labels, { ...(ctx.classWeights ? { weight: ctx.classWeights } : {}), labelSmoothing });
    return ctx.classWeights ? wholeBatchWeightedMean(loss, ctx.shard) : loss;
  }
  if (!batch.targets) throw new ArgumentError('classificationLoss: a multi-label batch needs targets');
  return F.binaryCrossEntropyWithLogits(logits, batch.targets, ctx.classWeights ? { posWeight: ctx.classWeights } : {});
}

/**
 * A class-weighted mean over a batch divides by its records' sum of weights; one rank's part of a data-parallel
 * batch (`shard`) must divide by the whole batch's. Rescales (and disposes) `loss` accordingly; without a shard,
 * or when this rank holds the whole batch, returns it as it is.
 */
export function wholeBatchWeightedMean(loss: Tensor, shard: StepShard | undefined): Tensor {
  if (!shard || shard.records === 0 || shard.weight === shard.records) return loss;
  const whole = loss.mul(shard.weight / shard.records);
  loss.dispose();
  return whole;
}
