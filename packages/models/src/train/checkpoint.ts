import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { optim, safetensors, type nn, type Tensor } from '@ecglab/engine';
import { fileError } from '@ecglab/data';
import { RunError } from '../errors.js';
import type { EpochTiming } from './log.js';
import { RUN_FILES, writeJsonAtomic } from './run-dir.js';

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface TrainState {
  /** The epoch in progress (or next to run), 0-based. */
  epoch: number;
  /** Batches of `epoch` already trained: a checkpoint taken mid-epoch resumes at the next batch. */
  batchInEpoch: number;
  /** Optimiser steps taken. */
  step: number;
  best: number;
  bestEpoch: number;
  /** Epochs since `best` improved (early stopping). */
  badEpochs: number;
  /** Sums over the epoch so far, for its log line (mid-epoch checkpoints keep them). */
  lossSum: number;
  logSums: Record<string, number>;
  trainSeconds: number;
  /** The epoch's time by phase so far (absent in checkpoints written before it existed). */
  timing?: EpochTiming;
}

const FORMAT = 'ecglab-checkpoint-2';

interface CheckpointFile {
  format: typeof FORMAT;
  tensors: string;
  state: TrainState;
  scheduler: optim.lrScheduler.SchedulerState;
}

export const CHECKPOINT_JSON = RUN_FILES.checkpoint;

/**
 * Writes a checkpoint in two atomic steps: the tensors (model `model.*`, optimiser state through the engine's
 * `flattenState`) to a new `checkpoint-<step>.safetensors`, then `checkpoint.json`, which names that file and
 * holds the scalar state. The JSON's rename is the commit point: a process killed at any moment leaves the
 * previous checkpoint intact. Older tensor files are then removed.
 */
export function saveCheckpoint(dir: string, model: nn.Module, opt: optim.Optimizer, scheduler: optim.lrScheduler.LRScheduler, state: TrainState): void {
  const tensorsFile = `checkpoint-${state.step}.safetensors`;
  const tensors = new Map<string, Tensor>();
  for (const [k, v] of model.stateDict()) tensors.set(`model.${k}`, v);
  const flat = optim.flattenState(opt.stateDict());
  for (const [k, v] of flat.tensors) tensors.set(k, v);
  try {
    safetensors.save(join(dir, tensorsFile), tensors, { format: FORMAT, ...flat.metadata });
  } catch (err) {
    throw fileError(err, join(dir, tensorsFile), 'write');
  }
  const file: CheckpointFile = { format: FORMAT, tensors: tensorsFile, state, scheduler: scheduler.stateDict() };
  writeJsonAtomic(join(dir, CHECKPOINT_JSON), file);
  for (const f of readdirSync(dir)) {
    if (/^checkpoint-\d+\.safetensors$/.test(f) && f !== tensorsFile) unlinkSync(join(dir, f));
  }
}

/** Restores model, optimiser and schedule from `dir`'s checkpoint and returns the train state, or null if there is none. */
export function loadCheckpoint(dir: string, model: nn.Module, opt: optim.Optimizer, scheduler: optim.lrScheduler.LRScheduler): TrainState | null {
  const jsonPath = join(dir, CHECKPOINT_JSON);
  if (!existsSync(jsonPath)) return null;
  let file: CheckpointFile;
  try {
    file = JSON.parse(readFileSync(jsonPath, 'utf8')) as CheckpointFile;
  } catch (err) {
    throw new RunError(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  if (file.format !== FORMAT) throw new RunError(`${jsonPath}: checkpoint format '${String(file.format)}', this ecglab reads '${FORMAT}'; start the run again`);
  const tensorsPath = join(dir, file.tensors);
  if (!existsSync(tensorsPath)) throw new RunError(`${jsonPath}: names ${file.tensors}, which is missing`);
  const { tensors, metadata } = safetensors.load(tensorsPath);
  try {
    const modelState = new Map<string, Tensor>();
    for (const [k, v] of tensors) if (k.startsWith('model.')) modelState.set(k.slice(6), v);
    model.loadStateDict(modelState);
    opt.loadStateDict(optim.unflattenState(tensors, metadata ?? null));
    scheduler.loadStateDict(file.scheduler);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return file.state;
}
