// A RecordReadPool worker: reads each record of a task with readRecordSync, in order, stopping at the first
// that fails (its error is the task's), and moves the signals' buffers back rather than copying them.
import { UnsupportedFormatError } from '../errors.js';
import { flacDecoderLoaded, loadFlacDecoder } from '../wfdb/index.js';
import { serveTasks } from '../workers/index.js';
import type { ReadTask } from './read-pool-protocol.js';
import { readRecordSync, type ReadRecordOptions } from './read.js';
import type { EcgRecord } from './record.js';

serveTasks(async (task: ReadTask) => {
  const records: EcgRecord[] = [];
  for (const { path, opts } of task.items) records.push(await read(path, opts));
  const buffers = new Set(records.flatMap((r) => r.signals.map((s) => s.buffer)));
  return { result: records, transfer: [...buffers].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer) };
});

// readRecord loads the FLAC decoder when a record needs it; the sync reader cannot load it (it loads
// asynchronously) and says so, so the first FLAC record loads it here and is read again.
async function read(path: string, opts: ReadRecordOptions): Promise<EcgRecord> {
  try {
    return readRecordSync(path, opts);
  } catch (err) {
    if (!(err instanceof UnsupportedFormatError) || flacDecoderLoaded()) throw err;
    await loadFlacDecoder();
    return readRecordSync(path, opts);
  }
}
