import { arange, fromArray, type Tensor } from '@ecglab/engine';
import type { TensorBatch } from '../../pipeline/tensor-batch.js';
import type { StepContext } from '../../objectives/objective.js';
import { ArgumentError } from '../../errors.js';
import { decisionRule } from '../decisions.js';

/** Indices `[n]` int64 and their count of the rows where `rows` (bool `[N]`) is true. */
export function rowsWhere(rows: Tensor): { index: Tensor; count: number } {
  const flags = rows.toArray() as Uint8Array;
  const idx = [...flags.keys()].filter((i) => flags[i]);
  return { index: fromArray(BigInt64Array.from(idx, (i) => BigInt(i)), [idx.length]), count: idx.length };
}

/** bool `[N]`: the records whose decision on `logits` (detached) is right, by the task's rule. */
export function correctRecords(logits: Tensor, batch: TensorBatch, ctx: StepContext): Tensor {
  return decisionRule(ctx.task === 'multi-label' ? 'bce' : 'ce', ctx.classes).correct(logits.detach(), batch);
}

/** `[N, K]` one-hot rows (in the logits' dtype) of int64 `labels` `[N]`. */
export function oneHot(labels: Tensor, classes: number, like: Tensor): Tensor {
  return labels.reshape([-1, 1]).eq(arange(0, classes, 1, { dtype: 'int64' }).reshape([1, classes])).to(like.dtype);
}

/** The batch's int64 labels, or an error naming the defence that needs them. */
export function labelsOf(batch: TensorBatch, who: string): Tensor {
  if (!batch.labels) throw new ArgumentError(`${who}: a single-label batch needs int64 'labels' [N], got none`);
  return batch.labels;
}

/** The batch's multi-hot targets, or an error naming the defence that needs them. */
export function targetsOf(batch: TensorBatch, who: string): Tensor {
  if (!batch.targets) throw new ArgumentError(`${who}: a multi-label batch needs multi-hot 'targets' [N, K], got none`);
  return batch.targets;
}

/** A scalar zero in `like`'s dtype that autograd can add (the term of a batch with nothing to penalise). */
export function zeroLoss(like: Tensor): Tensor {
  return like.sum().mul(0);
}
