import { Worker } from 'node:worker_threads';
import { renderToTensor, type EcgRecord, type TensorOptions } from '@ecglab/render';
import { ArgumentError } from '../errors.js';

interface Task {
  id: number;
  record: EcgRecord;
  resolve: (page: DrawnPage) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Tasks sent to this worker and not answered yet, by id (the worker queues them itself). */
  pending: Map<number, Task>;
}

/** A page's planes `[C·H·W]` and the milliseconds it took to draw. */
export interface DrawnPage {
  planes: Float32Array;
  ms: number;
}

type Reply = { id: number; ok: true; data: Float32Array; ms: number } | { id: number; ok: false; error: { name: string; message: string } };

/**
 * Draws VizECGNet's pages, one record per page (renderToTensor with one record), on `workers` worker threads
 * or, with 0, on the calling thread. With workers, the training thread only waits on a Promise: the input
 * pipeline prepares the next batches (and so their pages) while libtorch runs the current step, so drawing
 * overlaps compute. Pages are the same pixels on either path (same code, same seed).
 *
 * Our own small pool rather than @ecglab/render's: it sends exactly one record and its options per task,
 * the unit the pipeline's `extras` hook has.
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
  #slots: Slot[] = [];
  #next = 0;
  #closed = false;
  #inThread: Promise<void> = Promise.resolve();

  constructor(workers: number) {
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new ArgumentError(`PageRenderer: 'workers' must be an integer in [0, 64], got ${workers}`);
    this.workers = workers;
  }

  /** One record's page as planes `[C·H·W]`, with its drawing time. */
  page(record: EcgRecord, opts: TensorOptions): Promise<DrawnPage> {
    if (this.#closed) return Promise.reject(new ArgumentError('PageRenderer: the renderer is closed'));
    if (this.workers === 0) {
      // One page after another, as in a worker, so each page's time is its own.
      const page = this.#inThread.then(async () => {
        const t0 = performance.now();
        const { data } = await renderToTensor([record], opts);
        const ms = performance.now() - t0;
        this.stats.pages++;
        this.stats.renderMs += ms;
        return { planes: data, ms };
      });
      this.#inThread = page.then(() => undefined, () => undefined);
      return page;
    }
    // A compact copy of each lead: a windowed record's leads are views whose whole buffer would be cloned.
    const sendable: EcgRecord = { id: record.id, fs: record.fs, leadNames: [...record.leadNames], signals: record.signals.map((s) => s.slice()), ...(record.meta ? { meta: { ...record.meta } } : {}) };
    return new Promise((resolve, reject) => {
      // Sent at once to the least busy worker: queued on the calling thread, tasks would wait for it to be
      // free, which a training thread inside a step is not.
      let slot = this.#slots.reduce<Slot | undefined>((best, x) => (!best || x.pending.size < best.pending.size ? x : best), undefined);
      if (!slot || (slot.pending.size > 0 && this.#slots.length < this.workers)) slot = this.#spawn();
      const id = this.#next++;
      slot.pending.set(id, { id, record: sendable, resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, record: sendable, opts });
    });
  }

  /** Stops the workers; pages not drawn yet are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots;
    this.#slots = [];
    for (const s of slots) for (const t of s.pending.values()) t.reject(new ArgumentError('PageRenderer: closed before the page was drawn'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./page-worker-boot.mjs', import.meta.url));
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (m: Reply) => {
      const task = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref(); // an idle renderer does not keep the process alive
      if (!task) return;
      if (m.ok) {
        this.stats.pages++;
        this.stats.renderMs += m.ms;
        task.resolve({ planes: m.data, ms: m.ms });
      } else {
        const e = new Error(`page of record ${task.record.id}: ${m.error.message}`);
        e.name = m.error.name;
        task.reject(e);
      }
    });
    const fail = (err: Error): void => {
      this.#slots = this.#slots.filter((s) => s !== slot);
      for (const t of slot.pending.values()) t.reject(new ArgumentError(`PageRenderer: a worker failed while drawing record ${t.record.id}: ${err.message}`));
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.#slots.includes(slot)) fail(new Error(`worker exited with code ${code}`));
    });
    this.#slots.push(slot);
    return slot;
  }
}
