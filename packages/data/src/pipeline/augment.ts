import { argError } from '../dsp/errors.js';
import { addNstdbNoise, type NoiseRecord } from '../noise/nstdb.js';
import type { Rng } from '../random/rng.js';
import { addWhiteNoise } from '../noise/white.js';
import type { EcgRecord } from '../record/record.js';

export interface NoiseAugmentConfig {
  /** Chance that a record gets noise at all (default 1). */
  probability?: number;
  /** SNR drawn uniformly from [low, high] dB per record (white: power SNR; NSTDB: the nst convention). */
  snrDb: [number, number];
  /** Noise sources, one chosen uniformly per record: white Gaussian/uniform, or NSTDB records (bw, ma). */
  sources: ('gaussian' | 'uniform' | NoiseRecord)[];
}

/**
 * A PipelineOptions.augment that adds noise at a random SNR. Example:
 * `augment: noiseAugment({ snrDb: [0, 24], sources: ['gaussian', await loadNstdbNoise(dir, 'ma')] })`.
 */
export function noiseAugment(cfg: NoiseAugmentConfig): (rec: EcgRecord, rng: Rng) => EcgRecord {
  const p = cfg.probability ?? 1;
  if (!(p >= 0 && p <= 1)) argError('noiseAugment', 'probability', `must be in [0, 1], got ${p}`);
  const [lo, hi] = cfg.snrDb;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) argError('noiseAugment', 'snrDb', `must be [low, high] with low <= high, got [${cfg.snrDb.join(', ')}]`);
  if (cfg.sources.length === 0) argError('noiseAugment', 'sources', 'must name at least one noise source');
  return (rec, rng) => {
    if (rng.next() >= p) return rec;
    const snr = lo + (hi - lo) * rng.next();
    const src = cfg.sources[rng.int(cfg.sources.length)]!;
    const sig = rec.signals.map((l) => Float64Array.from(l)); // the noise functions work in float64
    const noisy = typeof src === 'string' ? addWhiteNoise(sig, { kind: src, snrDb: snr }, rng) : addNstdbNoise(sig, rec.fs, src, snr, rng);
    return { ...rec, signals: noisy.map((l) => Float32Array.from(l)) };
  };
}
