import { ArgumentError } from '../errors.js';
import type { Task } from '../task.js';
import { bootstrapCI, pick, type BootstrapResult } from './bootstrap.js';
import { accuracy, balancedAccuracy, cinc2017F1, CINC2017_CLASSES, macroF1, multiLabelF1, perClassF1 } from './classification.js';
import { confusionMatrix } from './confusion.js';
import { auroc, macroRanking, oneHot } from './ranking.js';
import { applyThresholds, tuneThresholds } from './thresholds.js';

/** Index of the largest probability per row. */
export function argmaxRows(probs: number[][]): number[] {
  return probs.map((p) => p.reduce((best, v, i) => (v > (p[best] as number) ? i : best), 0));
}

/**
 * The metrics of one evaluation. Single-label: F1s of the argmax, balanced accuracy, one-vs-rest
 * AUROC/AUPRC, the confusion matrix. Multi-label: AUROC/AUPRC per class, F1s at 0.5 and with
 * per-class thresholds tuned on the same records (an optimistic figure, reported as such).
 */
export interface EvalMetrics {
  task: Task;
  n: number;
  /** Mean cross-entropy (single-label) or binary cross-entropy (multi-label), unweighted. */
  loss: number;
  /** Single-label: accuracy; multi-label: exact-match ratio at 0.5. */
  accuracy: number;
  /** Macro F1 of the argmax (single-label) or at 0.5 (multi-label). */
  macroF1: number;
  macroAuroc: number;
  macroAuprc: number;
  perClassF1: Record<string, number>;
  balancedAccuracy?: number;
  /** Only for the CinC 2017 classes. */
  cinc2017F1?: number;
  confusion?: number[][];
  microF1?: number;
  perClassAuroc?: Record<string, number>;
  tunedThresholds?: number[];
  tunedMacroF1?: number;
}

/** Metrics of single-label predictions `probs` against `labels` over `classes`. */
export function evaluateSingleLabel(labels: number[], probs: number[][], classes: string[]): EvalMetrics {
  const k = classes.length;
  const pred = argmaxRows(probs);
  const loss = labels.reduce((s, y, i) => s - Math.log(Math.max(1e-12, probs[i]![y]!)), 0) / Math.max(1, labels.length);
  const onehot = oneHot(labels, k);
  const f1 = perClassF1(labels, pred, k);
  const m: EvalMetrics = {
    task: 'single-label',
    n: labels.length,
    loss,
    accuracy: accuracy(labels, pred),
    macroF1: macroF1(labels, pred, k),
    balancedAccuracy: balancedAccuracy(labels, pred, k),
    macroAuroc: macroRanking(onehot, probs, 'auroc').macro,
    macroAuprc: macroRanking(onehot, probs, 'auprc').macro,
    perClassF1: Object.fromEntries(classes.map((c, i) => [c, f1[i]!])),
    confusion: confusionMatrix(labels, pred, k),
  };
  if (classes.join() === CINC2017_CLASSES.join()) m.cinc2017F1 = cinc2017F1(labels, pred).score;
  return m;
}

/** Metrics of multi-label sigmoid outputs `probs` `[N][K]` against multi-hot `targets`. */
export function evaluateMultiLabel(targets: number[][], probs: number[][], classes: string[]): EvalMetrics {
  const k = classes.length;
  let loss = 0;
  targets.forEach((t, i) => {
    for (let c = 0; c < k; c++) {
      const p = Math.min(1 - 1e-12, Math.max(1e-12, probs[i]![c]!));
      loss -= t[c] === 1 ? Math.log(p) : Math.log(1 - p);
    }
  });
  const pred = applyThresholds(probs, new Array<number>(k).fill(0.5));
  const f1 = multiLabelF1(targets, pred);
  const roc = macroRanking(targets, probs, 'auroc');
  const tuned = tuneThresholds(targets, probs);
  const exact = targets.filter((t, i) => t.every((v, c) => v === pred[i]![c])).length;
  return {
    task: 'multi-label',
    n: targets.length,
    loss: loss / Math.max(1, targets.length * k),
    accuracy: targets.length === 0 ? 0 : exact / targets.length,
    macroF1: f1.macro,
    microF1: f1.micro,
    macroAuroc: roc.macro,
    macroAuprc: macroRanking(targets, probs, 'auprc').macro,
    perClassF1: Object.fromEntries(classes.map((c, i) => [c, f1.perClass[i]!])),
    perClassAuroc: Object.fromEntries(classes.map((c, i) => [c, roc.perClass[i]!])),
    tunedThresholds: tuned.thresholds,
    tunedMacroF1: tuned.f1.reduce((a, b) => a + b, 0) / Math.max(1, k),
  };
}

/** Evaluates outputs for a dataset's task: `targets` are multi-hot rows, `labels` class indices. */
export function evaluate(task: Task, labels: number[], targets: number[][], probs: number[][], classes: string[]): EvalMetrics {
  return task === 'single-label' ? evaluateSingleLabel(labels, probs, classes) : evaluateMultiLabel(targets, probs, classes);
}

/** The value of a named metric, NaN when it is not defined for the task. */
export function metricValue(m: EvalMetrics, metric: string): number {
  const v = (m as unknown as Record<string, unknown>)[metric];
  return typeof v === 'number' ? v : Number.NaN;
}

/** Metrics a bootstrap CI can be asked for by name, besides one class's `f1:CLASS` and `auroc:CLASS`. */
export const CI_METRICS = ['accuracy', 'macroF1', 'macroAuroc', 'macroAuprc', 'balancedAccuracy', 'cinc2017F1', 'microF1', 'tunedMacroF1', 'loss'] as const;

/**
 * Throws unless `metric` names a metric a CI can be made of: one of CI_METRICS, or `f1:CLASS` /
 * `auroc:CLASS` with CLASS among `classes` (when given). `where` names the caller or option in the error
 * (`eval: --ci`), so a typo fails at once instead of printing `bogus NaN` after the evaluation.
 *
 * @example checkMetricName('auroc:MI', ['NORM', 'MI']);
 */
export function checkMetricName(metric: string, classes?: readonly string[], where = 'bootstrapMetric'): void {
  const perClass = /^(auroc|f1):(.+)$/.exec(metric);
  if (perClass) {
    if (classes && !classes.includes(perClass[2]!)) throw new ArgumentError(`${where}: metric '${metric}' names no class (classes: ${classes.join(', ')})`);
    return;
  }
  if (!(CI_METRICS as readonly string[]).includes(metric)) {
    throw new ArgumentError(`${where}: '${metric}' is not a metric; expected one of ${CI_METRICS.join(', ')}, or f1:CLASS / auroc:CLASS`);
  }
}

/**
 * Seeded percentile-bootstrap CI of a named metric (records resampled with replacement): a field of
 * EvalMetrics (`macroAuroc`, `macroF1`, ...) or one class's `auroc:CLASS` / `f1:CLASS` (F1 of the
 * argmax for single-label tasks, at 0.5 for multi-label ones).
 */
export function bootstrapMetric(
  task: Task,
  labels: number[],
  targets: number[][],
  probs: number[][],
  classes: string[],
  metric: string,
  seed: number,
  iterations = 1000,
): BootstrapResult {
  checkMetricName(metric, classes);
  const perClass = /^(auroc|f1):(.+)$/.exec(metric);
  const c = perClass ? classes.indexOf(perClass[2]!) : -1;
  if (!perClass && typeof (evaluate(task, labels, targets, probs, classes) as unknown as Record<string, unknown>)[metric] !== 'number') {
    // e.g. cinc2017F1 of other classes, balancedAccuracy of a multi-label task (a NaN value, as AUROC of a class without positives, is kept)
    throw new ArgumentError(`bootstrapMetric: metric '${metric}' is not defined for a ${task} model of classes ${classes.join(', ')}`);
  }
  const stat = (idx: Int32Array): number => {
    const y = pick(labels, idx);
    const p = pick(probs, idx);
    if (perClass) {
      const truth = task === 'single-label' ? y.map((v) => (v === c ? 1 : 0)) : pick(targets, idx).map((t) => t[c]!);
      if (perClass[1] === 'auroc') return auroc(truth, p.map((row) => row[c]!));
      const pred = task === 'single-label' ? argmaxRows(p).map((v) => (v === c ? 1 : 0)) : p.map((row) => (row[c]! >= 0.5 ? 1 : 0));
      return multiLabelF1(truth.map((t) => [t]), pred.map((v) => [v])).perClass[0]!;
    }
    if (metric === 'cinc2017F1') return cinc2017F1(y, argmaxRows(p)).score;
    if (task === 'single-label' && metric === 'macroF1') return macroF1(y, argmaxRows(p), classes.length);
    if (task === 'single-label' && metric === 'accuracy') return accuracy(y, argmaxRows(p));
    if (metric === 'macroAuroc') return macroRanking(task === 'single-label' ? oneHot(y, classes.length) : pick(targets, idx), p, 'auroc').macro;
    return metricValue(evaluate(task, y, pick(targets, idx), p, classes), metric);
  };
  return bootstrapCI(labels.length, stat, { seed, iterations });
}
