import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rdrecordSync } from '@ecglab/data';
import { DataSpecError } from '../errors.js';
import { CINC2017_CLASSES } from '../metrics/classification.js';
import type { DatasetConfig } from '../config/types.js';
import { Rng } from '../util/rng.js';

/** One labelled record, its leads in physical units (mV) as float32 to halve the memory. */
export interface LabeledRecord {
  id: string;
  fs: number;
  signal: Float32Array[];
  /** Class index for single-label datasets. */
  label: number;
}

export interface Dataset {
  name: string;
  classes: string[];
  task: 'single-label';
  records: LabeledRecord[];
}

/** REFERENCE.csv rows `A00001,N` (no header; CRLF tolerated) of a CinC 2017 folder. */
export function readCinc2017Reference(dir: string): { id: string; label: number }[] {
  const file = join(dir, 'REFERENCE.csv');
  if (!existsSync(file)) throw new DataSpecError(`${file}: not found (a CinC 2017 folder holds REFERENCE.csv and the .hea/.mat records)`);
  return readFileSync(file, 'latin1')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^name,/i.test(l))
    .map((line, i) => {
      const [id, code] = line.split(',');
      const label = (CINC2017_CLASSES as readonly string[]).indexOf(code ?? '');
      if (!id || label < 0) throw new DataSpecError(`${file} line ${i + 1}: expected 'RECORD,LABEL' with LABEL one of N, A, O, ~, got '${line}'`);
      return { id, label };
    });
}

/** Reads one record's leads in mV as float32. */
export function readRecordMv(path: string): { fs: number; signal: Float32Array[] } {
  const rec = rdrecordSync(path);
  const phys = rec.physical;
  if (!phys) throw new DataSpecError(`${path}: no physical signal was read`);
  return { fs: rec.fs, signal: phys.map((l) => Float32Array.from(l, (v) => (Number.isNaN(v) ? 0 : v))) };
}

/**
 * Loads a dataset from its config, optionally only the record IDs in `only`. `limit` keeps a seeded class-stratified subset (its first
 * `limit` of a round-robin over the shuffled classes), for tiny test runs.
 */
export function loadDataset(cfg: DatasetConfig, seed = 0, only: Set<string> | null = null): Dataset {
  switch (cfg.kind) {
    case 'cinc2017': {
      let rows = readCinc2017Reference(cfg.path);
      if (only) {
        const missing = [...only].filter((id) => !rows.some((r) => r.id === id));
        if (missing.length > 0) throw new DataSpecError(`${join(cfg.path, 'REFERENCE.csv')}: split lists records not in it: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
        rows = rows.filter((r) => only.has(r.id));
      }
      if (cfg.limit > 0 && cfg.limit < rows.length) rows = stratifiedSubset(rows, cfg.limit, seed);
      const records = rows.map(({ id, label }) => ({ id, label, ...readRecordMv(resolve(cfg.path, id)) }));
      return { name: 'cinc2017', classes: [...CINC2017_CLASSES], task: 'single-label', records };
    }
    default:
      throw new DataSpecError(`unknown dataset kind '${(cfg as { kind: string }).kind}'`);
  }
}

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

/**
 * Parses a dataset spec of the CLI: `cinc2017:/path/to/training2017` (all records) or
 * `cinc2017:/path:split.txt` (only the record IDs listed one per line in split.txt).
 */
export function parseDatasetSpec(spec: string): { config: DatasetConfig; only: Set<string> | null } {
  const m = /^([a-z0-9]+):(.+)$/.exec(spec);
  if (!m) throw new DataSpecError(`dataset spec '${spec}': expected KIND:PATH[:SPLITFILE], e.g. cinc2017:/data/training2017`);
  const [, kind, rest] = m as unknown as [string, string, string];
  if (kind !== 'cinc2017') throw new DataSpecError(`dataset spec '${spec}': unknown kind '${kind}' (known: cinc2017)`);
  const parts = rest.split(':');
  const path = resolve(parts[0]!);
  let only: Set<string> | null = null;
  if (parts[1]) {
    if (!existsSync(parts[1])) throw new DataSpecError(`dataset spec '${spec}': split file '${parts[1]}' not found`);
    only = new Set(readFileSync(parts[1], 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
  }
  return { config: { kind: 'cinc2017', path, limit: 0 }, only };
}
