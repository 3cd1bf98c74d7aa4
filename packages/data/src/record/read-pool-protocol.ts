// What RecordReadPool (read-pool.ts) and its workers (read-pool-worker.ts) send each other: several records per
// message, so that the cost of a message is shared by them, each with its own outcome.
import type { WireError } from '../workers/index.js';
import type { ReadRecordOptions } from './read.js';
import type { EcgRecord } from './record.js';

export interface ReadTask {
  items: { path: string; opts: ReadRecordOptions }[];
}

/** One item's record, or the error readRecordSync threw for it: the items of a task do not fail together. */
export type ReadOutcome = { record: EcgRecord } | { error: WireError };
