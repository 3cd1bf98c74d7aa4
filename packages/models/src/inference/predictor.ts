import { resolve } from 'node:path';
import { noGrad, tidy } from '@ecglab/engine';
import { InputPipeline, invalidFraction, memorySource, readRecord, type EcgRecord, type PipelineOptions, type RecordSource } from '@ecglab/data';
import { RunError } from '../errors.js';
import { argmaxRows } from '../metrics/evaluate.js';
import type { BatchModel } from '../models/classifier.js';
import { evalPipelineOptions, type InputShape } from '../pipeline/for-model.js';
import { toTensorBatch } from '../pipeline/to-tensors.js';
import { loadModel } from './model-file.js';
import type { InferenceSpec } from './spec.js';

/** `predict` refuses a record with a larger share of invalid samples (the pipeline names it): a prediction from it would be a guess. */
const MAX_INVALID_FRACTION = 0.5;

/** One record's prediction, with what was done to the record to feed the model. */
export interface Prediction {
  id: string;
  /** The argmax class (single-label), or the classes at or above the threshold joined by '+' ('-' for none). */
  prediction: string;
  labels: string[];
  probabilities: Record<string, number>;
  record: {
    /** The record's own rate, samples and leads as read. */
    fs: number;
    samples: number;
    leads: string[];
    /** The leads the model read, in its order. */
    modelLeads: string[];
    resampledFrom?: number;
    missingLeads?: string[];
    /** Seconds the model read when the record was longer than its `maxSeconds`. */
    truncatedToSeconds?: number;
    /** Samples the file marked invalid (stored as 0), and their share of the samples read (at most 0.5: more is refused). */
    invalidSamples?: number;
    invalidFraction?: number;
  };
}

/**
 * A trained model ready to predict, loaded once: from records, files or a pipeline, batch by batch under
 * no-grad and a tidy scope per batch. Used by `ecglab predict` and `ecglab eval`, by the trainer's
 * validation (over its live model, `fromModel`) and by the service.
 *
 * @example
 * const p = Predictor.load('runs/cinc2017');
 * const [pred] = await p.predictFiles(['fixtures/data/cinc2017/training2017/A00067']);
 * pred.prediction; // 'N'
 * p.dispose();
 */
export class Predictor {
  private constructor(
    readonly model: BatchModel & InputShape,
    readonly spec: InferenceSpec,
    private readonly owned: boolean,
    /** Names the model in errors. */
    readonly name: string,
  ) {}

  /** Loads a run directory or model file (see loadModel). */
  static load(runOrFile: string): Predictor {
    const { model, spec } = loadModel(runOrFile);
    return new Predictor(model, spec, true, runOrFile);
  }

  /** Predicts with a model the caller owns (the trainer's); `dispose` leaves it alone. */
  static fromModel(model: BatchModel & InputShape, spec: InferenceSpec, name = 'model'): Predictor {
    return new Predictor(model, spec, false, name);
  }

  /** An evaluation pipeline over `source` with this model's leads, rate, batch size and padding. */
  pipeline(source: RecordSource, extra: Partial<PipelineOptions> = {}): Promise<InputPipeline> {
    return InputPipeline.create(evalPipelineOptions(this.spec, this.model, source, extra));
  }

  /**
   * Class probabilities `[N][K]` of a pipeline's records, in the order of its `ids`: softmax for single-label
   * models, a sigmoid per class for multi-label ones. Non-finite outputs are an error naming the model.
   */
  async probabilities(pipe: InputPipeline): Promise<number[][]> {
    this.model.eval();
    const out: number[][] = new Array(pipe.ids.length);
    const k = this.spec.classes.length;
    const multi = this.spec.task === 'multi-label';
    for await (const batch of pipe.epoch(0)) {
      const probs = noGrad(() =>
        tidy(() => {
          const logits = this.model.logits(toTensorBatch(batch, this.spec.task)); // [B, K]
          return (multi ? logits.sigmoid() : logits.softmax(1)).toArray() as Float32Array;
        }),
      );
      batch.indices.forEach((i, j) => {
        const row = Array.from(probs.subarray(j * k, (j + 1) * k));
        if (!row.every(Number.isFinite)) throw new RunError(`${this.name}: the model gave non-finite outputs for record ${batch.ids[j]} (damaged weights?)`);
        out[i] = row;
      });
    }
    return out;
  }

  /**
   * Predictions for records in memory (any rate and lead order: they are conformed to the model's). A record
   * more than half of whose samples its file marked invalid is refused, naming it; a smaller share is
   * reported in `record.invalidFraction`. (Evaluation and validation read every record of a database, as
   * training does: one damaged record must not stop them.)
   */
  async predict(records: readonly EcgRecord[]): Promise<Prediction[]> {
    const pipe = await this.pipeline(memorySource(records), { maxInvalidFraction: MAX_INVALID_FRACTION });
    const probs = await this.probabilities(pipe);
    const { classes, task, threshold, conform, input } = this.spec;
    const argmax = argmaxRows(probs);
    return records.map((r, i) => {
      const labels = task === 'single-label' ? [classes[argmax[i]!]!] : classes.filter((_, c) => probs[i]![c]! >= threshold);
      const notes = pipe.notes[i] ?? {};
      const samples = r.meta?.fileSamples ?? r.signals[0]?.length ?? 0;
      const seconds = samples / r.fs;
      return {
        id: r.id,
        prediction: labels.join('+') || '-',
        labels,
        probabilities: Object.fromEntries(classes.map((c, k) => [c, probs[i]![k]!])),
        record: {
          fs: r.fs,
          samples,
          leads: [...r.leadNames],
          modelLeads: conform.leads ? [...conform.leads] : conform.leadIndices!.map((j) => r.leadNames[j] ?? `#${j}`),
          ...(notes.resampledFrom !== undefined ? { resampledFrom: notes.resampledFrom } : {}),
          ...(notes.missingLeads ? { missingLeads: notes.missingLeads } : {}),
          ...(seconds > input.maxSeconds ? { truncatedToSeconds: input.maxSeconds } : {}),
          ...(r.meta?.invalidSamples ? { invalidSamples: r.meta.invalidSamples, invalidFraction: invalidFraction(r) } : {}),
        },
      };
    });
  }

  /** Reads records from files (WFDB with or without `.hea`, CPSC `.mat`) and predicts them; ids are the paths given. */
  async predictFiles(paths: readonly string[]): Promise<Prediction[]> {
    const records: EcgRecord[] = [];
    for (const p of paths) records.push(await readRecord(resolve(p), { id: p, nonVoltage: 'drop', maxSeconds: this.spec.input.maxSeconds + 1 }));
    return this.predict(records);
  }

  /** Frees the model's tensors (when this Predictor loaded it). */
  dispose(): void {
    if (this.owned) this.model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
