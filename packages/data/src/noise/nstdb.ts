import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { argError } from '../dsp/errors.js';
import { rateRatio, resamplePoly } from '../dsp/resample.js';
import { type Signal, signalShape } from '../dsp/types.js';
import { rdrecord } from '../wfdb/index.js';
import type { Rng } from '../random/rng.js';
import { DatabaseError } from '../errors.js';

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
    throw new DatabaseError('E_NOISE_MISSING', `loadNstdbNoise: NSTDB 'em' (electrode motion) noise is not available in this data collection (only 'bw' and 'ma'); 118e00 holds em already mixed into record 118 and is not usable as noise`);
  }
  if (kind !== 'bw' && kind !== 'ma') argError('loadNstdbNoise', 'kind', `must be 'bw', 'ma' or 'em', got '${String(kind)}'`);
  const path = join(dir, kind);
  if (!existsSync(`${path}.hea`)) throw new DatabaseError('E_NOISE_MISSING', `loadNstdbNoise: ${path}.hea not found (expected the NSTDB '${kind}' noise record in ${dir})`, `${path}.hea`);
  const rec = await rdrecord(path, { physical: true });
  if (rec.physical === undefined || rec.physical.length === 0) throw new DatabaseError('E_NOISE_MISSING', `loadNstdbNoise: ${path} has no signals`, path);
  return { kind, fs: rec.fs, channels: rec.physical, source: path };
}

/** sigamp's estimate: sort, drop the lowest and highest 5 % (floor(n/20) each), average the rest. */
function trimmedMean(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const lo = Math.floor(a.length / 20);
  let s = 0;
  for (let j = lo; j < a.length - lo; j++) s += a[j]!;
  return s / (a.length - 2 * lo);
}

/** At most this many measurements, as sigamp (NMAX = 300). */
const NMAX = 300;

/**
 * QRS peak-to-peak amplitude as WFDB's `sigamp -a` measures it: for each beat (up to 300), max - min
 * from 0.05 s before to 0.05 s after the beat, then the 5 %-trimmed mean. Without beat positions (nst
 * needs reference annotations; our records often have none) the same statistic is taken over
 * consecutive 1-s windows, each of which holds a QRS complex at heart rates of 60/min and above.
 */
export function qrsPeakToPeak(lead: Float64Array, fs: number, beats?: readonly number[]): number {
  const amps: number[] = [];
  const range = (a: number, b: number): void => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = Math.max(0, a); i <= Math.min(lead.length - 1, b); i++) {
      lo = Math.min(lo, lead[i]!);
      hi = Math.max(hi, lead[i]!);
    }
    if (hi >= lo) amps.push(hi - lo);
  };
  if (beats !== undefined && beats.length > 0) {
    const w = Math.round(0.05 * fs);
    for (const b of beats.slice(0, NMAX)) range(b - w, b + w);
  } else {
    const w = Math.max(1, Math.round(fs));
    for (let a = 0; amps.length < NMAX && (a + w <= lead.length || a === 0); a += w) range(a, a + w - 1);
  }
  if (amps.length === 0) argError('qrsPeakToPeak', 'lead', 'has no samples to measure');
  return trimmedMean(amps);
}

/**
 * Noise RMS as `sigamp -r` measures it: the RMS about the mean of each consecutive 1-s window (up
 * to 300 windows; a shorter signal is one window), then the 5 %-trimmed mean.
 */
export function noiseRms(noise: Float64Array, fs: number): number {
  const w = Math.max(1, Math.round(fs));
  const rms: number[] = [];
  const one = (a: number, b: number): void => {
    let m = 0;
    for (let i = a; i < b; i++) m += noise[i]!;
    m /= b - a;
    let s = 0;
    for (let i = a; i < b; i++) s += (noise[i]! - m) ** 2;
    rms.push(Math.sqrt(s / (b - a)));
  };
  if (noise.length === 0) argError('noiseRms', 'noise', 'is empty');
  if (noise.length < w) one(0, noise.length);
  for (let a = 0; rms.length < NMAX && a + w <= noise.length; a += w) one(a, a + w);
  return trimmedMean(rms);
}

/**
 * The NSTDB convention for SNR (WFDB nst.c: `nsr = pow(10., snr/-20.)*sqrt(2.0)/4.0`, the ratio of
 * the noise RMS to the QRS peak-to-peak amplitude, both measured by sigamp): SNR = 10·log10(S / N)
 * with S = pp² / 8 (the power of a sinusoid of peak-to-peak amplitude pp) and N = RMS². Moody GB,
 * Muldrow WE, Mark RG, A noise stress test for arrhythmia detectors, Computers in Cardiology 1984.
 */
export function nstSignalPower(lead: Float64Array, fs: number, beats?: readonly number[]): number {
  const pp = qrsPeakToPeak(lead, fs, beats);
  return (pp * pp) / 8;
}

/** SNR in dB of `noise` added to `lead`, by the NSTDB convention. */
export function nstSnrDb(lead: Float64Array, noise: Float64Array, fs: number, beats?: readonly number[]): number {
  return 10 * Math.log10(nstSignalPower(lead, fs, beats) / noiseRms(noise, fs) ** 2);
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
 * (the noise records carry a DC offset that is not noise), and it is scaled as nst does,
 * gain = nsr · pp / RMS. One difference from nst: the RMS is measured on the segment added, not on
 * the noise record's first 300 s, so each output has exactly the target SNR. Seeded by `rng`.
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
    const rms = noiseRms(seg, fs);
    const nsr = (10 ** (snrDb / -20) * Math.SQRT2) / 4; // nst.c
    const gain = rms === 0 ? 0 : (nsr * qrsPeakToPeak(lead, fs, opts.beats)) / rms;
    return lead.map((v, i) => v + gain * seg[i]!);
  });
}
