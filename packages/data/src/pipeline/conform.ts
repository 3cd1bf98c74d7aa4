import { removeBaseline, type BaselineMethod } from '../dsp/baseline.js';
import { butter, iirnotch } from '../dsp/butter.js';
import { filtfilt, sosfiltfilt } from '../dsp/filtfilt.js';
import { canonicalLead, leadIndices } from '../dsp/leads.js';
import { resampleSignal } from '../dsp/resample.js';
import type { Signal } from '../dsp/types.js';
import { PipelineError } from '../errors.js';
import { checkFinite, checkRecord, invalidFraction, type EcgRecord } from '../record/record.js';

/**
 * What every record is turned into before batching; deterministic, so its result can be cached.
 * In this order: lead selection → resampling → notch → baseline removal → band-pass. Scaling is not
 * here: it is the model's first stage (see @ecglab/models InputNorm).
 */
export interface ConformSpec {
  /**
   * Leads by name, in this order, matched case-insensitively (`AVR` is `aVR`); a record storing them in
   * another order lines up. Takes precedence over `leadIndices`. Default: every lead as stored.
   */
  leads?: readonly string[];
  /** Leads by position, for data whose lead names say nothing (CinC 2017's single `ECG`). */
  leadIndices?: readonly number[];
  /** A wanted lead the record lacks: an error naming it (default), or a zero lead. */
  missingLeads?: 'error' | 'zeros';
  /** Rate to resample to (polyphase, scipy's resample_poly); default: the record's own. */
  fs?: number;
  /**
   * A record at another rate than `fs`: resample it (default), or refuse it with an error saying so (when
   * `fs` was only inferred from the first record, mixing rates is more likely a mistake than intended).
   */
  otherRate?: 'resample' | 'error';
  /** Mains notch frequency in Hz (Q = 30), e.g. 50 or 60. */
  notchHz?: number;
  baseline?: BaselineMethod;
  /** Zero-phase Butterworth band-pass [low, high] Hz, order 2. */
  bandpass?: [number, number];
}

/** What `conform` did to a record, for a prediction's notes: "resampled from 1000 Hz", "lead V7 missing". */
export interface ConformNotes {
  resampledFrom?: number;
  missingLeads?: string[];
}

/**
 * A record as a model reads it (see ConformSpec). Float32 in and out; resampling and filters run in
 * float64, as scipy does, and only when asked for. Its samples must be finite (an error names the record,
 * lead and sample otherwise); `meta.invalidFraction` keeps the share of invalid samples as read.
 *
 * @example conform(rec, { leads: ['I', 'II', 'V1'], fs: 100 })
 */
export function conform(raw: EcgRecord, spec: ConformSpec): { record: EcgRecord; notes: ConformNotes } {
  checkRecord(raw);
  checkFinite(raw);
  // The fraction of invalid samples is that of the record as read; lead selection and resampling keep it.
  const bad = invalidFraction(raw);
  const rec = bad > 0 && raw.meta?.invalidFraction === undefined ? { ...raw, meta: { ...raw.meta, invalidFraction: bad } } : raw;
  const notes: ConformNotes = {};
  let signals = rec.signals;
  let names = rec.leadNames;
  if (spec.leads) {
    const idx = leadIndices(rec.leadNames, spec.leads, { missing: spec.missingLeads ?? 'error', source: `record ${rec.id}` });
    const missing = spec.leads.filter((_, j) => idx[j]! < 0);
    if (missing.length > 0) notes.missingLeads = missing;
    signals = idx.map((i) => (i < 0 ? new Float32Array(rec.signals[0]!.length) : rec.signals[i]!));
    names = spec.leads.map(canonicalLead);
  } else if (spec.leadIndices) {
    signals = spec.leadIndices.map((i) => {
      const s = rec.signals[i];
      if (s === undefined) throw new PipelineError(`record ${rec.id}: has ${rec.signals.length} lead${rec.signals.length === 1 ? '' : 's'}, lead index ${i} was asked for`);
      return s;
    });
    names = spec.leadIndices.map((i) => rec.leadNames[i]!);
  }
  const filtered = spec.notchHz !== undefined || spec.baseline !== undefined || spec.bandpass !== undefined;
  const resample = spec.fs !== undefined && spec.fs !== rec.fs;
  if (resample && spec.otherRate === 'error') {
    throw new PipelineError(`record ${rec.id} is at ${rec.fs} Hz, the others at ${spec.fs} Hz; set the rate to resample every record to (data.fs)`);
  }
  if (!resample && !filtered) return { record: { ...rec, signals, leadNames: names }, notes };

  let sig: Signal = signals.map((l) => Float64Array.from(l)); // [leads][samples] float64 for the scipy-exact DSP
  let fs = rec.fs;
  if (resample) {
    sig = resampleSignal(sig, fs, spec.fs!);
    notes.resampledFrom = fs;
    fs = spec.fs!;
  }
  if (spec.notchHz !== undefined) {
    const [b, a] = iirnotch(spec.notchHz, 30, fs);
    sig = sig.map((l) => filtfilt(b, a, l));
  }
  if (spec.baseline) sig = removeBaseline(sig, fs, spec.baseline);
  if (spec.bandpass) {
    const sos = butter(2, spec.bandpass, 'bandpass', fs);
    sig = sig.map((l) => sosfiltfilt(sos, l));
  }
  return { record: { ...rec, fs, signals: sig.map((l) => Float32Array.from(l)), leadNames: names }, notes };
}
