// Robustness: adversarial attacks and noise in the model's units or in millivolts, Ma & Liang's defences as
// training objectives, and the robustness AUC. Every function works batch by batch, so a report can stream.
export { attack, perturb, defaultRange, type AttackBatch, type AttackResult, type AttackOptions, type PerturbSettings } from './attack.js';
export {
  pgdSettings, FGSM_DEFAULTS, IFGSM_DEFAULTS, PGD_DEFAULTS, SMOOTH_DEFAULTS,
  type AttackConfig, type FgsmConfig, type IfgsmConfig, type PgdConfig, type SmoothConfig, type PgdSettings,
} from './attack-config.js';
export { decisionRule, type DecisionRule } from './decisions.js';
export { attackLoss, softLogitMargin, type AttackLossKind, type AttackTargets } from './losses.js';
export { projectToBall, steepestDirection, randomStart, rangeBounds, recordNorm, smoothingKernel, smooth, type PerturbationNorm } from './perturbation.js';
export { uniformNoise, gaussianNoiseAtSnr, nstdbNoise, WHITE_NOISE_LEVELS, NSTDB_SNRS, type UniformNoiseOptions } from './noise.js';
export { robustnessAuc } from './auc.js';
export { summarizeAttack, type AttackSummary } from './summary.js';
export * from './defences/index.js';
