import type { DatasetConfig } from '../config/types.js';
import { dataDefaults } from '../config/defaults.js';
import { openDataset, type Dataset } from '../datasets/dataset.js';
import { parseDatasetSpec, type DatasetSpec } from '../datasets/spec.js';
import { DataSpecError } from '../errors.js';
import { cpsc2018Score, CPSC2018_CLASSES, type Cpsc2018Score } from '../metrics/classification.js';
import { argmaxRows, bootstrapMetric, checkMetricName, evaluate, type EvalMetrics } from '../metrics/evaluate.js';
import { Predictor } from './predictor.js';
import type { InferenceSpec } from './spec.js';

export interface EvalReport extends EvalMetrics {
  model: string;
  data: string;
  classes: string[];
  /**
   * The CPSC 2018 challenge score (score_py3.py) of the argmax decisions, for models with the CPSC 2018 classes
   * evaluated on CPSC 2018: a record is right when the decision is any of its labels.
   */
  cpsc2018?: Cpsc2018Score;
  ci: { metric: string; lower: number; upper: number; level: number; iterations: number };
  /** CIs of further metrics asked for (`ciMetrics`), each with its value on all records. */
  cis: { metric: string; estimate: number; lower: number; upper: number; level: number; iterations: number }[];
}

/**
 * The dataset config that reads a spec's records as the model needs them: the kind, folder and label files
 * from the spec; for a WFDB folder also the classes, task and CSV layout the model was trained with.
 */
export function evalDatasetConfig(ds: DatasetSpec, spec: InferenceSpec): DatasetConfig {
  const files = Object.fromEntries(Object.entries(ds.files).filter(([, v]) => v !== undefined));
  switch (ds.kind) {
    case 'ptbxl100':
    case 'ptbxl100-normal':
      return { kind: 'ptbxl', path: ds.path, limit: 0, fs: 100, labels: ds.kind === 'ptbxl100' ? 'superclass' : 'norm-vs-abnormal' };
    case 'wfdb-folder': {
      const trained = spec.trained?.data.kind === 'wfdb-folder' ? spec.trained.data : {};
      return { ...dataDefaults('wfdb-folder'), ...trained, ...files, kind: 'wfdb-folder', path: ds.path, limit: 0, classes: spec.classes, task: spec.task } as DatasetConfig;
    }
    case 'cpsc2018': {
      // A model trained on Ma & Liang's single-label protocol is evaluated the same way (First_label, single-label records).
      const labelMode = spec.trained?.data.kind === 'cpsc2018' ? (spec.trained.data as { labelMode?: 'all' | 'first' }).labelMode ?? 'all' : 'all';
      return { ...dataDefaults('cpsc2018'), ...files, path: ds.path, fs: spec.conform.fs, labelMode } as DatasetConfig;
    }
    default:
      // The model's rate, so no record is read just to learn the dataset's.
      return { ...dataDefaults(ds.kind), ...files, path: ds.path, ...(ds.kind === 'cinc2017' ? {} : { fs: spec.conform.fs }) } as DatasetConfig;
  }
}

/**
 * Evaluates a trained model on a dataset spec (`cinc2017:/path[:split.txt]`, `ptbxl100:/path:fold=10`,
 * `cpsc2018:/path`, `wfdb-folder:/path:labels=FILE`; see parseDatasetSpec). Records are read as the model
 * needs them (its leads by name or position, its rate); the CI is for the metric the run monitored, and
 * `ciMetrics` (e.g. `f1:ABNORMAL`, `auroc:MI`) get CIs from the same seeded resampling.
 *
 * @example const r = await evaluateDataset('runs/cinc2017', 'cinc2017:data/training2017:val.txt'); r.cinc2017F1;
 */
export async function evaluateDataset(modelPath: string, specText: string, iterations = 1000, ciMetrics: string[] = []): Promise<EvalReport> {
  const ds = parseDatasetSpec(specText);
  const predictor = Predictor.load(modelPath);
  try {
    const spec = predictor.spec;
    for (const metric of ciMetrics) checkMetricName(metric, spec.classes, 'evaluateDataset');
    const data = await openEvalDataset(ds, spec);
    if (data.classes.join() !== spec.classes.join()) {
      throw new DataSpecError(`${specText}: the dataset's classes (${data.classes.join(', ')}) differ from the model's (${spec.classes.join(', ')})`);
    }
    const probs = await predictor.probabilities(await predictor.pipeline(data.source()));
    const targets = data.targets.map((t) => Array.from(t));
    const m = evaluate(spec.task, data.labels, targets, probs, data.classes);
    const monitor = spec.trained?.monitor ?? (spec.task === 'single-label' ? 'macroF1' : 'macroAuroc');
    const seed = spec.trained?.seed ?? 0;
    const ci = bootstrapMetric(spec.task, data.labels, targets, probs, data.classes, monitor, seed, iterations);
    const cis = ciMetrics.map((metric) => {
      const r = bootstrapMetric(spec.task, data.labels, targets, probs, data.classes, metric, seed, iterations);
      return { metric, estimate: r.estimate, lower: r.lower, upper: r.upper, level: r.level, iterations };
    });
    const cpsc = data.labelLists && data.classes.join() === CPSC2018_CLASSES.join() ? cpsc2018Score(data.labelLists, argmaxRows(probs)) : null;
    return {
      model: modelPath, data: specText, classes: data.classes, ...m, ...(cpsc ? { cpsc2018: cpsc } : {}),
      ci: { metric: monitor, lower: ci.lower, upper: ci.upper, level: ci.level, iterations }, cis,
    };
  } finally {
    predictor.dispose();
  }
}

/**
 * Opens a spec's dataset for its ids and targets. Its records are then read through the Predictor's pipeline,
 * with the model's leads and rate, so the dataset's own lead choice (`inputLeads`) does not matter here.
 *
 * @example const data = await openEvalDataset(parseDatasetSpec('cinc2017:/data/training2017'), predictor.spec);
 */
export function openEvalDataset(ds: DatasetSpec, spec: InferenceSpec): Promise<Dataset> {
  return openDataset(evalDatasetConfig(ds, spec), { inputLeads: [0], only: ds.only, folds: ds.folds });
}
