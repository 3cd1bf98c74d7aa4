import { RecordError, reviveDataError } from '../errors.js';
import { WorkerPool } from '../workers/index.js';
import type { ReadOutcome, ReadTask } from './read-pool-protocol.js';
import type { ReadRecordOptions } from './read.js';
import type { EcgRecord } from './record.js';

export interface RecordReadPoolOptions {
  /** Worker threads; default: the cores Node may use (os.availableParallelism()). */
  size?: number;
}

/** A record asked for, and where its outcome goes. */
interface Item {
  path: string;
  opts: ReadRecordOptions;
  resolve: (r: EcgRecord) => void;
  reject: (e: Error) => void;
}

/**
 * At most this many records per message. A message costs a few tens of µs, about as much as reading a small
 * record (a CinC 2017 one takes ~0.1 ms), so several share it; but a batch is one worker's work until it is
 * done, so it stays small enough for the workers to finish together.
 */
const MAX_PER_MESSAGE = 32;
/**
 * A readMany of a few hundred records is cut into about this many batches per worker, not one: batches
 * finish at different times (records differ in length), and with one each a worker could sit idle while
 * the other reads half the set.
 */
const BATCHES_PER_WORKER = 4;

/**
 * Reads records with readRecordSync in worker threads: the same EcgRecords and errors as readRecord, at the
 * speed of the sync reader on every worker. The async reader is slower than the sync one even with many
 * reads in flight (each file costs four round trips to libuv's thread pool: BENCHMARKS.md, "Reading WFDB
 * and MAT records"); here each worker reads synchronously, and records come back several per message with
 * their signals moved, not copied: `readMany` batches its paths, and `read` calls made in the same turn of
 * the event loop (a pipeline's reads in flight) go out together. Workers hold the process open only while
 * they have work.
 *
 * @example
 * const pool = new RecordReadPool({ size: 2 });
 * const records = await pool.readMany(paths);                          // in the order of `paths`
 * const db = openCinc2017(dir, undefined, { reader: (p, o) => pool.read(p, o) }); // a database read by the pool
 * await pool.close();
 */
export class RecordReadPool {
  readonly size: number;
  readonly #pool: WorkerPool<ReadTask, ReadOutcome[]>;
  /** `read` calls not sent yet: they leave together at the end of this turn of the event loop. */
  #waiting: Item[] = [];

  constructor(opts: RecordReadPoolOptions = {}) {
    this.#pool = new WorkerPool({
      module: new URL('./read-pool-worker.ts', import.meta.url), name: 'RecordReadPool', size: opts.size, doing: 'reading records',
      errors: { argument: (m) => new RecordError(m), worker: (m) => new RecordError(m), revive: reviveDataError },
    });
    this.size = this.#pool.size;
  }

  /** readRecord(path, opts) in a worker. */
  read(path: string, opts: ReadRecordOptions = {}): Promise<EcgRecord> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#send(this.#waiting.splice(0)));
      this.#waiting.push({ path, opts, resolve, reject });
    });
  }

  /**
   * readRecord of every path, in the order of `paths`, several records per message; `opts` applies to all,
   * or gives one options object per path (ids...). Fails with the error of the first path (in order) that
   * readRecord would fail on, once every read has settled, so that no read is left running.
   */
  async readMany(paths: readonly string[], opts: ReadRecordOptions | readonly ReadRecordOptions[] = {}): Promise<EcgRecord[]> {
    if (Array.isArray(opts) && opts.length !== paths.length) {
      throw new RecordError(`RecordReadPool.readMany: 'opts' must be one options object, or one per path (${paths.length}), got ${opts.length}`);
    }
    const items: Item[] = [];
    const records = paths.map((path, i) => new Promise<EcgRecord>((resolve, reject) => {
      items.push({ path, opts: (Array.isArray(opts) ? opts[i] : opts) as ReadRecordOptions, resolve, reject });
    }));
    this.#send(items);
    const settled = await Promise.allSettled(records);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<EcgRecord>).value);
  }

  /** Stops the workers; reads still queued or running are rejected with a RecordError. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Sends `items` in batches: BATCHES_PER_WORKER per worker, of at most MAX_PER_MESSAGE. */
  #send(items: Item[]): void {
    const per = Math.max(1, Math.min(MAX_PER_MESSAGE, Math.ceil(items.length / (this.size * BATCHES_PER_WORKER))));
    for (let i = 0; i < items.length; i += per) {
      const batch = items.slice(i, i + per);
      this.#pool.run({ items: batch.map(({ path, opts }) => ({ path, opts })) }).then(
        (out) => out.forEach((o, k) => ('record' in o ? batch[k]!.resolve(o.record) : batch[k]!.reject(reviveDataError(o.error)))),
        (err: Error) => batch.forEach((it) => it.reject(err)),
      );
    }
  }
}
