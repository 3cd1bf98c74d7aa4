import { resolve } from 'node:path';
import { loadDataset, parseDatasetSpec, readRecordMv } from '../data/datasets.js';
import { DataSpecError } from '../errors.js';
import { argmaxRows, bootstrapMetric, evaluate, predictProbs, type EvalMetrics } from '../train/evaluate.js';
import { loadModel } from './rundir.js';

export interface EvalReport extends EvalMetrics {
  model: string;
  data: string;
  classes: string[];
  ci: { metric: string; lower: number; upper: number; level: number; iterations: number };
}

/**
 * Evaluates a trained model on a dataset spec (`cinc2017:/path[:split.txt]`) with the run's input
 * pipeline; the CI is for the run's monitored metric.
 */
export async function evaluateDataset(modelPath: string, spec: string, iterations = 1000): Promise<EvalReport> {
  const { model, info } = loadModel(modelPath);
  try {
    const { config, only } = parseDatasetSpec(spec);
    const data = await loadDataset(config, 0, only);
    if (data.classes.join() !== info.classes.join()) {
      throw new DataSpecError(`${spec}: the dataset's classes (${data.classes.join(', ')}) differ from the model's (${info.classes.join(', ')})`);
    }
    const probs = predictProbs(model, data.records, info.config.input, info.config.train.batchSize, info.task);
    const labels = data.records.map((r) => r.label);
    const targets = data.records.map((r) => Array.from(r.targets));
    const m = evaluate(info.task, labels, targets, probs, data.classes);
    const ci = bootstrapMetric(info.task, labels, targets, probs, data.classes, info.config.train.monitor, info.config.seed, iterations);
    return { model: modelPath, data: spec, classes: data.classes, ...m, ci: { metric: info.config.train.monitor, lower: ci.lower, upper: ci.upper, level: ci.level, iterations } };
  } finally {
    model.dispose();
  }
}

export interface Prediction {
  record: string;
  /** The argmax class (single-label) or the classes at or above 0.5, joined by '+' ('-' for none). */
  prediction: string;
  probabilities: Record<string, number>;
}

/** Class probabilities of WFDB records (paths with or without `.hea`). */
export async function predictRecords(modelPath: string, recordPaths: string[]): Promise<Prediction[]> {
  const { model, info } = loadModel(modelPath);
  try {
    const records = [];
    for (const p of recordPaths) {
      const path = resolve(p.replace(/\.hea$/, ''));
      const rec = await readRecordMv(path);
      if (rec.fs !== info.fs) {
        throw new DataSpecError(`${p}: sampled at ${rec.fs} Hz, the model was trained at ${info.fs} Hz (resample the record first)`);
      }
      records.push({ id: p, ...rec });
    }
    const probs = predictProbs(model, records, info.config.input, info.config.train.batchSize, info.task);
    const pred = argmaxRows(probs);
    const label = (i: number) =>
      info.task === 'single-label' ? info.classes[pred[i]!]! : info.classes.filter((_, k) => probs[i]![k]! >= 0.5).join('+') || '-';
    return records.map((r, i) => ({
      record: r.id,
      prediction: label(i),
      probabilities: Object.fromEntries(info.classes.map((c, k) => [c, probs[i]![k]!])),
    }));
  } finally {
    model.dispose();
  }
}
