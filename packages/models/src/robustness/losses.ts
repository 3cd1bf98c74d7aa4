import { F, arange, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';

/**
 * What an attack maximises, per record:
 * - `ce`: cross-entropy of the true class (single-label);
 * - `margin`: Ma & Liang's soft logit margin `logsumexp(z_{j≠y}) − z_y` (single-label; Evaluate_mask.py
 *   soft_logit_margin_loss, 'slm', the loss of their adversarial training);
 * - `bce`: binary cross-entropy with logits against the true multi-hot targets, summed over the classes
 *   (multi-label: pushing every class away from its truth).
 */
export type AttackLossKind = 'ce' | 'margin' | 'bce';

/** The attack target of a batch: class indices for `ce`/`margin`, multi-hot targets for `bce`. */
export interface AttackTargets {
  labels: Tensor | null;
  targets: Tensor | null;
}

/**
 * Ma & Liang's soft logit margin per record, `logsumexp_{j≠y} z_j − z_y` → `[N]`, from logits `[N, K]` and
 * int64 labels `[N]`. Positive once some other class's logits outweigh the true one's.
 *
 * @example softLogitMargin(tensor([[2, 0, 0]]), tensor([0], { dtype: 'int64' })); // [ln 2 − 2]
 */
export function softLogitMargin(logits: Tensor, labels: Tensor): Tensor {
  const k = logits.shape[1] as number;
  if (k < 2) throw new ArgumentError(`softLogitMargin: 'logits' must have at least 2 classes, got [${logits.shape.join(', ')}]`);
  const y = labels.reshape([-1, 1]); // [N, 1]
  const zy = logits.gather(1, y).reshape([-1]); // [N]
  const trueMask = y.eq(arange(0, k, 1, { dtype: 'int64', device: logits.device }).reshape([1, k])); // [N, K] bool
  const others = logits.maskedFill(trueMask, Number.NEGATIVE_INFINITY); // [N, K], the true class excluded
  return others.logsumexp(1).sub(zy);
}

/**
 * The attack loss per record `[N]` of `logits` `[N, K]`: see {@link AttackLossKind}. Attacks ascend its sum;
 * with sign (L∞) or normalised (L2) steps each record's step depends only on its own loss.
 */
export function attackLoss(kind: AttackLossKind, logits: Tensor, target: AttackTargets): Tensor {
  if (kind === 'bce') {
    if (!target.targets) throw new ArgumentError(`attackLoss: the 'bce' loss needs multi-hot 'targets' [N, K], got none`);
    return F.binaryCrossEntropyWithLogits(logits, target.targets, { reduction: 'none' }).sum(1);
  }
  if (!target.labels) throw new ArgumentError(`attackLoss: the '${kind}' loss needs int64 'labels' [N], got none (use 'bce' for multi-label batches)`);
  if (kind === 'ce') return F.crossEntropy(logits, target.labels, { reduction: 'none' });
  if (kind === 'margin') return softLogitMargin(logits, target.labels);
  throw new ArgumentError(`attackLoss: 'kind' must be 'ce', 'margin' or 'bce', got '${String(kind)}'`);
}
