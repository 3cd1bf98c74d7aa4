import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { rdheaderSync } from '../wfdb/index.js';
import { BaseDatabase } from './base.js';
import { CsvTable } from './csv.js';
import { CPSC2018 } from './facts.js';
import type { DatabaseOpenOptions, RecordMetadata } from './types.js';
import { listWfdbRecords } from './wfdb-files.js';
import { cpscMatMeta } from '../record/cpsc-mat.js';
import type { EcgRecord } from '../record/record.js';
import { SignalArgumentError, DatabaseError } from '../errors.js';

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

  constructor(opts: Cpsc2018Options, open: DatabaseOpenOptions = {}) {
    super(open);
    if (!opts.wfdbDir && !opts.matDir) throw new SignalArgumentError(`openCpsc2018: give 'wfdbDir' and/or 'matDir'`);
    const t = CsvTable.read(opts.reference);
    const cols = ['Recording', 'First_label', 'Second_label', 'Third_label'].map((c) => t.col(c));
    for (const row of t.rows) {
      const [id, ...codes] = cols.map((c) => row.fields[c]!.trim());
      const names = codes.filter((c) => c !== '').map((c) => {
        const nm = CPSC2018.codes[c];
        if (!nm) throw new DatabaseError('E_DB_LABEL', `${opts.reference} line ${row.line}: label code '${c}' of ${id} is not one of 1..9`, opts.reference);
        return nm;
      });
      if (names.length === 0) throw new DatabaseError('E_DB_LABEL', `${opts.reference} line ${row.line}: record ${id} has no label`, opts.reference);
      this.label.set(id!, [...new Set(names)]);
    }
    if (opts.wfdbDir) for (const [id, p] of listWfdbRecords(opts.wfdbDir)) this.wfdb.set(id, p);
    if (opts.matDir) {
      if (!existsSync(opts.matDir)) throw new DatabaseError('E_DB_FILE', `${opts.matDir}: folder of CPSC .mat files not found`, opts.matDir);
      for (const f of readdirSync(opts.matDir).sort()) {
        if (!f.endsWith('.mat')) continue;
        const id = basename(f, '.mat');
        if (!this.wfdb.has(id)) this.mat.set(id, join(opts.matDir, f));
      }
    }
    this.ids = [...this.wfdb.keys(), ...this.mat.keys()].sort();
    this.source = `cpsc2018:${opts.wfdbDir ? resolve(opts.wfdbDir) : ''}:${opts.matDir ? resolve(opts.matDir) : ''}`;
    for (const id of this.ids) {
      if (!this.label.has(id)) throw new DatabaseError('E_DB_LABEL', `${opts.reference}: has no row for record ${id}`, opts.reference);
    }
  }

  protected classNames(id: string): string[] {
    return this.label.get(id)!;
  }

  /**
   * A record's labels in REFERENCE.csv's order, First_label first (`labels(id).names` are in class order).
   * The challenge's score books a wrong prediction against the first label; Ma & Liang's single-label
   * protocol keeps records with a First_label only.
   * @example db.referenceLabels('A0079'); // ['RBBB', 'AF'] (First_label 5, Second_label 2)
   */
  referenceLabels(id: string): string[] {
    this.check(id);
    return [...this.label.get(id)!];
  }

  /** Which form a record is read from. */
  formOf(id: string): 'wfdb' | 'mat' {
    this.check(id);
    return this.wfdb.has(id) ? 'wfdb' : 'mat';
  }

  async load(id: string): Promise<EcgRecord> {
    this.check(id);
    // the reader tells the two forms apart: a .mat with no header beside it is CPSC's original struct
    return this.reader(this.wfdb.get(id) ?? this.mat.get(id)!, { id });
  }

  metadata(id: string): RecordMetadata {
    this.check(id);
    const w = this.wfdb.get(id);
    if (w) {
      const info = rdheaderSync(w).info;
      return { age: info.age ?? null, sex: info.sex ?? null, extra: { ...info.fields, form: 'wfdb' } };
    }
    const { age, sex } = cpscMatMeta(this.mat.get(id)!);
    return { age: age ?? null, sex: sex ?? null, extra: { form: 'mat' } };
  }
}

export function openCpsc2018(opts: Cpsc2018Options, open: DatabaseOpenOptions = {}): Cpsc2018 {
  return new Cpsc2018(opts, open);
}
