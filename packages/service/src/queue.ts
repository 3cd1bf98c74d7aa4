import { ServiceError } from './errors.js';

/** A unit of work for one worker: either records to predict with a model (merged with others), or a call. */
export type Work<R> =
  | { kind: 'batch'; key: string; items: unknown[]; run?: never }
  | { kind: 'call'; run: () => Promise<R>; key?: never; items?: never };

interface Job {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

export interface QueueOptions {
  /** Jobs waiting (not running); past it `submit` throws QUEUE_FULL at once. */
  maxQueue: number;
  /** Items merged into one batch call. */
  maxBatch: number;
  /** Runs merged batch items of one key; returns one result per item, in order. */
  runBatch: (key: string, items: unknown[]) => Promise<unknown[]>;
  /** Names the worker in errors. */
  name: string;
}

/**
 * A FIFO in front of one worker thread: one call runs at a time (the worker is single-threaded anyway), and
 * while it runs, requests queue. When the worker frees, the next job runs; batch jobs of the same key (the
 * model) waiting anywhere in the queue join it, up to `maxBatch` items, so concurrent requests share one
 * forward pass without waiting for a timer. A job whose time runs out is answered 504 (and dropped if it
 * had not started); a full queue answers 503 at once.
 *
 * @example
 * const q = new WorkQueue({ maxQueue: 64, maxBatch: 32, name: 'inference', runBatch: (model, recs) => worker.call('predict', model, recs) });
 * const [pred] = await q.submit({ kind: 'batch', key: 'cinc2017-rhythm', items: [record] }, 30_000);
 */
export class WorkQueue {
  #queue: Job[] = [];
  #running = false;
  #idle: (() => void)[] = [];
  /** Items per batch call, the last 1,000 (for tests and logs; bounded, the service runs for months). */
  readonly batchSizes: number[] = [];

  constructor(private readonly opts: QueueOptions) {}

  get waiting(): number {
    return this.#queue.length;
  }

  get busy(): boolean {
    return this.#running;
  }

  /** Queues work; resolves with its result (a batch job: one result per item). */
  submit<R>(work: Work<R>, timeoutMs: number): Promise<R> {
    if (this.#queue.length >= this.opts.maxQueue) {
      return Promise.reject(new ServiceError('QUEUE_FULL', `the ${this.opts.name} queue is full (${this.opts.maxQueue} requests waiting); retry later`));
    }
    return new Promise<R>((resolve, reject) => {
      const job: Job = { work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject, settled: false, timer: undefined as unknown as NodeJS.Timeout };
      job.timer = setTimeout(() => {
        const i = this.#queue.indexOf(job);
        if (i >= 0) this.#queue.splice(i, 1);
        this.#settle(job, new ServiceError('TIMEOUT', `the request took longer than ${timeoutMs} ms (${i >= 0 ? 'still queued' : 'in the worker'})`));
      }, timeoutMs);
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  /** Rejects every queued job (the running one finishes). */
  rejectQueued(err: ServiceError): void {
    for (const j of this.#queue.splice(0)) this.#settle(j, err);
  }

  #settle(job: Job, err: Error | null, value?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (err) job.reject(err);
    else job.resolve(value);
  }

  #pump(): void {
    if (this.#running) return;
    const head = this.#queue.shift();
    if (!head) {
      for (const r of this.#idle.splice(0)) r();
      return;
    }
    this.#running = true;
    const done = () => {
      this.#running = false;
      this.#pump();
    };
    if (head.work.kind === 'call') {
      head.work.run().then((v) => this.#settle(head, null, v), (e: Error) => this.#settle(head, e)).finally(done);
      return;
    }
    // Merge the waiting batch jobs of the same key, in arrival order, up to maxBatch items.
    const jobs = [head];
    let n = head.work.items!.length;
    for (let i = 0; i < this.#queue.length;) {
      const j = this.#queue[i]!;
      if (j.work.kind === 'batch' && j.work.key === head.work.key && n + j.work.items!.length <= this.opts.maxBatch) {
        jobs.push(j);
        n += j.work.items!.length;
        this.#queue.splice(i, 1);
      } else i++;
    }
    this.batchSizes.push(n);
    if (this.batchSizes.length > 1000) this.batchSizes.splice(0, this.batchSizes.length - 1000);
    const items = jobs.flatMap((j) => j.work.items!);
    this.opts.runBatch(head.work.key!, items).then(
      (results): void => {
        let at = 0;
        for (const j of jobs) {
          const k = j.work.items!.length;
          this.#settle(j, null, results.slice(at, at + k));
          at += k;
        }
      },
      async (e: Error): Promise<void> => {
        // One bad record must not fail its neighbours: rerun each job alone when several were merged.
        if (jobs.length === 1) return this.#settle(head, e);
        for (const j of jobs) {
          await this.opts.runBatch(head.work.key!, j.work.items!).then((r) => this.#settle(j, null, r), (err: Error) => this.#settle(j, err));
        }
      },
    ).finally(done);
  }
}
