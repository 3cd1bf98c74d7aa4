import { ConfigError } from '../errors.js';
import { EcgClassifier } from '../models/classifier.js';
import { ADVLS_DEFAULTS, defenceObjective, JACOBIAN_DEFAULTS, NSR_DEFAULTS, type DefenceConfig } from '../robustness/defences/index.js';
import { VIZECG_OBJECTIVE_DEFAULTS, vizEcgObjective, type VizEcgObjectiveConfig } from '../vizecg/objective.js';
import { crossEntropyObjective, type CrossEntropyConfig } from './cross-entropy.js';
import type { Objective } from './objective.js';

export { classificationLoss, crossEntropyObjective, type CrossEntropyConfig } from './cross-entropy.js';
export type { Objective, ObjectiveResult, StepContext, StepShard } from './objective.js';

/** `train.objective` of a run config: one variant per objective, discriminated by `kind`. */
export type ObjectiveConfig = CrossEntropyConfig | DefenceConfig | VizEcgObjectiveConfig;

/** Defaults of each objective's fields, with their reasons. */
export function objectiveDefaults(kind: ObjectiveConfig['kind']): ObjectiveConfig {
  switch (kind) {
    case 'ce':
      // No smoothing: Ma & Liang train with plain (class-weighted) cross-entropy.
      return { kind, labelSmoothing: 0 };
    // Ma & Liang's three defences, their settings from the authors' code (robustness/defences/config.ts).
    case 'advls':
      return structuredClone(ADVLS_DEFAULTS);
    case 'jacobian':
      return structuredClone(JACOBIAN_DEFAULTS);
    case 'nsr':
      return structuredClone(NSR_DEFAULTS);
    case 'vizecg':
      // λ1 = λ2 = 1, as the paper.
      return { ...VIZECG_OBJECTIVE_DEFAULTS };
  }
}

/** The objective a config names. */
export function buildObjective(cfg: ObjectiveConfig): Objective {
  switch (cfg.kind) {
    case 'ce':
      return crossEntropyObjective(cfg);
    case 'advls':
    case 'jacobian':
    case 'nsr':
      return signalModelsOnly(cfg.kind, defenceObjective(cfg));
    case 'vizecg':
      return vizEcgObjective(cfg);
    default:
      throw new ConfigError(`/train/objective/kind: unknown objective '${(cfg as { kind: string }).kind}'`);
  }
}

/** An objective that needs a signal model's `normalize` and `classify`, refusing any other model by name. */
function signalModelsOnly(kind: string, inner: Objective<EcgClassifier>): Objective {
  return {
    name: inner.name,
    compute(model, batch, ctx) {
      if (!(model instanceof EcgClassifier)) throw new ConfigError(`/train/objective: '${kind}' attacks or differentiates the signal input; it needs a signal model (ma-liang or xresnet1d), got ${model.constructor.name}`);
      return inner.compute(model, batch, ctx);
    },
  };
}
