import { RecordError } from '../errors.js';

/** What is known about a record besides its samples. Every field is optional: files say different things. */
export interface RecordMeta {
  age?: number | null;
  sex?: 'M' | 'F' | null;
  /** The file it was read from. */
  source?: string;
  /** Samples the file marked invalid (WFDB's invalid value), stored as 0 in `signals`. */
  invalidSamples?: number;
  /**
   * `invalidSamples` over the samples read (leads × samples), kept through `conform` (which resamples and
   * selects leads, so the fraction cannot be recomputed after it). See {@link invalidFraction}.
   */
  invalidFraction?: number;
  /** The units each lead was stored in, before conversion to millivolts. */
  units?: string[];
  /** Samples per lead in the file, when a reader was asked for fewer (`maxSeconds`). */
  fileSamples?: number;
}

/**
 * The one record type of ecglab, shared by every package: one Float32Array per lead in **millivolts**, the
 * sampling rate, the lead names, an id and what the file said about the subject. Readers return it
 * (`readRecord`), database adapters' `load` return it, the input pipeline batches it, the renderer draws it.
 * Float32 from the reader to the tensor: the precision models compute in, at half the memory of Float64.
 *
 * @example
 * const rec: EcgRecord = { id: 'A1', fs: 500, signals: [leadI, leadII], leadNames: ['I', 'II'], meta: { age: 63, sex: 'F' } };
 */
export interface EcgRecord {
  id: string;
  /** Samples per second, Hz. */
  fs: number;
  /** `[lead][sample]` in mV, every lead the same length. */
  signals: Float32Array[];
  /** One name per lead, as the file gives them (`I`, `II`, `V1`, `MLII`...). */
  leadNames: string[];
  meta?: RecordMeta;
}

/** Millivolts per unit, for the voltage units ECG files use (WFDB's `units` field, lower-cased). */
const MV_PER_UNIT: Record<string, number> = { mv: 1, uv: 1e-3, 'µv': 1e-3, 'μv': 1e-3, nv: 1e-6, v: 1e3 };

/**
 * The factor that converts a voltage unit to millivolts, or undefined for a unit that is not a voltage.
 * An empty unit counts as mV, WFDB's default.
 *
 * @example millivoltsPer('uV'); // 0.001
 */
export function millivoltsPer(unit: string): number | undefined {
  const u = unit.trim().toLowerCase();
  return u === '' ? 1 : MV_PER_UNIT[u];
}

/**
 * The fraction of a record's samples that its file marked invalid (0 when none): `meta.invalidFraction`
 * when set (after `conform`), else `meta.invalidSamples` over leads × samples.
 *
 * @example invalidFraction(await readRecord('data/allbad')); // 1
 */
export function invalidFraction(rec: Pick<EcgRecord, 'signals' | 'meta'>): number {
  if (rec.meta?.invalidFraction !== undefined) return rec.meta.invalidFraction;
  const total = rec.signals.length * (rec.signals[0]?.length ?? 0);
  return total > 0 ? (rec.meta?.invalidSamples ?? 0) / total : 0;
}

/**
 * Checks that every sample of a record is a finite number: readers store invalid samples as 0, so a NaN or
 * an infinity here comes from a record built in code or a file of floating-point values (a MAT file), and
 * would turn the model's whole output into NaN. The error names the record, the lead and the sample.
 */
export function checkFinite(rec: EcgRecord, source = rec.meta?.source ?? rec.id): void {
  rec.signals.forEach((s, j) => {
    for (let i = 0; i < s.length; i++) {
      if (!Number.isFinite(s[i]!)) {
        throw new RecordError(`record ${rec.id}${source !== rec.id ? ` (${source})` : ''}: lead ${rec.leadNames[j] ?? j} sample ${i} is ${s[i]} (the signals must be finite numbers of mV)`, rec.meta?.source);
      }
    }
  });
}

/** Samples per lead (0 for a record without leads). */
export function recordLength(rec: Pick<EcgRecord, 'signals'>): number {
  return rec.signals[0]?.length ?? 0;
}

/**
 * Checks that a record is well formed: a finite rate > 0, one name per lead, every lead as long as the first.
 * `source` names the record in the error.
 */
export function checkRecord(rec: EcgRecord, source = rec.id): void {
  if (!(Number.isFinite(rec.fs) && rec.fs > 0)) throw new RecordError(`${source}: sampling rate must be a finite number > 0, got ${rec.fs}`, rec.meta?.source);
  if (rec.signals.length === 0) throw new RecordError(`${source}: has no leads`, rec.meta?.source);
  if (rec.leadNames.length !== rec.signals.length) {
    throw new RecordError(`${source}: ${rec.signals.length} leads but ${rec.leadNames.length} lead names`, rec.meta?.source);
  }
  const n = recordLength(rec);
  rec.signals.forEach((s, i) => {
    if (s.length !== n) throw new RecordError(`${source}: lead ${rec.leadNames[i]} has ${s.length} samples, lead ${rec.leadNames[0]} has ${n}`, rec.meta?.source);
  });
}
