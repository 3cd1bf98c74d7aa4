import { ConfigError } from '../errors.js';
import { crossEntropyObjective, type CrossEntropyConfig } from './cross-entropy.js';
import type { Objective } from './objective.js';

export { classificationLoss, crossEntropyObjective, type CrossEntropyConfig } from './cross-entropy.js';
export type { Objective, ObjectiveResult, StepContext } from './objective.js';

/** `train.objective` of a run config: one variant per objective, discriminated by `kind`. */
export type ObjectiveConfig = CrossEntropyConfig;

/** Defaults of each objective's fields, with their reasons. */
export function objectiveDefaults(kind: ObjectiveConfig['kind']): ObjectiveConfig {
  switch (kind) {
    case 'ce':
      // No smoothing: Ma & Liang train with plain (class-weighted) cross-entropy.
      return { kind, labelSmoothing: 0 };
  }
}

/** The objective a config names. */
export function buildObjective(cfg: ObjectiveConfig): Objective {
  switch (cfg.kind) {
    case 'ce':
      return crossEntropyObjective(cfg);
    default:
      throw new ConfigError(`/train/objective/kind: unknown objective '${(cfg as { kind: string }).kind}'`);
  }
}
