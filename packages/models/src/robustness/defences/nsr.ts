import { grad, noGrad, type Tensor } from '@ecglab/engine';
import type { EcgClassifier } from '../../models/classifier.js';
import type { Objective, StepContext } from '../../objectives/objective.js';
import { wholeBatchWeightedMean } from '../../objectives/cross-entropy.js';
import { checkDefenceConfig, type NsrConfig } from './config.js';
import { labelsOf, oneHot, targetsOf } from './common.js';

/** The NSR denominator's offset: dZdX_loss3zs is called with eps = 0.01 in CPSC2018_CNN_NSR.py. */
const SIGNAL_OFFSET = 0.01;

/**
 * Mean over records of Σ_k w·(z_k − code_k)², the NSR loss's fit to the ±1/one-hot `code` `[N, K]`. Without
 * `weights` (Ma & Liang) w = 1. Single-label `weights` are the class weights `[K]` of the records' labels,
 * normalised as a weighted cross-entropy (Σ_n w_n·e_n / Σ_n w_n; one rank of a data-parallel step divides by the
 * whole batch's sum, as classificationLoss); multi-label ones are `pos_weight` `[K]` on the positive targets.
 */
export function codeMse(logits: Tensor, code: Tensor, weights: Tensor | null, ctx: Pick<StepContext, 'task' | 'shard'>, labels?: Tensor): Tensor {
  const d = logits.sub(code);
  const sq = d.mul(d); // [N, K]
  if (!weights) return sq.sum(1).mean();
  if (ctx.task === 'multi-label') {
    const w = code.gt(0).to(logits.dtype).mul(weights.reshape([1, -1]).sub(1)).add(1); // pos_weight on positives, 1 on negatives
    return sq.mul(w).sum(1).mean();
  }
  const w = weights.indexSelect(0, labels!); // [N]
  return wholeBatchWeightedMean(sq.sum(1).mul(w).sum().div(w.sum()), ctx.shard);
}

/** The three terms of the NSR loss for one batch (scalars). */
export interface NsrTerms {
  mse: Tensor;
  margin: Tensor;
  nsr: Tensor;
}

/**
 * Single-label NSR terms (Ma & Liang): `mse` = mean over records of Σ_k (z_k − onehot(y)_k)² (all records);
 * over the correctly classified records, `margin` = mean of `1 − z_y + z_j` over the pairs j ≠ y with
 * `0 < 1 − z_y + z_j < 2` (multi_margin_loss, within_margin, reduction 'counter'; 0 without such pairs), and
 * `nsr` = mean of `log(1 + ε_max·‖∂relu(z_y)/∂x‖₁/(relu(z_y) + 0.01))` (dZdX_loss3zs, log_NSR, the L1 norm over
 * every lead and sample of the input as theirs, padding included). `xn` must require grad; `logits` come from it.
 *
 * `mse`, when given, is the MSE term already computed by the caller (codeMse with class weights); by default
 * the unweighted one, as theirs.
 *
 * @example const { mse, margin, nsr } = nsrTerms(model.classify(xn, mask), xn, labels, 1);
 */
export function nsrTerms(logits: Tensor, xn: Tensor, labels: Tensor, epsMax: number, mse?: Tensor): NsrTerms {
  const [, k] = logits.shape as [number, number];
  const hot = oneHot(labels, k, logits); // [N, K]
  mse ??= codeMse(logits, hot, null, { task: 'single-label' });
  const correct = logits.detach().argmax(1).eq(labels).to(logits.dtype); // [N] 1 = correct
  const count = correct.sum().item();
  if (count === 0) return { mse, margin: logits.sum().mul(0), nsr: logits.sum().mul(0) };
  const zy = logits.gather(1, labels.reshape([-1, 1])); // [N, 1]
  const m = logits.sub(zy).add(1); // [N, K]: 1 − z_y + z_j
  const pairs = m.detach().gt(0).logicalAnd(m.detach().lt(2)).to(logits.dtype).mul(hot.neg().add(1)).mul(correct.reshape([-1, 1])); // [N, K]
  const margin = m.mul(pairs).sum().div(Math.max(pairs.sum().item(), 1));
  const signal = zy.reshape([-1]).relu(); // [N]
  const [g] = grad(signal.mul(correct).sum(), [xn], { createGraph: true, retainGraph: true }); // [N, leads, L]
  const noise = g!.abs().flatten(1).sum(1).mul(epsMax); // [N]
  const ratio = noise.div(signal.add(SIGNAL_OFFSET)); // [N]
  const nsr = ratio.log1p().mul(correct).sum().div(count); // records with ratio 0 add log 1 = 0, as their NSR > 0 filter
  return { mse, margin, nsr };
}

/** Multi-hot targets `[N, K]` as the ±1 code the multi-label NSR loss fits, in the logits' dtype. */
function signCode(targets: Tensor, logits: Tensor): Tensor {
  return targets.mul(2).sub(1).to(logits.dtype);
}

/**
 * Multi-label NSR terms, the binary form of the above with signs s = 2t − 1 (a class's decision is the sign of
 * its logit): `mse` = mean over records of Σ_k (z_k − s_k)²; over the (record, class) pairs decided correctly,
 * `margin` = mean of `1 − s·z` over the pairs with `0 < 1 − s·z < 2`, and `nsr` = mean of
 * `log(1 + ε_max·‖∂relu(s·z)/∂x‖₁/(relu(s·z) + 0.01))`, one backward per class.
 */
export function multiLabelNsrTerms(logits: Tensor, xn: Tensor, targets: Tensor, epsMax: number, mse?: Tensor): NsrTerms {
  const [, k] = logits.shape as [number, number];
  const s = signCode(targets, logits); // [N, K] ±1
  mse ??= codeMse(logits, s, null, { task: 'multi-label' });
  const sz = logits.mul(s); // [N, K] > 0 when decided correctly
  const correct = sz.detach().gt(0).to(logits.dtype); // [N, K]
  const count = correct.sum().item();
  if (count === 0) return { mse, margin: logits.sum().mul(0), nsr: logits.sum().mul(0) };
  const m = sz.neg().add(1); // [N, K]
  const pairs = m.detach().gt(0).logicalAnd(m.detach().lt(2)).to(logits.dtype).mul(correct);
  const margin = m.mul(pairs).sum().div(Math.max(pairs.sum().item(), 1));
  const signal = sz.relu(); // [N, K]
  let nsrSum: Tensor | null = null;
  for (let c = 0; c < k; c++) {
    const [g] = grad(signal.select(1, c).mul(correct.select(1, c)).sum(), [xn], { createGraph: true, retainGraph: true });
    const noise = g!.abs().flatten(1).sum(1).mul(epsMax); // [N]
    const term = noise.div(signal.select(1, c).add(SIGNAL_OFFSET)).log1p().mul(correct.select(1, c)).sum();
    nsrSum = nsrSum ? nsrSum.add(term) : term;
  }
  return { mse, margin, nsr: nsrSum!.div(count) };
}

/**
 * Ma & Liang's NSR defence (CPSC2018_CNN_NSR.py): `L = mse + β1·margin + β2·nsr` (see nsrTerms; multi-label:
 * multiLabelNsrTerms), the margin and NSR terms from `startEpoch` on (MSE alone before). Its loss is the MSE to
 * the one-hot code, not cross-entropy: the NSR term needs z_y > 0, which cross-entropy does not keep. One
 * forward serves every term. Logs `mse`, `margin` and `nsr`.
 *
 * @example const objective = nsrObjective(NSR_DEFAULTS);
 */
export function nsrObjective(cfg: NsrConfig): Objective<EcgClassifier> {
  checkDefenceConfig(cfg);
  return {
    name: 'nsr',
    compute(model, batch, ctx) {
      const active = ctx.epoch >= cfg.startEpoch;
      const xn = noGrad(() => model.normalize(batch.x, batch.mask)).detach().requiresGrad_(active); // [N, leads, L]
      const logits = model.classify(xn, batch.mask); // [N, K]
      const multi = ctx.task === 'multi-label';
      const labels = multi ? undefined : labelsOf(batch, 'nsr');
      const code = multi ? signCode(targetsOf(batch, 'nsr'), logits) : oneHot(labels!, ctx.classes, logits);
      const mse = codeMse(logits, code, cfg.weightedMse ? ctx.classWeights : null, ctx, labels);
      if (!active) return { loss: mse, logs: { mse: mse.item(), margin: 0, nsr: 0 } };
      const t = multi
        ? multiLabelNsrTerms(logits, xn, targetsOf(batch, 'nsr'), cfg.epsMax, mse)
        : nsrTerms(logits, xn, labels!, cfg.epsMax, mse);
      const loss = t.mse.add(t.margin.mul(cfg.beta1)).add(t.nsr.mul(cfg.beta2));
      return { loss, logs: { mse: t.mse.item(), margin: t.margin.item(), nsr: t.nsr.item() } };
    },
  };
}
