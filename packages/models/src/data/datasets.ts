import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  loadWfdb, Mulberry32, openCinc2017, openDatabase, openPtbxl, resampleSignal, selectLeads, STANDARD_12,
  type Cinc2017, type DatabaseSpec, type Signal,
} from '@ecglab/data';
import { DataSpecError } from '../errors.js';
import type { Cinc2021DataConfig, Cpsc2018DataConfig, DatasetConfig, WfdbFolderDataConfig } from '../config/types.js';

/** One labelled record, its leads in physical units (mV) as float32 to halve the memory. */
export interface LabeledRecord {
  id: string;
  fs: number;
  signal: Float32Array[];
  /**
   * Single-label: the class index. Multi-label: the first positive class, or the number of classes
   * when there is none (what splits and class-balanced sampling stratify on).
   */
  label: number;
  /** Multi-hot targets over the classes (one-hot for single-label datasets). */
  targets: Float32Array;
  /** PTB-XL's official strat_fold (1..10); absent for datasets without official folds. */
  fold?: number;
}

export interface Dataset {
  name: string;
  classes: string[];
  task: 'single-label' | 'multi-label';
  records: LabeledRecord[];
  /** Lead names of every record's leads, in order (datasets read with lead matching by name). */
  leads?: string[];
}

/** Dataset configs read through a generic @ecglab/data adapter, with lead matching and resampling. */
export type AdapterDataConfig = Cpsc2018DataConfig | Cinc2021DataConfig | WfdbFolderDataConfig;
export const ADAPTER_KINDS: readonly AdapterDataConfig['kind'][] = ['cpsc2018', 'cinc2021', 'wfdb-folder'];

export function isAdapterConfig(cfg: DatasetConfig): cfg is AdapterDataConfig {
  return (ADAPTER_KINDS as readonly string[]).includes(cfg.kind);
}

/** Reads one WFDB record (path without extension): leads in mV (@ecglab/data's loadWfdb; invalid samples are 0). */
export async function readRecordMv(path: string): Promise<{ fs: number; signal: Signal; leads: string[] }> {
  const rec = await loadWfdb(basename(path), path);
  return { fs: rec.fs, signal: rec.signal, leads: rec.leads };
}

/**
 * A record's leads as a model reads them, in float32 mV: picked by name in the order of `wantLeads`
 * (case-insensitive; all leads in their own order when null), resampled from `fs` to `toFs` (polyphase).
 * `source` names the record in errors.
 */
export function conformRecord(signal: Signal, leads: string[], fs: number, wantLeads: string[] | null, toFs: number, source: string): Float32Array[] {
  const picked = wantLeads ? selectLeads(signal, leads, wantLeads, { source }).signal : signal;
  return (fs === toFs ? picked : resampleSignal(picked, fs, toFs)).map((l) => Float32Array.from(l));
}

/**
 * Loads a dataset from its config through @ecglab/data's database adapters, optionally only the
 * record IDs in `only` and (PTB-XL) only the records of the strat_folds in `folds`. `limit` keeps a
 * seeded class-stratified subset (the first `limit` of a round-robin over the shuffled classes), for
 * tiny test runs.
 */
export async function loadDataset(cfg: DatasetConfig, seed = 0, only: Set<string> | null = null, folds: ReadonlySet<number> | null = null): Promise<Dataset> {
  if (folds && cfg.kind !== 'ptbxl') throw new DataSpecError(`${cfg.path}: only PTB-XL has official folds, the dataset is ${cfg.kind}`);
  switch (cfg.kind) {
    case 'cinc2017': {
      const db: Cinc2017 = openCinc2017(cfg.path);
      const classes = [...db.classes];
      let rows = db.list().map((id) => ({ id, label: classes.indexOf(db.classOf(id)) }));
      if (only) {
        const have = new Set(rows.map((r) => r.id));
        const missing = [...only].filter((id) => !have.has(id));
        if (missing.length > 0) throw new DataSpecError(`${cfg.path}: the split lists records not there: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
        rows = rows.filter((r) => only.has(r.id));
      }
      if (cfg.limit > 0 && cfg.limit < rows.length) rows = stratifiedSubset(rows, cfg.limit, seed);
      const records: LabeledRecord[] = [];
      for (const { id, label } of rows) {
        const rec = await db.load(id);
        const targets = new Float32Array(classes.length);
        targets[label] = 1;
        records.push({ id, label, targets, fs: rec.fs, signal: rec.signal.map((l) => Float32Array.from(l)) });
      }
      return { name: 'cinc2017', classes, task: 'single-label', records };
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
          return [{ id, fold, targets: Float32Array.from(hot), label: first < 0 ? classes.length : first }];
        }
        const positives = hot.reduce((a, b) => a + b, 0);
        if (positives === 0) return []; // no diagnostic statement: neither normal nor abnormal
        const label = positives === 1 && hot[normIndex] === 1 ? 0 : 1;
        return [{ id, fold, targets: Float32Array.of(label === 0 ? 1 : 0, label), label }];
      });
      if (only) rows = rows.filter((r) => only.has(r.id));
      if (folds) {
        rows = rows.filter((r) => folds.has(r.fold));
        if (rows.length === 0) throw new DataSpecError(`${cfg.path}: no records in strat_fold ${[...folds].join(', ')}`);
      }
      if (cfg.limit > 0 && cfg.limit < rows.length) rows = stratifiedSubset(rows, cfg.limit, seed);
      const records: LabeledRecord[] = [];
      for (const r of rows) {
        const rec = await db.load(r.id);
        records.push({ ...r, fs: rec.fs, signal: rec.signal.map((l) => Float32Array.from(l)) });
      }
      return { name: `ptbxl-${cfg.labels}`, classes, task: binary ? 'single-label' : 'multi-label', records };
    }
    case 'cpsc2018':
    case 'cinc2021':
    case 'wfdb-folder':
      return loadAdapterDataset(cfg, seed, only);
    default:
      throw new DataSpecError(`unknown dataset kind '${(cfg as { kind: string }).kind}'`);
  }
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

/**
 * The @ecglab/data spec of an adapter-backed dataset config, its default files filled in (see
 * types.ts); a missing folder or file is an error naming it.
 */
export function adapterSpec(cfg: AdapterDataConfig): DatabaseSpec {
  needDir(cfg.path, `${cfg.kind} folder`);
  switch (cfg.kind) {
    case 'cpsc2018': {
      const reference = cfg.reference ?? join(cfg.path, 'REFERENCE.csv');
      needFile(reference, 'CPSC 2018 label file (REFERENCE.csv; set data.reference to another file)');
      let { wfdbDir, matDir } = cfg;
      if (!wfdbDir && !matDir) {
        // Either form, or both side by side as /work/shared/data/cpsc2018 ships them.
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

/** Keeps the rows whose ids `only` lists; an id not in the dataset is an error naming it. */
function selectOnly<T extends { id: string }>(rows: T[], only: Set<string>, path: string): T[] {
  const have = new Set(rows.map((r) => r.id));
  const missing = [...only].filter((id) => !have.has(id));
  if (missing.length > 0) throw new DataSpecError(`${path}: the split lists records not there: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  return rows.filter((r) => only.has(r.id));
}

/**
 * CPSC 2018, CinC 2021 and WFDB folders through @ecglab/data's adapters (`openDatabase`): multi-hot
 * targets from the adapter's `labels`, leads picked by name (case-insensitive, in the order of
 * `cfg.leads`), records resampled to `cfg.fs` where they come at another rate.
 */
async function loadAdapterDataset(cfg: AdapterDataConfig, seed: number, only: Set<string> | null): Promise<Dataset> {
  const db = openDatabase(adapterSpec(cfg));
  const classes = [...db.classes];
  let rows = db.list().map((id) => {
    const targets = Float32Array.from(db.labels(id).multiHot);
    const first = targets.indexOf(1);
    return { id, targets, label: first < 0 ? classes.length : first, positives: targets.reduce((a, b) => a + b, 0) };
  });
  if (rows.length === 0) throw new DataSpecError(`${cfg.path}: no labelled ${cfg.kind} records found`);
  let task: Dataset['task'] = 'multi-label';
  if (cfg.kind === 'wfdb-folder') {
    const notOne = rows.filter((r) => r.positives !== 1);
    task = cfg.task ?? (notOne.length === 0 ? 'single-label' : 'multi-label');
    if (task === 'single-label' && notOne.length > 0) {
      const file = cfg.labels ?? join(cfg.path, 'labels.csv');
      throw new DataSpecError(
        `${file}: task 'single-label' needs exactly one label per record, but ${notOne.length} record${notOne.length > 1 ? 's have' : ' has'} another count: ` +
          `${notOne.slice(0, 5).map((r) => `${r.id} (${r.positives})`).join(', ')}${notOne.length > 5 ? ', ...' : ''}; use task 'multi-label'`,
      );
    }
  }
  if (only) rows = selectOnly(rows, only, cfg.path);
  if (cfg.limit > 0 && cfg.limit < rows.length) rows = stratifiedSubset(rows, cfg.limit, seed);
  let leads = cfg.leads ?? (cfg.kind === 'wfdb-folder' ? null : [...STANDARD_12]);
  let fs = cfg.fs ?? null;
  let firstAt = '';
  const records: LabeledRecord[] = [];
  for (const { id, targets, label } of rows) {
    const rec = await db.load(id);
    leads ??= [...rec.leads];
    if (fs === null) {
      fs = rec.fs;
      firstAt = `${id} at ${rec.fs} Hz`;
    } else if (rec.fs !== fs && cfg.fs === undefined) {
      throw new DataSpecError(`${cfg.path}: records come at different rates (${firstAt}, ${id} at ${rec.fs} Hz); set data.fs to resample them to one rate`);
    }
    records.push({ id, label, targets, fs, signal: conformRecord(rec.signal, rec.leads, rec.fs, leads, fs, `record ${id} of ${cfg.path}`) });
  }
  return { name: cfg.kind === 'wfdb-folder' ? db.facts.name : cfg.kind, classes, task, records, leads: leads ?? [] };
}

function stratifiedSubset<T extends { label: number }>(rows: T[], n: number, seed: number): T[] {
  const rng = new Mulberry32(seed);
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

/** The kinds a CLI dataset spec may name. */
export const SPEC_KINDS = ['cinc2017', 'ptbxl100', 'ptbxl100-normal', 'cpsc2018', 'cinc2021', 'wfdb-folder'] as const;

/** The `KEY=FILE` options of a spec, per kind: the label files of the adapter-backed datasets. */
const SPEC_FILE_OPTIONS: Record<string, string[]> = { cpsc2018: ['reference'], cinc2021: ['scored'], 'wfdb-folder': ['labels'] };

/**
 * Parses a dataset spec of the CLI, `KIND:PATH[:KEY=FILE][:SELECTOR]`:
 * - `cinc2017:/path/to/training2017`, `ptbxl100:/path/to/ptbxl` (100 Hz, 5 superclasses) or
 *   `ptbxl100-normal:/path` (NORM vs abnormal);
 * - `cpsc2018:/path` (REFERENCE.csv with Training_WFDB/ and/or TrainingSet1/, or the records, in it;
 *   `:reference=FILE` for another label file), `cinc2021:/path` (records searched in subfolders,
 *   `/path/dx_mapping_scored.csv` or `:scored=FILE`), `wfdb-folder:/path` (`/path/labels.csv` or
 *   `:labels=FILE`).
 * SELECTOR is a split file (only the record IDs listed one per line in it), or for PTB-XL official
 * strat_folds: `ptbxl100:/path:fold=10`, `ptbxl100:/path:fold=9,10`. Relative files resolve against the
 * working directory. Rate, leads and (wfdb-folder) classes and task come from the model at evaluation.
 */
export function parseDatasetSpec(spec: string): { config: DatasetConfig; only: Set<string> | null; folds: Set<number> | null } {
  const m = /^([a-z0-9-]+):(.+)$/.exec(spec);
  if (!m) throw new DataSpecError(`dataset spec '${spec}': expected KIND:PATH[:KEY=FILE][:SPLITFILE | :fold=N[,N...]], e.g. cinc2017:/data/training2017, ptbxl100:/data/ptbxl:fold=10 or wfdb-folder:/data/mine:labels=/data/labels.csv`);
  const [, kind, rest] = m as unknown as [string, string, string];
  if (!(SPEC_KINDS as readonly string[]).includes(kind)) throw new DataSpecError(`dataset spec '${spec}': unknown kind '${kind}' (known: ${SPEC_KINDS.join(', ')})`);
  const parts = rest.split(':');
  const path = resolve(parts[0]!);
  if (!existsSync(path)) throw new DataSpecError(`dataset spec '${spec}': folder '${path}' not found`);
  let only: Set<string> | null = null;
  let folds: Set<number> | null = null;
  const files: Record<string, string> = {};
  const selectors: string[] = [];
  for (const part of parts.slice(1)) {
    const opt = /^([A-Za-z]+)=(.*)$/.exec(part);
    if (opt && opt[1] !== 'fold') {
      const [, key, value] = opt as unknown as [string, string, string];
      const allowed = SPEC_FILE_OPTIONS[kind] ?? [];
      if (!allowed.includes(key)) throw new DataSpecError(`dataset spec '${spec}': unknown option '${key}=' for ${kind}${allowed.length > 0 ? ` (known: ${allowed.map((k) => `${k}=`).join(', ')})` : ' (it takes none)'}`);
      if (files[key] !== undefined) throw new DataSpecError(`dataset spec '${spec}': '${key}=' is given twice`);
      const file = resolve(value);
      if (value === '' || !existsSync(file)) throw new DataSpecError(`dataset spec '${spec}': ${key} file '${value}' not found`);
      files[key] = file;
    } else selectors.push(part);
  }
  if (selectors.length > 1) throw new DataSpecError(`dataset spec '${spec}': expected at most KIND:PATH:SELECTOR (one split file or fold=), got ${selectors.length} selectors: ${selectors.join(', ')}`);
  const selector = selectors[0];
  if (selector?.startsWith('fold=')) {
    if (!kind.startsWith('ptbxl')) throw new DataSpecError(`dataset spec '${spec}': 'fold=' selects PTB-XL strat_folds; ${kind} has no official folds (use a split file)`);
    const list = selector.slice('fold='.length).split(',');
    if (!list.every((f) => /^(10|[1-9])$/.test(f.trim()))) throw new DataSpecError(`dataset spec '${spec}': 'fold=' takes strat_fold numbers 1..10 separated by commas, got '${selector.slice(5)}'`);
    folds = new Set(list.map((f) => Number(f)));
  } else if (selector) {
    if (!existsSync(selector)) throw new DataSpecError(`dataset spec '${spec}': split file '${selector}' not found`);
    only = new Set(readFileSync(selector, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
  }
  let config: DatasetConfig;
  switch (kind) {
    case 'cinc2017':
      config = { kind, path, limit: 0 };
      break;
    case 'cpsc2018':
      config = { kind, path, limit: 0, ...(files.reference ? { reference: files.reference } : {}) };
      break;
    case 'cinc2021':
      config = { kind, path, limit: 0, recursive: true, ...(files.scored ? { scored: files.scored } : {}) };
      break;
    case 'wfdb-folder':
      config = { kind, path, limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false, ...(files.labels ? { labels: files.labels } : {}) };
      break;
    default:
      config = { kind: 'ptbxl', path, limit: 0, fs: 100, labels: kind === 'ptbxl100' ? 'superclass' : 'norm-vs-abnormal' };
  }
  return { config, only, folds };
}
