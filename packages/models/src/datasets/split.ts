import { existsSync } from 'node:fs';
import { iterativeStratification, Rng, stratifiedSplit } from '@ecglab/data';
import type { DatasetConfig, PtbxlFolds } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readIdList } from './spec.js';

/** Positions in a dataset's `ids` of the training and validation records (and of a held-out test set, when the split makes one). */
export interface Split {
  kind: 'strat_fold' | 'stratified' | 'iterative-stratification' | 'file' | 'per-class';
  train: number[];
  val: number[];
  /** Records held out from training and validation alike (`per-class`), for `ecglab eval`. */
  test?: number[];
}

/**
 * The train/validation split a config asks for: PTB-XL's official strat_folds when `data.folds` is set;
 * multi-label data: iterative stratification (Sechidis et al. 2011) over all labels, fold 0 of
 * round(1 / valFraction) for validation; otherwise stratified on the (first) label. Seeded, deterministic.
 */
export function splitDataset(data: Dataset, cfg: { data: DatasetConfig; seed: number; valFraction: number; valSplit?: string }): Split {
  if (cfg.data.kind === 'ptbxl' && cfg.data.folds) return foldSplit(data, cfg.data.folds);
  if (cfg.data.kind === 'cpsc2018' && cfg.data.perClassSplit) return { kind: 'per-class', ...perClassSplit(data.labels, data.classes, cfg.data.perClassSplit, cfg.seed) };
  if (cfg.valSplit) return fileSplit(data, cfg.valSplit);
  if (data.task === 'multi-label' && cfg.data.kind !== 'ptbxl') {
    const k = Math.max(2, Math.round(1 / cfg.valFraction));
    if (data.ids.length < k) throw new ConfigError(`/train/valFraction ${cfg.valFraction} deals the records into ${k} folds, but ${data.name} has only ${data.ids.length} records`);
    const labels = data.targets.map((t) => Array.from(t).flatMap((v, c) => (v > 0 ? [c] : [])));
    const folds = iterativeStratification(labels, k, cfg.seed);
    const train: number[] = [];
    const val: number[] = [];
    folds.forEach((f, i) => (f === 0 ? val : train).push(i));
    return { kind: 'iterative-stratification', train, val };
  }
  const { train, test } = stratifiedSplit(data.labels, cfg.valFraction, cfg.seed);
  return { kind: 'stratified', train, val: test };
}

/** Record positions of the train and val strat_folds; an empty side is an error naming the folds. */
function foldSplit(data: Dataset, folds: PtbxlFolds): Split {
  if (!data.folds) throw new ConfigError(`/data/folds: ${data.name} has no strat_fold column`);
  const train: number[] = [];
  const val: number[] = [];
  data.folds.forEach((f, i) => {
    if (folds.train.includes(f)) train.push(i);
    else if (folds.val.includes(f)) val.push(i);
  });
  for (const [part, idx] of [['train', train], ['val', val]] as const) {
    if (idx.length === 0) throw new ConfigError(`/data/folds/${part}: no ${data.name} records in strat_fold ${folds[part].join(', ')}`);
  }
  return { kind: 'strat_fold', train, val };
}

/** Validation = the ids listed in `file` (one per line; `#` starts a comment line), training = the rest; an id the dataset lacks is an error. */
function fileSplit(data: Dataset, file: string): Split {
  if (!existsSync(file)) throw new ConfigError(`/train/valSplit: ${file} not found`);
  const wanted = new Set(readIdList(file));
  const index = new Map(data.ids.map((id, i) => [id, i]));
  const missing = [...wanted].filter((id) => !index.has(id));
  if (missing.length > 0) throw new ConfigError(`${file}: lists ${missing.length} record${missing.length > 1 ? 's' : ''} not in ${data.name}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  if (wanted.size === 0 || wanted.size === data.ids.length) throw new ConfigError(`${file}: must list some but not all of the ${data.ids.length} records`);
  const val = [...wanted].map((id) => index.get(id)!).sort((a, b) => a - b);
  const train = data.ids.flatMap((id, i) => (wanted.has(id) ? [] : [i]));
  return { kind: 'file', train, val };
}

/**
 * Ma & Liang's CPSC 2018 split: for each class (in class order), its records in a seeded shuffle
 * (`Rng.derive(seed, class)`); the first `val` validate, the next `test` are held out, the rest train. Every
 * class must keep at least one training record. Positions are returned ascending.
 *
 * @example perClassSplit(labels, CPSC2018_CLASSES, { val: 5, test: 50 }, 1); // 45 val, 450 test, the rest train
 */
export function perClassSplit(labels: readonly number[], classes: readonly string[], counts: { val: number; test: number }, seed: number): { train: number[]; val: number[]; test: number[] } {
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  classes.forEach((name, c) => {
    const members = labels.flatMap((l, i) => (l === c ? [i] : []));
    if (members.length < counts.val + counts.test + 1) {
      throw new ConfigError(`/data/perClassSplit: class ${name} has ${members.length} record${members.length === 1 ? '' : 's'}, needs at least ${counts.val + counts.test + 1} (val ${counts.val} + test ${counts.test} + 1 to train)`);
    }
    const order = Rng.derive(seed, c).shuffle(members);
    val.push(...order.slice(0, counts.val));
    test.push(...order.slice(counts.val, counts.val + counts.test));
    train.push(...order.slice(counts.val + counts.test));
  });
  const up = (a: number[]) => a.sort((x, y) => x - y);
  return { train: up(train), val: up(val), test: up(test) };
}
