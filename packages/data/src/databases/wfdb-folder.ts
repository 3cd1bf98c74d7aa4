import { resolve } from 'node:path';
import { rdheaderSync } from '../wfdb/index.js';
import { BaseDatabase } from './base.js';
import { CsvTable } from './csv.js';
import type { DatabaseFacts, DatabaseOpenOptions, RecordMetadata } from './types.js';
import { listWfdbRecords } from './wfdb-files.js';
import { DatabaseError } from '../errors.js';
import type { EcgRecord } from '../record/record.js';

export interface WfdbFolderOptions {
  /** Folder of WFDB records (`*.hea` + signal files). */
  dir: string;
  /** CSV with a header: one row per record, an id column and a labels column. */
  labels: string;
  /** Column holding the record id (default 'record'). */
  idColumn?: string;
  /** Column holding the record's labels, several separated by `separator` (default 'labels'). */
  labelColumn?: string;
  /** Separator between labels in one cell (default ';'). */
  separator?: string;
  /** The class list, in multi-hot order; default: the sorted union of the labels found. */
  classes?: string[];
  recursive?: boolean;
  name?: string;
}

/**
 * Any folder of WFDB records with a labels CSV. Every row must name a record present in the
 * folder (else an error naming the rows); records without a row are not listed.
 * Example: `openWfdbFolder({ dir: 'my/records', labels: 'my/labels.csv' })` with labels.csv
 * `record,labels\nr001,AF;PVC\nr002,NSR\n`.
 */
export class WfdbFolder extends BaseDatabase {
  readonly facts: DatabaseFacts;
  readonly classes: string[];
  readonly source: string;
  protected ids: string[];
  private readonly label = new Map<string, string[]>();
  private readonly paths: Map<string, string>;

  constructor(opts: WfdbFolderOptions, open: DatabaseOpenOptions = {}) {
    super(open);
    this.facts = { name: opts.name ?? 'wfdb-folder', title: `WFDB records in ${opts.dir}`, citation: '', licence: 'unknown', url: '', fs: [], officialFolds: null };
    this.paths = listWfdbRecords(opts.dir, opts.recursive ?? false);
    const t = CsvTable.read(opts.labels);
    const idCol = t.col(opts.idColumn ?? 'record');
    const labCol = t.col(opts.labelColumn ?? 'labels');
    const sep = opts.separator ?? ';';
    const absent: string[] = [];
    for (const r of t.rows) {
      const id = r.fields[idCol]!.trim();
      if (id === '') throw new DatabaseError('E_DB_LABEL', `${opts.labels} line ${r.line}: empty record id`, opts.labels);
      if (this.label.has(id)) throw new DatabaseError('E_DB_LABEL', `${opts.labels} line ${r.line}: record '${id}' is listed twice`, opts.labels);
      if (!this.paths.has(id)) absent.push(`'${id}' (line ${r.line})`);
      this.label.set(id, [...new Set(r.fields[labCol]!.split(sep).map((s) => s.trim()).filter((s) => s !== ''))]);
    }
    if (absent.length > 0) {
      throw new DatabaseError('E_DB_LABEL', `${opts.labels}: names ${absent.length} record${absent.length > 1 ? 's' : ''} not found in ${opts.dir}: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', ...' : ''}`, opts.labels);
    }
    const found = [...new Set([...this.label.values()].flat())].sort();
    if (opts.classes) {
      const unknown = found.filter((c) => !opts.classes!.includes(c));
      if (unknown.length > 0) throw new DatabaseError('E_DB_LABEL', `${opts.labels}: labels ${unknown.join(', ')} are not among the given classes (${opts.classes.join(', ')})`, opts.labels);
    }
    this.classes = opts.classes ? [...opts.classes] : found;
    this.ids = [...this.label.keys()].sort();
    this.source = `wfdb-folder:${resolve(opts.dir)}`;
  }

  protected classNames(id: string): string[] {
    return this.label.get(id)!;
  }

  async load(id: string): Promise<EcgRecord> {
    this.check(id);
    return this.reader(this.paths.get(id)!, { id });
  }

  metadata(id: string): RecordMetadata {
    this.check(id);
    const info = rdheaderSync(this.paths.get(id)!).info;
    return { age: info.age ?? null, sex: info.sex ?? null, extra: { ...info.fields } };
  }
}

export function openWfdbFolder(opts: WfdbFolderOptions, open: DatabaseOpenOptions = {}): WfdbFolder {
  return new WfdbFolder(opts, open);
}
