import { fromArray, grad, noGrad, type Tensor } from '@ecglab/engine';
import type { Rng } from '@ecglab/data';
import type { EcgClassifier } from '../../models/classifier.js';
import type { Objective } from '../../objectives/objective.js';
import { classificationLoss } from '../../objectives/cross-entropy.js';
import { checkDefenceConfig, type JacobianConfig } from './config.js';

/** ‖g‖² summed over every element of a gradient `[N, leads, L]` → scalar. */
function squaredNorm(g: Tensor): Tensor {
  return g.mul(g).sum();
}

/**
 * The exact Jacobian penalty of Ma & Liang's dZdX_jacob (RobustDNN_loss_mask.py): one backward per class m of
 * `Σ_n z_nm` with respect to the input, `sqrt(Σ_m Σ_n ‖∂z_nm/∂x_n‖²)/(N·C)`, differentiable (createGraph) so
 * its gradient reaches the weights. `xn` `[N, leads, L]` must require grad and `logits` `[N, C]` come from it.
 * The sum over the batch gives each record's own gradient because records do not interact (GroupNorm, or
 * BatchNorm in eval mode; in training mode BatchNorm couples them, as in their code).
 *
 * @example const penalty = jacobianPenalty(model.classify(xn, mask), xn); // xn.requiresGrad
 */
export function jacobianPenalty(logits: Tensor, xn: Tensor): Tensor {
  const [n, c] = logits.shape as [number, number];
  let total: Tensor | null = null;
  for (let m = 0; m < c; m++) {
    const [g] = grad(logits.select(1, m).sum(), [xn], { createGraph: true, retainGraph: true }); // [N, leads, L]
    const sq = squaredNorm(g!);
    total = total ? total.add(sq) : sq;
  }
  return total!.sqrt().div(n * c);
}

/**
 * Hoffman, Roberts & Yaida 2019 (Robust learning with Jacobian regularization): ‖J‖²_F = C·E_v‖vᵀJ‖² for v
 * uniform on the unit sphere of R^C, estimated with `projections` draws per record from `rng`, one backward
 * each instead of C. Same scale as {@link jacobianPenalty}: `sqrt(estimate)/(N·C)`.
 *
 * @example const penalty = projectedJacobianPenalty(logits, xn, 1, rng);
 */
export function projectedJacobianPenalty(logits: Tensor, xn: Tensor, projections: number, rng: Rng): Tensor {
  const [n, c] = logits.shape as [number, number];
  let total: Tensor | null = null;
  for (let p = 0; p < projections; p++) {
    const v = new Float64Array(n * c);
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let k = 0; k < c; k++) sq += (v[i * c + k] = rng.gaussian()) ** 2;
      const inv = 1 / Math.sqrt(sq);
      for (let k = 0; k < c; k++) v[i * c + k]! *= inv;
    }
    const vt = fromArray(v, [n, c], { dtype: logits.dtype }); // [N, C] unit rows
    const [g] = grad(logits.mul(vt).sum(), [xn], { createGraph: true, retainGraph: true }); // [N, leads, L] = vᵀJ per record
    const sq = squaredNorm(g!);
    total = total ? total.add(sq) : sq;
  }
  return total!.mul(c / projections).sqrt().div(n * c);
}

/**
 * Jacobian regularisation (Ma & Liang's CPSC2018_CNN_Jacob.py): `L = CE + β·sqrt(Σ_m Σ_n ‖∂z_m/∂x_n‖²)/(N·C)`
 * with x in model units, from `startEpoch` on; the same for multi-label models (z the per-class logits, CE the
 * task's BCE). One forward serves both terms. Logs `ce` and `jacobian` (the penalty before β).
 *
 * @example const objective = jacobianObjective({ ...JACOBIAN_DEFAULTS, estimator: 'projection' });
 */
export function jacobianObjective(cfg: JacobianConfig): Objective<EcgClassifier> {
  checkDefenceConfig(cfg);
  return {
    name: 'jacobian',
    compute(model, batch, ctx) {
      const xn = noGrad(() => model.normalize(batch.x, batch.mask)).detach().requiresGrad_(true); // [N, leads, L]
      const logits = model.classify(xn, batch.mask); // [N, C]
      const ce = classificationLoss(logits, batch, ctx);
      if (ctx.epoch < cfg.startEpoch || cfg.beta === 0) return { loss: ce, logs: { ce: ce.item(), jacobian: 0 } };
      const penalty = cfg.estimator === 'exact' ? jacobianPenalty(logits, xn) : projectedJacobianPenalty(logits, xn, cfg.projections, ctx.rng);
      return { loss: ce.add(penalty.mul(cfg.beta)), logs: { ce: ce.item(), jacobian: penalty.item() } };
    },
  };
}
