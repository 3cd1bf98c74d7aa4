import { fromArray, type Tensor } from '@ecglab/engine';
import { addNstdbNoise, addWhiteNoise, type NoiseRecord, type Rng, type Signal } from '@ecglab/data';
import { ArgumentError } from '../errors.js';

/** Ma & Liang's white-noise levels in model units (CPSC2018_CNN_*.py main_evaluate_rand noise_norm_list). */
export const WHITE_NOISE_LEVELS: readonly number[] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];

/** NSTDB SNRs in dB, as the MIT-BIH Noise Stress Test Database's records (24 … −6 dB). */
export const NSTDB_SNRS: readonly number[] = [24, 18, 12, 6, 0, -6];

/** Options of {@link uniformNoise}. */
export interface UniformNoiseOptions {
  /** Add noise to the real samples only (true), or to the padding too (false, the default: Ma & Liang's test_rand does). */
  masked?: boolean;
  /** Clip the noisy input to this range (Ma & Liang clamp to [−1, 1], the default); null for none. */
  range?: readonly [number, number] | null;
}

/**
 * Ma & Liang's white noise (Evaluate_mask.py test_rand): `xn + level·U(−1, 1)` elementwise in the model's units,
 * clipped to the valid range, drawn from `rng`. Feed the result to `model.classify(noisy, mask)`.
 *
 * @example const noisy = uniformNoise(model.normalize(x, mask), mask, 0.1, new Rng(1));
 */
export function uniformNoise(xn: Tensor, mask: Tensor, level: number, rng: Rng, opts: UniformNoiseOptions = {}): Tensor {
  if (!(Number.isFinite(level) && level >= 0)) throw new ArgumentError(`uniformNoise: 'level' must be a finite number >= 0, got ${level}`);
  const [n, leads, len] = xn.shape as [number, number, number];
  const m = opts.masked ? (mask.toArray() as ArrayLike<number>) : null;
  const noise = xn.dtype === 'float64' ? new Float64Array(n * leads * len) : new Float32Array(n * leads * len);
  for (let i = 0; i < noise.length; i++) {
    const u = level * (2 * rng.next() - 1); // drawn for every element, so masking does not shift the stream
    noise[i] = m && !m[Math.floor(i / (leads * len)) * len + (i % len)] ? 0 : u;
  }
  const e = fromArray(noise, [n, leads, len]);
  const noisy = xn.add(e);
  e.dispose();
  const range = opts.range === undefined ? ([-1, 1] as const) : opts.range;
  if (!range) return noisy;
  const clipped = noisy.clamp(range[0], range[1]);
  noisy.dispose();
  return clipped;
}

/** Real samples per record from a mask `[N, 1, L]` (1 = real, zero padding after each record's end). */
function lengthsOf(mask: Tensor): number[] {
  const [n, , len] = mask.shape as [number, number, number];
  const m = mask.toArray() as ArrayLike<number>;
  return Array.from({ length: n }, (_, i) => {
    let l = 0;
    for (let t = 0; t < len; t++) if (m[i * len + t]) l = t + 1;
    return l;
  });
}

/** Applies `noisy` to each record's real part of `x` `[N, leads, L]` (mV); the padding stays zero. */
function perRecord(x: Tensor, mask: Tensor, noisy: (sig: Signal, record: number) => Signal): Tensor {
  const [n, leads, len] = x.shape as [number, number, number];
  const data = x.toArray() as Float32Array | Float64Array;
  const out = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length);
  lengthsOf(mask).forEach((l, i) => {
    if (l === 0) return;
    const sig = Array.from({ length: leads }, (_, c) => Float64Array.from(data.subarray((i * leads + c) * len, (i * leads + c) * len + l)));
    noisy(sig, i).forEach((lead, c) => out.set(lead, (i * leads + c) * len));
  });
  return fromArray(out, [n, leads, len]);
}

/**
 * Gaussian noise at `snrDb` per record and lead, in millivolts (`@ecglab/data` addWhiteNoise: SNR = 10·log10 of
 * the lead's mean square over the noise's, over the record's real samples, exactly), before the model's scaling.
 * Returns a new `[N, leads, L]` tensor; the padding stays zero. Feed it to `model.call(noisy, mask)`.
 *
 * @example const noisy = gaussianNoiseAtSnr(batch.x, batch.mask, 12, new Rng(1));
 */
export function gaussianNoiseAtSnr(x: Tensor, mask: Tensor, snrDb: number, rng: Rng): Tensor {
  return perRecord(x, mask, (sig) => addWhiteNoise(sig, { kind: 'gaussian', snrDb }, rng));
}

/**
 * Real MIT-BIH NSTDB noise (`bw` baseline wander or `ma` muscle artefact, from `loadNstdbNoise`) added to every
 * record and lead at `snrDb` by the NSTDB convention, through `@ecglab/data`'s addNstdbNoise (a random segment of
 * the noise record, resampled to `fs`). Returns a new `[N, leads, L]` tensor in mV; the padding stays zero.
 *
 * @example const noisy = nstdbNoise(batch.x, batch.mask, 300, await loadNstdbNoise(dir, 'bw'), 6, new Rng(1));
 */
export function nstdbNoise(x: Tensor, mask: Tensor, fs: number, noise: NoiseRecord, snrDb: number, rng: Rng): Tensor {
  return perRecord(x, mask, (sig) => addNstdbNoise(sig, fs, noise, snrDb, rng));
}
