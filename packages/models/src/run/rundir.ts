import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { safetensors } from '@ecglab/engine';
import { RunError } from '../errors.js';
import type { RunConfig } from '../config/types.js';
import { buildModel, type Classifier } from '../models/index.js';
import { writeJsonAtomic } from './atomic.js';

/**
 * A run directory:
 *   config.json                   the resolved config (defaults filled in)
 *   log.jsonl                     one JSON object per epoch
 *   checkpoint.json + checkpoint-<epoch>.safetensors   the last epoch's full state (for --resume)
 *   model.safetensors             the best epoch's weights; metadata `ecglab` = { config, classes, task, leads, fs }
 *   metrics.json                  final validation metrics of the best model, with a bootstrap CI
 */
export const RUN_FILES = { config: 'config.json', log: 'log.jsonl', model: 'model.safetensors', metrics: 'metrics.json' } as const;

/** What a model file says about itself, stored in its safetensors metadata. */
export interface ModelInfo {
  config: RunConfig;
  classes: string[];
  task: 'single-label' | 'multi-label';
  leads: number;
  fs: number;
  /** Names of the dataset's leads that `config.input.leads` indexes (datasets read with lead matching by name). */
  leadNames?: string[];
}

/** Creates (or, with `resume`, checks) a run directory for `cfg`. */
export function prepareRunDir(dir: string, cfg: RunConfig, resume: boolean): void {
  const cfgPath = join(dir, RUN_FILES.config);
  if (resume) {
    if (!existsSync(cfgPath)) throw new RunError(`${dir}: no run to resume (config.json is missing); start it without --resume`);
    const stored = JSON.parse(readFileSync(cfgPath, 'utf8')) as RunConfig;
    const diff = firstDifference(stored, cfg, '');
    if (diff !== null) throw new RunError(`${cfgPath}: the run was started with a different config (${diff}); resume with the same config or start a new --out`);
    return;
  }
  if (existsSync(cfgPath)) throw new RunError(`${dir}: already holds a run; pass --resume to continue it or choose another --out`);
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(cfgPath, cfg);
}

/** Reads the config a run was started with (for `--resume` without `--config`). */
export function readRunConfig(dir: string): RunConfig {
  const cfgPath = join(dir, RUN_FILES.config);
  if (!existsSync(cfgPath)) throw new RunError(`${dir}: not a run directory (config.json is missing)`);
  return JSON.parse(readFileSync(cfgPath, 'utf8')) as RunConfig;
}

function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return JSON.stringify(a) === JSON.stringify(b) ? null : `${path || '/'}: ${JSON.stringify(a)} then, ${JSON.stringify(b)} now`;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`);
    if (d !== null) return d;
  }
  return null;
}

/** Loads a trained model from a run directory (or a model.safetensors file), in eval mode. */
export function loadModel(runOrFile: string): { model: Classifier; info: ModelInfo } {
  const file = runOrFile.endsWith('.safetensors') ? runOrFile : join(runOrFile, RUN_FILES.model);
  if (!existsSync(file)) throw new RunError(`${file}: no trained model here (training writes it after the first epoch)`);
  const { tensors, metadata } = safetensors.load(file);
  const raw = metadata?.ecglab;
  if (typeof raw !== 'string') throw new RunError(`${file}: missing 'ecglab' metadata (not written by ecglab train?)`);
  const info = JSON.parse(raw) as ModelInfo;
  info.task ??= 'single-label'; // models written before multi-label support were all single-label
  const model = buildModel(info.config.model, info.leads, info.classes.length, info.fs, info.config.input.kind === 'max-abs' ? 'max-abs' : 'z-score');
  try {
    model.loadStateDict(tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  model.eval();
  return { model, info };
}
