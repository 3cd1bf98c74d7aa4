import { join } from 'node:path';
import { assertFinite, autocast, fromArray, getNumThreads, manualSeed, optim, setNumThreads, tidy, watchLiveTensors, type Tensor } from '@ecglab/engine';
import { InputPipeline, lossClassWeights, Rng, writeFileAtomicSync, type Batch } from '@ecglab/data';
import type { RunConfig } from '../config/types.js';
import { openDataset, type Dataset } from '../datasets/dataset.js';
import { splitDataset, type Split } from '../datasets/split.js';
import { ConfigError } from '../errors.js';
import { saveModel } from '../inference/model-file.js';
import { Predictor } from '../inference/predictor.js';
import { normOf, SPEC_FORMAT, SPEC_VERSION, withoutPath, type InferenceSpec } from '../inference/spec.js';
import { bootstrapMetric, evaluate, metricValue, type EvalMetrics } from '../metrics/evaluate.js';
import { buildModel, type Classifier } from '../models/index.js';
import { buildObjective, type Objective, type StepContext } from '../objectives/index.js';
import { writeTrainingCurves } from '../report/plots.js';
import { trainPipelineOptions } from '../pipeline/for-model.js';
import { toTensorBatch } from '../pipeline/to-tensors.js';
import { loadCheckpoint, saveCheckpoint, type TrainState } from './checkpoint.js';
import { classWeightOf, joinRanks } from './distributed.js';
import { JsonLinesLog, type EpochRecord, type EpochTiming } from './log.js';
import { createProgress, type Progress } from './progress.js';
import { RunDir, RUN_FILES, writeJsonAtomic } from './run-dir.js';
import { buildSchedule } from './schedule.js';
import { pageExtras } from '../vizecg/page-extras.js';
import { PageRenderer } from '../vizecg/page-renderer.js';

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
  /** An objective given in code, instead of the config's `train.objective` (a user's own loss). */
  objective?: Objective;
  /** Warn when the live tensor count grows across steps (default: ECGLAB_DEBUG_TENSORS=1). */
  debugTensors?: boolean;
}

export interface TrainResult {
  runDir: string;
  epochsRun: number;
  bestEpoch: number;
  /** Validation metrics of the best epoch's model. */
  metrics: EvalMetrics & { ci: { metric: string; lower: number; upper: number; level: number; iterations: number } };
}

/**
 * Trains the model a config describes and writes a run directory (see run-dir.ts). The loop is short on
 * purpose: per batch of the input pipeline, the objective's loss (cross-entropy by default, a defence, or
 * `opts.objective`), a finiteness check, backward, gradient clipping, an optimiser step and a scheduler step,
 * all in one tidy scope. Around it: validation through a Predictor over the live model, the JSON-lines log,
 * the best model (weights + inference spec), atomic checkpoints (at epoch ends and every
 * `train.checkpointMinutes`) from which `resume` continues exactly, even mid-epoch, and early stopping.
 *
 * @example await train(loadRunConfig('configs/main-job.yaml'), { out: 'runs/main-job' });
 */
export async function train(cfg: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  const dir = opts.out;
  checkMonitor(cfg);
  // Alone, or one rank of a data-parallel group (distributed.ts): rank 0 alone holds the run directory's lock and writes it.
  const ranks = joinRanks();
  using run = ranks.writes ? RunDir.open(dir, cfg, opts.resume ?? false, opts.quiet ? undefined : (n) => process.stderr.write(`note: ${n}\n`)) : null;
  const threads = ranks.threads(cfg.threads);
  if (getNumThreads() !== threads) setNumThreads(threads);

  const folds = cfg.data.kind === 'ptbxl' ? cfg.data.folds : undefined;
  // With official folds only the train and val folds are read: the test folds never reach training.
  const data = await openDataset(cfg.data, { inputLeads: cfg.input.leads, seed: cfg.seed, folds: folds ? new Set([...folds.train, ...folds.val]) : null });
  const split = splitDataset(data, { data: cfg.data, seed: cfg.seed, valFraction: cfg.train.valFraction, ...(cfg.train.valSplit ? { valSplit: cfg.train.valSplit } : {}) });
  const spec = specFor(cfg, data);

  manualSeed(cfg.seed);
  const model = buildModel(cfg.model, data.conform.leads?.length ?? data.conform.leadIndices!.length, data.classes.length, data.conform.fs, spec.input.norm);
  const { epochs, batchSize } = cfg.train;
  // VizECGNet: each training batch carries its records' pages, drawn anew per epoch in worker threads (vizecg/).
  const renderer = cfg.pages ? new PageRenderer(cfg.pages.workers) : null;
  const pages = cfg.pages && renderer ? pageExtras({ pages: cfg.pages, renderer, variant: 'train' }) : null;
  const trainPipe = await InputPipeline.create(
    trainPipelineOptions(spec, model, data.source(split.train), cfg.seed, batchSize, { order: cfg.train.sampling, bucketByLength: cfg.train.bucketByLength, maxShiftSeconds: cfg.input.maxShiftSeconds },
      pages ? { extras: pages.extras } : {}),
  );
  const validator = Predictor.fromModel(model, spec, dir);
  const valPipe = await validator.pipeline(data.source(split.val));
  const valLabels = split.val.map((i) => data.labels[i]!);
  const valTargets = split.val.map((i) => Array.from(data.targets[i]!));

  const o = cfg.optimizer;
  const optArgs = { lr: o.lr, betas: o.betas, weightDecay: o.weightDecay };
  const opt = o.kind === 'adamw' ? new optim.AdamW(model.parameters(), optArgs) : new optim.Adam(model.parameters(), optArgs);
  const stepsPerEpoch = trainPipe.stepsPerEpoch();
  const scheduler = buildSchedule(opt, cfg.schedule, epochs * stepsPerEpoch, stepsPerEpoch, o.lr);
  const objective = opts.objective ?? buildObjective(cfg.train.objective);
  // Single-label: weights n/(K·n_c) in the cross-entropy. Multi-label: BCE's pos_weight = negatives/positives per class.
  const weights = cfg.train.classWeights === 'none' ? null : lossClassWeights(split.train.map((i) => data.targets[i]!), data.task);
  const weightTensor: Tensor | null = weights ? fromArray(Float32Array.from(weights), [weights.length]) : null;

  run?.begin(); // setup succeeded: the run exists from here on (a fresh start writes config.json)
  const log = ranks.writes ? new JsonLinesLog<EpochRecord>(join(dir, RUN_FILES.log)) : null;
  let state: TrainState = { epoch: 0, batchInEpoch: 0, step: 0, best: -Infinity, bestEpoch: -1, badEpochs: 0, lossSum: 0, logSums: {}, trainSeconds: 0 };
  if (opts.resume) {
    const restored = loadCheckpoint(dir, model, opt, scheduler);
    if (restored) state = restored;
    log?.truncateTo(state.epoch);
  }
  await ranks.start(model, classWeightOf(data.task, weights, trainPipe.targets));
  if (opts.resume) await ranks.resumed(state);

  const progress = opts.progress ?? createProgress({ quiet: (opts.quiet ?? false) || !ranks.writes });
  const checkLeaks = watchLiveTensors(`train ${cfg.name}`, opts.debugTensors === undefined ? {} : { enabled: opts.debugTensors });
  const stopped = () => cfg.train.patience > 0 && state.badEpochs >= cfg.train.patience;
  const checkpointMs = cfg.train.checkpointMinutes * 60_000;
  let lastCheckpoint = Date.now();

  // The next epoch's first batches are prepared during this epoch's validation (pages drawn in the worker),
  // so an epoch does not start by waiting for them; the order and content are the same either way.
  let upcoming: { epoch: number; batches: StartedEpoch } | null = null;
  try {
    while (state.epoch < epochs && !stopped()) {
      const epoch = state.epoch;
      const started = Date.now();
      model.train();
      progress.startEpoch(epoch, epochs, stepsPerEpoch);
      const timing: EpochTiming = state.timing ?? { data: 0, forward: 0, backward: 0, optimizer: 0, validation: 0, pageFaults: 0 };
      state.timing = timing;
      // Time the loop waits for its next batch (reading, windowing, pages): what the prefetch did not hide.
      let waitMs = 0;
      let asked = performance.now();
      const batches = upcoming?.epoch === epoch ? upcoming.batches : startEpoch(ranks.batches(trainPipe, epoch, state.batchInEpoch));
      upcoming = null;
      for await (const part of batches) {
        waitMs += performance.now() - asked;
        const t0 = Date.now();
        const faults0 = process.resourceUsage().minorPageFault;
        const step = await ranks.prepare(part);
        const ctx: StepContext = {
          task: data.task, classes: data.classes.length, epoch, epochs, step: state.step, stepsPerEpoch,
          rng: Rng.derive(cfg.seed, 0x0b7ec7, state.step), lr: scheduler.getLastLr()[0]!, scheduler, classWeights: weightTensor,
          ...(step.shard ? { shard: step.shard } : {}),
        };
        let mark = performance.now();
        const lap = (phase: 'data' | 'forward' | 'backward' | 'optimizer', since: number) => {
          mark = performance.now();
          timing[phase] += (mark - since) / 1000;
        };
        const own = tidy(() => {
          const tensors = toTensorBatch(step.batch, data.task);
          lap('data', asked);
          const r = cfg.train.precision === 'bf16' ? autocast('bfloat16', () => objective.compute(model, tensors, ctx)) : objective.compute(model, tensors, ctx);
          assertFinite(r.loss, `loss of objective '${objective.name}'`);
          lap('forward', mark);
          opt.zeroGrad();
          (step.lossScale === 1 ? r.loss : r.loss.mul(step.lossScale)).backward();
          return { loss: r.loss.item(), logs: r.logs ?? {} };
        });
        await ranks.averageGradients();
        lap('backward', mark);
        tidy(() => {
          if (cfg.train.gradClip > 0) optim.clipGradNorm(model.parameters(), cfg.train.gradClip);
          opt.step();
        });
        const { loss, logs } = await ranks.total(own.loss, own.logs, step);
        scheduler.step();
        lap('optimizer', mark);
        timing.pageFaults += process.resourceUsage().minorPageFault - faults0;
        checkLeaks();
        state.step++;
        state.batchInEpoch++;
        state.lossSum += loss;
        for (const [k, v] of Object.entries(logs)) state.logSums[k] = (state.logSums[k] ?? 0) + v;
        state.trainSeconds += (Date.now() - t0) / 1000;
        progress.step(state.batchInEpoch, state.lossSum / state.batchInEpoch);
        if (ranks.writes && checkpointMs > 0 && Date.now() - lastCheckpoint > checkpointMs && state.batchInEpoch < stepsPerEpoch) {
          saveCheckpoint(dir, model, opt, scheduler, state);
          lastCheckpoint = Date.now();
        }
        asked = performance.now();
      }
      if (epoch + 1 < epochs) upcoming = { epoch: epoch + 1, batches: startEpoch(ranks.batches(trainPipe, epoch + 1, 0)) };
      const valStarted = performance.now();
      const probs = await ranks.probabilities(validator, valPipe);
      timing.validation += (performance.now() - valStarted) / 1000;
      const val = evaluate(data.task, valLabels, valTargets, probs, data.classes);
      const score = monitorValue(cfg, val);
      // Epochs before train.selectFrom are neither kept nor bad. The first eligible epoch always saves, so a run
      // whose monitored metric is undefined on its validation split (AUROC of a class with no positives) still
      // leaves a model; later epochs must beat it.
      if (epoch >= cfg.train.selectFrom) {
        if (score > state.best || state.bestEpoch < 0) {
          state = { ...state, best: score, bestEpoch: epoch, badEpochs: 0 };
          if (ranks.writes) saveModel(join(dir, RUN_FILES.model), model, { ...spec, trained: { ...spec.trained!, epoch, time: new Date().toISOString() } }, { epoch: String(epoch) });
        } else state.badEpochs++;
      }
      const steps = Math.max(1, state.batchInEpoch);
      const record: EpochRecord = {
        epoch,
        step: state.step,
        lr: scheduler.getLastLr()[0]!,
        trainLoss: state.lossSum / steps,
        ...(Object.keys(state.logSums).length > 0 ? { trainLogs: Object.fromEntries(Object.entries(state.logSums).map(([k, v]) => [k, v / steps])) } : {}),
        valLoss: val.loss,
        val: pickNumbers(val),
        seconds: (Date.now() - started) / 1000,
        trainRecordsPerSecond: trainPipe.ids.length / Math.max(1e-9, state.trainSeconds),
        dataWaitSeconds: waitMs / 1000,
        timing,
        ...(pages && renderer ? { pages: { drawn: pages.stats.epochs[epoch]?.drawn ?? 0, renderSeconds: (pages.stats.epochs[epoch]?.renderMs ?? 0) / 1000, workers: renderer.workers } } : {}),
        time: new Date().toISOString(),
      };
      log?.append(record);
      state = { ...state, epoch: epoch + 1, batchInEpoch: 0, lossSum: 0, logSums: {}, trainSeconds: 0, timing: undefined };
      if (ranks.writes) saveCheckpoint(dir, model, opt, scheduler, state);
      lastCheckpoint = Date.now();
      progress.endEpoch(
        `epoch ${epoch + 1}/${epochs} loss ${record.trainLoss.toFixed(4)} val_loss ${val.loss.toFixed(4)} ${cfg.train.monitor} ${score.toFixed(4)}` +
          (state.bestEpoch < 0 ? ` (models kept from epoch ${cfg.train.selectFrom + 1})` : ` (best ${state.best.toFixed(4)} @ ${state.bestEpoch + 1})`) +
          ` ${record.seconds.toFixed(1)} s`,
      );
    }
  } finally {
    await upcoming?.batches.close();
    ranks.close();
    progress.stop();
    await renderer?.close();
    weightTensor?.dispose();
    opt.dispose();
    model.dispose();
  }
  const result = await ranks.result(() => finish(dir, cfg, data, split, valLabels, valTargets, state, opts.bootstrapIterations ?? 1000));
  // curves.png: loss, the monitored metric and the learning rate by epoch, from the log just completed.
  if (ranks.writes) writeTrainingCurves(dir, cfg.train.monitor);
  return result;
}

/** An epoch's batches whose preparation has started (the pipeline's prefetch running); iterate once, or close. */
interface StartedEpoch extends AsyncIterable<Batch> {
  close(): Promise<void>;
}

/** Starts preparing an epoch's batches (of this rank) now, to be iterated later. */
function startEpoch(batches: AsyncIterable<Batch>): StartedEpoch {
  const it = batches[Symbol.asyncIterator]();
  const first = it.next();
  first.catch(() => undefined); // a failure surfaces when the epoch is iterated
  return {
    async *[Symbol.asyncIterator]() {
      for (let r = await first; !r.done; r = await it.next()) yield r.value;
    },
    close: async () => {
      await first.catch(() => undefined);
      await it.return?.(undefined);
    },
  };
}

/** The inference spec of the model a config trains on a dataset (saved with the weights). */
function specFor(cfg: RunConfig, data: Dataset): InferenceSpec {
  const { leads, leadIndices, fs } = data.conform;
  return {
    format: SPEC_FORMAT,
    version: SPEC_VERSION,
    task: data.task,
    classes: data.classes,
    conform: { ...(leads ? { leads: [...leads] } : { leadIndices: [...leadIndices!] }), fs },
    input: { norm: normOf(cfg.input), maxSeconds: cfg.input.maxSeconds },
    model: cfg.model,
    ...(cfg.pages ? { pages: cfg.pages } : {}),
    threshold: 0.5,
    batchSize: cfg.train.batchSize,
    trained: { run: cfg.name, dataset: data.name, data: withoutPath(cfg.data), epoch: -1, monitor: cfg.train.monitor, seed: cfg.seed, time: '' },
  };
}

/** Evaluates the best model on the validation split and writes metrics.json. */
async function finish(dir: string, cfg: RunConfig, data: Dataset, split: Split, valLabels: number[], valTargets: number[][], state: TrainState, iterations: number): Promise<TrainResult> {
  const predictor = Predictor.load(dir);
  try {
    const probs = await predictor.probabilities(await predictor.pipeline(data.source(split.val)));
    const m = evaluate(data.task, valLabels, valTargets, probs, data.classes);
    const ci = bootstrapMetric(data.task, valLabels, valTargets, probs, data.classes, cfg.train.monitor, cfg.seed, iterations);
    const metrics = { ...m, ci: { metric: cfg.train.monitor, lower: ci.lower, upper: ci.upper, level: ci.level, iterations: ci.iterations } };
    writeJsonAtomic(join(dir, RUN_FILES.metrics), {
      dataset: data.name,
      split: split.kind === 'strat_fold' && cfg.data.kind === 'ptbxl'
        ? { kind: split.kind, folds: cfg.data.folds, val: split.val.map((i) => data.ids[i]) }
        : split.kind === 'file' ? { kind: split.kind, file: cfg.train.valSplit, val: split.val.map((i) => data.ids[i]) }
        : split.kind === 'per-class' && cfg.data.kind === 'cpsc2018'
          ? { kind: split.kind, perClassSplit: cfg.data.perClassSplit, seed: cfg.seed, val: split.val.map((i) => data.ids[i]), test: split.test!.map((i) => data.ids[i]), testFile: RUN_FILES.testSplit }
        : { kind: split.kind, valFraction: cfg.train.valFraction, seed: cfg.seed, val: split.val.map((i) => data.ids[i]) },
      bestEpoch: state.bestEpoch,
      epochsRun: state.epoch,
      classes: data.classes,
      ...metrics,
    });
    // The held-out records of a split that makes them, for `ecglab eval --data KIND:PATH:<run>/test-split.txt`.
    if (split.test) writeFileAtomicSync(join(dir, RUN_FILES.testSplit), Buffer.from(split.test.map((i) => `${data.ids[i]}\n`).join(''), 'utf8'));
    return { runDir: dir, epochsRun: state.epoch, bestEpoch: state.bestEpoch, metrics };
  } finally {
    predictor.dispose();
  }
}

function checkMonitor(cfg: RunConfig): void {
  if (cfg.train.monitor === 'cinc2017F1' && cfg.data.kind !== 'cinc2017') {
    throw new ConfigError(`/train/monitor 'cinc2017F1' needs the CinC 2017 classes, but the dataset is ${cfg.data.kind}`);
  }
}

function monitorValue(cfg: RunConfig, m: EvalMetrics): number {
  const v = metricValue(m, cfg.train.monitor);
  return Number.isNaN(v) ? -Infinity : v;
}

function pickNumbers(m: EvalMetrics): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
}

export type { Classifier };
