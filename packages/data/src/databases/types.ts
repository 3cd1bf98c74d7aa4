import type { RecordReader } from '../record/read.js';
import type { EcgRecord } from '../record/record.js';

/** Labels of one record: multi-hot over the database's `classes`, and the positive class names. */
export interface RecordLabels {
  multiHot: Float32Array;
  names: string[];
}

/** What a database says about the subject and recording; `extra` keeps database-specific fields as text. */
export interface RecordMetadata {
  age: number | null;
  sex: 'M' | 'F' | null;
  extra: Record<string, string>;
}

/** Facts about a database, kept as data (see facts.ts). */
export interface DatabaseFacts {
  name: string;
  title: string;
  citation: string;
  licence: string;
  url: string;
  /** Sampling rates the database ships, Hz. */
  fs: number[];
  /** Official folds, when the database defines them. */
  officialFolds: string | null;
}

/** How an adapter reads its records' files, chosen when it is opened (not part of a DatabaseSpec: code, not config). */
export interface DatabaseOpenOptions {
  /**
   * Reads a record's file, given its path and `{ id }` (default: readRecord). A RecordReadPool's `read` reads
   * them in worker threads: `{ reader: (path, opts) => pool.read(path, opts) }`.
   */
  reader?: RecordReader;
}

/** Options for computed folds (databases without official ones, or when asked). */
export interface FoldOptions {
  k?: number;
  seed?: number;
}

/**
 * One adapter per database behind this interface (torch_ecg's model, with facts as data).
 * `load` is lazy (reads the record's files when called); the label table is read when the
 * adapter is opened, so `list`, `labels`, `metadata` and `folds` are cheap and synchronous.
 */
export interface EcgDatabase {
  readonly facts: DatabaseFacts;
  /**
   * Where the signals come from (database, absolute folder(s), rate), so that caches keyed on it
   * never mix PTB-XL at 100 Hz with 500 Hz, or two generic folders with the same record names.
   */
  readonly source: string;
  /** Class names, in the order of the multi-hot vectors. */
  readonly classes: readonly string[];
  /** Record ids present, sorted. */
  list(): string[];
  /** The record's signals in mV (see readRecord). */
  load(id: string): Promise<EcgRecord>;
  labels(id: string): RecordLabels;
  metadata(id: string): RecordMetadata;
  /**
   * Fold (0-based) of every listed record: the database's official folds where it has them
   * (PTB-XL strat_fold 1..10 → 0..9), else multi-label iterative stratification (k = 10, seed 0 by default).
   */
  folds(opts?: FoldOptions): Map<string, number>;
}
