import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  Cpsc2018, openCinc2017, openDatabase, openPtbxl, Rng, STANDARD_12, type ConformSpec, type DatabaseSpec, type EcgDatabase, type RecordSource,
} from '@ecglab/data';
import type { Cinc2021DataConfig, Cpsc2018DataConfig, DatasetConfig, WfdbFolderDataConfig } from '../config/types.js';
import { DataSpecError } from '../errors.js';
import type { Task } from '../task.js';

/**
 * A labelled dataset as the trainer and `eval` see it: ids with their targets (read from the label files
 * when opened; the signals are read later, batch by batch, by the input pipeline), the classes and task, and
 * how every record is conformed for the model (its leads, by name or by position, and its rate).
 */
export interface Dataset {
  /** `cinc2017`, `ptbxl-superclass`, `cpsc2018`, the folder's name for `wfdb-folder`... */
  name: string;
  classes: string[];
  task: Task;
  ids: string[];
  /** Multi-hot targets per id (one-hot for single-label tasks). */
  targets: Float32Array[];
  /** Per id: the class (single-label), or the first positive class or K when none (multi-label): what splits stratify on. */
  labels: number[];
  /** PTB-XL's official strat_fold (1..10) per id; null for datasets without official folds. */
  folds: number[] | null;
  /**
   * CPSC 2018: per id its labels as class indices in REFERENCE.csv's order (First_label first), which the
   * challenge's score needs; null for other datasets.
   */
  labelLists: number[][] | null;
  /** Lead selection and rate of every record as the model reads it. */
  conform: ConformSpec & { fs: number };
  /** The records as a pipeline source, optionally only those at `indices`. */
  source(indices?: readonly number[]): RecordSource;
}

/** Dataset configs read through a generic @ecglab/data adapter, with lead matching and resampling. */
export type AdapterDataConfig = Cpsc2018DataConfig | Cinc2021DataConfig | WfdbFolderDataConfig;
const ADAPTER_KINDS: readonly AdapterDataConfig['kind'][] = ['cpsc2018', 'cinc2021', 'wfdb-folder'];

export function isAdapterConfig(cfg: DatasetConfig): cfg is AdapterDataConfig {
  return (ADAPTER_KINDS as readonly string[]).includes(cfg.kind);
}

export interface OpenDatasetOptions {
  /** `input.leads`: positions in the dataset's lead list (CinC 2017's one lead; PTB-XL's 12; `data.leads`). */
  inputLeads: readonly number[];
  /** Seeds the stratified subset of `limit` (default 0). */
  seed?: number;
  /** Only these record ids (a split file); each must exist. */
  only?: ReadonlySet<string> | null;
  /** PTB-XL: only the records of these strat_folds. */
  folds?: ReadonlySet<number> | null;
}

/**
 * Opens a dataset from its config through @ecglab/data's database adapters: reads the label files, keeps the
 * records `only`/`folds`/`limit` ask for, and decides how records are conformed (CinC 2017: its lead by
 * position, 300 Hz; PTB-XL: the standard leads by name at `data.fs`; CPSC 2018, CinC 2021 and WFDB folders:
 * `data.leads` by name, resampled to `data.fs`).
 *
 * @example const ds = await openDataset(cfg.data, { inputLeads: cfg.input.leads, seed: cfg.seed });
 */
export async function openDataset(cfg: DatasetConfig, opts: OpenDatasetOptions): Promise<Dataset> {
  if (opts.folds && cfg.kind !== 'ptbxl') throw new DataSpecError(`${cfg.path}: only PTB-XL has official folds, the dataset is ${cfg.kind}`);
  switch (cfg.kind) {
    case 'cinc2017': {
      const db = openCinc2017(cfg.path);
      const classes = [...db.classes];
      const rows = db.list().map((id) => {
        const targets = db.labels(id).multiHot;
        return { id, targets, label: targets.indexOf(1) };
      });
      // CinC 2017 names its one lead `ECG`: read by position, so any single-lead record can be predicted.
      return finish('cinc2017', classes, 'single-label', select(rows, cfg, opts), null, db, { leadIndices: [...opts.inputLeads], fs: 300 });
    }
    case 'ptbxl': {
      const db = openPtbxl({ dir: cfg.path, fs: cfg.fs, labelSet: 'superclass' });
      const superclasses = [...db.classes];
      const binary = cfg.labels === 'norm-vs-abnormal';
      const classes = binary ? ['NORM', 'ABNORMAL'] : superclasses;
      const normIndex = superclasses.indexOf('NORM');
      const strat = db.folds(); // official strat_fold, 0-based
      let rows = db.list().flatMap((id) => {
        const hot = db.labels(id).multiHot;
        const fold = strat.get(id)! + 1;
        if (!binary) {
          const first = hot.indexOf(1);
          return [{ id, fold, targets: hot, label: first < 0 ? classes.length : first }];
        }
        const positives = hot.reduce((a, b) => a + b, 0);
        if (positives === 0) return []; // no diagnostic statement: neither normal nor abnormal
        const label = positives === 1 && hot[normIndex] === 1 ? 0 : 1;
        return [{ id, fold, targets: Float32Array.of(label === 0 ? 1 : 0, label), label }];
      });
      if (opts.folds) {
        rows = rows.filter((r) => opts.folds!.has(r.fold));
        if (rows.length === 0) throw new DataSpecError(`${cfg.path}: no records in strat_fold ${[...opts.folds].join(', ')}`);
      }
      const leads = pickLeads([...STANDARD_12], opts.inputLeads, cfg.path);
      const kept = select(rows, cfg, opts);
      return finish(`ptbxl-${cfg.labels}`, classes, binary ? 'single-label' : 'multi-label', kept, kept.map((r) => r.fold), db, { leads, fs: cfg.fs });
    }
    case 'cpsc2018':
    case 'cinc2021':
    case 'wfdb-folder':
      return openAdapterDataset(cfg, opts);
    default:
      throw new DataSpecError(`unknown dataset kind '${(cfg as { kind: string }).kind}'`);
  }
}

interface Row {
  id: string;
  targets: Float32Array;
  label: number;
}

function finish(name: string, classes: string[], task: Task, rows: (Row & { labelList?: number[] })[], folds: number[] | null, db: EcgDatabase, conform: Dataset['conform']): Dataset {
  const ids = rows.map((r) => r.id);
  const targets = rows.map((r) => r.targets);
  return {
    name,
    classes,
    task,
    ids,
    targets,
    labels: rows.map((r) => r.label),
    folds,
    labelLists: rows.every((r) => r.labelList) ? rows.map((r) => r.labelList!) : null,
    conform,
    source(indices) {
      const pick = indices ?? ids.map((_, i) => i);
      const byId = new Map(pick.map((i) => [ids[i]!, targets[i]!]));
      return { name: db.source, ids: pick.map((i) => ids[i]!), load: (id) => db.load(id), targets: (id) => byId.get(id)! };
    },
  };
}

/** The rows `only` and `limit` keep; an id in `only` that the dataset lacks is an error naming it. */
function select<T extends Row>(rows: T[], cfg: DatasetConfig, opts: OpenDatasetOptions): T[] {
  let out = rows;
  if (opts.only) {
    const have = new Set(rows.map((r) => r.id));
    const missing = [...opts.only].filter((id) => !have.has(id));
    if (missing.length > 0) throw new DataSpecError(`${cfg.path}: the split lists records not there: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    out = out.filter((r) => opts.only!.has(r.id));
  }
  if (cfg.limit > 0 && cfg.limit < out.length) out = stratifiedSubset(out, cfg.limit, opts.seed ?? 0);
  if (out.length === 0) throw new DataSpecError(`${cfg.path}: no labelled ${cfg.kind} records to use`);
  return out;
}

/** `input.leads` as lead names from the dataset's lead list; an index past its end is an error. */
function pickLeads(names: string[], inputLeads: readonly number[], path: string): string[] {
  return inputLeads.map((i) => {
    const name = names[i];
    if (name === undefined) throw new DataSpecError(`${path}: input lead ${i} does not exist (the dataset's leads are ${names.map((n, k) => `${k}:${n}`).join(', ')})`);
    return name;
  });
}

/**
 * CPSC 2018, CinC 2021 and WFDB folders through @ecglab/data's adapters (`openDatabase`): multi-hot targets
 * from the adapter's labels, leads by name (`data.leads`, else the standard 12, or a WFDB folder's first
 * record's leads), and the rate `data.fs`, else the first record's (then every record must have it).
 */
async function openAdapterDataset(cfg: AdapterDataConfig, opts: OpenDatasetOptions): Promise<Dataset> {
  const db = openDatabase(adapterSpec(cfg));
  const classes = [...db.classes];
  // CPSC 2018 keeps REFERENCE.csv's label order (First_label first) for its score and Ma & Liang's single-label mode.
  const ordered = db instanceof Cpsc2018 ? (id: string) => db.referenceLabels(id).map((n) => classes.indexOf(n)) : null;
  const firstOnly = cfg.kind === 'cpsc2018' && cfg.labelMode === 'first';
  let all = db.list().map((id) => {
    const targets = db.labels(id).multiHot;
    const first = targets.indexOf(1);
    return { id, targets, label: first < 0 ? classes.length : first, positives: targets.reduce((a, b) => a + b, 0), ...(ordered ? { labelList: ordered(id) } : {}) };
  });
  if (firstOnly) {
    // Ma & Liang: the First_label, and only records that have no Second_label.
    all = all.filter((r) => r.labelList!.length === 1).map((r) => ({ ...r, label: r.labelList![0]! }));
  }
  if (all.length === 0) throw new DataSpecError(`${cfg.path}: no labelled ${cfg.kind} records found${firstOnly ? ' with a single label (labelMode first)' : ''}`);
  let task: Task = firstOnly ? 'single-label' : 'multi-label';
  if (cfg.kind === 'wfdb-folder') {
    const notOne = all.filter((r) => r.positives !== 1);
    task = cfg.task ?? (notOne.length === 0 ? 'single-label' : 'multi-label');
    if (task === 'single-label' && notOne.length > 0) {
      const file = cfg.labels ?? join(cfg.path, 'labels.csv');
      throw new DataSpecError(
        `${file}: task 'single-label' needs exactly one label per record, but ${notOne.length} record${notOne.length > 1 ? 's have' : ' has'} another count: ` +
          `${notOne.slice(0, 5).map((r) => `${r.id} (${r.positives})`).join(', ')}${notOne.length > 5 ? ', ...' : ''}; use task 'multi-label'`,
      );
    }
  }
  const rows = select(all, cfg, opts);
  let names = cfg.leads ?? (cfg.kind === 'wfdb-folder' ? null : [...STANDARD_12]);
  let fs = cfg.fs;
  if (names === null || fs === undefined) {
    const first = await db.load(rows[0]!.id);
    names ??= [...first.leadNames];
    fs ??= first.fs;
  }
  const name = cfg.kind === 'wfdb-folder' ? db.facts.name : cfg.kind;
  const conform = { leads: pickLeads(names, opts.inputLeads, cfg.path), fs, ...(cfg.fs === undefined ? { otherRate: 'error' as const } : {}) };
  return finish(name, classes, task, rows, null, db, conform);
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function needDir(p: string, what: string): void {
  if (!isDir(p)) throw new DataSpecError(`${p}: ${what} not found`);
}

function needFile(p: string, what: string): void {
  if (!existsSync(p) || statSync(p).isDirectory()) throw new DataSpecError(`${p}: ${what} not found`);
}

/** The @ecglab/data spec of an adapter-backed dataset config, its default files filled in; a missing folder or file is an error naming it. */
export function adapterSpec(cfg: AdapterDataConfig): DatabaseSpec {
  needDir(cfg.path, `${cfg.kind} folder`);
  switch (cfg.kind) {
    case 'cpsc2018': {
      const reference = cfg.reference ?? join(cfg.path, 'REFERENCE.csv');
      needFile(reference, 'CPSC 2018 label file (REFERENCE.csv; set data.reference to another file)');
      let { wfdbDir, matDir } = cfg;
      if (!wfdbDir && !matDir) {
        // Either form, or both side by side as the shared data ships them.
        if (isDir(join(cfg.path, 'Training_WFDB'))) wfdbDir = join(cfg.path, 'Training_WFDB');
        if (isDir(join(cfg.path, 'TrainingSet1'))) matDir = join(cfg.path, 'TrainingSet1');
        if (!wfdbDir && !matDir) {
          const names = readdirSync(cfg.path);
          if (names.some((n) => n.endsWith('.hea'))) wfdbDir = cfg.path;
          else if (names.some((n) => n.endsWith('.mat'))) matDir = cfg.path;
          else throw new DataSpecError(`${cfg.path}: no CPSC 2018 records: expected Training_WFDB/ (WFDB form), TrainingSet1/ (original .mat form) or the records themselves in it`);
        }
      }
      if (wfdbDir) needDir(wfdbDir, 'CPSC 2018 WFDB folder');
      if (matDir) needDir(matDir, 'CPSC 2018 .mat folder');
      return { kind: 'cpsc2018', reference, wfdbDir, matDir };
    }
    case 'cinc2021': {
      const scored = cfg.scored ?? join(cfg.path, 'dx_mapping_scored.csv');
      needFile(scored, "the challenge's scored-class table (dx_mapping_scored.csv; set data.scored to another file)");
      return { kind: 'cinc2021', dir: cfg.path, scored, recursive: cfg.recursive };
    }
    case 'wfdb-folder': {
      const labels = cfg.labels ?? join(cfg.path, 'labels.csv');
      needFile(labels, 'labels CSV (set data.labels to another file)');
      return {
        kind: 'wfdb-folder', dir: cfg.path, labels, idColumn: cfg.idColumn, labelColumn: cfg.labelColumn, separator: cfg.separator,
        classes: cfg.classes, recursive: cfg.recursive,
      };
    }
  }
}

/** A seeded class-stratified subset: the first `n` of a round-robin over the shuffled classes (tiny test runs). */
function stratifiedSubset<T extends { label: number }>(rows: T[], n: number, seed: number): T[] {
  const rng = new Rng(seed);
  const byClass = new Map<number, T[]>();
  for (const r of rows) {
    if (!byClass.has(r.label)) byClass.set(r.label, []);
    byClass.get(r.label)!.push(r);
  }
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((k) => rng.shuffle(byClass.get(k)!));
  const out: T[] = [];
  for (let i = 0; out.length < n; i++) {
    for (const q of queues) if (i < q.length && out.length < n) out.push(q[i]!);
  }
  return out;
}
