import { availableParallelism } from 'node:os';
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { BootData, ReplyMessage, WireError } from './protocol.js';

export interface WorkerPoolOptions {
  /**
   * The worker module: a file that calls `serveTasks` (serve.ts) at its top level. TypeScript is fine:
   * every thread starts in boot.mjs, which registers tsx and then imports this module.
   */
  module: URL;
  /** Names the pool in its errors, e.g. `RenderPool`. */
  name: string;
  /** Worker threads, spawned as work arrives; default: the cores Node may use (os.availableParallelism()). */
  size?: number | undefined;
  /** What a task does, for the error of a worker that dies during one: `a worker failed while ${doing}`. */
  doing: string;
  /**
   * Where tasks wait. `pool` (default): here, each worker is sent its next task when it has finished the last, so a
   * long task never holds up others that a free worker could take. `workers`: each task is sent at once to the
   * worker with the fewest (each runs its own in order), so workers keep going while this thread is too busy to
   * hand out work, e.g. inside a training step.
   */
  queueIn?: 'pool' | 'workers';
  /** The caller's error classes: errors come out of the pool as the caller's API would throw them. */
  errors: {
    /** A bad option of the pool (`size`). */
    argument: (message: string) => Error;
    /** Work that could not finish: the pool closed, a worker died. */
    worker: (message: string) => Error;
    /** An error thrown by the task in a worker, rebuilt as the class the calling thread would have thrown. */
    revive: (e: WireError) => Error;
  };
}

interface Pending {
  task: unknown;
  transfer: readonly TransferListItem[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The ids of the tasks sent to this worker and not answered yet, in the order it runs them. */
  tasks: number[];
}

/**
 * A queue of tasks over worker threads, the one mechanism behind ecglab's pools (RenderPool, RecordReadPool,
 * models' PageRenderer). Workers are spawned as work arrives, up to `size`, and each runs one task at a time. By
 * default tasks wait here, so a long task never holds up others behind it on the same worker; with `queueIn:
 * 'workers'` they are sent at once (see the option). Buffers named in a task's `transfer` list are moved to the
 * worker, and those the worker names are moved back, not copied. Workers hold the process open only while they
 * have work. A worker that dies rejects the tasks it had and the others go on (to a new worker); `close()` rejects
 * what is still queued or running.
 *
 * @example
 * const pool = new WorkerPool<{ n: number }, Float32Array>({ module: new URL('./my-worker.ts', import.meta.url),
 *   name: 'MyPool', doing: 'working', errors: { argument: (m) => new Error(m), worker: (m) => new Error(m), revive: (e) => new Error(e.message) } });
 * const out = await pool.run({ n: 10 });
 * await pool.close();
 */
export class WorkerPool<T, R> {
  readonly size: number;
  readonly #opts: WorkerPoolOptions;
  #slots: Slot[] = [];
  #queue: { id: number; p: Pending }[] = [];
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  constructor(opts: WorkerPoolOptions) {
    const size = opts.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1 || size > 256) {
      throw opts.errors.argument(`${opts.name}: option 'size' must be an integer in [1, 256], got ${JSON.stringify(opts.size)}`);
    }
    this.size = size;
    this.#opts = opts;
  }

  /** Runs `task` in a worker; the buffers in `transfer` are moved to it (unusable here once it is sent). */
  run(task: T, transfer: readonly TransferListItem[] = []): Promise<R> {
    if (this.#closed) return Promise.reject(this.#opts.errors.worker(`${this.#opts.name}: the pool is closed`));
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, p: { task, transfer, resolve: resolve as (v: unknown) => void, reject } });
      this.#dispatch();
    });
  }

  /** Stops the workers; tasks still queued or running are rejected with the caller's worker error. */
  async close(): Promise<void> {
    this.#closed = true;
    const gone = this.#opts.errors.worker(`${this.#opts.name}: the pool was closed before the task finished`);
    for (const { p } of this.#queue) p.reject(gone);
    this.#queue = [];
    for (const p of this.#pending.values()) p.reject(gone);
    this.#pending.clear();
    const slots = this.#slots;
    this.#slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #dispatch(): void {
    const eager = this.#opts.queueIn === 'workers';
    while (this.#queue.length > 0) {
      // The worker with the fewest tasks; a new one while there is room and every worker has work.
      let slot = this.#slots.reduce<Slot | undefined>((best, x) => (best === undefined || x.tasks.length < best.tasks.length ? x : best), undefined);
      if ((slot === undefined || slot.tasks.length > 0) && this.#slots.length < this.size) slot = this.#spawn();
      if (slot === undefined || (!eager && slot.tasks.length > 0)) return;
      const { id, p } = this.#queue.shift()!;
      try {
        slot.worker.postMessage({ id, task: p.task }, p.transfer);
      } catch (err) {
        p.reject(err as Error); // a task that cannot be cloned (a function in it...): the worker stays as it was
        continue;
      }
      slot.tasks.push(id);
      this.#pending.set(id, p);
      slot.worker.ref();
    }
  }

  #spawn(): Slot {
    const workerData: BootData = { module: this.#opts.module.href };
    const worker = new Worker(new URL('./boot.mjs', import.meta.url), { workerData });
    worker.unref(); // held open only while it has a task (#dispatch refs it)
    const slot: Slot = { worker, tasks: [] };
    const settle = (id: number): Pending | undefined => {
      const p = this.#pending.get(id);
      this.#pending.delete(id);
      slot.tasks = slot.tasks.filter((t) => t !== id);
      if (slot.tasks.length === 0 && this.#queue.length === 0) worker.unref(); // an idle pool does not keep the process alive
      this.#dispatch();
      return p;
    };
    worker.on('message', (m: ReplyMessage<R>) => {
      const p = settle(m.id);
      if (p === undefined) return;
      if (m.ok) p.resolve(m.result);
      else p.reject(this.#opts.errors.revive(m.error));
    });
    // A reply that cannot be deserialised here: its task (the first the worker has, as it runs them in order)
    // fails, the worker goes on.
    worker.on('messageerror', (err) => {
      const id = slot.tasks[0];
      if (id !== undefined) settle(id)?.reject(this.#opts.errors.worker(`${this.#opts.name}: a worker's reply could not be received: ${err.message}`));
    });
    // Out of the slots first, so that settle's dispatch gives the rest to the other workers or a new one.
    const fail = (err: Error) => {
      this.#slots = this.#slots.filter((s) => s !== slot);
      for (const id of [...slot.tasks]) settle(id)?.reject(this.#opts.errors.worker(`${this.#opts.name}: a worker failed while ${this.#opts.doing}: ${err.message}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.#slots.includes(slot)) fail(new Error(`worker exited with code ${code}`));
    });
    this.#slots.push(slot);
    return slot;
  }
}
