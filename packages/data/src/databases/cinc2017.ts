import { join, resolve } from 'node:path';
import { rdheaderSync } from '../wfdb/index.js';
import { BaseDatabase } from './base.js';
import { CsvTable } from './csv.js';
import { CINC2017 } from './facts.js';
import type { DatabaseOpenOptions, RecordMetadata } from './types.js';
import { listWfdbRecords } from './wfdb-files.js';
import { DatabaseError } from '../errors.js';
import type { EcgRecord } from '../record/record.js';

/**
 * PhysioNet/CinC Challenge 2017: single-lead 300 Hz records (`A00001.hea` + MAT v4 `.mat`) and
 * `REFERENCE.csv` (`A00001,N`, no header; classes N, A, O, ~). The records listed are those in
 * `dir`; each must have a REFERENCE row (the table may hold more, e.g. the full 8528 rows).
 * Example: `const db = openCinc2017('fixtures/data/cinc2017/training2017')`.
 */
export class Cinc2017 extends BaseDatabase {
  readonly facts = CINC2017;
  readonly classes = CINC2017.classes;
  readonly source: string;
  protected ids: string[];
  private readonly label = new Map<string, string>();
  private readonly paths: Map<string, string>;

  constructor(dir: string, reference = join(dir, 'REFERENCE.csv'), open: DatabaseOpenOptions = {}) {
    super(open);
    const table = CsvTable.read(reference, { header: false });
    for (const [k, row] of table.rows.entries()) {
      const [id, cls] = row.fields.map((f) => f.trim());
      // some copies add a 'NAME,TYPE' header line (MANIFEST.md); the original has none
      if (k === 0 && id?.toUpperCase() === 'NAME' && cls?.toUpperCase() === 'TYPE') continue;
      if (row.fields.length !== 2 || !id) throw new DatabaseError('E_DB_LABEL', `${reference} line ${row.line}: expected 'record,class', got '${row.fields.join(',')}'`, reference);
      if (!this.classes.includes(cls!)) throw new DatabaseError('E_DB_LABEL', `${reference} line ${row.line}: class '${cls}' of ${id} is not one of N, A, O, ~`, reference);
      if (this.label.has(id)) throw new DatabaseError('E_DB_LABEL', `${reference} line ${row.line}: record ${id} is listed twice`, reference);
      this.label.set(id, cls!);
    }
    this.paths = listWfdbRecords(dir);
    for (const id of this.paths.keys()) {
      if (!this.label.has(id)) throw new DatabaseError('E_DB_LABEL', `${reference}: has no row for record ${id} found in ${dir}`, reference);
    }
    this.ids = [...this.paths.keys()];
    this.source = `cinc2017:${resolve(dir)}`;
  }

  protected classNames(id: string): string[] {
    return [this.label.get(id)!];
  }

  /** The single class of a record (N, A, O or ~): what single-label splits stratify on. */
  classOf(id: string): string {
    this.check(id);
    return this.label.get(id)!;
  }

  async load(id: string): Promise<EcgRecord> {
    this.check(id);
    return this.reader(this.paths.get(id)!, { id });
  }

  metadata(id: string): RecordMetadata {
    this.check(id);
    const h = rdheaderSync(this.paths.get(id)!);
    return { age: null, sex: null, extra: { sigLen: String(h.sigLen ?? '') } };
  }
}

export function openCinc2017(dir: string, reference?: string, open: DatabaseOpenOptions = {}): Cinc2017 {
  return new Cinc2017(dir, reference, open);
}
