import { join, resolve } from 'node:path';
import { leadKey } from '../dsp/leads.js';
import { rdann, type Annotation } from '../wfdb/index.js';
import { BaseDatabase } from './base.js';
import { CsvTable } from './csv.js';
import { LUDB, LUDB_LEAD_EXTENSIONS } from './facts.js';
import type { DatabaseOpenOptions, RecordMetadata } from './types.js';
import { listWfdbRecords } from './wfdb-files.js';
import { SignalArgumentError, DatabaseError } from '../errors.js';
import type { EcgRecord } from '../record/record.js';

/** 'rhythm': the Rhythms column; 'diagnoses': the diagnosis columns (facts.ts); 'all': both. */
export type LudbLabelSet = 'rhythm' | 'diagnoses' | 'all';

export interface LudbOptions {
  /** Folder holding ludb.csv and data/ (`N.hea`, `N.dat`, per-lead annotations `N.i` ... `N.v6`). */
  dir: string;
  labelSet?: LudbLabelSet;
}

/** Lines of a ludb.csv cell (cells list several items one per line), trimmed, without empties. */
function items(cell: string): string[] {
  return cell.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * LUDB (200 12-lead 10-s records at 500 Hz with P/QRS/T delineation per lead). Classes are the
 * distinct values found in ludb.csv (the complete table has all 200 rows), sorted. `waves(id, lead)`
 * reads the lead's wave annotations (`(` onset, `p`/`N`/`t` peak, `)` offset).
 * Example: `openLudb({ dir: 'fixtures/data/ludb' }).waves('21', 'II')`.
 */
export class Ludb extends BaseDatabase {
  readonly facts = LUDB;
  readonly classes: string[];
  readonly source: string;
  protected ids: string[];
  private readonly rows = new Map<string, Record<string, string>>();
  private readonly names = new Map<string, string[]>();
  private readonly paths: Map<string, string>;

  constructor(opts: LudbOptions, open: DatabaseOpenOptions = {}) {
    super(open);
    const labelSet = opts.labelSet ?? 'rhythm';
    if (!['rhythm', 'diagnoses', 'all'].includes(labelSet)) throw new SignalArgumentError(`openLudb: 'labelSet' must be rhythm, diagnoses or all, got '${labelSet}'`);
    const file = join(opts.dir, 'ludb.csv');
    const t = CsvTable.read(file);
    for (const c of ['ID', 'Sex', 'Age', 'Rhythms', ...LUDB.diagnosisColumns]) t.col(c);
    const classes = new Set<string>();
    for (const r of t.rows) {
      const rec = Object.fromEntries(t.header.map((h, i) => [h, r.fields[i]!]));
      const id = rec.ID!.trim();
      if (!/^\d+$/.test(id)) throw new DatabaseError('E_DB_LABEL', `${file} line ${r.line}: ID '${id}' is not a record number`, file);
      const rhythm = items(rec.Rhythms!);
      const diag = LUDB.diagnosisColumns.flatMap((c) => items(rec[c]!));
      const names = labelSet === 'rhythm' ? rhythm : labelSet === 'diagnoses' ? diag : [...rhythm, ...diag];
      this.rows.set(id, rec);
      this.names.set(id, [...new Set(names)]);
      for (const n of names) classes.add(n);
    }
    this.classes = [...classes].sort();
    this.paths = listWfdbRecords(join(opts.dir, 'data'));
    for (const id of this.paths.keys()) {
      if (!this.rows.has(id)) throw new DatabaseError('E_DB_LABEL', `${file}: has no row for record ${id}`, file);
    }
    this.ids = [...this.paths.keys()].sort((a, b) => Number(a) - Number(b));
    this.source = `ludb:${resolve(opts.dir)}`;
  }

  protected classNames(id: string): string[] {
    return this.names.get(id)!;
  }

  async load(id: string): Promise<EcgRecord> {
    this.check(id);
    return this.reader(this.paths.get(id)!, { id });
  }

  /** Wave annotations of one lead (name case-insensitive: `aVR`, `AVR`, `avr`). */
  async waves(id: string, lead: string): Promise<Annotation> {
    this.check(id);
    const ext = LUDB_LEAD_EXTENSIONS.find((e) => e.toUpperCase() === leadKey(lead));
    if (!ext) throw new SignalArgumentError(`Ludb.waves: lead '${lead}' is not one of ${LUDB_LEAD_EXTENSIONS.join(', ')}`);
    return rdann(this.paths.get(id)!, ext);
  }

  metadata(id: string): RecordMetadata {
    this.check(id);
    const r = this.rows.get(id)!;
    const age = /^\d+(\.\d+)?$/.test(r.Age!.trim()) ? Number(r.Age!.trim()) : null;
    const sex = r.Sex!.trim() === 'M' ? 'M' : r.Sex!.trim() === 'F' ? 'F' : null;
    return { age, sex, extra: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.trim()])) };
  }
}

export function openLudb(opts: LudbOptions, open: DatabaseOpenOptions = {}): Ludb {
  return new Ludb(opts, open);
}
