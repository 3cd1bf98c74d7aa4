import type { DataLimits } from '../limits.js';
import type { WfdbHeader } from './header-types.js';
import type { PhysicalArray } from './samples.js';

/**
 * Result of comparing a signal's 16-bit sample sum with the header's checksum field:
 * `ok`; `mismatch` (only returned when mismatches are downgraded to warnings); `absent` (no field);
 * `not-computed` (every checksum field of the record is 0, see checksum.ts); `unchecked` (a partial
 * range was read, so the sum over the whole signal is not known).
 */
export type ChecksumStatus = 'ok' | 'mismatch' | 'absent' | 'not-computed' | 'unchecked';

/** Options of {@link rdrecord}. Sample numbers count frames, as in WFDB's rdsamp `-f`/`-t`. */
export interface RdrecordOptions {
  /** First frame to read (default 0). */
  sampfrom?: number;
  /** One past the last frame to read (default: the record's length). */
  sampto?: number;
  /** Indices of the header's signals to return, in the order wanted (default: all). */
  channels?: number[];
  /** Physical units as Float64Array (default true), or stored digital values as Int32Array. */
  physical?: boolean;
  /**
   * Physical values as Float32Array instead (each the Float64 value rounded once): half the bytes, and the
   * precision models compute in, so a loader needs no second array and pass.
   */
  float32?: boolean;
  /**
   * Per returned channel, a factor the physical values are multiplied by before they are stored (e.g. 0.001 to
   * turn µV into mV); default 1. Applied in the same pass as the conversion.
   */
  scale?: readonly number[];
  /**
   * The record's header, already read with rdheader for this same path: it is not read again. A loader that
   * needs the header first (units, length) then reads the samples once.
   */
  header?: WfdbHeader;
  /**
   * With several samples per frame (`16x2`), return one value per frame (the mean, as rdsamp does;
   * default true) or every sample (`false`, each channel then has sigLen × sampsPerFrame values).
   */
  smoothFrames?: boolean;
  /** On a checksum mismatch: throw ChecksumError (default) or add to `warnings` and continue. */
  onChecksumMismatch?: 'error' | 'warn';
  /**
   * Follow signal files and segments that lead out of the record's folder (`..`, absolute paths,
   * symlinks out); default false, and such a header is refused with a PathError.
   */
  allowOutside?: boolean;
  /**
   * Arrays to write the returned channels' values into, one per returned channel (distinct), each of the type returned
   * (Float64Array; Float32Array with `float32`; Int32Array when not `physical`) and at least as long as the
   * channel's values. The record's arrays are then views of their first values: a loader that reads many records
   * reuses its memory instead of allocating new arrays for each.
   */
  out?: readonly (Float64Array | Float32Array | Int32Array)[];
  /** Limits on what the read may allocate (default: `dataLimits()`, which reads ECGLAB_MAX_* variables). */
  limits?: Partial<DataLimits>;
}

/** A WFDB record's samples, one typed array per returned channel, and its header. */
export interface WfdbRecord<P extends PhysicalArray = Float64Array> {
  recordName: string;
  header: WfdbHeader;
  /** Frames per second. */
  fs: number;
  /** First frame read and number of frames returned. */
  sampfrom: number;
  sigLen: number;
  /** Per returned channel (in the order of `channels`). */
  sigName: string[];
  units: string[];
  adcGain: number[];
  baseline: number[];
  fmt: number[];
  /** Samples per frame of each returned array (1 when frames are smoothed). */
  sampsPerFrame: number[];
  /** Physical values (NaN where the stored sample is WFDB's invalid value); set when `physical`. */
  physical: P[] | undefined;
  /** Stored digital values; set when `physical` is false. */
  digital: Int32Array[] | undefined;
  checksums: ChecksumStatus[];
  /**
   * Per returned channel, how many of its values are WFDB's invalid sample (NaN in physical units): stored
   * as the format's invalid value, or with no stored sample (a null signal, a gap between segments).
   */
  invalid: number[];
  /** Non-fatal findings: header oddities, downgraded checksum mismatches. */
  warnings: string[];
}
