import { millivoltsPer, parseCsv, type EcgRecord } from '@ecglab/data';
import { ServiceError } from '../errors.js';

/** Column names that hold time or a sample number rather than a lead, dropped when they come first. */
const TIME_COLUMNS = new Set(['t', 'time', 'sample', 'samples', 'index', 'seconds', 's', 'ms']);

export interface CsvRecordOptions {
  /** Sampling rate in Hz (the form field `fs`): a CSV of samples does not say it. */
  fs: number;
  /** Unit of the values (the form field `units`): mV (default), uV or V. */
  units?: string;
  /** Stop with an error past this many samples per lead. */
  maxSamples: number;
}

/**
 * A CSV of leads as an EcgRecord: one column per lead, one row per sample; a first row of lead names
 * (`I,II,V1`) or of numbers (then the leads are named `1`, `2`, ...); a leading `time`/`t`/`sample`
 * column is dropped. Errors name the file, line and column.
 *
 * @example csvRecord('leads.csv', 'I,II\n0.1,0.2\n0.1,0.3\n', { fs: 500, maxSamples: 1e6 }).signals[1]; // [0.2, 0.3]
 */
export function csvRecord(name: string, text: string, opts: CsvRecordOptions): EcgRecord {
  const perUnit = millivoltsPer(opts.units ?? 'mV');
  if (perUnit === undefined) throw new ServiceError('BAD_REQUEST', `field 'units': '${opts.units}' is not a voltage unit (mV, uV, V)`);
  let rows;
  try {
    rows = parseCsv(text, name);
  } catch (err) {
    throw new ServiceError('BAD_RECORD', (err as Error).message);
  }
  if (rows.length === 0) throw new ServiceError('BAD_RECORD', `${name}: is empty; expected one column per lead and one row per sample`);
  const first = rows[0]!.fields.map((f) => f.trim());
  const named = first.some((f) => f !== '' && !Number.isFinite(Number(f)));
  const data = named ? rows.slice(1) : rows;
  let names = named ? first : first.map((_, i) => String(i + 1));
  const skip = named && TIME_COLUMNS.has(names[0]!.toLowerCase()) ? 1 : 0;
  names = names.slice(skip);
  if (names.length === 0) throw new ServiceError('BAD_RECORD', `${name}: has no lead columns`);
  const empty = names.findIndex((n) => n === '');
  if (empty >= 0) throw new ServiceError('BAD_RECORD', `${name} line 1: column ${empty + 1 + skip} has no lead name`);
  if (data.length === 0) throw new ServiceError('BAD_RECORD', `${name}: has lead names but no samples`);
  if (data.length > opts.maxSamples) throw new ServiceError('BAD_RECORD', `${name}: has ${data.length} samples per lead, more than the limit of ${opts.maxSamples}`);
  const signals = names.map(() => new Float32Array(data.length));
  data.forEach((row, i) => {
    if (row.fields.length !== names.length + skip) {
      throw new ServiceError('BAD_RECORD', `${name} line ${row.line}: has ${row.fields.length} fields, the first line has ${names.length + skip}`);
    }
    for (let j = 0; j < names.length; j++) {
      const cell = row.fields[j + skip]!.trim();
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) throw new ServiceError('BAD_RECORD', `${name} line ${row.line}: column ${j + 1 + skip} (${names[j]}) '${cell.slice(0, 20)}' is not a number`);
      signals[j]![i] = v * perUnit;
    }
  });
  return { id: name.replace(/\.csv$/i, ''), fs: opts.fs, signals, leadNames: names, meta: { source: name, units: names.map(() => opts.units ?? 'mV') } };
}
