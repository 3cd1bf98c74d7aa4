import { noGrad, tidy } from '@ecglab/engine';
import type { AttackResult } from './attack.js';
import { recordNorm } from './perturbation.js';

/** Per record, what a report tabulates of an attack: sizes of the perturbation in model units and in mV, and outcomes. */
export interface AttackSummary {
  /** Largest |δ| and ‖δ‖₂ over the record's leads and samples, in model units. */
  linf: Float64Array;
  l2: Float64Array;
  /** The same in millivolts (δ·scale). */
  linfMv: Float64Array;
  l2Mv: Float64Array;
  /** 1 where the record was attacked, and where its decision changed. */
  attacked: Uint8Array;
  fooled: Uint8Array;
}

/**
 * Typed arrays of an attack's per-record sizes and outcomes, for reports that accumulate over batches.
 *
 * @example const s = summarizeAttack(attack(model, batch, { ...PGD_DEFAULTS, eps: 0.01 }, { rng }));
 */
export function summarizeAttack(r: AttackResult): AttackSummary {
  return tidy(() => noGrad(() => {
    const f64 = (t: Parameters<typeof recordNorm>[0]) => Float64Array.from(t.double().toArray() as Float64Array);
    return {
      linf: f64(recordNorm(r.delta, 'inf')),
      l2: f64(recordNorm(r.delta, '2')),
      linfMv: f64(recordNorm(r.deltaMv, 'inf')),
      l2Mv: f64(recordNorm(r.deltaMv, '2')),
      attacked: Uint8Array.from(r.attacked.toArray() as Uint8Array),
      fooled: Uint8Array.from(r.fooled.toArray() as Uint8Array),
    };
  }));
}
