import { iterativeStratification } from './stratify.js';
import type { DatabaseFacts, DatabaseOpenOptions, EcgDatabase, FoldOptions, RecordLabels, RecordMetadata } from './types.js';
import { DatabaseError } from '../errors.js';
import { readRecord, type RecordReader } from '../record/read.js';
import type { EcgRecord } from '../record/record.js';

/** Shared behaviour: id checks, multi-hot from class names, computed folds. */
export abstract class BaseDatabase implements EcgDatabase {
  abstract readonly facts: DatabaseFacts;
  abstract readonly source: string;
  abstract readonly classes: readonly string[];
  protected abstract ids: string[];
  abstract load(id: string): Promise<EcgRecord>;
  abstract metadata(id: string): RecordMetadata;
  /** Positive class names of a record (each one of `classes`). */
  protected abstract classNames(id: string): string[];
  /** Reads a record's file: readRecord, or the reader given when the adapter was opened. */
  protected readonly reader: RecordReader;

  constructor(open: DatabaseOpenOptions = {}) {
    this.reader = open.reader ?? readRecord;
  }

  list(): string[] {
    return [...this.ids];
  }

  private idSet: Set<string> | undefined;

  protected check(id: string): void {
    // a Set, built once: labels() is called per record, and includes() would make that O(n²)
    if (this.idSet?.size !== this.ids.length) this.idSet = new Set(this.ids);
    if (!this.idSet.has(id)) {
      throw new DatabaseError('E_DB_RECORD', `${this.facts.name}: no record '${id}' (${this.ids.length} records listed, e.g. ${this.ids.slice(0, 3).join(', ')})`);
    }
  }

  labels(id: string): RecordLabels {
    this.check(id);
    const names = this.classNames(id);
    const multiHot = new Float32Array(this.classes.length);
    for (const nm of names) {
      const i = this.classes.indexOf(nm);
      if (i < 0) throw new DatabaseError('E_DB_LABEL', `${this.facts.name} record ${id}: label '${nm}' is not one of the classes (${this.classes.join(', ')})`);
      multiHot[i] = 1;
    }
    return { multiHot, names: this.classes.filter((_, i) => multiHot[i] === 1) };
  }

  folds(opts: FoldOptions = {}): Map<string, number> {
    const ids = this.list();
    const labels = ids.map((id) => this.classNames(id).map((n) => this.classes.indexOf(n)));
    const f = iterativeStratification(labels, opts.k ?? 10, opts.seed ?? 0);
    return new Map(ids.map((id, i) => [id, f[i]!]));
  }
}
