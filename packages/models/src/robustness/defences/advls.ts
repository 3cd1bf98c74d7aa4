import { F, noGrad, type Tensor } from '@ecglab/engine';
import type { EcgClassifier } from '../../models/classifier.js';
import type { Objective, StepContext } from '../../objectives/objective.js';
import { classificationLoss } from '../../objectives/cross-entropy.js';
import type { TensorBatch } from '../../pipeline/tensor-batch.js';
import { defaultRange, perturb } from '../attack.js';
import { checkDefenceConfig, type AdvlsConfig } from './config.js';
import { correctRecords, labelsOf, rowsWhere, targetsOf, zeroLoss } from './common.js';

/**
 * ε of an epoch: 0 before `startEpoch`, then ε·(epoch − start + 1)/(epochs − start) when ramped (Ma & Liang's
 * `noise*(epoch-epoch_adv+1)/(epoch_end-epoch_adv)`, ε at the last epoch), or ε throughout.
 *
 * @example advlsEps({ ...ADVLS_DEFAULTS, eps: 0.01 }, 69, 70); // 0.01
 */
export function advlsEps(cfg: AdvlsConfig, epoch: number, epochs: number): number {
  if (epoch < cfg.startEpoch) return 0;
  if (!cfg.ramp) return cfg.eps;
  return cfg.eps * (Math.min(epoch - cfg.startEpoch + 1, epochs - cfg.startEpoch) / (epochs - cfg.startEpoch)); // exactly ε at the last epoch
}

/**
 * The adversarial term `Σ_{i∈correct} CE(x_adv,i)/N` with the step's class weights: single-label
 * `Σ_{i∈correct} w_{y_i}·CE_i / Σ_i w_{y_i}` (Ma & Liang's `cross_entropy(Zn, Yn, reduction='sum')/X.size(0)`
 * when unweighted); multi-label the BCE summed over the correct records' classes over N·K.
 */
function adversarialTerm(advLogits: Tensor, batch: TensorBatch, index: Tensor, ctx: StepContext): Tensor {
  const n = batch.x.shape[0] as number;
  const w = ctx.classWeights;
  if (ctx.task === 'multi-label') {
    const t = targetsOf(batch, 'advls').indexSelect(0, index);
    return F.binaryCrossEntropyWithLogits(advLogits, t, { ...(w ? { posWeight: w } : {}), reduction: 'sum' }).div(n * ctx.classes);
  }
  const labels = labelsOf(batch, 'advls');
  const sum = F.crossEntropy(advLogits, labels.indexSelect(0, index), { ...(w ? { weight: w } : {}), reduction: 'sum' });
  return w ? sum.div(w.indexSelect(0, labels).sum()) : sum.div(n);
}

/**
 * Ma & Liang's adversarial training (advls): `L = (1−β)·CE(x) + β·Σ_{i∈correct} CE(x_adv,i)/N`, the adversarial
 * examples made by fixed-step PGD in model units on the correctly classified records (masked, clipped, seeded by
 * the step's rng). The attack runs with the model in eval mode, so BatchNorm statistics (xresnet1d) are not
 * updated by the attack's forward passes; Ma & Liang's GroupNorm CNN computes the same either way.
 * Multi-label models: "correct" is the exact true set, the attack and the term use BCE (see adversarialTerm).
 * Logs `clean` (CE), `adv` (the adversarial term), `eps` and `attacked` (the fraction of records attacked).
 *
 * @example const objective = advlsObjective({ ...ADVLS_DEFAULTS, eps: 0.01, steps: 5 });
 */
export function advlsObjective(cfg: AdvlsConfig): Objective<EcgClassifier> {
  checkDefenceConfig(cfg);
  return {
    name: 'advls',
    compute(model, batch, ctx) {
      const xn = noGrad(() => model.normalize(batch.x, batch.mask)).detach(); // [N, leads, L] model units
      const logits = model.classify(xn, batch.mask); // [N, K]
      const clean = classificationLoss(logits, batch, ctx);
      const eps = advlsEps(cfg, ctx.epoch, ctx.epochs);
      let adv = zeroLoss(logits);
      let attacked = 0;
      if (eps > 0) {
        const { index, count } = rowsWhere(correctRecords(logits, batch, ctx));
        attacked = count / (batch.x.shape[0] as number);
        if (count > 0) {
          const xc = xn.indexSelect(0, index);
          const mc = batch.mask.indexSelect(0, index);
          const target = ctx.task === 'multi-label'
            ? { labels: null, targets: targetsOf(batch, 'advls').indexSelect(0, index) }
            : { labels: labelsOf(batch, 'advls').indexSelect(0, index), targets: null };
          const training = model.training;
          model.eval();
          let delta: Tensor;
          try {
            delta = perturb(model, xc, mc, target, {
              eps, norm: cfg.norm, loss: ctx.task === 'multi-label' ? 'bce' : cfg.loss, steps: cfg.steps, stepSize: cfg.stepRatio * eps,
              randomStart: cfg.randomStart, range: cfg.range === undefined ? defaultRange(model) : cfg.range,
            }, ctx.rng);
          } finally {
            model.train(training);
          }
          adv = adversarialTerm(model.classify(xc.add(delta), mc), batch, index, ctx);
        }
      }
      const loss = clean.mul(1 - cfg.beta).add(adv.mul(cfg.beta));
      return { loss, logs: { clean: clean.item(), adv: adv.item(), eps, attacked } };
    },
  };
}
