// The task RecordReadPool (read-pool.ts) sends its workers (read-pool-worker.ts): several records per message,
// so that the cost of a message is shared by them.
import type { ReadRecordOptions } from './read.js';

export interface ReadTask {
  items: { path: string; opts: ReadRecordOptions }[];
}
