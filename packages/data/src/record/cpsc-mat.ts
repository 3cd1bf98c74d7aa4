import { RecordError } from '../errors.js';
import { matDoubles, matScalar, matString, readMat, readMatSync, type MatStruct, type MatValue } from '../mat/index.js';
import type { EcgRecord, RecordMeta } from './record.js';

/** Lead order of CPSC 2018's original `.mat` records (the `ECG.data` rows; CPSC 2018 data description), 500 Hz, mV. */
export const CPSC2018_MAT_LEADS = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
const CPSC2018_FS = 500;

/**
 * Reads a CPSC 2018 original-form record: a MAT file holding a 1×1 struct `ECG` with `data` (12×N, mV),
 * `age` and `sex`, and no header.
 *
 * @example const rec = await readCpscMat('TrainingSet1/A0001.mat');
 */
export async function readCpscMat(path: string, id = defaultId(path)): Promise<EcgRecord> {
  return fromStruct(structOf(path, (await readMat(path)).variables.ECG), path, id);
}

/** Synchronous {@link readCpscMat}. */
export function readCpscMatSync(path: string, id = defaultId(path)): EcgRecord {
  return fromStruct(structOf(path, readMatSync(path).variables.ECG), path, id);
}

/** What a CPSC 2018 `.mat` says about the subject, without converting its samples. */
export function cpscMatMeta(path: string): RecordMeta {
  const ecg = structOf(path, readMatSync(path).variables.ECG);
  return subject(ecg, path);
}

function fromStruct(ecg: Record<string, MatValue>, path: string, id: string): EcgRecord {
  const { dims, data } = matDoubles(ecg.data, `${path}: ECG.data`);
  if (dims.length !== 2 || dims[0] !== 12) throw new RecordError(`${path}: ECG.data must be 12×N, found ${dims.join('×')}`, path);
  const n = dims[1]!;
  // column-major: element (lead i, sample j) is data[i + 12 j]
  const signals = Array.from({ length: 12 }, (_, i) => {
    const lead = new Float32Array(n);
    for (let j = 0; j < n; j++) lead[j] = data[i + 12 * j]!;
    return lead;
  });
  return { id, fs: CPSC2018_FS, signals, leadNames: [...CPSC2018_MAT_LEADS], meta: { ...subject(ecg, path), source: path, units: CPSC2018_MAT_LEADS.map(() => 'mV') } };
}

function subject(ecg: Record<string, MatValue>, path: string): RecordMeta {
  const age = ecg.age === undefined ? Number.NaN : matScalar(ecg.age, `${path}: ECG.age`);
  const sexText = ecg.sex === undefined ? '' : matString(ecg.sex, `${path}: ECG.sex`).trim().toLowerCase();
  const sex = sexText.startsWith('m') ? 'M' : sexText.startsWith('f') ? 'F' : null;
  return { age: Number.isFinite(age) ? age : null, sex };
}

function structOf(path: string, v: unknown): Record<string, MatValue> {
  const s = v as MatStruct | undefined;
  if (s?.kind !== 'struct' || s.elements.length !== 1) throw new RecordError(`${path}: expected a 1×1 struct variable 'ECG' (CPSC 2018 original form)`, path);
  return s.elements[0]!;
}

function defaultId(path: string): string {
  return path.replace(/^.*[\\/]/, '').replace(/\.mat$/i, '');
}
