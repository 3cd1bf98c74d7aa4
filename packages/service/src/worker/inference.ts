// Runs inside the service's TorchWorker thread: owns every loaded Predictor and all torch work (prediction,
// input-gradient saliency, the white-noise check here; photos in image.ts, the PGD sweep in pgd.ts), so the
// event loop only parses uploads and answers. Calls arrive one at a time in order (worker_host.ts); records
// arrive as transferred Float32Arrays. This module is the worker's entry: what it exports can be called.
import { enableGrad, grad, tidy } from '@ecglab/engine';
import { addWhiteNoise, memorySource, Rng, type EcgRecord } from '@ecglab/data';
import { toTensorBatch, type Prediction, type Predictor } from '@ecglab/models';
import { labelOf, predictorOf } from './loaded.js';

export { load, unload, type Padding } from './loaded.js';
export { predictImage, type ImageExplanation, type ImageResult } from './image.js';
export { pgdSweep, type PgdLevel, type PgdSweep, type PgdSweepOptions } from './pgd.js';

/** Predictions of records of any rate and lead order (conformed to the model's); ids must be distinct. */
export function predict(name: string, records: EcgRecord[]): Promise<Prediction[]> {
  return predictorOf(name).predict(records);
}

/** What the model reads of a record (its leads at its rate, at most `maxSeconds`), and the attribution. */
export interface Explanation {
  fs: number;
  leads: string[];
  /** `[lead][sample]` mV, as the model reads it. */
  signals: Float32Array[];
  /** `[lead][sample]` ∂ logit[c] / ∂ x, in 1/mV, for the predicted class c. */
  saliency: Float32Array[];
  classIndex: number;
  className: string;
}

/**
 * Input-gradient attribution: the gradient of the predicted class's logit with respect to the input in mV
 * (through the model's own scaling), over the samples the model reads. For multi-label models the class is
 * the most probable one.
 */
export async function explain(name: string, record: EcgRecord): Promise<Explanation> {
  const p = predictorOf(name);
  const pipe = await p.pipeline(memorySource([record]));
  for await (const batch of pipe.epoch(0)) {
    const [, leads, len] = batch.shape; // [1, leads, L]
    let valid = 0;
    for (let i = 0; i < len; i++) valid += batch.mask[i]!;
    const { g, c } = tidy(() => enableGrad(() => {
      const tb = toTensorBatch(batch, p.spec.task);
      const x = tb.x.requiresGrad_(); // [1, leads, L] mV
      const logits = p.model.logits({ ...tb, x }); // [1, K]
      const k = logits.argmax(1).item();
      const [dx] = grad(logits.select(1, k).sum(), x);
      return { g: dx!.toArray() as Float32Array, c: k };
    }));
    const rows = (a: Float32Array) => Array.from({ length: leads }, (_, l) => a.slice(l * len, l * len + valid));
    return {
      fs: p.spec.conform.fs,
      leads: p.spec.conform.leads ? [...p.spec.conform.leads] : p.spec.conform.leadIndices!.map((j) => record.leadNames[j] ?? `#${j}`),
      signals: rows(batch.x),
      saliency: rows(g),
      classIndex: c,
      className: p.spec.classes[c]!,
    };
  }
  throw new Error(`explain: the pipeline gave no batch for record ${record.id}`);
}

/** One white-noise level of the quick robustness check. */
export interface NoiseLevel {
  snrDb: number;
  /** Mean class probabilities over the noisy copies. */
  probabilities: number[];
  /** Each copy's prediction. */
  predictions: string[];
  /** Fraction of copies predicted as the clean record is. */
  agreement: number;
  /** The first noisy copy as the model reads it (`[lead][sample]` mV), when asked for. */
  example?: Float32Array[];
}

/**
 * The white-noise check: the record as the model reads it, plus Gaussian noise at each SNR (dB, per lead:
 * 10·log10(P_signal / P_noise), the data layer's `addWhiteNoise`), `repeats` seeded copies per level, all
 * predicted in the model's batches. Returns the clean prediction and each level's.
 */
export async function whiteNoise(name: string, record: EcgRecord, snrDb: number[], repeats: number, seed: number, examples: boolean): Promise<{ clean: { probabilities: number[]; prediction: string }; levels: NoiseLevel[] }> {
  const p = predictorOf(name);
  const view = await modelView(p, record);
  const n = view.signals.length;
  const copies: EcgRecord[] = [{ id: 'clean', fs: view.fs, signals: view.signals, leadNames: view.leads }];
  snrDb.forEach((db, li) => {
    for (let r = 0; r < repeats; r++) {
      const rng = new Rng(seed + 7919 * li + r);
      const noisy = addWhiteNoise(view.signals.map((s) => Float64Array.from(s)), { kind: 'gaussian', snrDb: db }, rng).map((s) => Float32Array.from(s));
      copies.push({ id: `${li}:${r}`, fs: view.fs, signals: noisy, leadNames: view.leads });
    }
  });
  // The copies are already in the model's leads and rate: read them by position.
  const pipe = await p.pipeline(memorySource(copies), { conform: { leadIndices: Array.from({ length: n }, (_, i) => i), fs: view.fs } });
  const probs = await p.probabilities(pipe);
  const label = (row: number[]) => labelOf(p, row);
  const cleanLabel = label(probs[0]!);
  const levels = snrDb.map((db, li): NoiseLevel => {
    const rows = probs.slice(1 + li * repeats, 1 + (li + 1) * repeats);
    const predictions = rows.map(label);
    const mean = p.spec.classes.map((_, k) => rows.reduce((s, r) => s + r[k]!, 0) / rows.length);
    return {
      snrDb: db, probabilities: mean, predictions,
      agreement: predictions.filter((x) => x === cleanLabel).length / predictions.length,
      ...(examples ? { example: copies[1 + li * repeats]!.signals } : {}),
    };
  });
  return { clean: { probabilities: probs[0]!, prediction: cleanLabel }, levels };
}

/** The record as the model reads it, without gradients. */
async function modelView(p: Predictor, record: EcgRecord): Promise<{ fs: number; leads: string[]; signals: Float32Array[] }> {
  const pipe = await p.pipeline(memorySource([record]));
  for await (const batch of pipe.epoch(0)) {
    const [, leads, len] = batch.shape;
    let valid = 0;
    for (let i = 0; i < len; i++) valid += batch.mask[i]!;
    return {
      fs: p.spec.conform.fs,
      leads: Array.from({ length: leads }, (_, l) => p.spec.conform.leads?.[l] ?? record.leadNames[p.spec.conform.leadIndices![l]!] ?? `#${l}`),
      signals: Array.from({ length: leads }, (_, l) => batch.x.slice(l * len, l * len + valid)),
    };
  }
  throw new Error(`whiteNoise: the pipeline gave no batch for record ${record.id}`);
}
