import { argError } from './errors.js';
import { type Signal, signalShape } from './types.js';

/**
 * - 'maxabs': each lead divided by its maximum |value|, into [-1, 1] (Ma & Liang); an all-zero lead stays zero.
 * - 'zscore': each lead minus its mean, divided by its (population) standard deviation; a constant lead becomes zeros.
 * - 'mv': raw millivolts, unchanged (a copy).
 */
export type NormalizeMode = 'maxabs' | 'zscore' | 'mv';

/** Per-lead normalisation. Example: `normalize(sig, 'maxabs')`. */
export function normalize(sig: Signal, mode: NormalizeMode): Signal {
  signalShape('normalize', sig);
  switch (mode) {
    case 'mv':
      return sig.map((l) => l.slice());
    case 'maxabs':
      return sig.map((l) => {
        let m = 0;
        for (let i = 0; i < l.length; i++) m = Math.max(m, Math.abs(l[i]!));
        if (!Number.isFinite(m)) argError('normalize', 'signal', 'contains a non-finite value');
        if (m === 0) return l.slice();
        const out = new Float64Array(l.length); // a plain loop: TypedArray.map's per-element callback is several times slower
        for (let i = 0; i < l.length; i++) out[i] = l[i]! / m;
        return out;
      });
    case 'zscore':
      return sig.map((l) => {
        let mean = 0;
        for (let i = 0; i < l.length; i++) mean += l[i]!;
        mean /= l.length;
        let v = 0;
        for (let i = 0; i < l.length; i++) v += (l[i]! - mean) ** 2;
        const sd = Math.sqrt(v / l.length);
        if (!Number.isFinite(sd)) argError('normalize', 'signal', 'contains a non-finite value');
        return l.map((x) => (sd === 0 ? 0 : (x - mean) / sd));
      });
    default:
      return argError('normalize', 'mode', `must be 'maxabs', 'zscore' or 'mv', got '${String(mode)}'`);
  }
}
