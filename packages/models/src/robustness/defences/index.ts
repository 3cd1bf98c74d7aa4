import type { EcgClassifier } from '../../models/classifier.js';
import type { Objective } from '../../objectives/objective.js';
import { advlsObjective } from './advls.js';
import { checkDefenceConfig, type DefenceConfig } from './config.js';
import { jacobianObjective } from './jacobian.js';
import { nsrObjective } from './nsr.js';

export * from './config.js';
export { advlsObjective, advlsEps } from './advls.js';
export { jacobianObjective, jacobianPenalty, projectedJacobianPenalty } from './jacobian.js';
export { nsrObjective, nsrTerms, multiLabelNsrTerms, codeMse, type NsrTerms } from './nsr.js';

/**
 * The training objective of a defence config (`train.objective` with kind advls, jacobian or nsr).
 *
 * @example const objective = defenceObjective({ ...ADVLS_DEFAULTS, eps: 0.01, steps: 5 });
 */
export function defenceObjective(cfg: DefenceConfig): Objective<EcgClassifier> {
  checkDefenceConfig(cfg);
  switch (cfg.kind) {
    case 'advls':
      return advlsObjective(cfg);
    case 'jacobian':
      return jacobianObjective(cfg);
    case 'nsr':
      return nsrObjective(cfg);
  }
}
