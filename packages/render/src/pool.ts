import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RenderArgumentError, RenderError, RenderLayoutError, RenderOutputError, RenderWorkerError } from './errors.js';
import type { EcgRecord, RenderOptions } from './options.js';
import type { RenderedPage } from './page.js';
import type { Reply, Task, WriteOptions } from './pool-protocol.js';
import type { Sidecar } from './sidecar.js';
import { planTensor, TensorAssembler, type TensorBatch, type TensorOptions } from './tensor.js';

export interface PoolOptions {
  /** Worker threads; default: the cores Node may use (os.availableParallelism()). */
  size?: number;
}

interface Pending {
  task: Task;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The task this worker is running, by id; a worker runs one at a time. */
  busy: number | null;
}

/** Rebuilds a worker's error as the class the calling thread would have seen. */
function revive(e: { name: string; message: string; code?: string }): Error {
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
  #slots: Slot[] = [];
  #queue: { id: number; p: Pending }[] = [];
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  constructor(opts: PoolOptions = {}) {
    const size = opts.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1 || size > 256) {
      throw new RenderArgumentError(`RenderPool: option 'size' must be an integer in [1, 256], got ${JSON.stringify(opts.size)}`);
    }
    this.size = size;
  }

  /** renderPage in a worker: RGBA pixels and sidecar. */
  renderPage(record: EcgRecord, opts: Partial<RenderOptions> = {}): Promise<RenderedPage> {
    return this.#submit({ kind: 'page', record, opts }) as Promise<RenderedPage>;
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
    const pages = records.map((record, i) => this.#submit({ kind: 'planes', record, i, plan: sent }) as Promise<{ planes: Float32Array; width: number; height: number; sidecar: Sidecar }>);
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
    return this.#submit({ kind: 'write', record, path, opts, write }) as Promise<{ image: string; sidecar?: string }>;
  }

  /** renderBatch's work for one record (read, draw, write the image and sidecar) in a worker. */
  renderRecordFile(record: string, out: string, render: Partial<RenderOptions>, sidecar: boolean): Promise<void> {
    return this.#submit({ kind: 'file', record, out, render, sidecar }) as Promise<void>;
  }

  /** Stops the workers; tasks still queued or running are rejected with a RenderWorkerError. */
  async close(): Promise<void> {
    this.#closed = true;
    const gone = new RenderWorkerError('RenderPool: the pool was closed before the task finished');
    for (const { p } of this.#queue) p.reject(gone);
    this.#queue = [];
    for (const p of this.#pending.values()) p.reject(gone);
    this.#pending.clear();
    const slots = this.#slots;
    this.#slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #submit(task: Task): Promise<unknown> {
    if (this.#closed) return Promise.reject(new RenderWorkerError('RenderPool: the pool is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, p: { task, resolve, reject } });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.busy === null);
      if (slot === undefined && this.#slots.length < this.size) slot = this.#spawn();
      if (slot === undefined) return;
      const { id, p } = this.#queue.shift()!;
      slot.busy = id;
      this.#pending.set(id, p);
      slot.worker.ref();
      slot.worker.postMessage({ id, task: p.task });
    }
  }

  #spawn(): Slot {
    // pool-boot.mjs registers the TypeScript loader inside the thread, then loads pool-worker.ts.
    const worker = new Worker(new URL('./pool-boot.mjs', import.meta.url));
    const slot: Slot = { worker, busy: null };
    worker.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      slot.busy = null;
      if (this.#queue.length === 0) worker.unref(); // an idle pool does not keep the process alive
      this.#dispatch();
      if (p === undefined) return;
      if (m.ok) p.resolve(m.result);
      else p.reject(revive(m.error));
    });
    const fail = (err: Error) => {
      this.#slots = this.#slots.filter((s) => s !== slot);
      if (slot.busy !== null) {
        const p = this.#pending.get(slot.busy);
        this.#pending.delete(slot.busy);
        p?.reject(new RenderWorkerError(`RenderPool: a worker failed while drawing: ${err.message}`));
      }
      slot.busy = null;
      if (!this.#closed) this.#dispatch(); // the rest go to the other workers or a new one
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.#slots.includes(slot)) fail(new Error(`worker exited with code ${code}`));
    });
    this.#slots.push(slot);
    return slot;
  }
}
