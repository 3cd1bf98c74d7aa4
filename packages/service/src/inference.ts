import { TorchError, TorchWorker } from '@ecglab/engine';
import type { EcgRecord } from '@ecglab/data';
import type { Prediction } from '@ecglab/models';
import { ServiceError } from './errors.js';
import type { Limits } from './limits.js';
import type { BundledModel } from './models/registry.js';
import { WorkQueue } from './queue.js';
import type { Explanation, ImageResult, NoiseLevel, Padding, PgdSweep, PgdSweepOptions } from './worker/inference.js';

export type { Explanation, ImageResult, NoiseLevel, PgdSweep, PgdSweepOptions };

/** Error names the models package gives to problems with the input rather than the service. */
const INPUT_ERRORS = new Set(['DataSpecError', 'RecordError', 'PipelineError', 'DspArgumentError']);

/** A worker error as a ServiceError: the record's fault → 422, anything else → 500 (message kept). */
function fromWorker(e: Error): ServiceError {
  if (e instanceof ServiceError) return e;
  // readPageImage's refusals (too small, banner-shaped, undecodable) are the photo's fault.
  if (e.name === 'RenderImageError') return new ServiceError('BAD_IMAGE', e.message);
  if (INPUT_ERRORS.has(e.name) || /marked invalid|too short|no samples/.test(e.message)) return new ServiceError('BAD_RECORD', e.message);
  return new ServiceError('INTERNAL', `inference failed: ${e.message}`, { cause: e });
}

/** A record with its own copies of the signals (which a worker call transfers, detaching them). */
function copyRecord(r: EcgRecord): EcgRecord {
  return { ...r, signals: r.signals.map((s) => s.slice()) };
}

/**
 * The models, loaded once in one TorchWorker thread, behind a queue that batches concurrent predictions.
 * Records are copied into the worker; the caller's arrays stay usable.
 *
 * @example
 * const inf = await Inference.start(listModels(), DEFAULT_LIMITS);
 * const [p] = await inf.predict('cinc2017-rhythm', [record]);
 * await inf.stop();
 */
export class Inference {
  readonly queue: WorkQueue;
  /** Times the worker thread died and was started again. */
  restarts = 0;
  #renamed = 0;
  #stopping = false;

  private constructor(
    private worker: TorchWorker,
    readonly models: readonly BundledModel[],
    private readonly limits: Limits,
    private readonly padding: Record<string, Padding>,
    private readonly opts: { numThreads?: number },
  ) {
    this.queue = new WorkQueue({
      name: 'inference', maxQueue: limits.maxQueue, maxBatch: limits.maxBatchRecords,
      runBatch: async (key, items) => {
        const model = key.slice(0, key.lastIndexOf('|'));
        // Records of different requests may share an id: give each a unique one for the batch. The copies'
        // arrays are transferred to the worker, the callers' stay whole (a failed batch is rerun per request).
        const recs = (items as EcgRecord[]).map((r) => ({ ...copyRecord(r), id: `${++this.#renamed}` }));
        const preds = await this.#worker<Prediction[]>('predict', model, recs);
        return preds.map((p, i) => ({ ...p, id: (items as EcgRecord[])[i]!.id }));
      },
    });
  }

  /** Starts the worker and loads every model in it, signal and image (each checked: spec and weight shapes). */
  static async start(models: readonly BundledModel[], limits: Limits, opts: { numThreads?: number } = {}): Promise<Inference> {
    const { worker, padding } = await Inference.#startWorker(models, opts);
    return new Inference(worker, models, limits, padding, opts);
  }

  static async #startWorker(models: readonly BundledModel[], opts: { numThreads?: number }) {
    const worker = await TorchWorker.start(new URL('./worker/inference.ts', import.meta.url), opts);
    try {
      const padding = await worker.call<Record<string, Padding>>('load', models.map((m) => ({ name: m.name, file: m.file })));
      return { worker, padding };
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  /**
   * A call into the worker; errors become ServiceErrors. When the thread has died (an out-of-memory isolate,
   * say), a new one is started with the models loaded again, and this request gets a 503 to retry.
   */
  async #worker<R>(method: string, ...args: unknown[]): Promise<R> {
    try {
      return await this.worker.call<R>(method, ...args);
    } catch (e) {
      if (!(e instanceof TorchError && e.code === 'WORKER') || this.#stopping) throw fromWorker(e as Error);
      this.restarts++;
      const old = this.worker;
      const { worker } = await Inference.#startWorker(this.models, this.opts);
      this.worker = worker;
      await old.terminate().catch(() => undefined);
      throw new ServiceError('WORKER_RESTARTED', `the inference worker stopped (${(e as Error).message}) and was restarted; retry the request`);
    }
  }

  /**
   * Predictions of records with a model, batched with other requests' records that the model reads padded to
   * the same length: padding is not free (a 12-lead test model's probability moved by 6e-3 between 1024 and
   * 2048 samples of padding), so a request's answer does not depend on what else was in flight.
   */
  predict(model: string, records: EcgRecord[]): Promise<Prediction[]> {
    return this.queue.submit<Prediction[]>({ kind: 'batch', key: `${model}|${this.#paddedLength(model, records)}`, items: records }, this.limits.requestTimeoutMs);
  }

  /** The length the model's pipeline pads these records to (they share one batch when they fit in one). */
  #paddedLength(model: string, records: EcgRecord[]): number {
    const m = this.models.find((x) => x.name === model);
    const pad = this.padding[model];
    if (!m || !pad) return 0;
    const fs = m.spec.conform.fs;
    const maxSamples = Math.max(1, Math.round(m.spec.input.maxSeconds * fs));
    let n = 0;
    for (const r of records) {
      // The resampler's output length: ceil(samples · fs_model / fs_record), within a sample.
      n = Math.max(n, Math.min(maxSamples, Math.ceil((r.signals[0]!.length * fs) / r.fs)));
    }
    return Math.max(pad.minLength, Math.ceil(n / pad.padMultiple) * pad.padMultiple);
  }

  /** What the model reads of a record and its input-gradient saliency. */
  explain(model: string, record: EcgRecord): Promise<Explanation> {
    return this.#call('explain', model, copyRecord(record));
  }

  /** The white-noise check of one record. */
  whiteNoise(model: string, record: EcgRecord, snrDb: number[], repeats: number, seed: number, examples: boolean) {
    return this.#call<{ clean: { probabilities: number[]; prediction: string }; levels: NoiseLevel[] }>('whiteNoise', model, copyRecord(record), snrDb, repeats, seed, examples);
  }

  /**
   * An image model's prediction for a photo at `path` (in the request's folder), with its saliency when asked.
   * Photos run one per call: an image batch would have to wait for photos of other requests to decode.
   */
  image(model: string, path: string, explain: boolean): Promise<ImageResult> {
    return this.#call('predictImage', model, path, explain);
  }

  /** The PGD ε sweep of one record (options checked against the limits by the route). */
  pgd(model: string, record: EcgRecord, opts: PgdSweepOptions): Promise<PgdSweep> {
    return this.#call('pgdSweep', model, copyRecord(record), opts);
  }

  #call<R>(method: string, ...args: unknown[]): Promise<R> {
    return this.queue.submit<R>({ kind: 'call', run: () => this.#worker<R>(method, ...args) }, this.limits.requestTimeoutMs);
  }

  /** Waits for queued and running work, then frees the models and stops the thread. */
  async stop(): Promise<void> {
    await this.queue.idle();
    this.#stopping = true;
    await this.worker.call('unload').catch(() => undefined);
    await this.worker.terminate();
  }
}
