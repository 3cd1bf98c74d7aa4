import { resolve } from 'node:path';
import { fromArray, noGrad, tidy } from '@ecglab/engine';
import { InputPipeline, invalidFraction, memorySource, readRecord, type EcgRecord, type PipelineOptions, type RecordSource } from '@ecglab/data';
import { readPageImage } from '@ecglab/render';
import { ArgumentError, RunError } from '../errors.js';
import { argmaxRows } from '../metrics/evaluate.js';
import type { BatchModel } from '../models/classifier.js';
import { evalPipelineOptions, type InputShape } from '../pipeline/for-model.js';
import { toTensorBatch } from '../pipeline/to-tensors.js';
import { pageExtras } from '../vizecg/page-extras.js';
import { PageRenderer } from '../vizecg/page-renderer.js';
import type { PageConfig, PageVariant } from '../vizecg/pages.js';
import { VizECGNet } from '../vizecg/vizecgnet.js';
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

/** One image's prediction (an image model reading a PNG or JPEG file). */
export interface ImagePrediction extends Omit<Prediction, 'record'> {
  /** The file as decoded: its size after EXIF orientation, format and EXIF orientation tag; the size the model read. */
  image: { width: number; height: number; format: string; orientation: number; modelWidth: number; modelHeight: number };
}

/** Which page an image model sees for records given as signals: `predict` draws a clean page; validation draws the `eval` pages. */
type RecordPage = Exclude<PageVariant, { kind: 'train' }>;

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

  /**
   * An evaluation pipeline over `source` with this model's leads, rate, batch size and padding. For an image
   * model each batch also carries its records' pages: `page` (default the `eval` pages, fixed per record and
   * drawn once per pipeline; `{ kind: 'photo', strength }` or `{ kind: 'strength', strength }` for the test sets).
   */
  pipeline(source: RecordSource, extra: Partial<PipelineOptions> = {}, page: RecordPage = { kind: 'eval' }): Promise<InputPipeline> {
    const pages = this.spec.pages && extra.extras === undefined ? { extras: pageExtras({ pages: this.spec.pages, renderer: this.renderer, variant: page }).extras } : {};
    return InputPipeline.create(evalPipelineOptions(this.spec, this.model, source, { ...pages, ...extra }));
  }

  /** Whether the model classifies pages (VizECGNet) rather than signals. */
  get readsImages(): boolean {
    return this.spec.pages !== undefined;
  }

  /** Pages of records are drawn on the calling thread: prediction waits for them anyway, and validation draws them once. */
  private get renderer(): PageRenderer {
    this.#renderer ??= new PageRenderer(0);
    return this.#renderer;
  }

  #renderer: PageRenderer | undefined;

  /**
   * Class probabilities `[N][K]` of a pipeline's records, in the order of its `ids`: softmax for single-label
   * models, a sigmoid per class for multi-label ones. Non-finite outputs are an error naming the model.
   * With `shard`, only the batches of that rank (r, r + worldSize, ...) are predicted and the other rows
   * stay empty (a data-parallel validation gathers them; see train/distributed.ts).
   */
  async probabilities(pipe: InputPipeline, opts: { shard?: { rank: number; worldSize: number } } = {}): Promise<number[][]> {
    this.model.eval();
    const out: number[][] = new Array(pipe.ids.length);
    const k = this.spec.classes.length;
    const multi = this.spec.task === 'multi-label';
    for await (const batch of pipe.epoch(0, opts.shard ? { shard: { ...opts.shard, by: 'batches' } } : {})) {
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
   * training does: one damaged record must not stop them.) An image model reads each record drawn as a page
   * (`page`, default a clean page in the first layout of its spec).
   */
  async predict(records: readonly EcgRecord[], page: RecordPage = { kind: 'strength', strength: 0 }): Promise<Prediction[]> {
    const pipe = await this.pipeline(memorySource(records), { maxInvalidFraction: MAX_INVALID_FRACTION }, page);
    const probs = await this.probabilities(pipe);
    const { conform, input } = this.spec;
    const decided = this.decide(probs);
    return records.map((r, i) => {
      const notes = pipe.notes[i] ?? {};
      const samples = r.meta?.fileSamples ?? r.signals[0]?.length ?? 0;
      const seconds = samples / r.fs;
      return {
        id: r.id,
        ...decided[i]!,
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

  /**
   * Reads records from files (WFDB with or without `.hea`, CPSC `.mat`) and predicts them; ids are the paths
   * given. An image model reads them drawn as pages (`predict`'s `page`).
   */
  async predictFiles(paths: readonly string[], page?: RecordPage): Promise<Prediction[]> {
    const records: EcgRecord[] = [];
    for (const p of paths) records.push(await readRecord(resolve(p), { id: p, nonVoltage: 'drop', maxSeconds: this.spec.input.maxSeconds + 1 }));
    return this.predict(records, page);
  }

  /**
   * Predictions of an image model from PNG or JPEG files (scans or photos of printouts): each read with its
   * EXIF orientation, fitted to the model's page size exactly as its training pages were (readPageImage with
   * the spec's `pages`), `batchSize` at a time. Only the image stream runs; no signal is read or needed.
   * Unreadable, tiny or misshapen images are errors naming the file.
   *
   * @example const [p] = await Predictor.load('runs/vizecg').predictImages(['photo.jpg']); p.prediction; // 'NORM'
   */
  async predictImages(paths: readonly string[]): Promise<ImagePrediction[]> {
    const pages = this.requirePages('predictImages');
    const out: ImagePrediction[] = [];
    for (let start = 0; start < paths.length; start += this.spec.batchSize) {
      const files = paths.slice(start, start + this.spec.batchSize);
      const images = await Promise.all(files.map((f) => readPageImage(f, { width: pages.width, height: pages.height, fit: pages.fit, channels: pages.channels })));
      const data = imageBatch(images.map((im) => im.data)); // [B, C, H, W]
      const probs = this.pageProbabilities(data, [files.length, pages.channels, pages.height, pages.width], files);
      this.decide(probs).forEach((d, i) => {
        const { source } = images[i]!;
        out.push({ id: files[i]!, ...d, image: { ...source, modelWidth: pages.width, modelHeight: pages.height } });
      });
    }
    return out;
  }

  /** Class probabilities `[N][K]` of pages `data` `[N, C, H, W]` (values in [0, 1], 1 = paper) through the image path alone. */
  pageProbabilities(data: Float32Array, shape: [number, number, number, number], ids: readonly string[] = []): number[][] {
    this.requirePages('pageProbabilities');
    const model = this.model;
    if (!(model instanceof VizECGNet)) throw new ArgumentError(`Predictor.pageProbabilities: ${this.name} has a page spec but its model is a ${model.constructor.name}`);
    model.eval();
    const k = this.spec.classes.length;
    const multi = this.spec.task === 'multi-label';
    const flat = noGrad(() =>
      tidy(() => {
        const page = fromArray(data, shape);
        const logits = model.logits({ extras: { page } }); // [N, K]; the image path alone
        return (multi ? logits.sigmoid() : logits.softmax(1)).toArray() as Float32Array;
      }),
    );
    return Array.from({ length: shape[0] }, (_, j) => {
      const row = Array.from(flat.subarray(j * k, (j + 1) * k));
      if (!row.every(Number.isFinite)) throw new RunError(`${this.name}: the model gave non-finite outputs for ${ids[j] ?? `page ${j}`} (damaged weights?)`);
      return row;
    });
  }

  /** The argmax class (single-label) or the classes at or above the threshold, with every probability. */
  private decide(probs: number[][]): Pick<Prediction, 'prediction' | 'labels' | 'probabilities'>[] {
    const { classes, task, threshold } = this.spec;
    const argmax = argmaxRows(probs);
    return probs.map((row, i) => {
      const labels = task === 'single-label' ? [classes[argmax[i]!]!] : classes.filter((_, c) => row[c]! >= threshold);
      return { prediction: labels.join('+') || '-', labels, probabilities: Object.fromEntries(classes.map((c, k) => [c, row[k]!])) };
    });
  }

  private requirePages(fn: string): PageConfig {
    if (!this.spec.pages) throw new ArgumentError(`Predictor.${fn}: ${this.name} is a ${this.spec.model.kind} model, which reads signals, not images`);
    return this.spec.pages;
  }

  /** Frees the model's tensors (when this Predictor loaded it). */
  dispose(): void {
    if (this.owned) this.model.dispose();
    void this.#renderer?.close();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Pages `[C·H·W]` each into one batch `[N, C, H, W]`. */
function imageBatch(pages: Float32Array[]): Float32Array {
  const size = pages[0]!.length;
  const out = new Float32Array(pages.length * size);
  pages.forEach((p, i) => out.set(p, i * size));
  return out;
}
