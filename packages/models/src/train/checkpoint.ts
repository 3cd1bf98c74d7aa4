import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { safetensors, type nn, type optim, type Tensor } from '@ecglab/engine';
import { RunError } from '../errors.js';
import { writeJsonAtomic } from '../run/atomic.js';

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface TrainState {
  /** Epochs completed; the next epoch to run. */
  epoch: number;
  /** Optimiser steps taken. */
  step: number;
  /** State of the JS PRNG (sampling order, shifts, crops) at the start of epoch `epoch`. */
  rngState: number;
  /** Position inside epoch `epoch`'s order (0: checkpoints are taken at epoch ends). */
  samplerPosition: number;
  best: number;
  bestEpoch: number;
  /** Epochs since `best` improved (early stopping). */
  badEpochs: number;
}

interface CheckpointFile {
  format: 'ecglab-checkpoint-1';
  tensors: string;
  state: TrainState;
  optimizer: { paramGroups: unknown[]; scalars: Record<string, Record<string, number>> };
}

export const CHECKPOINT_JSON = 'checkpoint.json';

/**
 * Writes a checkpoint in two atomic steps: the tensors (model `model.*`, optimiser state
 * `optim.<param>.<key>`) to a new `checkpoint-<epoch>.safetensors`, then `checkpoint.json`, which
 * names that file and holds the scalar state. The JSON's rename is the commit point: a process
 * killed at any moment leaves the previous checkpoint intact. Older tensor files are then removed.
 */
export function saveCheckpoint(dir: string, model: nn.Module, opt: optim.Optimizer, state: TrainState): void {
  const tensorsFile = `checkpoint-${state.epoch}.safetensors`;
  const tensors = new Map<string, Tensor>();
  for (const [k, v] of model.stateDict()) tensors.set(`model.${k}`, v);
  const sd = opt.stateDict();
  const scalars: Record<string, Record<string, number>> = {};
  for (const [i, s] of sd.state) {
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === 'number') (scalars[i] ??= {})[k] = v;
      else tensors.set(`optim.${i}.${k}`, v);
    }
  }
  safetensors.save(join(dir, tensorsFile), tensors, { format: 'ecglab-checkpoint-1' });
  const file: CheckpointFile = { format: 'ecglab-checkpoint-1', tensors: tensorsFile, state, optimizer: { paramGroups: sd.paramGroups, scalars } };
  writeJsonAtomic(join(dir, CHECKPOINT_JSON), file);
  for (const f of readdirSync(dir)) {
    if (/^checkpoint-\d+\.safetensors$/.test(f) && f !== tensorsFile) unlinkSync(join(dir, f));
  }
}

/** Restores model and optimiser from `dir`'s checkpoint and returns the train state, or null if there is none. */
export function loadCheckpoint(dir: string, model: nn.Module, opt: optim.Optimizer): TrainState | null {
  const jsonPath = join(dir, CHECKPOINT_JSON);
  if (!existsSync(jsonPath)) return null;
  let file: CheckpointFile;
  try {
    file = JSON.parse(readFileSync(jsonPath, 'utf8')) as CheckpointFile;
  } catch (err) {
    throw new RunError(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  if (file.format !== 'ecglab-checkpoint-1') throw new RunError(`${jsonPath}: unknown checkpoint format '${String(file.format)}'`);
  const tensorsPath = join(dir, file.tensors);
  if (!existsSync(tensorsPath)) throw new RunError(`${jsonPath}: names ${file.tensors}, which is missing`);
  const { tensors } = safetensors.load(tensorsPath);
  try {
    const modelState = new Map<string, Tensor>();
    const optState = new Map<number, Record<string, Tensor | number>>();
    for (const [k, v] of tensors) {
      if (k.startsWith('model.')) modelState.set(k.slice(6), v);
      else if (k.startsWith('optim.')) {
        const [, i, key] = /^optim\.(\d+)\.(.+)$/.exec(k) ?? [];
        if (i === undefined || key === undefined) throw new RunError(`${tensorsPath}: unexpected tensor '${k}'`);
        const s = optState.get(Number(i)) ?? {};
        s[key] = v;
        optState.set(Number(i), s);
      }
    }
    for (const [i, s] of Object.entries(file.optimizer.scalars)) {
      const st = optState.get(Number(i)) ?? {};
      Object.assign(st, s);
      optState.set(Number(i), st);
    }
    model.loadStateDict(modelState);
    opt.loadStateDict({ state: optState as Map<number, optim.ParamState>, paramGroups: file.optimizer.paramGroups as optim.OptimizerStateDict['paramGroups'] });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return file.state;
}
