import { tidy } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import { classificationLoss } from '../objectives/cross-entropy.js';
import type { Objective } from '../objectives/objective.js';
import { distillationLoss } from './kd.js';
import { VizECGNet } from './vizecgnet.js';

/** `train.objective` `{ kind: 'vizecg' }`: VizECGNet's loss λ1·L_cls + λ2·L_KD. */
export interface VizEcgObjectiveConfig {
  kind: 'vizecg';
  /** λ1, the weight of the classification loss (1, as the paper). */
  lambdaCls: number;
  /** λ2, the weight of the distillation loss (1, as the paper); unused when the model's `kd` is null. */
  lambdaKd: number;
}

export const VIZECG_OBJECTIVE_DEFAULTS: VizEcgObjectiveConfig = { kind: 'vizecg', lambdaCls: 1, lambdaKd: 1 };

/**
 * VizECGNet's training objective, `λ1·L_cls + λ2·L_KD`, over a batch carrying the page (`extras.page`) and the
 * signal (`x`, `mask`):
 *
 * - **L_cls = CE(image logits) + CE(signal logits)**: the task's classification loss (cross-entropy, or BCE for
 *   multi-label, with the step's class weights) of each head, summed rather than averaged so the image head
 *   gets the same gradient from its own labels as when the image stream is trained alone: the image-only
 *   baseline and VizECGNet then differ only by what the signal side adds.
 * - **L_KD** = `distillationLoss(image, signal)` with the model's `kd` settings (kd.ts); absent when `kd` is null.
 * - For the `vizecg-image-only` variant the loss is λ1·CE(image logits): the baseline.
 *
 * Logs (averaged per epoch by the trainer): `cls_image`, `cls_signal`, `cls` (= their sum), `kd`, `loss`.
 *
 * @example
 * const objective = vizEcgObjective(VIZECG_OBJECTIVE_DEFAULTS);
 * const { loss, logs } = objective.compute(net, batch, ctx); // logs.cls_image, logs.cls_signal, logs.kd
 */
export function vizEcgObjective(cfg: VizEcgObjectiveConfig): Objective {
  for (const k of ['lambdaCls', 'lambdaKd'] as const) {
    if (!(Number.isFinite(cfg[k]) && cfg[k] >= 0)) throw new ArgumentError(`vizEcgObjective: '${k}' must be a finite number ≥ 0, got ${cfg[k]}`);
  }
  return {
    name: 'vizecg',
    compute(model, batch, ctx) {
      if (!(model instanceof VizECGNet)) {
        throw new ArgumentError(`vizEcgObjective: the model must be a VizECGNet, got ${model.constructor.name}`);
      }
      return tidy(() => {
        const out = model.streamLogits(batch);
        const clsImage = classificationLoss(out.image, batch, ctx);
        const logs: Record<string, number> = { cls_image: clsImage.item() };
        let cls = clsImage;
        if (out.signal) {
          const clsSignal = classificationLoss(out.signal, batch, ctx);
          logs.cls_signal = clsSignal.item();
          cls = clsImage.add(clsSignal);
        }
        logs.cls = cls.item();
        let loss = cls.mul(cfg.lambdaCls);
        const kd = model.config.kind === 'vizecgnet' ? model.config.kd : null;
        if (kd && out.signal) {
          const lkd = distillationLoss(out.image, out.signal, kd, ctx.task);
          logs.kd = lkd.item();
          loss = loss.add(lkd.mul(cfg.lambdaKd));
        }
        logs.loss = loss.item();
        return { loss, logs };
      });
    },
  };
}
