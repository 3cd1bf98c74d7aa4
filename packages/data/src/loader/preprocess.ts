import { createHash } from 'node:crypto';
import { removeBaseline, type BaselineMethod } from '../dsp/baseline.js';
import { butter, iirnotch } from '../dsp/butter.js';
import { argError } from '../dsp/errors.js';
import { filtfilt, sosfiltfilt } from '../dsp/filtfilt.js';
import { selectLeads } from '../dsp/leads.js';
import { normalize, type NormalizeMode } from '../dsp/normalize.js';
import { resampleSignal } from '../dsp/resample.js';
import type { LoadedRecord } from '../databases/types.js';

/**
 * What is done to a record before batching, in this order: lead selection → resampling → notch →
 * baseline removal → band-pass → normalisation → crop to `maxSeconds`. Part of the cache key.
 */
export interface PreprocessConfig {
  /** Leads to keep, in order, case-insensitive; absent ones become zero leads when `missingLeads` is 'zeros'. Default: all, as stored. */
  leads?: string[];
  missingLeads?: 'error' | 'zeros';
  /** Target rate in Hz (resample_poly); default: the record's own. */
  fs?: number;
  /** Mains notch frequency (Q = 30), e.g. 50 or 60; default none. */
  notchHz?: number;
  /** Baseline wander removal; default none. */
  baseline?: BaselineMethod;
  /** Zero-phase Butterworth band-pass [low, high] Hz, order 2; default none. */
  bandpass?: [number, number];
  /** Default 'mv' (raw millivolts). */
  normalize?: NormalizeMode;
  /** Keep at most this many seconds from the start; default: the whole record. */
  maxSeconds?: number;
}

/** Bump when preprocessing code changes meaning, so old cache entries stop matching. */
export const PREPROCESS_VERSION = 1;

/** A preprocessed record, packed row-major: `data[lead * length + t]`, shape [leads, length]. */
export interface PreparedRecord {
  data: Float32Array;
  leads: number;
  length: number;
  fs: number;
}

/** A prepared record as a [leads][samples] Float64 signal (for the dsp and noise functions). */
export function toSignal(rec: PreparedRecord): Float64Array[] {
  return Array.from({ length: rec.leads }, (_, l) => Float64Array.from(rec.data.subarray(l * rec.length, (l + 1) * rec.length)));
}

/** Packs a [leads][samples] signal back into a PreparedRecord at rate `fs`. */
export function fromSignal(sig: Float64Array[], fs: number): PreparedRecord {
  const length = sig[0]?.length ?? 0;
  const data = new Float32Array(sig.length * length);
  sig.forEach((l, i) => data.set(l, i * length));
  return { data, leads: sig.length, length, fs };
}

/** Stable hash of a config (keys sorted), with PREPROCESS_VERSION. */
export function configHash(cfg: PreprocessConfig): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
      : Array.isArray(v) ? v.map(canon) : v;
  return createHash('sha256').update(JSON.stringify([PREPROCESS_VERSION, canon(cfg)])).digest('hex').slice(0, 32);
}

/** Applies `cfg` to a loaded record. Example: `preprocess(await db.load(id), { fs: 500, normalize: 'zscore' })`. */
export function preprocess(rec: LoadedRecord, cfg: PreprocessConfig): PreparedRecord {
  let sig = rec.signal;
  let fs = rec.fs;
  if (cfg.leads) sig = selectLeads(sig, rec.leads, cfg.leads, { missing: cfg.missingLeads ?? 'error', source: `record ${rec.id}` }).signal;
  if (cfg.fs !== undefined && cfg.fs !== fs) {
    sig = resampleSignal(sig, fs, cfg.fs);
    fs = cfg.fs;
  }
  if (cfg.notchHz !== undefined) {
    const [b, a] = iirnotch(cfg.notchHz, 30, fs);
    sig = sig.map((l) => filtfilt(b, a, l));
  }
  if (cfg.baseline) sig = removeBaseline(sig, fs, cfg.baseline);
  if (cfg.bandpass) {
    const sos = butter(2, cfg.bandpass, 'bandpass', fs);
    sig = sig.map((l) => sosfiltfilt(sos, l));
  }
  sig = normalize(sig, cfg.normalize ?? 'mv');
  let length = sig[0]?.length ?? 0;
  if (cfg.maxSeconds !== undefined) {
    if (!(cfg.maxSeconds > 0)) argError('preprocess', 'maxSeconds', `must be > 0, got ${cfg.maxSeconds}`);
    length = Math.min(length, Math.round(cfg.maxSeconds * fs));
  }
  const data = new Float32Array(sig.length * length);
  sig.forEach((l, i) => data.set(l.subarray(0, length), i * length));
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) argError('preprocess', 'record', `${rec.id} has a non-finite value after preprocessing (lead ${Math.floor(i / length)}, sample ${i % length})`);
  }
  return { data, leads: sig.length, length, fs };
}
