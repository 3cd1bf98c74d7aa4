import { ArgumentError } from '../errors.js';
import type { AttackLossKind } from './losses.js';
import { checkEps, type PerturbationNorm } from './perturbation.js';

/** Settings every attack shares. ε and steps are in the model's input units (after its InputNorm). */
interface AttackBase {
  /** Radius of the perturbation ball in model units (max-abs: a fraction of each lead's peak). */
  eps: number;
  /** What is maximised (see AttackLossKind); 'bce' for multi-label models. */
  loss: AttackLossKind;
  /**
   * Valid input range in model units, `[lo, hi]`, that `xn + δ` is clipped to; `null` for none. Left out, it
   * follows the model's InputNorm: [−1, 1] for max-abs (Ma & Liang clip to it), none for z-score and none.
   */
  range?: readonly [number, number] | null;
  /**
   * Which records are attacked: 'correct' (Ma & Liang: a misclassified record keeps its clean prediction;
   * multi-label: the thresholded set equals the true set) or 'all'.
   */
  attack?: 'correct' | 'all';
  /** Multi-label decision thresholds on the probabilities, one per class (default 0.5 each). */
  thresholds?: readonly number[];
}

/** Fast gradient sign method (Goodfellow et al. 2015): one step of size ε (L∞: sign; L2: normalised gradient). */
export interface FgsmConfig extends AttackBase {
  kind: 'fgsm';
  norm: PerturbationNorm;
}

/** Iterative FGSM / BIM (Kurakin et al. 2017): PGD from the clean input (no random start, one run). */
export interface IfgsmConfig extends AttackBase {
  kind: 'ifgsm';
  norm: PerturbationNorm;
  steps: number;
  /** Step size as a fraction of ε. */
  stepRatio: number;
}

/** Projected gradient descent (Madry et al. 2018) with random starts, as Ma & Liang evaluate. */
export interface PgdConfig extends AttackBase {
  kind: 'pgd';
  norm: PerturbationNorm;
  steps: number;
  /** Step size as a fraction of ε. */
  stepRatio: number;
  /** Runs from independent random starts; a record keeps the first run that changes its label. */
  restarts: number;
  /** Start uniformly in the ε-ball (true) or at the clean input (false). */
  randomStart: boolean;
}

/**
 * Smooth adversarial perturbation (Han et al., Nature Medicine 2020): δ = G ∗ θ, with G the mean of Gaussian
 * kernels of several sizes and widths, θ optimised by L∞ PGD through the convolution. The kernel is
 * non-negative and sums to 1, so |δ| ≤ ε follows from |θ| ≤ ε.
 */
export interface SmoothConfig extends AttackBase {
  kind: 'smooth';
  steps: number;
  stepRatio: number;
  restarts: number;
  /** Gaussian kernel lengths (odd) and standard deviations in samples; every pair is averaged. */
  kernelSizes: number[];
  kernelSigmas: number[];
}

export type AttackConfig = FgsmConfig | IfgsmConfig | PgdConfig | SmoothConfig;

/** FGSM with the cross-entropy loss, as Goodfellow et al.; ε must be given. */
export const FGSM_DEFAULTS: Omit<FgsmConfig, 'eps'> = { kind: 'fgsm', norm: 'inf', loss: 'ce' };

/** Kurakin et al.'s BIM uses about 1.25·ε/α steps; 10 steps of ε/4 reach the ball's edge with room to turn. */
export const IFGSM_DEFAULTS: Omit<IfgsmConfig, 'eps'> = { kind: 'ifgsm', norm: 'inf', loss: 'ce', steps: 10, stepRatio: 0.25 };

/**
 * Ma & Liang's evaluation (CPSC2018_CNN.py main_evaluate_wba → Evaluate_mask.py test_adv): PGD-100, step ε/10,
 * two runs (num_repeats = 1), cross-entropy, clipped to [−1, 1], stopping each record once its label changed.
 */
export const PGD_DEFAULTS: Omit<PgdConfig, 'eps'> = { kind: 'pgd', norm: 'inf', loss: 'ce', steps: 100, stepRatio: 0.1, restarts: 2, randomStart: true };

/**
 * Han et al.'s settings (XintianHan/ADV_ECG create_adv_conv_train.py): kernel sizes [5, 7, 11, 15, 19] ×
 * σ [1, 3, 5, 7, 10], 40 steps on θ. Their step is ε/10 (eps 10, step_alpha 1), as here.
 */
export const SMOOTH_DEFAULTS: Omit<SmoothConfig, 'eps'> = {
  kind: 'smooth', loss: 'ce', steps: 40, stepRatio: 0.1, restarts: 1, kernelSizes: [5, 7, 11, 15, 19], kernelSigmas: [1, 3, 5, 7, 10],
};

/** Everything the PGD loop needs, every attack being a special case of it. */
export interface PgdSettings {
  eps: number;
  norm: PerturbationNorm;
  loss: AttackLossKind;
  steps: number;
  stepSize: number;
  runs: number;
  randomStart: boolean;
  /** Han et al.'s smoothing kernel sizes and σs, or null for a plain (identity) perturbation. */
  smoothing: { sizes: number[]; sigmas: number[] } | null;
  range: readonly [number, number] | null | undefined;
  attack: 'correct' | 'all';
  thresholds: readonly number[] | undefined;
}

function positiveInt(kind: string, name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new ArgumentError(`attack '${kind}': '${name}' must be an integer >= 1, got ${v}`);
  return v;
}

function ratio(kind: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new ArgumentError(`attack '${kind}': 'stepRatio' must be a number > 0, got ${v}`);
  return v;
}

/** Checks a config and states it as PGD settings (FGSM = one step of ε from the clean input, and so on). */
export function pgdSettings(cfg: AttackConfig): PgdSettings {
  checkEps(`attack '${cfg.kind}'`, cfg.eps);
  if (cfg.loss !== 'ce' && cfg.loss !== 'margin' && cfg.loss !== 'bce') {
    throw new ArgumentError(`attack '${cfg.kind}': 'loss' must be 'ce', 'margin' or 'bce', got '${String(cfg.loss)}'`);
  }
  if (cfg.attack !== undefined && cfg.attack !== 'correct' && cfg.attack !== 'all') {
    throw new ArgumentError(`attack '${cfg.kind}': 'attack' must be 'correct' or 'all', got '${String(cfg.attack)}'`);
  }
  const common = { eps: cfg.eps, loss: cfg.loss, range: cfg.range, attack: cfg.attack ?? 'correct', thresholds: cfg.thresholds } as const;
  const norm = (n: PerturbationNorm): PerturbationNorm => {
    if (n !== 'inf' && n !== '2') throw new ArgumentError(`attack '${cfg.kind}': 'norm' must be 'inf' or '2', got '${String(n)}'`);
    return n;
  };
  switch (cfg.kind) {
    case 'fgsm':
      return { ...common, norm: norm(cfg.norm), steps: 1, stepSize: cfg.eps, runs: 1, randomStart: false, smoothing: null };
    case 'ifgsm':
      return { ...common, norm: norm(cfg.norm), steps: positiveInt(cfg.kind, 'steps', cfg.steps), stepSize: ratio(cfg.kind, cfg.stepRatio) * cfg.eps, runs: 1, randomStart: false, smoothing: null };
    case 'pgd':
      return {
        ...common, norm: norm(cfg.norm), steps: positiveInt(cfg.kind, 'steps', cfg.steps), stepSize: ratio(cfg.kind, cfg.stepRatio) * cfg.eps,
        // Without a random start every run would repeat the first.
        runs: cfg.randomStart ? positiveInt(cfg.kind, 'restarts', cfg.restarts) : 1, randomStart: cfg.randomStart, smoothing: null,
      };
    case 'smooth':
      return {
        ...common, norm: 'inf', steps: positiveInt(cfg.kind, 'steps', cfg.steps), stepSize: ratio(cfg.kind, cfg.stepRatio) * cfg.eps,
        runs: positiveInt(cfg.kind, 'restarts', cfg.restarts), randomStart: true, smoothing: { sizes: cfg.kernelSizes, sigmas: cfg.kernelSigmas },
      };
    default:
      throw new ArgumentError(`attack: 'kind' must be 'fgsm', 'ifgsm', 'pgd' or 'smooth', got '${String((cfg as { kind: unknown }).kind)}'`);
  }
}
