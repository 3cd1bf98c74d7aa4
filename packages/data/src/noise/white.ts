import { argError } from '../dsp/errors.js';
import { type Signal, signalShape } from '../dsp/types.js';
import type { Rng } from '../random/rng.js';

/**
 * Additive white noise. Give exactly one of:
 * - `amplitude`: Gaussian standard deviation, or the half-width of the uniform interval [-a, a];
 * - `snrDb`: per lead, SNR = 10·log10(P_signal / P_noise) with P = mean square over the lead
 *   (P_signal of the lead as given, so remove baseline first if a DC offset should not count).
 *   The drawn noise is rescaled to exactly the target power, so the realised SNR equals the target.
 */
export interface WhiteNoiseSpec {
  kind: 'gaussian' | 'uniform';
  amplitude?: number;
  snrDb?: number;
}

export function meanSquare(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s / x.length;
}

/** Returns a noisy copy of `sig`. Example: `addWhiteNoise(sig, { kind: 'gaussian', snrDb: 10 }, new Rng(1))`. */
export function addWhiteNoise(sig: Signal, spec: WhiteNoiseSpec, rng: Rng): Signal {
  signalShape('addWhiteNoise', sig);
  if (spec.kind !== 'gaussian' && spec.kind !== 'uniform') argError('addWhiteNoise', 'kind', `must be 'gaussian' or 'uniform', got '${String(spec.kind)}'`);
  if ((spec.amplitude === undefined) === (spec.snrDb === undefined)) argError('addWhiteNoise', 'spec', 'needs exactly one of amplitude or snrDb');
  if (spec.amplitude !== undefined && !(spec.amplitude >= 0 && Number.isFinite(spec.amplitude))) {
    argError('addWhiteNoise', 'amplitude', `must be a finite number >= 0, got ${spec.amplitude}`);
  }
  if (spec.snrDb !== undefined && !Number.isFinite(spec.snrDb)) argError('addWhiteNoise', 'snrDb', `must be finite, got ${spec.snrDb}`);
  return sig.map((lead) => {
    const noise = new Float64Array(lead.length);
    for (let i = 0; i < noise.length; i++) noise[i] = spec.kind === 'gaussian' ? rng.gaussian() : 2 * rng.next() - 1;
    let gain: number;
    if (spec.amplitude !== undefined) gain = spec.amplitude;
    else {
      const pn = meanSquare(noise);
      gain = pn === 0 ? 0 : Math.sqrt(meanSquare(lead) / 10 ** (spec.snrDb! / 10) / pn);
    }
    return lead.map((v, i) => v + gain * noise[i]!);
  });
}
