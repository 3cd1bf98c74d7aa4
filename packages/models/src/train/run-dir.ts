import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@ecglab/data';
import { RunError } from '../errors.js';
import type { RunConfig } from '../config/types.js';
import { MODEL_FILE } from '../inference/model-file.js';

/**
 * A run directory:
 *   config.json                   the resolved config (defaults filled in)
 *   log.jsonl                     one JSON object per epoch
 *   checkpoint.json + checkpoint-<step>.safetensors   the latest full training state (for --resume)
 *   model.safetensors             the best epoch's weights with its inference spec (see inference/spec.ts)
 *   metrics.json                  final validation metrics of the best model, with a bootstrap CI
 *   curves.png                    training curves (loss, monitored metric, learning rate by epoch), written at the end
 *   test-split.txt                the held-out test records' ids, when the split makes them (CPSC 2018 perClassSplit)
 */
export const RUN_FILES = { config: 'config.json', log: 'log.jsonl', model: MODEL_FILE, metrics: 'metrics.json', testSplit: 'test-split.txt' } as const;

/** Writes pretty-printed JSON atomically (a reader, or a run resumed after `kill -9`, sees the old file or the new one). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomicSync(path, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'));
}

/** Creates (or, with `resume`, checks) a run directory for `cfg`. */
export function prepareRunDir(dir: string, cfg: RunConfig, resume: boolean): void {
  const cfgPath = join(dir, RUN_FILES.config);
  if (resume) {
    const stored = readRunConfig(dir);
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
  if (!existsSync(cfgPath)) throw new RunError(`${dir}: no run to resume (config.json is missing); start it without --resume`);
  try {
    return JSON.parse(readFileSync(cfgPath, 'utf8')) as RunConfig;
  } catch (err) {
    throw new RunError(`${cfgPath}: not valid JSON (${(err as Error).message})`);
  }
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
