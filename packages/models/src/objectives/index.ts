import { ConfigError } from '../errors.js';
import { VIZECG_OBJECTIVE_DEFAULTS, vizEcgObjective, type VizEcgObjectiveConfig } from '../vizecg/objective.js';
import { crossEntropyObjective, type CrossEntropyConfig } from './cross-entropy.js';
import type { Objective } from './objective.js';

export { classificationLoss, crossEntropyObjective, type CrossEntropyConfig } from './cross-entropy.js';
export type { Objective, ObjectiveResult, StepContext } from './objective.js';

/** `train.objective` of a run config: one variant per objective, discriminated by `kind`. */
export type ObjectiveConfig = CrossEntropyConfig | VizEcgObjectiveConfig;

/** Defaults of each objective's fields, with their reasons. */
export function objectiveDefaults(kind: ObjectiveConfig['kind']): ObjectiveConfig {
  switch (kind) {
    case 'ce':
      // No smoothing: Ma & Liang train with plain (class-weighted) cross-entropy.
      return { kind, labelSmoothing: 0 };
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
    case 'vizecg':
      return vizEcgObjective(cfg);
    default:
      throw new ConfigError(`/train/objective/kind: unknown objective '${(cfg as { kind: string }).kind}'`);
  }
}
