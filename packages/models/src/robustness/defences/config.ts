import { ArgumentError } from '../../errors.js';
import type { AttackLossKind } from '../losses.js';
import type { PerturbationNorm } from '../perturbation.js';

/**
 * Adversarial training as Ma & Liang's app/ECG/CPSC2018_CNN_ce_adv_pgd_ls.py (`train`):
 * `L = (1−β)·CE(x) + β·Σ_{i∈correct} CE(x_adv,i)/N`, the adversarial examples made by fixed-step PGD
 * (Evaluate_mask.py pgd_attack_original) on the records the model classifies correctly.
 */
export interface AdvlsConfig {
  kind: 'advls';
  /** Final ε in model units (their noise_list = [0.01] for L∞). */
  eps: number;
  /** Weight of the adversarial term (their --beta 0.5). */
  beta: number;
  /**
   * First epoch (0-based) with adversarial examples (their --epoch_adv 10). Before it the adversarial term is
   * zero, so the loss is (1−β)·CE, as in their code.
   */
  startEpoch: number;
  /**
   * Ramp ε linearly over the adversarial epochs, ε·(epoch − start + 1)/(epochs − start), reaching ε at the
   * last epoch (their `noise*(epoch-epoch_adv+1)/(epoch_end-epoch_adv)`); false: ε from the first one.
   */
  ramp: boolean;
  /** PGD steps (their --max_iter 20; 5 or 1 are the cheaper variants for 2 cores). */
  steps: number;
  /** Step size as a fraction of ε (theirs: alpha/max_iter = 4/20 = 0.2; 1.25 with steps 1 is FGSM with random start, Wong et al. 2020). */
  stepRatio: number;
  /** Start uniformly in the ε-ball (pgd_attack_original's rand_init = True). */
  randomStart: boolean;
  /** Their norm_type = np.inf. */
  norm: PerturbationNorm;
  /** Attack loss of single-label models (their pgd_loss_fn 'slm', the soft logit margin); multi-label models use 'bce'. */
  loss: Exclude<AttackLossKind, 'bce'>;
  /** Valid input range in model units; left out: [−1, 1] for max-abs models (their clip_X_min/max), none otherwise. */
  range?: readonly [number, number] | null;
}

/**
 * Jacobian regularisation as app/ECG/CPSC2018_CNN_Jacob.py with core/RobustDNN_loss_mask.py dZdX_jacob:
 * `L = CE + β·sqrt(Σ_m Σ_n ‖∂z_m/∂x_n‖²)/(N·C)`, by double backprop through the model.
 */
export interface JacobianConfig {
  kind: 'jacobian';
  /** Their --beta2 44.0. */
  beta: number;
  /** First epoch with the penalty (their --epoch_adv 0 for this defence: from the start). */
  startEpoch: number;
  /**
   * 'exact': one backward per class (C of them, as their loop over m); 'projection': Hoffman et al. 2019's
   * random-projection estimate ‖J‖²_F ≈ C/P·Σ_p ‖vₚᵀJ‖², vₚ uniform on the unit sphere, P backward passes.
   */
  estimator: 'exact' | 'projection';
  /** P, the random projections per step of the 'projection' estimator (Hoffman et al. find 1 enough). */
  projections: number;
}

/**
 * Ma & Liang's NSR defence as app/ECG/CPSC2018_CNN_NSR.py (`train`) with RobustDNN_loss_mask.py
 * multi_margin_loss and dZdX_loss3zs: `L = MSE(z, onehot(y)) + β1·margin + β2·mean log(1 + ε_max·‖∂relu(z_y)/∂x‖₁/(relu(z_y)+0.01))`,
 * the last two over the correctly classified records.
 */
export interface NsrConfig {
  kind: 'nsr';
  /** Weight of the margin term (their --beta1 1). */
  beta1: number;
  /** Weight of the noise-to-signal term (their beta2 loop over [1.0]). */
  beta2: number;
  /** The noise bound ε_max of the NSR term (dZdX_loss3zs's max_noise = 1). */
  epsMax: number;
  /** First epoch with the margin and NSR terms (their --epoch_adv 10); MSE alone before. */
  startEpoch: number;
  /**
   * Weigh the MSE term by the run's class weights (train.classWeights; see codeMse), as the cross-entropy of the
   * other objectives is. Theirs is unweighted (false), on CPSC 2018's milder imbalance.
   */
  weightedMse: boolean;
}

export type DefenceConfig = AdvlsConfig | JacobianConfig | NsrConfig;

export const ADVLS_DEFAULTS: AdvlsConfig = { kind: 'advls', eps: 0.01, beta: 0.5, startEpoch: 10, ramp: true, steps: 20, stepRatio: 0.2, randomStart: true, norm: 'inf', loss: 'margin' };
export const JACOBIAN_DEFAULTS: JacobianConfig = { kind: 'jacobian', beta: 44, startEpoch: 0, estimator: 'exact', projections: 1 };
export const NSR_DEFAULTS: NsrConfig = { kind: 'nsr', beta1: 1, beta2: 1, epsMax: 1, startEpoch: 10, weightedMse: false };

function check(ok: boolean, kind: string, field: string, expected: string, got: unknown): void {
  if (!ok) throw new ArgumentError(`defence '${kind}': '${field}' must be ${expected}, got ${JSON.stringify(got)}`);
}

/** Throws an ArgumentError naming the first field out of range. */
export function checkDefenceConfig(cfg: DefenceConfig): void {
  const nonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
  switch (cfg.kind) {
    case 'advls':
      check(Number.isFinite(cfg.eps) && cfg.eps >= 0, cfg.kind, 'eps', 'a number >= 0', cfg.eps);
      check(cfg.beta >= 0 && cfg.beta <= 1, cfg.kind, 'beta', 'in [0, 1]', cfg.beta);
      check(nonNegInt(cfg.startEpoch), cfg.kind, 'startEpoch', 'an integer >= 0', cfg.startEpoch);
      check(Number.isInteger(cfg.steps) && cfg.steps >= 1, cfg.kind, 'steps', 'an integer >= 1', cfg.steps);
      check(cfg.stepRatio > 0, cfg.kind, 'stepRatio', 'a number > 0', cfg.stepRatio);
      check(cfg.norm === 'inf' || cfg.norm === '2', cfg.kind, 'norm', "'inf' or '2'", cfg.norm);
      check(cfg.loss === 'ce' || cfg.loss === 'margin', cfg.kind, 'loss', "'ce' or 'margin'", cfg.loss);
      return;
    case 'jacobian':
      check(Number.isFinite(cfg.beta) && cfg.beta >= 0, cfg.kind, 'beta', 'a number >= 0', cfg.beta);
      check(nonNegInt(cfg.startEpoch), cfg.kind, 'startEpoch', 'an integer >= 0', cfg.startEpoch);
      check(cfg.estimator === 'exact' || cfg.estimator === 'projection', cfg.kind, 'estimator', "'exact' or 'projection'", cfg.estimator);
      check(Number.isInteger(cfg.projections) && cfg.projections >= 1, cfg.kind, 'projections', 'an integer >= 1', cfg.projections);
      return;
    case 'nsr':
      for (const f of ['beta1', 'beta2', 'epsMax'] as const) check(Number.isFinite(cfg[f]) && cfg[f] >= 0, cfg.kind, f, 'a number >= 0', cfg[f]);
      check(nonNegInt(cfg.startEpoch), cfg.kind, 'startEpoch', 'an integer >= 0', cfg.startEpoch);
      check(typeof cfg.weightedMse === 'boolean', cfg.kind, 'weightedMse', 'true or false', cfg.weightedMse);
      return;
    default:
      throw new ArgumentError(`defence: 'kind' must be 'advls', 'jacobian' or 'nsr', got ${JSON.stringify((cfg as { kind: unknown }).kind)}`);
  }
}
