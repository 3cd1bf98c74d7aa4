import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DspError, argError } from '../dsp/errors.js';
import { rateRatio, resamplePoly } from '../dsp/resample.js';
import { type Signal, signalShape } from '../dsp/types.js';
import { rdrecord } from '../wfdb/index.js';
import type { Rng } from './prng.js';
import { meanSquare } from './white.js';

/**
 * Noise records of the MIT-BIH Noise Stress Test Database: 'bw' baseline wander, 'ma' muscle
 * artefact, 'em' electrode motion. Our shared data has bw and ma only; em is missing (the one
 * em-bearing record there, 118e00, is record 118 already mixed with em, not pure noise).
 */
export type NstdbKind = 'bw' | 'ma' | 'em';

export interface NoiseRecord {
  kind: NstdbKind;
  fs: number;
  /** One Float64Array per noise channel (NSTDB has two), physical units. */
  channels: Float64Array[];
  source: string;
}

/** Reads `<dir>/<kind>.hea/.dat` (the full records or the fixtures' excerpts). */
export async function loadNstdbNoise(dir: string, kind: NstdbKind): Promise<NoiseRecord> {
  if (kind === 'em') {
    throw new DspError('E_NOISE_MISSING', `loadNstdbNoise: NSTDB 'em' (electrode motion) noise is not available in this data collection (only 'bw' and 'ma'); 118e00 holds em already mixed into record 118 and is not usable as noise`);
  }
  if (kind !== 'bw' && kind !== 'ma') argError('loadNstdbNoise', 'kind', `must be 'bw', 'ma' or 'em', got '${String(kind)}'`);
  const path = join(dir, kind);
  if (!existsSync(`${path}.hea`)) throw new DspError('E_NOISE_MISSING', `loadNstdbNoise: ${path}.hea not found (expected the NSTDB '${kind}' noise record in ${dir})`, `${path}.hea`);
  const rec = await rdrecord(path, { physical: true });
  if (rec.physical === undefined || rec.physical.length === 0) throw new DspError('E_NOISE_MISSING', `loadNstdbNoise: ${path} has no signals`, path);
  return { kind, fs: rec.fs, channels: rec.physical, source: path };
}

/**
 * Typical QRS peak-to-peak amplitude of one lead: the median over beats of (max - min) within
 * ±50 ms of each beat when beat sample positions are given, else the median of (max - min) over
 * consecutive 1-s windows (each window of a record at ≥ 60 bpm holds a QRS, the largest deflection).
 */
export function qrsPeakToPeak(lead: Float64Array, fs: number, beats?: readonly number[]): number {
  const amps: number[] = [];
  const range = (a: number, b: number): void => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = Math.max(0, a); i < Math.min(lead.length, b); i++) {
      lo = Math.min(lo, lead[i]!);
      hi = Math.max(hi, lead[i]!);
    }
    if (hi >= lo) amps.push(hi - lo);
  };
  if (beats !== undefined && beats.length > 0) {
    const w = Math.round(0.05 * fs);
    for (const b of beats) range(b - w, b + w + 1);
  } else {
    const w = Math.max(1, Math.round(fs));
    for (let a = 0; a + w <= lead.length || a === 0; a += w) range(a, a + w);
  }
  if (amps.length === 0) argError('qrsPeakToPeak', 'lead', 'has no samples to measure');
  amps.sort((x, y) => x - y);
  const m = amps.length >> 1;
  return amps.length % 2 ? amps[m]! : (amps[m - 1]! + amps[m]!) / 2;
}

/**
 * The NSTDB convention for SNR (nst(1), WFDB; Moody, Muldrow & Mark 1984): the signal power is
 * S = pp² / 8, the power of a sinusoid whose peak-to-peak amplitude equals the QRS peak-to-peak
 * amplitude pp; the noise power N is its mean square (RMS²); SNR = 10·log10(S / N).
 */
export function nstSignalPower(lead: Float64Array, fs: number, beats?: readonly number[]): number {
  const pp = qrsPeakToPeak(lead, fs, beats);
  return (pp * pp) / 8;
}

const resampled = new WeakMap<NoiseRecord, Map<number, Float64Array[]>>();

function channelsAt(noise: NoiseRecord, fs: number): Float64Array[] {
  if (noise.fs === fs) return noise.channels;
  let byFs = resampled.get(noise);
  if (!byFs) resampled.set(noise, (byFs = new Map()));
  let ch = byFs.get(fs);
  if (!ch) {
    const [up, down] = rateRatio(noise.fs, fs);
    ch = noise.channels.map((c) => resamplePoly(c, up, down));
    byFs.set(fs, ch);
  }
  return ch;
}

export interface NstdbNoiseOptions {
  /** Beat sample positions, used for the QRS amplitude when known (e.g. from annotations). */
  beats?: readonly number[];
}

/**
 * Adds real NSTDB noise to every lead at `snrDb` by the nst convention (see nstSignalPower). The
 * noise is resampled to `fs` with resamplePoly, a segment of the record's length is taken from a
 * random channel at a random offset (wrapping around if the noise is shorter), its mean is removed
 * (the noise records carry a DC offset that is not noise), and it is scaled so that
 * 10·log10(S / mean(noise²)) = snrDb exactly. Seeded by `rng`.
 * Example: `addNstdbNoise(sig, 500, await loadNstdbNoise(dir, 'ma'), 6, new Rng(7))`.
 */
export function addNstdbNoise(sig: Signal, fs: number, noise: NoiseRecord, snrDb: number, rng: Rng, opts: NstdbNoiseOptions = {}): Signal {
  const [, n] = signalShape('addNstdbNoise', sig);
  if (!Number.isFinite(snrDb)) argError('addNstdbNoise', 'snrDb', `must be finite, got ${snrDb}`);
  const chans = channelsAt(noise, fs);
  return sig.map((lead) => {
    const src = chans[rng.int(chans.length)]!;
    if (src.length === 0) argError('addNstdbNoise', 'noise', `${noise.source} has an empty channel`);
    const off = rng.int(src.length);
    const seg = new Float64Array(n);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += seg[i] = src[(off + i) % src.length]!;
    mean /= n;
    for (let i = 0; i < n; i++) seg[i]! -= mean;
    const pn = meanSquare(seg);
    const s = nstSignalPower(lead, fs, opts.beats);
    const gain = pn === 0 ? 0 : Math.sqrt(s / 10 ** (snrDb / 10) / pn);
    return lead.map((v, i) => v + gain * seg[i]!);
  });
}
