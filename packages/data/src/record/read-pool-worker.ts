// A RecordReadPool worker: reads each record of a task with readRecordSync, in order, each with its own outcome,
// and moves the signals' buffers back rather than copying them.
import { UnsupportedFormatError } from '../errors.js';
import { flacDecoderLoaded, loadFlacDecoder } from '../wfdb/index.js';
import { errorToWire, serveTasks } from '../workers/index.js';
import type { ReadOutcome, ReadTask } from './read-pool-protocol.js';
import { readRecordSync, type ReadRecordOptions } from './read.js';
import type { EcgRecord } from './record.js';

serveTasks(async (task: ReadTask) => {
  const out: ReadOutcome[] = [];
  for (const { path, opts } of task.items) {
    try {
      out.push({ record: await read(path, opts) });
    } catch (err) {
      out.push({ error: errorToWire(err) });
    }
  }
  const buffers = new Set(out.flatMap((o) => ('record' in o ? o.record.signals.map((s) => s.buffer) : [])));
  return { result: out, transfer: [...buffers].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer) };
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
