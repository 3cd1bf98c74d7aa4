// The limits that bound what one input file can make the readers allocate. A 47-byte header can
// declare two billion samples of a null signal, and a 1.5 MB MAT file can inflate to 1.5 GB: the
// files themselves do not bound the memory, so these limits do. Each can be raised per process with
// an environment variable, or per call where the reader takes a `limits` option. SECURITY.md (repo
// root) lists the limits with the inputs they stop.
import { LimitError } from './errors.js';

/** Bounds on what one call of a reader may allocate. */
export interface DataLimits {
  /**
   * Samples one read may return, summed over the channels returned (a channel with `xN` samples
   * per frame counts N per frame). 2^24 (16,777,216) samples are 128 MiB as Float64: a 12-lead
   * record of 23 minutes at 1 kHz, or 6.5 hours of a 2-lead Holter at 360 Hz; a read takes up to
   * about three times that at its peak (stored values, physical values, a multi-segment copy).
   * Environment: `ECGLAB_MAX_SAMPLES`.
   */
  maxSamples: number;
  /**
   * Bytes of a file read whole (headers, annotation files, MAT files, CSV label files), and bytes a
   * compressed MAT element may inflate to. Environment: `ECGLAB_MAX_FILE_BYTES` (default 2^26, 64 MiB:
   * PTB-XL's database CSV is 8 MB, a CPSC 2018 MAT file at most 7 MB).
   */
  maxFileBytes: number;
  /**
   * Characters in one line of a WFDB header (comments included). Environment:
   * `ECGLAB_MAX_LINE_LENGTH` (default 2^20; WFDB's own tools stop at a few hundred).
   */
  maxLineLength: number;
}

/** The defaults, before environment variables and per-call options. */
export const DEFAULT_LIMITS: Readonly<DataLimits> = Object.freeze({
  maxSamples: 2 ** 24,
  maxFileBytes: 2 ** 26,
  maxLineLength: 2 ** 20,
});

const ENV: Record<keyof DataLimits, string> = {
  maxSamples: 'ECGLAB_MAX_SAMPLES',
  maxFileBytes: 'ECGLAB_MAX_FILE_BYTES',
  maxLineLength: 'ECGLAB_MAX_LINE_LENGTH',
};

/** The environment variable that sets a limit, for error messages that say how to raise it. */
export const limitVariable = (k: keyof DataLimits): string => ENV[k];

function positive(value: unknown, where: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new LimitError(`${where} must be a positive integer, found '${String(value)}'`);
  }
  return n;
}

/**
 * The limits in force: per-call `overrides` first, then the environment variables, then the
 * defaults. Read at each call, so a test or a long-running process can change them.
 * @example dataLimits({ maxSamples: 2 ** 28 }).maxSamples // 268435456
 */
export function dataLimits(overrides: Partial<DataLimits> = {}): DataLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(ENV) as (keyof DataLimits)[]) {
    if (overrides[k] !== undefined) {
      out[k] = positive(overrides[k], `limits.${k}`);
      continue;
    }
    const env = process.env[ENV[k]]; // read only when needed: each read costs ~0.4 µs, a record's read takes several
    if (env !== undefined && env !== '') out[k] = positive(env, ENV[k]);
  }
  return out;
}

/** How a LimitError says which limit to raise. */
export function raiseHint(k: keyof DataLimits, value: number): string {
  return `the limit is ${value} (set ${ENV[k]} or the '${k}' limit option to raise it)`;
}
