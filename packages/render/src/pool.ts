import { DataError, reviveDataError, WorkerPool, type WireError } from '@ecglab/data';
import { RenderArgumentError, RenderError, RenderLayoutError, RenderOutputError, RenderWorkerError } from './errors.js';
import type { EcgRecord, RenderOptions } from './options.js';
import type { RenderedPage } from './page.js';
import type { Task, WriteOptions } from './pool-protocol.js';
import type { Sidecar } from './sidecar.js';
import { planTensor, TensorAssembler, type TensorBatch, type TensorOptions } from './tensor.js';

export interface PoolOptions {
  /** Worker threads; default: the cores Node may use (os.availableParallelism()). */
  size?: number;
}

/** Rebuilds a worker's error as the class the calling thread would have seen. */
function revive(e: WireError): Error {
  switch (e.name) {
    case 'RenderArgumentError':
      return new RenderArgumentError(e.message);
    case 'RenderLayoutError':
      return new RenderLayoutError(e.message);
    case 'RenderOutputError':
      return new RenderOutputError(e.message);
    case 'RenderWorkerError':
      return new RenderWorkerError(e.message);
    default: {
      // @ecglab/data's errors (a record that cannot be read) keep their own classes and fields.
      const data = reviveDataError(e);
      if (data instanceof DataError) return data;
      const err = e.code !== undefined ? new RenderError(e.code, e.message) : new Error(e.message);
      err.name = e.name;
      return err;
    }
  }
}

/**
 * Worker threads that draw pages off the calling thread, e.g. a trainer's, which then only
 * waits on a Promise. Each worker draws one page at a time, so `size` pages are drawn at once;
 * pages are the same pixels as on the calling thread (same seed, same code). Workers hold the
 * process open only while they have work; call `close()` when done.
 *
 * @example
 * const pool = new RenderPool();            // one worker per core
 * const batch = await pool.renderToTensor(records, { dpi: 60, width: 662, height: 512, artefacts });
 * await pool.close();
 */
export class RenderPool {
  readonly size: number;
  readonly #pool: WorkerPool<Task, unknown>;

  constructor(opts: PoolOptions = {}) {
    this.#pool = new WorkerPool({
      module: new URL('./pool-worker.ts', import.meta.url), name: 'RenderPool', size: opts.size, doing: 'drawing',
      errors: { argument: (m) => new RenderArgumentError(m), worker: (m) => new RenderWorkerError(m), revive },
    });
    this.size = this.#pool.size;
  }

  /** renderPage in a worker: RGBA pixels and sidecar. */
  renderPage(record: EcgRecord, opts: Partial<RenderOptions> = {}): Promise<RenderedPage> {
    return this.#pool.run({ kind: 'page', record, opts }) as Promise<RenderedPage>;
  }

  /**
   * renderToTensor with its pages drawn in the workers, `size` at a time: the same batch (data,
   * shape, sidecars, errors) as renderToTensor(records, opts) on the calling thread. Pages come
   * back as planes and are copied into the batch here (`out` when given).
   */
  async renderToTensor(records: EcgRecord[], opts: TensorOptions = {}): Promise<TensorBatch> {
    const fn = 'RenderPool.renderToTensor';
    const plan = planTensor(fn, records, opts);
    const { out, ...sent } = plan; // `out` stays here: pages are copied into it
    const pages = records.map((record, i) => this.#pool.run({ kind: 'planes', record, i, plan: sent }) as Promise<{ planes: Float32Array; width: number; height: number; sidecar: Sidecar }>);
    // Settle all before throwing, so no page is left running; the first failure by record order wins.
    const settled = await Promise.allSettled(pages);
    const batch = new TensorAssembler(fn, { ...sent, ...(out === undefined ? {} : { out }) });
    for (let i = 0; i < settled.length; i++) {
      const s = settled[i]!;
      if (s.status === 'rejected') throw s.reason;
      const { planes, width, height, sidecar } = s.value;
      const offset = batch.place(i, width, height, sidecar);
      (batch.data as Float32Array).set(planes, offset);
    }
    return batch.result();
  }

  /** renderPage then writePage (format from the extension, written atomically) in a worker. */
  renderToFile(path: string, record: EcgRecord, opts: Partial<RenderOptions> = {}, write: WriteOptions = {}): Promise<{ image: string; sidecar?: string }> {
    return this.#pool.run({ kind: 'write', record, path, opts, write }) as Promise<{ image: string; sidecar?: string }>;
  }

  /** renderBatch's work for one record (read, draw, write the image and sidecar) in a worker. */
  renderRecordFile(record: string, out: string, render: Partial<RenderOptions>, sidecar: boolean): Promise<void> {
    return this.#pool.run({ kind: 'file', record, out, render, sidecar }) as Promise<void>;
  }

  /** Stops the workers; tasks still queued or running are rejected with a RenderWorkerError. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
