import { WorkerPool, type WireError } from '@ecglab/data';
import { renderToTensor, type EcgRecord, type TensorOptions } from '@ecglab/render';
import { ArgumentError } from '../errors.js';

/** A page's planes `[C·H·W]` and the milliseconds it took to draw. */
export interface DrawnPage {
  planes: Float32Array;
  ms: number;
}

// A worker's error, as the calling thread would have thrown it (its class name and message).
const revive = (e: WireError): Error => Object.assign(new Error(e.message), { name: e.name });

/**
 * Draws VizECGNet's pages, one record per page (renderToTensor with one record), on `workers` worker threads
 * or, with 0, on the calling thread. With workers, the training thread only waits on a Promise: the input
 * pipeline prepares the next batches (and so their pages) while libtorch runs the current step, so drawing
 * overlaps compute. Pages are the same pixels on either path (same code, same seed).
 *
 * The workers are a WorkerPool of @ecglab/data (the pools' one mechanism) whose tasks queue in the workers
 * (`queueIn: 'workers'`): sent at once, they are drawn while the training thread is inside a step and could not
 * hand out work. A task is the unit the pipeline's `extras` hook has: one record and its options.
 *
 * @example
 * const r = new PageRenderer(1);
 * const { planes } = await r.page(record, pageOptions(cfg, { kind: 'eval' }, record.id, 12)); // [1·340·440]
 * await r.close();
 */
export class PageRenderer {
  readonly workers: number;
  /** Pages drawn, and the milliseconds spent drawing them (wall time inside the worker or the call). */
  readonly stats = { pages: 0, renderMs: 0 };
  readonly #pool: WorkerPool<{ record: EcgRecord; opts: TensorOptions }, DrawnPage> | undefined;
  #closed = false;
  #inThread: Promise<void> = Promise.resolve();

  constructor(workers: number) {
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new ArgumentError(`PageRenderer: 'workers' must be an integer in [0, 64], got ${workers}`);
    this.workers = workers;
    if (workers > 0) {
      this.#pool = new WorkerPool({
        module: new URL('./page-worker.ts', import.meta.url), name: 'PageRenderer', size: workers, doing: 'drawing a page', queueIn: 'workers',
        errors: { argument: (m) => new ArgumentError(m), worker: (m) => new ArgumentError(m), revive },
      });
    }
  }

  /** One record's page as planes `[C·H·W]`, with its drawing time. */
  page(record: EcgRecord, opts: TensorOptions): Promise<DrawnPage> {
    if (this.#closed) return Promise.reject(new ArgumentError('PageRenderer: the renderer is closed'));
    if (this.#pool === undefined) {
      // One page after another, as in a worker, so each page's time is its own.
      const page = this.#inThread.then(async () => {
        const t0 = performance.now();
        const { data } = await renderToTensor([record], opts);
        return this.#count({ planes: data, ms: performance.now() - t0 });
      });
      this.#inThread = page.then(() => undefined, () => undefined);
      return page;
    }
    // A compact copy of each lead: a windowed record's leads are views whose whole buffer would be cloned.
    const sendable: EcgRecord = { id: record.id, fs: record.fs, leadNames: [...record.leadNames], signals: record.signals.map((s) => s.slice()), ...(record.meta ? { meta: { ...record.meta } } : {}) };
    return this.#pool.run({ record: sendable, opts }).then((p) => this.#count(p), (e: Error) => {
      throw e instanceof ArgumentError ? e : Object.assign(new Error(`page of record ${record.id}: ${e.message}`), { name: e.name });
    });
  }

  /** Stops the workers; pages not drawn yet are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
  }

  #count(p: DrawnPage): DrawnPage {
    this.stats.pages++;
    this.stats.renderMs += p.ms;
    return p;
  }
}
