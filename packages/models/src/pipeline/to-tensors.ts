import { fromArray, type Tensor } from '@ecglab/engine';
import type { Batch } from '@ecglab/data';
import type { Task } from '../task.js';
import type { TensorBatch } from './tensor-batch.js';

/**
 * The tensors of a pipeline batch (created in the caller's tidy scope): `x` `[N, leads, L]`, `mask`
 * `[N, 1, L]`, `targets` `[N, K]`, `labels` `[N]` int64 (single-label: the one positive class of each row),
 * and each extra input with its own shape.
 */
export function toTensorBatch(batch: Batch, task: Task): TensorBatch {
  const [n, leads, len] = batch.shape;
  const x = fromArray(batch.x, [n, leads, len]);
  const mask = fromArray(batch.mask, [n, 1, len]);
  let targets: Tensor | null = null;
  let labels: Tensor | null = null;
  if (batch.targets) {
    targets = fromArray(batch.targets, [n, batch.classes]);
    if (task === 'single-label') {
      const k = batch.classes;
      labels = fromArray(BigInt64Array.from({ length: n }, (_, i) => BigInt(batch.targets!.subarray(i * k, (i + 1) * k).indexOf(1))), [n]);
    }
  }
  const extras = Object.fromEntries(Object.entries(batch.extras).map(([name, e]) => [name, fromArray(e.data, e.shape)]));
  return { ids: batch.ids, x, mask, labels, targets, extras };
}
