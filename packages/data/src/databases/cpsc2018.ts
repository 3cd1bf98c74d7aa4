import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DspError } from '../dsp/errors.js';
import { matDoubles, matScalar, matString, readMat, readMatSync, type MatStruct } from '../mat/index.js';
import { rdheaderSync } from '../wfdb/index.js';
import { BaseDatabase } from './base.js';
import { CsvTable } from './csv.js';
import { CPSC2018, CPSC2018_MAT_LEADS } from './facts.js';
import type { LoadedRecord, RecordMetadata } from './types.js';
import { listWfdbRecords, loadWfdb } from './wfdb-files.js';

export interface Cpsc2018Options {
  /** REFERENCE.csv: `Recording,First_label,Second_label,Third_label`, codes 1..9. */
  reference: string;
  /** Folder of the CinC 2020 WFDB form (`A0001.hea` + MAT v4 `.mat`). */
  wfdbDir?: string;
  /** Folder of the original form (`A0001.mat`, MATLAB v5 struct `ECG` with `sex`, `age`, `data` 12×N in mV). */
  matDir?: string;
}

/**
 * CPSC 2018 in either or both of its forms; labels from REFERENCE.csv (up to 3 per record, 9
 * classes). A record present in both folders is read from the WFDB form.
 * Example: `openCpsc2018({ reference: 'x/REFERENCE.csv', wfdbDir: 'x/Training_WFDB', matDir: 'x/TrainingSet1' })`.
 */
export class Cpsc2018 extends BaseDatabase {
  readonly facts = CPSC2018;
  readonly classes = CPSC2018.classes;
  readonly source: string;
  protected ids: string[];
  private readonly label = new Map<string, string[]>();
  private readonly wfdb = new Map<string, string>();
  private readonly mat = new Map<string, string>();

  constructor(opts: Cpsc2018Options) {
    super();
    if (!opts.wfdbDir && !opts.matDir) throw new DspError('E_DSP_ARG', `openCpsc2018: give 'wfdbDir' and/or 'matDir'`);
    const t = CsvTable.read(opts.reference);
    const cols = ['Recording', 'First_label', 'Second_label', 'Third_label'].map((c) => t.col(c));
    for (const row of t.rows) {
      const [id, ...codes] = cols.map((c) => row.fields[c]!.trim());
      const names = codes.filter((c) => c !== '').map((c) => {
        const nm = CPSC2018.codes[c];
        if (!nm) throw new DspError('E_DB_LABEL', `${opts.reference} line ${row.line}: label code '${c}' of ${id} is not one of 1..9`, opts.reference);
        return nm;
      });
      if (names.length === 0) throw new DspError('E_DB_LABEL', `${opts.reference} line ${row.line}: record ${id} has no label`, opts.reference);
      this.label.set(id!, [...new Set(names)]);
    }
    if (opts.wfdbDir) for (const [id, p] of listWfdbRecords(opts.wfdbDir)) this.wfdb.set(id, p);
    if (opts.matDir) {
      if (!existsSync(opts.matDir)) throw new DspError('E_DB_FILE', `${opts.matDir}: folder of CPSC .mat files not found`, opts.matDir);
      for (const f of readdirSync(opts.matDir).sort()) {
        if (!f.endsWith('.mat')) continue;
        const id = basename(f, '.mat');
        if (!this.wfdb.has(id)) this.mat.set(id, join(opts.matDir, f));
      }
    }
    this.ids = [...this.wfdb.keys(), ...this.mat.keys()].sort();
    this.source = `cpsc2018:${opts.wfdbDir ? resolve(opts.wfdbDir) : ''}:${opts.matDir ? resolve(opts.matDir) : ''}`;
    for (const id of this.ids) {
      if (!this.label.has(id)) throw new DspError('E_DB_LABEL', `${opts.reference}: has no row for record ${id}`, opts.reference);
    }
  }

  protected classNames(id: string): string[] {
    return this.label.get(id)!;
  }

  /** Which form a record is read from. */
  formOf(id: string): 'wfdb' | 'mat' {
    this.check(id);
    return this.wfdb.has(id) ? 'wfdb' : 'mat';
  }

  async load(id: string): Promise<LoadedRecord> {
    this.check(id);
    const w = this.wfdb.get(id);
    if (w) return loadWfdb(id, w);
    const path = this.mat.get(id)!;
    const ecg = structOf(path, (await readMat(path)).variables.ECG);
    const { dims, data } = matDoubles(ecg.data, `${path}: ECG.data`);
    if (dims.length !== 2 || dims[0] !== 12) throw new DspError('E_DB_FILE', `${path}: ECG.data must be 12×N, found ${dims.join('×')}`, path);
    const n = dims[1]!;
    // column-major: element (lead i, sample j) is data[i + 12 j]
    const signal = Array.from({ length: 12 }, (_, i) => {
      const lead = new Float64Array(n);
      for (let j = 0; j < n; j++) lead[j] = data[i + 12 * j]!;
      return lead;
    });
    return { id, signal, fs: 500, leads: [...CPSC2018_MAT_LEADS] };
  }

  metadata(id: string): RecordMetadata {
    this.check(id);
    const w = this.wfdb.get(id);
    if (w) {
      const info = rdheaderSync(w).info;
      return { age: info.age ?? null, sex: info.sex ?? null, extra: { ...info.fields, form: 'wfdb' } };
    }
    const path = this.mat.get(id)!;
    const ecg = structOf(path, readMatSync(path).variables.ECG);
    const age = matScalar(ecg.age, `${path}: ECG.age`);
    const sexText = matString(ecg.sex, `${path}: ECG.sex`).trim().toLowerCase();
    const sex = sexText.startsWith('m') ? 'M' : sexText.startsWith('f') ? 'F' : null;
    return { age: Number.isFinite(age) ? age : null, sex, extra: { sex: sexText, form: 'mat' } };
  }
}

function structOf(path: string, v: unknown): Record<string, import('../mat/index.js').MatValue> {
  const s = v as MatStruct | undefined;
  if (s?.kind !== 'struct' || s.elements.length !== 1) throw new DspError('E_DB_FILE', `${path}: expected a 1×1 struct variable 'ECG' (CPSC 2018 original form)`, path);
  return s.elements[0]!;
}

export function openCpsc2018(opts: Cpsc2018Options): Cpsc2018 {
  return new Cpsc2018(opts);
}
