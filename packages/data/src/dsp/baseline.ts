import { butter } from './butter.js';
import { checkFinitePositive } from './errors.js';
import { sosfiltfilt } from './filtfilt.js';
import { medfilt } from './medfilt.js';
import { type Signal, signalShape } from './types.js';

/**
 * How baseline wander is removed:
 * - 'highpass': 0.5 Hz Butterworth high-pass, order 2, zero-phase (sosfiltfilt). The usual choice
 *   for diagnostic ECG (AHA recommends ≤ 0.67 Hz so the ST segment is not distorted; zero phase
 *   keeps it from shifting).
 * - 'median': subtract the baseline estimated by a 200 ms then a 600 ms median filter
 *   (de Chazal et al. 2004), kernels rounded to the nearest odd sample count; scipy.medfilt's zero
 *   padding applies at the ends, so the first/last 300 ms are less reliable.
 */
export type BaselineMethod = { kind: 'highpass'; cutoffHz?: number; order?: number } | { kind: 'median'; firstMs?: number; secondMs?: number };

function oddKernel(ms: number, fs: number): number {
  const k = Math.max(1, Math.round((ms / 1000) * fs));
  return k % 2 === 1 ? k : k + 1;
}

/** Removes baseline wander from each lead. Example: `removeBaseline(sig, 500, { kind: 'highpass' })`. */
export function removeBaseline(sig: Signal, fs: number, method: BaselineMethod = { kind: 'highpass' }): Signal {
  signalShape('removeBaseline', sig);
  checkFinitePositive('removeBaseline', 'fs', fs);
  if (method.kind === 'highpass') {
    const sos = butter(method.order ?? 2, method.cutoffHz ?? 0.5, 'highpass', fs);
    return sig.map((lead) => sosfiltfilt(sos, lead));
  }
  const k1 = oddKernel(method.firstMs ?? 200, fs);
  const k2 = oddKernel(method.secondMs ?? 600, fs);
  return sig.map((lead) => {
    const base = medfilt(medfilt(lead, k1), k2);
    return lead.map((v, i) => v - base[i]!);
  });
}
