// readRecord / readRecordSync: any record file as an EcgRecord in mV. Both share the planning and finishing
// steps below and differ only in how the header and samples are read, as rdrecord / rdrecordSync do.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { RecordError } from '../errors.js';
import { dataLimits, type DataLimits } from '../limits.js';
import { rdheader, rdheaderSync, rdrecord, rdrecordSync, type RdrecordOptions, type WfdbHeader, type WfdbRecord } from '../wfdb/index.js';
import { readCpscMat, readCpscMatSync } from './cpsc-mat.js';
import { millivoltsPer, type EcgRecord } from './record.js';

export interface ReadRecordOptions {
  /** The record's id (default: the file's base name). */
  id?: string;
  /** Read at most this many seconds from the start (default: the whole record). */
  maxSeconds?: number;
  /** Indices of the header's signals to read, in this order (default: all). WFDB records only. */
  channels?: number[];
  /**
   * Signals whose units are not a voltage (a respiration or blood-pressure channel beside the ECG):
   * `error` (the default: nothing is dropped silently) or `drop`.
   */
  nonVoltage?: 'error' | 'drop';
}

/** A function that reads a record as readRecord does: readRecord itself, or a RecordReadPool's `read`. */
export type RecordReader = (path: string, opts?: ReadRecordOptions) => Promise<EcgRecord>;

/**
 * Reads one record as an EcgRecord in millivolts, whatever its file form: a WFDB record (path with or
 * without `.hea`; every signal format, MAT-backed `.mat` signal files as CinC 2017/2020 ship them,
 * multi-segment records), or a header-less CPSC 2018 original `.mat` (a struct `ECG`). Units come from the
 * header (`mV`, `uV`, `V`...: converted to mV); samples marked invalid become 0 and are counted in
 * `meta.invalidSamples`; age and sex come from the header's comments.
 *
 * @example
 * const rec = await readRecord('fixtures/data/ptbxl/records500/00000/00017_hr');
 * rec.signals[1]; // lead II, Float32Array in mV
 */
export async function readRecord(path: string, opts: ReadRecordOptions = {}): Promise<EcgRecord> {
  const form = formOf(path, opts);
  if (form.cpscMat) return cutToSeconds(await readCpscMat(path, opts.id), opts.maxSeconds);
  const limits = dataLimits();
  const h = await rdheader(form.base, { limits });
  const layout = h.segments ? await rdrecord(form.base, { header: h, sampto: 0, limits }) : undefined;
  const plan = planWfdb(form.base, h, layout, opts, limits);
  return finishWfdb(form.base, h, plan, await rdrecord(form.base, plan), opts);
}

/**
 * Synchronous {@link readRecord}: the same record and the same errors, for readers in worker threads
 * (RecordReadPool). FLAC records need `await loadFlacDecoder()` once first, as for rdrecordSync.
 *
 * @example const rec = readRecordSync('fixtures/data/cinc2017/training2017/A00067');
 */
export function readRecordSync(path: string, opts: ReadRecordOptions = {}): EcgRecord {
  const form = formOf(path, opts);
  if (form.cpscMat) return cutToSeconds(readCpscMatSync(path, opts.id), opts.maxSeconds);
  const limits = dataLimits();
  const h = rdheaderSync(form.base, { limits });
  const layout = h.segments ? rdrecordSync(form.base, { header: h, sampto: 0, limits }) : undefined;
  const plan = planWfdb(form.base, h, layout, opts, limits);
  return finishWfdb(form.base, h, plan, rdrecordSync(form.base, plan), opts);
}

/** Checks the options, and tells a header-less CPSC `.mat` from a WFDB record (named with or without extension). */
function formOf(path: string, opts: ReadRecordOptions): { cpscMat: boolean; base: string } {
  if (opts.maxSeconds !== undefined && !(opts.maxSeconds > 0)) throw new RecordError(`readRecord: 'maxSeconds' must be > 0, got ${opts.maxSeconds}`);
  return { cpscMat: /\.mat$/i.test(path) && !existsSync(path.replace(/\.mat$/i, '.hea')), base: path.replace(/\.(hea|mat|dat)$/i, '') };
}

function cutToSeconds(rec: EcgRecord, maxSeconds: number | undefined): EcgRecord {
  return maxSeconds === undefined ? rec : { ...rec, signals: rec.signals.map((s) => s.subarray(0, Math.ceil(maxSeconds * rec.fs))) };
}

/** The samples to read: rdrecord's options (voltage channels, each with its factor to mV, and the range). */
type WfdbPlan = RdrecordOptions & { float32: true };

/**
 * The voltage signals wanted, each with its factor to mV, known before any sample is read. A multi-segment
 * record's signals are those of its layout, given by a read of no frames (`layout`).
 */
function planWfdb(base: string, h: WfdbHeader, layout: WfdbRecord | undefined, opts: ReadRecordOptions, limits: DataLimits): WfdbPlan {
  const sampto = opts.maxSeconds === undefined || h.sigLen === undefined ? undefined : Math.min(h.sigLen, Math.ceil(h.fs * opts.maxSeconds));
  const declared = layout?.units ?? h.signals.map((s) => s.units);
  const names = layout?.sigName ?? h.signals.map((s) => s.description);
  const wanted = (opts.channels ?? declared.map((_, j) => j)).filter((j) => {
    const unit = declared[j];
    if (unit === undefined || millivoltsPer(unit) !== undefined) return true; // a channel that does not exist: rdrecord says so
    if (opts.nonVoltage === 'drop') return false;
    throw new RecordError(`${base}.hea: signal ${j} (${names[j]}) is in '${unit}', not a voltage (mV, uV, V); pass nonVoltage: 'drop' to leave it out`, `${base}.hea`);
  });
  if (wanted.length === 0) throw new RecordError(`${base}.hea: no voltage signals to read`, `${base}.hea`);
  // Float32 in mV straight from the reader: one array and one pass per lead.
  return {
    header: h, limits, channels: wanted, float32: true, scale: wanted.map((j) => millivoltsPer(declared[j] ?? '') ?? 1),
    ...(sampto === undefined ? {} : { sampto }),
  };
}

/** The EcgRecord of what rdrecord read: invalid samples 0 and counted, the subject from the header. */
function finishWfdb(base: string, h: WfdbHeader, plan: WfdbPlan, r: WfdbRecord<Float32Array>, opts: ReadRecordOptions): EcgRecord {
  const signals = r.physical!;
  // WFDB's invalid sample: 0 here, so filters and models never see NaN. The reader counted them, so only
  // a signal that has some is scanned.
  signals.forEach((s, c) => {
    if (r.invalid[c] === 0) return;
    for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i]!)) s[i] = 0;
  });
  const invalid = r.invalid.reduce((a, b) => a + b, 0);
  const { sampto } = plan;
  return {
    id: opts.id ?? basename(base),
    fs: r.fs,
    signals,
    leadNames: r.sigName,
    meta: {
      age: h.info.age ?? null, sex: h.info.sex ?? null, source: base, invalidSamples: invalid, units: r.units,
      ...(sampto !== undefined && h.sigLen !== undefined && sampto < h.sigLen ? { fileSamples: h.sigLen } : {}),
    },
  };
}
