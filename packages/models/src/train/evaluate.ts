import { noGrad, tidy } from '@ecglab/engine';
import type { InputConfig } from '../config/types.js';
import type { LabeledRecord } from '../data/datasets.js';
import type { Classifier } from '../models/index.js';
import { makeBatch } from './batches.js';
import {
  accuracy, balancedAccuracy, bootstrapCI, cinc2017F1, CINC2017_CLASSES, confusionMatrix, macroF1, macroRanking, oneHot, perClassF1, pick,
  type BootstrapResult,
} from '../metrics/index.js';

/**
 * Class probabilities `[N][K]` (softmax) of records, in their order. Batches are formed over
 * records sorted by length, so little padding is computed; the model is put in eval mode.
 */
export function predictProbs(model: Classifier, records: Pick<LabeledRecord, 'id' | 'fs' | 'signal'>[], input: InputConfig, batchSize: number): number[][] {
  model.eval();
  const order = records.map((_, i) => i).sort((a, b) => records[a]!.signal[0]!.length - records[b]!.signal[0]!.length);
  const out: number[][] = new Array(records.length);
  noGrad(() => {
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const probs = tidy(() => {
        const { x, mask } = makeBatch(idx.map((i) => records[i]!), input, model, null);
        return model.call(x, mask).softmax(1).toArray() as Float32Array; // [B, K] flat
      });
      const k = probs.length / idx.length;
      idx.forEach((i, j) => (out[i] = Array.from(probs.subarray(j * k, (j + 1) * k))));
    }
  });
  return out;
}

/** Index of the largest probability per row. */
export function argmaxRows(probs: number[][]): number[] {
  return probs.map((p) => p.reduce((best, v, i) => (v > (p[best] as number) ? i : best), 0));
}

/** Every single-label metric of one evaluation, plus the confusion matrix. */
export interface EvalMetrics {
  n: number;
  loss: number;
  accuracy: number;
  macroF1: number;
  balancedAccuracy: number;
  macroAuroc: number;
  macroAuprc: number;
  /** Only for the CinC 2017 classes. */
  cinc2017F1?: number;
  perClassF1: Record<string, number>;
  confusion: number[][];
}

/** Metrics of single-label predictions `probs` against `labels` over `classes`. */
export function evaluateSingleLabel(labels: number[], probs: number[][], classes: string[]): EvalMetrics {
  const k = classes.length;
  const pred = argmaxRows(probs);
  const loss = labels.reduce((s, y, i) => s - Math.log(Math.max(1e-12, probs[i]![y]!)), 0) / Math.max(1, labels.length);
  const onehot = oneHot(labels, k);
  const f1 = perClassF1(labels, pred, k);
  const m: EvalMetrics = {
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

/** Seeded bootstrap CI of a named metric of single-label predictions. */
export function bootstrapMetric(labels: number[], probs: number[][], classes: string[], metric: string, seed: number, iterations = 1000): BootstrapResult {
  const pred = argmaxRows(probs);
  const k = classes.length;
  const stat = (idx: Int32Array): number => {
    const y = pick(labels, idx);
    const p = pick(pred, idx);
    switch (metric) {
      case 'cinc2017F1':
        return cinc2017F1(y, p).score;
      case 'macroF1':
        return macroF1(y, p, k);
      case 'accuracy':
        return accuracy(y, p);
      case 'macroAuroc':
        return macroRanking(oneHot(y, k), pick(probs, idx), 'auroc').macro;
      default:
        return Number.NaN;
    }
  };
  return bootstrapCI(labels.length, stat, { seed, iterations });
}
