import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { noGrad, tidy, type Tensor } from '@ecglab/engine';
import { loadNstdbNoise, Rng, type InputPipeline, type NoiseRecord } from '@ecglab/data';
import { ArgumentError, DataSpecError } from '../errors.js';
import { parseDatasetSpec, type DatasetSpec } from '../datasets/spec.js';
import { openEvalDataset } from '../inference/evaluate.js';
import { Predictor } from '../inference/predictor.js';
import { bootstrapMetric, evaluate } from '../metrics/evaluate.js';
import { EcgClassifier } from '../models/classifier.js';
import { toTensorBatch } from '../pipeline/to-tensors.js';
import { attack, defaultRange } from '../robustness/attack.js';
import type { AttackConfig } from '../robustness/attack-config.js';
import { robustnessAuc } from '../robustness/auc.js';
import { nstdbNoise, uniformNoise } from '../robustness/noise.js';
import { summarizeAttack } from '../robustness/summary.js';
import type { Task } from '../task.js';

/** The scores tabulated for every condition (clean, each ε, each noise level). */
export interface Scores {
  /** Single-label: accuracy; multi-label: exact-match ratio at the model's threshold. */
  accuracy: number;
  /** Mean per-class recall (single-label only). */
  balancedAccuracy?: number;
  macroF1: number;
  /** Mean of the N, A and O F1s (CinC 2017 classes only). */
  cinc2017F1?: number;
}

/** An attack in the report: any attack config of the robustness module, its ε given per level. */
export type ReportAttack = AttackConfig extends infer C ? (C extends AttackConfig ? Omit<C, 'eps'> : never) : never;

/** What to evaluate: the models, the data, and the attack and noise levels (each section optional). */
export interface RobustnessOptions {
  /** Dataset spec as `ecglab eval` takes it (`cinc2017:/data/training2017:val.txt`, `ptbxl100:/data/ptbxl:fold=10`). */
  data: string;
  /** Run directories or model files, each with an optional legend label (default: the run's folder name). */
  models: { path: string; label?: string }[];
  /**
   * Adversarial accuracy at each ε (model units). A multi-label model is attacked with the BCE loss and its
   * thresholded set, whatever `config.loss` says (the attack module's multi-label mode).
   */
  attack?: { config: ReportAttack; eps: number[] };
  /** Ma & Liang's uniform white noise `xn + level·U(−1, 1)` (model units); `masked: true` leaves the padding clean. */
  white?: { levels: number[]; masked?: boolean };
  /** MIT-BIH NSTDB noise (`bw`, `ma` records read from `dir`) at each SNR in dB. */
  nstdb?: { dir: string; kinds: ('bw' | 'ma')[]; snrs: number[] };
  /** Seeds every random draw (attack starts, noise): see {@link conditionRng}. Default 1. */
  seed?: number;
  /** Bootstrap resamples of the clean CIs (default 1000). */
  bootstrapIterations?: number;
  /** Called after every batch: work done and total (in samples × models, so the ETA follows the compute), and what runs. */
  onProgress?: (done: number, total: number, what: string) => void;
}

/** One model's results. Levels ascend as given; scores are over every record of the dataset. */
export interface ModelRobustness {
  label: string;
  model: string;
  /** `train.objective` of the run (read from its config.json), when the model is a run directory. */
  objective?: Record<string, unknown>;
  records: number;
  clean: Scores & { ci: Record<string, { lower: number; upper: number; level: number; iterations: number }> };
  attack?: {
    eps: number;
    scores: Scores;
    /** Fraction of records attacked (the ones the model gets right) and fooled (decision changed). */
    attacked: number;
    fooled: number;
    /** Mean over attacked records of the perturbation's largest |δ| and its L2 norm, in millivolts. */
    meanLinfMv: number;
    meanL2Mv: number;
  }[];
  white?: { level: number; scores: Scores }[];
  nstdb?: { noise: 'bw' | 'ma'; snr: number; scores: Scores }[];
  /** Ma & Liang's robustness AUC (trapezoid under score vs level from 0, divided by the largest level), per score. */
  auc: { attack?: Scores; white?: Scores };
  /** Wall seconds per section. */
  seconds: { clean: number; attack: number; white: number; nstdb: number };
}

export interface RobustnessReport {
  format: 'ecglab.robustness';
  version: 1;
  data: string;
  records: number;
  task: Task;
  classes: string[];
  seed: number;
  attack?: { config: ReportAttack; eps: number[] };
  white?: { levels: number[]; masked: boolean };
  nstdb?: { kinds: ('bw' | 'ma')[]; snrs: number[]; noise: string[] };
  models: ModelRobustness[];
  time: string;
}

/** Keys of the report's random streams, one per section. */
const SECTION_KEY = { attack: 1, white: 2, nstdb: 3 } as const;

/**
 * The random stream of one condition on one batch: `Rng.derive(seed, section, level, batch)` with section 1
 * (attack, level = index of ε), 2 (white noise, index of the level) or 3 (NSTDB, 1000·kind index + SNR index),
 * and `batch` the batch's number in the evaluation order. It does not depend on the model, so every model
 * meets the same noise draws and random starts.
 *
 * @example const r = attack(model, batch, { ...PGD_DEFAULTS, eps: 0.01 }, { rng: conditionRng(1, 'attack', 0, 0) });
 */
export function conditionRng(seed: number, section: keyof typeof SECTION_KEY, level: number, batch: number): Rng {
  return Rng.derive(seed, SECTION_KEY[section], level, batch);
}

/** The headline scores of a task's predictions. */
function scoresOf(task: Task, labels: number[], targets: number[][], probs: number[][], classes: string[]): Scores {
  const m = evaluate(task, labels, targets, probs, classes);
  return {
    accuracy: m.accuracy,
    ...(m.balancedAccuracy !== undefined ? { balancedAccuracy: m.balancedAccuracy } : {}),
    macroF1: m.macroF1,
    ...(m.cinc2017F1 !== undefined ? { cinc2017F1: m.cinc2017F1 } : {}),
  };
}

/** The AUC of each score over `levels` (prepended with 0 and the clean scores). */
function aucOf(clean: Scores, levels: number[], scores: Scores[]): Scores {
  const keys = Object.keys(clean) as (keyof Scores)[];
  return Object.fromEntries(keys.map((k) => [k, robustnessAuc([0, ...levels], [clean[k]!, ...scores.map((s) => s[k]!)])])) as unknown as Scores;
}

/** The run's `train.objective`, when `path` is a run directory with a config.json. */
function objectiveOf(path: string): Record<string, unknown> | undefined {
  const cfg = join(path, 'config.json');
  if (!existsSync(path) || !statSync(path).isDirectory() || !existsSync(cfg)) return undefined;
  try {
    return (JSON.parse(readFileSync(cfg, 'utf8')) as { train?: { objective?: Record<string, unknown> } }).train?.objective;
  } catch {
    return undefined;
  }
}

/** Levels of an AUC: positive (0, the clean input, is added) and ascending. */
function checkLevels(name: string, levels: number[]): void {
  if (levels.length === 0) throw new ArgumentError(`evaluateRobustness: '${name}' must list at least one level, got none`);
  levels.forEach((v, i) => {
    if (!Number.isFinite(v) || v <= 0) throw new ArgumentError(`evaluateRobustness: '${name}' must hold finite numbers > 0 (the clean input is level 0), got ${v}`);
    if (i > 0 && !(v > levels[i - 1]!)) throw new ArgumentError(`evaluateRobustness: '${name}' must ascend, got ${levels[i - 1]} then ${v}`);
  });
}

/** Per condition, probabilities `[N][K]` in the pipeline's record order, filled batch by batch. */
class Outputs {
  readonly rows: number[][][];
  constructor(conditions: number, records: number) {
    this.rows = Array.from({ length: conditions }, () => new Array<number[]>(records));
  }
  put(condition: number, indices: readonly number[], logits: Tensor, task: Task): void {
    const k = logits.shape[1] as number;
    const p = noGrad(() => tidy(() => (task === 'multi-label' ? logits.sigmoid() : logits.softmax(1)).float().toArray() as Float32Array));
    indices.forEach((i, j) => (this.rows[condition]![i] = Array.from(p.subarray(j * k, (j + 1) * k))));
  }
}

/**
 * Evaluates each model on a dataset, clean and under the configured attack and noise levels, streaming the
 * dataset batch by batch through the model's own Predictor pipeline (its leads, rate and scaling; records
 * read again, not cached, so memory stays flat): per batch `toTensorBatch`, the clean forward, the attack at
 * each ε, white noise at each level and NSTDB noise at each SNR, each in its own tidy scope. Every random draw
 * comes from {@link conditionRng}. Returns the report that {@link writeRobustnessReport} writes.
 *
 * @example
 * const report = await evaluateRobustness({ data: 'cinc2017:/data/training2017:val.txt', models: [{ path: 'runs/ce' }, { path: 'runs/advls' }],
 *   attack: { config: { ...PGD_DEFAULTS }, eps: [0.001, 0.01, 0.1] }, white: { levels: [...WHITE_NOISE_LEVELS] } });
 */
export async function evaluateRobustness(opts: RobustnessOptions): Promise<RobustnessReport> {
  if (opts.models.length === 0) throw new ArgumentError(`evaluateRobustness: 'models' must name at least one model, got none`);
  if (opts.attack) checkLevels('attack.eps', opts.attack.eps);
  if (opts.white) checkLevels('white.levels', opts.white.levels);
  if (opts.nstdb) {
    if (opts.nstdb.kinds.length === 0) throw new ArgumentError(`evaluateRobustness: 'nstdb.kinds' must name 'bw' and/or 'ma', got none`);
    if (opts.nstdb.snrs.length === 0 || !opts.nstdb.snrs.every(Number.isFinite)) throw new ArgumentError(`evaluateRobustness: 'nstdb.snrs' must be finite dB values, got [${opts.nstdb.snrs.join(', ')}]`);
  }
  const seed = opts.seed ?? 1;
  const iterations = opts.bootstrapIterations ?? 1000;
  const ds = parseDatasetSpec(opts.data);
  const noise: NoiseRecord[] = [];
  for (const kind of opts.nstdb?.kinds ?? []) noise.push(await loadNstdbNoise(opts.nstdb!.dir, kind));

  // Load every model and its pipeline first, so the progress total is known.
  const prepared: Prepared[] = [];
  try {
    for (const m of opts.models) prepared.push(await prepare(m, ds, opts.data));
    const first = prepared[0]!;
    for (const p of prepared.slice(1)) {
      if (p.classes.join() !== first.classes.join() || p.task !== first.task) {
        throw new ArgumentError(`evaluateRobustness: ${p.path} predicts ${p.task} ${p.classes.join(', ')} but ${first.path} ${first.task} ${first.classes.join(', ')}; one report compares models of one task`);
      }
    }
    const total = prepared.reduce((s, p) => s + p.pipe.lengths.reduce((a, _, i) => a + p.weight(i), 0), 0);
    let done = 0;
    const models: ModelRobustness[] = [];
    for (const p of prepared) {
      models.push(await evaluateModel(p, opts, seed, iterations, noise, (samples) => {
        done += samples;
        opts.onProgress?.(done, total, p.label);
      }));
    }
    return {
      format: 'ecglab.robustness',
      version: 1,
      data: opts.data,
      records: first.labels.length,
      task: first.task,
      classes: first.classes,
      seed,
      ...(opts.attack ? { attack: { config: opts.attack.config, eps: [...opts.attack.eps] } } : {}),
      ...(opts.white ? { white: { levels: [...opts.white.levels], masked: opts.white.masked ?? false } } : {}),
      ...(opts.nstdb ? { nstdb: { kinds: [...opts.nstdb.kinds], snrs: [...opts.nstdb.snrs], noise: noise.map((n) => basename(n.source)) } } : {}),
      models,
      time: new Date().toISOString(),
    };
  } finally {
    for (const p of prepared) p.predictor.dispose();
  }
}

/** A model ready to evaluate: its Predictor, its pipeline over the dataset, and the dataset's truth in pipeline order. */
interface Prepared {
  predictor: Predictor;
  model: EcgClassifier;
  label: string;
  path: string;
  pipe: InputPipeline;
  labels: number[];
  targets: number[][];
  classes: string[];
  task: Task;
  /** Progress weight of record i: its samples as the model reads them (cut at its maxSeconds). */
  weight(i: number): number;
}

async function prepare(m: { path: string; label?: string }, ds: DatasetSpec, spec: string): Promise<Prepared> {
  const predictor = Predictor.load(m.path);
  try {
    const model = predictor.model;
    if (!(model instanceof EcgClassifier)) throw new ArgumentError(`evaluateRobustness: ${m.path} is not a signal classifier (an EcgClassifier); attacks and noise act on signals`);
    const data = await openEvalDataset(ds, predictor.spec);
    if (data.classes.join() !== predictor.spec.classes.join()) {
      throw new DataSpecError(`${spec}: the dataset's classes (${data.classes.join(', ')}) differ from those of ${m.path} (${predictor.spec.classes.join(', ')})`);
    }
    // Not cached: each record is read again when its batch comes, so memory does not grow with the dataset.
    const pipe = await predictor.pipeline(data.source(), { cache: 'none' });
    const maxSamples = Math.round(predictor.spec.input.maxSeconds * predictor.spec.conform.fs);
    return {
      weight: (i) => Math.min(pipe.lengths[i]!, maxSamples),
      predictor, model, pipe,
      label: m.label ?? basename(m.path.replace(/\/model\.safetensors$|\/+$/g, '')),
      path: m.path,
      // The pipeline keeps the source's order, so its record indices index the dataset's truth.
      labels: data.labels,
      targets: data.targets.map((t) => Array.from(t)),
      classes: predictor.spec.classes,
      task: predictor.spec.task,
    };
  } catch (err) {
    predictor.dispose();
    throw err;
  }
}

async function evaluateModel(
  p: Prepared,
  opts: RobustnessOptions,
  seed: number,
  iterations: number,
  noise: NoiseRecord[],
  advance: (samples: number) => void,
): Promise<ModelRobustness> {
  const { model, task, classes, labels, targets } = p;
  const n = labels.length;
  const eps = opts.attack?.eps ?? [];
  const white = opts.white?.levels ?? [];
  const snrs = opts.nstdb?.snrs ?? [];
  const config = opts.attack ? ({ ...opts.attack.config, ...(task === 'multi-label' ? { loss: 'bce' } : {}) } as Omit<AttackConfig, 'eps'>) : null;
  // Conditions in order: clean, each ε, each white level, each (noise, SNR).
  const clean = new Outputs(1, n);
  const adv = new Outputs(eps.length, n);
  const wht = new Outputs(white.length, n);
  const nst = new Outputs(noise.length * snrs.length, n);
  const attackStats = eps.map(() => ({ attacked: 0, fooled: 0, linfMv: 0, l2Mv: 0 }));
  const seconds = { clean: 0, attack: 0, white: 0, nstdb: 0 };
  const timed = (section: keyof typeof seconds, fn: () => void) => {
    const t0 = performance.now();
    fn();
    seconds[section] += (performance.now() - t0) / 1000;
  };
  model.eval();
  let b = 0;
  for await (const batch of p.pipe.epoch(0)) {
    tidy(() => {
      const tb = toTensorBatch(batch, task);
      timed('clean', () => tidy(() => clean.put(0, batch.indices, noGrad(() => model.forward(tb.x, tb.mask)), task)));
      timed('attack', () => {
        eps.forEach((e, i) => tidy(() => {
          const r = attack(model, tb, { ...config!, eps: e } as AttackConfig, { rng: conditionRng(seed, 'attack', i, b) });
          adv.put(i, batch.indices, r.advLogits, task);
          const s = summarizeAttack(r);
          const st = attackStats[i]!;
          s.attacked.forEach((a, j) => {
            if (!a) return;
            st.attacked++;
            st.fooled += s.fooled[j]!;
            st.linfMv += s.linfMv[j]!;
            st.l2Mv += s.l2Mv[j]!;
          });
        }));
      });
      timed('white', () => {
        if (white.length === 0) return;
        const xn = noGrad(() => model.normalize(tb.x, tb.mask));
        white.forEach((level, i) => tidy(() => {
          const noisy = uniformNoise(xn, tb.mask, level, conditionRng(seed, 'white', i, b), { masked: opts.white!.masked ?? false, range: defaultRange(model) });
          wht.put(i, batch.indices, noGrad(() => model.classify(noisy, tb.mask)), task);
        }));
      });
      timed('nstdb', () => {
        noise.forEach((rec, k) => snrs.forEach((snr, i) => tidy(() => {
          const noisy = nstdbNoise(tb.x, tb.mask, p.predictor.spec.conform.fs, rec, snr, conditionRng(seed, 'nstdb', 1000 * k + i, b));
          nst.put(k * snrs.length + i, batch.indices, noGrad(() => model.forward(noisy, tb.mask)), task);
        })));
      });
    });
    b++;
    advance(batch.indices.reduce((s, i) => s + p.weight(i), 0));
  }

  const score = (probs: number[][]) => scoresOf(task, labels, targets, probs, classes);
  const cleanScores = score(clean.rows[0]!);
  const ciMetrics = Object.keys(cleanScores);
  const ci = Object.fromEntries(ciMetrics.map((metric) => {
    const r = bootstrapMetric(task, labels, targets, clean.rows[0]!, classes, metric, seed, iterations);
    return [metric, { lower: r.lower, upper: r.upper, level: r.level, iterations }];
  }));
  const attackRows = eps.map((e, i) => {
    const st = attackStats[i]!;
    return {
      eps: e,
      scores: score(adv.rows[i]!),
      attacked: st.attacked / n,
      fooled: st.fooled / n,
      meanLinfMv: st.attacked ? st.linfMv / st.attacked : 0,
      meanL2Mv: st.attacked ? st.l2Mv / st.attacked : 0,
    };
  });
  const whiteRows = white.map((level, i) => ({ level, scores: score(wht.rows[i]!) }));
  const nstdbRows = noise.flatMap((rec, k) => snrs.map((snr, i) => ({ noise: rec.kind as 'bw' | 'ma', snr, scores: score(nst.rows[k * snrs.length + i]!) })));
  const objective = objectiveOf(p.path);
  return {
    label: p.label,
    model: p.path,
    ...(objective ? { objective } : {}),
    records: n,
    clean: { ...cleanScores, ci },
    ...(opts.attack ? { attack: attackRows } : {}),
    ...(opts.white ? { white: whiteRows } : {}),
    ...(opts.nstdb ? { nstdb: nstdbRows } : {}),
    auc: {
      ...(opts.attack ? { attack: aucOf(cleanScores, eps, attackRows.map((r) => r.scores)) } : {}),
      ...(opts.white ? { white: aucOf(cleanScores, white, whiteRows.map((r) => r.scores)) } : {}),
    },
    seconds,
  };
}
