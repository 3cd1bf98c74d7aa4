import { RecordError, reviveDataError } from '../errors.js';
import { WorkerPool } from '../workers/index.js';
import type { ReadTask } from './read-pool-protocol.js';
import type { ReadRecordOptions } from './read.js';
import type { EcgRecord } from './record.js';

export interface RecordReadPoolOptions {
  /** Worker threads; default: the cores Node may use (os.availableParallelism()). */
  size?: number;
}

/**
 * At most this many records per message. A message costs about as much as reading a small record (a CinC
 * 2017 one takes ~0.1 ms), so several share it; but a batch is one worker's work until it is done, so it
 * stays small enough for the workers to finish together.
 */
const MAX_PER_MESSAGE = 32;

/**
 * Reads records with readRecordSync in worker threads: the same EcgRecords and errors as readRecord, at the
 * speed of the sync reader on every worker. The async reader is slower than the sync one even with many
 * reads in flight (each file costs four round trips to libuv's thread pool: BENCHMARKS.md, "Reading WFDB
 * and MAT records"); here each worker reads synchronously, and records come back several per message with
 * their signals moved, not copied. Workers hold the process open only while they have work.
 *
 * @example
 * const pool = new RecordReadPool({ size: 2 });
 * const records = await pool.readMany(paths);                          // in the order of `paths`
 * const db = openCinc2017(dir, undefined, { reader: (p, o) => pool.read(p, o) }); // a database read by the pool
 * await pool.close();
 */
export class RecordReadPool {
  readonly size: number;
  readonly #pool: WorkerPool<ReadTask, EcgRecord[]>;

  constructor(opts: RecordReadPoolOptions = {}) {
    this.#pool = new WorkerPool({
      module: new URL('./read-pool-worker.ts', import.meta.url), name: 'RecordReadPool', size: opts.size, doing: 'reading records',
      errors: { argument: (m) => new RecordError(m), worker: (m) => new RecordError(m), revive: reviveDataError },
    });
    this.size = this.#pool.size;
  }

  /** readRecord(path, opts) in a worker. */
  async read(path: string, opts: ReadRecordOptions = {}): Promise<EcgRecord> {
    return (await this.#pool.run({ items: [{ path, opts }] }))[0]!;
  }

  /**
   * readRecord of every path, in the order of `paths`, several records per message; `opts` applies to all,
   * or gives one options object per path (ids...). Fails with the error of the first path (in order) that
   * readRecord would fail on, once every batch has settled, so that no read is left running.
   */
  async readMany(paths: readonly string[], opts: ReadRecordOptions | readonly ReadRecordOptions[] = {}): Promise<EcgRecord[]> {
    if (Array.isArray(opts) && opts.length !== paths.length) {
      throw new RecordError(`RecordReadPool.readMany: 'opts' must be one options object, or one per path (${paths.length}), got ${opts.length}`);
    }
    const optsOf = (i: number): ReadRecordOptions => (Array.isArray(opts) ? opts[i] : opts) as ReadRecordOptions;
    // Enough batches for every worker to get several (the last ones even out the workers' finishing times).
    const per = Math.max(1, Math.min(MAX_PER_MESSAGE, Math.ceil(paths.length / (4 * this.size))));
    const batches: Promise<EcgRecord[]>[] = [];
    for (let i = 0; i < paths.length; i += per) {
      batches.push(this.#pool.run({ items: paths.slice(i, i + per).map((path, k) => ({ path, opts: optsOf(i + k) })) }));
    }
    const settled = await Promise.allSettled(batches);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return settled.flatMap((s) => (s as PromiseFulfilledResult<EcgRecord[]>).value);
  }

  /** Stops the workers; reads still queued or running are rejected with a RecordError. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
