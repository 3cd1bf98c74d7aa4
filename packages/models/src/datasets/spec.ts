import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSpecError } from '../errors.js';

/** The kinds a CLI dataset spec may name. */
export const SPEC_KINDS = ['cinc2017', 'ptbxl100', 'ptbxl100-normal', 'cpsc2018', 'cinc2021', 'wfdb-folder'] as const;
export type SpecKind = (typeof SPEC_KINDS)[number];

/** The `KEY=FILE` options of a spec, per kind: the label files of the adapter-backed datasets. */
const SPEC_FILE_OPTIONS: Partial<Record<SpecKind, string[]>> = { cpsc2018: ['reference'], cinc2021: ['scored'], 'wfdb-folder': ['labels'] };

/** What a dataset spec says, and only that: the rate, leads, classes and task of an evaluation come from the model. */
export interface DatasetSpec {
  kind: SpecKind;
  /** The dataset's folder, absolute. */
  path: string;
  /** Label files given as `KEY=FILE` (absolute). */
  files: { reference?: string; scored?: string; labels?: string };
  /** Only these record ids (a split file), or null. */
  only: Set<string> | null;
  /** PTB-XL strat_folds to keep, or null. */
  folds: Set<number> | null;
}

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
 * working directory.
 *
 * @example parseDatasetSpec('ptbxl100:data/ptbxl:fold=10').folds; // Set { 10 }
 */
export function parseDatasetSpec(spec: string): DatasetSpec {
  const m = /^([a-z0-9-]+):(.+)$/.exec(spec);
  if (!m) throw new DataSpecError(`dataset spec '${spec}': expected KIND:PATH[:KEY=FILE][:SPLITFILE | :fold=N[,N...]], e.g. cinc2017:/data/training2017, ptbxl100:/data/ptbxl:fold=10 or wfdb-folder:/data/mine:labels=/data/labels.csv`);
  const [, kindText, rest] = m as unknown as [string, string, string];
  if (!(SPEC_KINDS as readonly string[]).includes(kindText)) throw new DataSpecError(`dataset spec '${spec}': unknown kind '${kindText}' (known: ${SPEC_KINDS.join(', ')})`);
  const kind = kindText as SpecKind;
  const parts = rest.split(':');
  const path = resolve(parts[0]!);
  if (!existsSync(path)) throw new DataSpecError(`dataset spec '${spec}': folder '${path}' not found`);
  const files: DatasetSpec['files'] = {};
  const selectors: string[] = [];
  for (const part of parts.slice(1)) {
    const opt = /^([A-Za-z]+)=(.*)$/.exec(part);
    if (opt && opt[1] !== 'fold') {
      const [, key, value] = opt as unknown as [string, keyof DatasetSpec['files'], string];
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
  let only: Set<string> | null = null;
  let folds: Set<number> | null = null;
  if (selector?.startsWith('fold=')) {
    if (!kind.startsWith('ptbxl')) throw new DataSpecError(`dataset spec '${spec}': 'fold=' selects PTB-XL strat_folds; ${kind} has no official folds (use a split file)`);
    const list = selector.slice('fold='.length).split(',');
    if (!list.every((f) => /^(10|[1-9])$/.test(f.trim()))) throw new DataSpecError(`dataset spec '${spec}': 'fold=' takes strat_fold numbers 1..10 separated by commas, got '${selector.slice(5)}'`);
    folds = new Set(list.map((f) => Number(f)));
  } else if (selector) {
    if (!existsSync(selector)) throw new DataSpecError(`dataset spec '${spec}': split file '${selector}' not found`);
    only = new Set(readIdList(selector));
  }
  return { kind, path, files, only, folds };
}

/**
 * The record ids of a split file: one per line, blank lines and `#` comment lines skipped. Dataset specs
 * (`kind:path:FILE`) and `train.valSplit` read the same files.
 *
 * @example readIdList('configs/splits/cinc2017-val.txt').length; // 682
 */
export function readIdList(file: string): string[] {
  return readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}
