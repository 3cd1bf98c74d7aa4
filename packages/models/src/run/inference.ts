import { resolve } from 'node:path';
import { conformRecord, isAdapterConfig, loadDataset, parseDatasetSpec, readRecordMv } from '../data/datasets.js';
import { DataSpecError } from '../errors.js';
import { argmaxRows, bootstrapMetric, evaluate, predictProbs, type EvalMetrics } from '../train/evaluate.js';
import { loadModel } from './rundir.js';

export interface EvalReport extends EvalMetrics {
  model: string;
  data: string;
  classes: string[];
  ci: { metric: string; lower: number; upper: number; level: number; iterations: number };
  /** CIs of further metrics asked for (`ciMetrics`), each with its value on all records. */
  cis: { metric: string; estimate: number; lower: number; upper: number; level: number; iterations: number }[];
}

/**
 * Evaluates a trained model on a dataset spec (`cinc2017:/path[:split.txt]`, `ptbxl100:/path:fold=10`,
 * `cpsc2018:/path`, `wfdb-folder:/path:labels=FILE`; see parseDatasetSpec) with the run's input
 * pipeline; the CI is for the run's monitored metric, and `ciMetrics` (e.g. `f1:ABNORMAL`, `auroc:MI`; see
 * bootstrapMetric) get CIs from the same seeded resampling.
 */
export async function evaluateDataset(modelPath: string, spec: string, iterations = 1000, ciMetrics: string[] = []): Promise<EvalReport> {
  const { model, info } = loadModel(modelPath);
  try {
    const { config, only, folds } = parseDatasetSpec(spec);
    if (isAdapterConfig(config)) {
      // Read the records as the model was trained: its rate, its leads by name and (a WFDB folder)
      // its classes, task and CSV layout.
      config.fs = info.fs;
      const trained = info.config.data;
      config.leads = info.leadNames ?? (isAdapterConfig(trained) ? trained.leads : undefined);
      if (config.kind === 'wfdb-folder') {
        config.classes = info.classes;
        config.task = info.task;
        if (trained.kind === 'wfdb-folder') Object.assign(config, { idColumn: trained.idColumn, labelColumn: trained.labelColumn, separator: trained.separator, recursive: trained.recursive });
      }
    }
    const data = await loadDataset(config, 0, only, folds);
    if (data.classes.join() !== info.classes.join()) {
      throw new DataSpecError(`${spec}: the dataset's classes (${data.classes.join(', ')}) differ from the model's (${info.classes.join(', ')})`);
    }
    const probs = predictProbs(model, data.records, info.config.input, info.config.train.batchSize, info.task);
    const labels = data.records.map((r) => r.label);
    const targets = data.records.map((r) => Array.from(r.targets));
    const m = evaluate(info.task, labels, targets, probs, data.classes);
    const ci = bootstrapMetric(info.task, labels, targets, probs, data.classes, info.config.train.monitor, info.config.seed, iterations);
    const cis = ciMetrics.map((metric) => {
      const r = bootstrapMetric(info.task, labels, targets, probs, data.classes, metric, info.config.seed, iterations);
      return { metric, estimate: r.estimate, lower: r.lower, upper: r.upper, level: r.level, iterations };
    });
    return { model: modelPath, data: spec, classes: data.classes, ...m, ci: { metric: info.config.train.monitor, lower: ci.lower, upper: ci.upper, level: ci.level, iterations }, cis };
  } finally {
    model.dispose();
  }
}

export interface Prediction {
  record: string;
  /** The argmax class (single-label) or the classes at or above 0.5, joined by '+' ('-' for none). */
  prediction: string;
  /** The record's own sampling rate (it was resampled to the model's when they differ). */
  fs: number;
  probabilities: Record<string, number>;
}

/**
 * Class probabilities of WFDB records (paths with or without `.hea`), resampled to the model's rate when
 * needed; a model trained with lead names (cpsc2018, cinc2021, wfdb-folder) picks the leads by name.
 */
export async function predictRecords(modelPath: string, recordPaths: string[]): Promise<Prediction[]> {
  const { model, info } = loadModel(modelPath);
  try {
    const records = [];
    for (const p of recordPaths) {
      const path = resolve(p.replace(/\.hea$/, ''));
      const rec = await readRecordMv(path);
      // A model trained with leads matched by name reads them by name, in its order; a record at another
      // rate is resampled to the model's.
      const signal = conformRecord(rec.signal, rec.leads, rec.fs, info.leadNames ?? null, info.fs, p);
      if (signal.length <= Math.max(...info.config.input.leads)) {
        throw new DataSpecError(`${p}: has ${signal.length} leads, the model reads leads ${info.config.input.leads.join(', ')}`);
      }
      records.push({ id: p, fs: info.fs, signal, sourceFs: rec.fs });
    }
    const probs = predictProbs(model, records, info.config.input, info.config.train.batchSize, info.task);
    const pred = argmaxRows(probs);
    const label = (i: number) =>
      info.task === 'single-label' ? info.classes[pred[i]!]! : info.classes.filter((_, k) => probs[i]![k]! >= 0.5).join('+') || '-';
    return records.map((r, i) => ({
      record: r.id,
      prediction: label(i),
      fs: r.sourceFs,
      probabilities: Object.fromEntries(info.classes.map((c, k) => [c, probs[i]![k]!])),
    }));
  } finally {
    model.dispose();
  }
}
