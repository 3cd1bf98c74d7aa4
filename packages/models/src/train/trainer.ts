import { join } from 'node:path';
import { F, assertFinite, fromArray, getNumThreads, manualSeed, optim, safetensors, setNumThreads, tidy } from '@ecglab/engine';
import type { PtbxlFolds, RunConfig } from '../config/types.js';
import { isAdapterConfig, loadDataset, type Dataset } from '../data/datasets.js';
import { ConfigError } from '../errors.js';
import { buildModel, type Classifier } from '../models/index.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { JsonLinesLog, type EpochRecord } from '../run/log.js';
import { createProgress, type Progress } from '../run/progress.js';
import { loadModel, prepareRunDir, RUN_FILES, type ModelInfo } from '../run/rundir.js';
import { Mulberry32 } from '@ecglab/data';
import { makeBatch } from './batches.js';
import { loadCheckpoint, saveCheckpoint, type TrainState } from './checkpoint.js';
import { bootstrapMetric, evaluate, metricValue, predictProbs, type EvalMetrics } from './evaluate.js';
import { balancedClassWeights, bucketByLength, epochOrder, learningRate, multiLabelSplit, stratifiedSplit } from './sampling.js';

export interface TrainOptions {
  /** The run directory. */
  out: string;
  /** Continue the run in `out` from its last checkpoint. */
  resume?: boolean;
  /** No progress output. */
  quiet?: boolean;
  progress?: Progress;
  /** Iterations of the final bootstrap CI (default 1000). */
  bootstrapIterations?: number;
}

export interface TrainResult {
  runDir: string;
  epochsRun: number;
  bestEpoch: number;
  /** Validation metrics of the best epoch's model. */
  metrics: EvalMetrics & { ci: { metric: string; lower: number; upper: number; level: number; iterations: number } };
}

/**
 * Trains the model a config describes and writes a run directory (see run/rundir.ts). Each epoch:
 * a seeded order of the training split (shuffled or class-balanced), per step the learning rate of
 * the warm-up/cosine schedule, class-weighted cross-entropy, a finiteness check of the loss,
 * gradient clipping and an Adam/AdamW step; then validation, the JSON-lines log, the best model,
 * an atomic checkpoint, and early stopping on `train.monitor`.
 *
 * @example await train(loadRunConfig('configs/main-job.yaml'), { out: 'runs/main-job' });
 */
export async function train(cfg: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  const dir = opts.out;
  prepareRunDir(dir, cfg, opts.resume ?? false);
  if (getNumThreads() !== cfg.threads) setNumThreads(cfg.threads);

  const folds = cfg.data.kind === 'ptbxl' ? cfg.data.folds : undefined;
  // With official folds only the train and val folds are read: the test folds never reach training.
  const data = await loadDataset(cfg.data, cfg.seed, null, folds ? new Set([...folds.train, ...folds.val]) : null);
  checkMonitor(cfg, data);
  const labels = data.records.map((r) => r.label);
  // Multi-label data of the adapter-backed kinds: iterative stratification over all labels; otherwise
  // stratified on the (first) label, as before, so existing runs keep their split.
  const split =
    folds ? foldSplit(data, folds)
    : isAdapterConfig(cfg.data) && data.task === 'multi-label' ? multiLabelSplit(data.records.map((r) => r.targets), cfg.train.valFraction, cfg.seed)
    : stratifiedSplit(labels, cfg.train.valFraction, cfg.seed);
  const fs = data.records[0]!.fs;
  const leads = cfg.input.leads.length;
  const info: ModelInfo = { config: cfg, classes: data.classes, task: data.task, leads, fs, ...(data.leads ? { leadNames: data.leads } : {}) };

  manualSeed(cfg.seed);
  const model = buildModel(cfg.model, leads, data.classes.length, fs, cfg.input.kind === 'max-abs' ? 'max-abs' : 'z-score');
  const o = cfg.optimizer;
  const optArgs = { lr: o.lr, betas: o.betas, weightDecay: o.weightDecay };
  const opt = o.kind === 'adamw' ? new optim.AdamW(model.parameters(), optArgs) : new optim.Adam(model.parameters(), optArgs);
  const task = data.task;
  const k = data.classes.length;
  // Single-label: weights n/(K·n_c) in the cross-entropy. Multi-label: BCE's pos_weight = negatives/positives per class.
  const weights =
    cfg.train.classWeights === 'none' ? null
    : task === 'single-label' ? balancedClassWeights(split.train.map((i) => labels[i]!), k)
    : positiveWeights(split.train.map((i) => data.records[i]!.targets), k);

  const log = new JsonLinesLog<EpochRecord>(join(dir, RUN_FILES.log));
  let state: TrainState = { epoch: 0, step: 0, rngState: new Mulberry32(cfg.seed ^ 0x5eed).state, samplerPosition: 0, best: -Infinity, bestEpoch: -1, badEpochs: 0 };
  if (opts.resume) {
    const restored = loadCheckpoint(dir, model, opt);
    if (restored) state = restored;
    log.truncateTo(state.epoch);
  }

  const progress = opts.progress ?? createProgress({ quiet: opts.quiet ?? false });
  const { epochs, batchSize } = cfg.train;
  const rng = new Mulberry32(0);
  const valRecords = split.val.map((i) => data.records[i]!);
  const lengths = data.records.map((r) => r.signal[0]!.length);
  const valLabels = split.val.map((i) => labels[i]!);
  const valTargets = split.val.map((i) => Array.from(data.records[i]!.targets));
  const stopped = () => cfg.train.patience > 0 && state.badEpochs >= cfg.train.patience;
  const weightTensor = weights ? fromArray(Float32Array.from(weights), [weights.length]) : null;

  try {
    while (state.epoch < epochs && !stopped()) {
      const epoch = state.epoch;
      const started = Date.now();
      rng.state = state.rngState;
      let order = epochOrder(split.train, labels, cfg.train.sampling, rng);
      if (cfg.train.bucketByLength) order = bucketByLength(order, lengths, batchSize, rng);
      const steps = Math.ceil(order.length / batchSize);
      model.train();
      progress.startEpoch(epoch, epochs, steps);
      let lossSum = 0;
      for (let b = 0; b < steps; b++) {
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const lr = learningRate(cfg.schedule, o.lr, epochs, epoch + b / steps);
        for (const g of opt.paramGroups) g.lr = lr;
        const loss = tidy(() => {
          const { x, mask } = makeBatch(idx.map((i) => data.records[i]!), cfg.input, model, rng);
          const logits = model.call(x, mask); // [B, K]
          let l;
          if (task === 'single-label') {
            const target = fromArray(BigInt64Array.from(idx, (i) => BigInt(labels[i]!)), [idx.length]);
            l = F.crossEntropy(logits, target, weightTensor ? { weight: weightTensor } : {});
          } else {
            const target = fromArray(concat(idx.map((i) => data.records[i]!.targets)), [idx.length, k]);
            l = F.binaryCrossEntropyWithLogits(logits, target, weightTensor ? { posWeight: weightTensor } : {});
          }
          assertFinite(l, 'loss');
          opt.zeroGrad();
          l.backward();
          if (cfg.train.gradClip > 0) optim.clipGradNorm(model.parameters(), cfg.train.gradClip);
          opt.step();
          return l.item();
        });
        state.step++;
        lossSum += loss;
        progress.step(b + 1, lossSum / (b + 1));
      }
      const trainSeconds = (Date.now() - started) / 1000;
      const val = evaluate(task, valLabels, valTargets, predictProbs(model, valRecords, cfg.input, batchSize, task), data.classes);
      const score = monitorValue(cfg, val);
      // The first epoch always saves, so a run whose monitored metric is undefined on its validation
      // split (AUROC of a class with no positives) still leaves a model; later epochs must beat it.
      if (score > state.best || state.bestEpoch < 0) {
        state.best = score;
        state.bestEpoch = epoch;
        state.badEpochs = 0;
        safetensors.save(join(dir, RUN_FILES.model), model.stateDict(), { ecglab: JSON.stringify(info), epoch: String(epoch) });
      } else state.badEpochs++;
      const record: EpochRecord = {
        epoch,
        step: state.step,
        lr: learningRate(cfg.schedule, o.lr, epochs, epoch + 1),
        trainLoss: lossSum / steps,
        valLoss: val.loss,
        val: pickNumbers(val),
        seconds: (Date.now() - started) / 1000,
        trainRecordsPerSecond: order.length / trainSeconds,
        time: new Date().toISOString(),
      };
      log.append(record);
      state = { ...state, epoch: epoch + 1, rngState: rng.state, samplerPosition: 0 };
      saveCheckpoint(dir, model, opt, state);
      progress.endEpoch(
        `epoch ${epoch + 1}/${epochs} loss ${record.trainLoss.toFixed(4)} val_loss ${val.loss.toFixed(4)} ${cfg.train.monitor} ${score.toFixed(4)}` +
          ` (best ${state.best.toFixed(4)} @ ${state.bestEpoch + 1}) ${record.seconds.toFixed(1)} s`,
      );
    }
  } finally {
    progress.stop();
    weightTensor?.dispose();
    opt.dispose();
    model.dispose();
  }
  return finish(dir, cfg, data, valLabels, valTargets, valRecords, state, opts.bootstrapIterations ?? 1000);
}

/** Evaluates the best model on the validation split and writes metrics.json. */
function finish(
  dir: string, cfg: RunConfig, data: Dataset, valLabels: number[], valTargets: number[][], valRecords: Dataset['records'], state: TrainState, iterations: number,
): TrainResult {
  const { model } = loadModel(dir);
  try {
    const probs = predictProbs(model, valRecords, cfg.input, cfg.train.batchSize, data.task);
    const m = evaluate(data.task, valLabels, valTargets, probs, data.classes);
    const ci = bootstrapMetric(data.task, valLabels, valTargets, probs, data.classes, cfg.train.monitor, cfg.seed, iterations);
    const metrics = { ...m, ci: { metric: cfg.train.monitor, lower: ci.lower, upper: ci.upper, level: ci.level, iterations: ci.iterations } };
    writeJsonAtomic(join(dir, RUN_FILES.metrics), {
      dataset: data.name,
      split:
        cfg.data.kind === 'ptbxl' && cfg.data.folds
          ? { kind: 'strat_fold', folds: cfg.data.folds, val: valRecords.map((r) => r.id) }
          : { kind: 'stratified', valFraction: cfg.train.valFraction, seed: cfg.seed, val: valRecords.map((r) => r.id) },
      bestEpoch: state.bestEpoch,
      epochsRun: state.epoch,
      classes: data.classes,
      ...metrics,
    });
    return { runDir: dir, epochsRun: state.epoch, bestEpoch: state.bestEpoch, metrics };
  } finally {
    model.dispose();
  }
}

/** Record indices of the train and val strat_folds; an empty side is an error naming the folds. */
function foldSplit(data: Dataset, folds: PtbxlFolds): { train: number[]; val: number[] } {
  const train: number[] = [];
  const val: number[] = [];
  data.records.forEach((r, i) => {
    if (r.fold === undefined) throw new ConfigError(`/data/folds: record ${r.id} of ${data.name} has no strat_fold`);
    if (folds.train.includes(r.fold)) train.push(i);
    else if (folds.val.includes(r.fold)) val.push(i);
  });
  for (const [part, idx] of [['train', train], ['val', val]] as const) {
    if (idx.length === 0) throw new ConfigError(`/data/folds/${part}: no ${data.name} records in strat_fold ${folds[part].join(', ')}`);
  }
  return { train, val };
}

function checkMonitor(cfg: RunConfig, data: Dataset): void {
  if (cfg.train.monitor === 'cinc2017F1' && data.name !== 'cinc2017') {
    throw new ConfigError(`/train/monitor 'cinc2017F1' needs the CinC 2017 classes, but the dataset is ${data.name}`);
  }
}

function monitorValue(cfg: RunConfig, m: EvalMetrics): number {
  const v = metricValue(m, cfg.train.monitor);
  return Number.isNaN(v) ? -Infinity : v;
}

/** BCE pos_weight per class: negatives / positives over the training targets (1 when a class has none). */
function positiveWeights(targets: Float32Array[], k: number): number[] {
  const pos = new Array<number>(k).fill(0);
  for (const t of targets) for (let c = 0; c < k; c++) pos[c]! += t[c]!;
  return pos.map((p) => (p === 0 ? 1 : (targets.length - p) / p));
}

function concat(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((a, r) => a + r.length, 0));
  let off = 0;
  for (const r of rows) {
    out.set(r, off);
    off += r.length;
  }
  return out;
}

function pickNumbers(m: EvalMetrics): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
}

export type { Classifier };
