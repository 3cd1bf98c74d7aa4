import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadWfdb, Mulberry32, openCinc2017, openPtbxl, type Cinc2017 } from '@ecglab/data';
import { DataSpecError } from '../errors.js';
import type { DatasetConfig } from '../config/types.js';

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
}

/** Reads one WFDB record (path without extension) into float32 leads in mV (@ecglab/data's loadWfdb; invalid samples are 0). */
export async function readRecordMv(path: string): Promise<{ fs: number; signal: Float32Array[] }> {
  const rec = await loadWfdb(basename(path), path);
  return { fs: rec.fs, signal: rec.signal.map((l) => Float32Array.from(l)) };
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
    default:
      throw new DataSpecError(`unknown dataset kind '${(cfg as { kind: string }).kind}'`);
  }
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

/**
 * Parses a dataset spec of the CLI: `cinc2017:/path/to/training2017` (all records),
 * `cinc2017:/path:split.txt` (only the record IDs listed one per line in split.txt),
 * `ptbxl100:/path/to/ptbxl` (100 Hz, 5 superclasses) or `ptbxl100-normal:/path` (NORM vs abnormal).
 * For PTB-XL the third part may instead select official strat_folds: `ptbxl100:/path:fold=10`,
 * `ptbxl100:/path:fold=9,10`.
 */
export function parseDatasetSpec(spec: string): { config: DatasetConfig; only: Set<string> | null; folds: Set<number> | null } {
  const m = /^([a-z0-9-]+):(.+)$/.exec(spec);
  if (!m) throw new DataSpecError(`dataset spec '${spec}': expected KIND:PATH[:SPLITFILE | :fold=N[,N...]], e.g. cinc2017:/data/training2017 or ptbxl100:/data/ptbxl:fold=10`);
  const [, kind, rest] = m as unknown as [string, string, string];
  const kinds = ['cinc2017', 'ptbxl100', 'ptbxl100-normal'];
  if (!kinds.includes(kind)) throw new DataSpecError(`dataset spec '${spec}': unknown kind '${kind}' (known: ${kinds.join(', ')})`);
  const parts = rest.split(':');
  const path = resolve(parts[0]!);
  if (!existsSync(path)) throw new DataSpecError(`dataset spec '${spec}': folder '${path}' not found`);
  let only: Set<string> | null = null;
  let folds: Set<number> | null = null;
  if (parts.length > 2) throw new DataSpecError(`dataset spec '${spec}': expected at most KIND:PATH:SELECTOR, got ${parts.length} parts after the kind`);
  if (parts[1]?.startsWith('fold=')) {
    if (kind === 'cinc2017') throw new DataSpecError(`dataset spec '${spec}': 'fold=' selects PTB-XL strat_folds; ${kind} has no official folds (use a split file)`);
    const list = parts[1].slice('fold='.length).split(',');
    if (!list.every((f) => /^(10|[1-9])$/.test(f.trim()))) throw new DataSpecError(`dataset spec '${spec}': 'fold=' takes strat_fold numbers 1..10 separated by commas, got '${parts[1].slice(5)}'`);
    folds = new Set(list.map((f) => Number(f)));
  } else if (parts[1]) {
    if (!existsSync(parts[1])) throw new DataSpecError(`dataset spec '${spec}': split file '${parts[1]}' not found`);
    only = new Set(readFileSync(parts[1], 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
  }
  const config: DatasetConfig =
    kind === 'cinc2017' ? { kind, path, limit: 0 } : { kind: 'ptbxl', path, limit: 0, fs: 100, labels: kind === 'ptbxl100' ? 'superclass' : 'norm-vs-abnormal' };
  return { config, only, folds };
}
