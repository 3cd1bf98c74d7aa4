// A page worker thread (page-renderer.ts): draws one record's page per task with renderToTensor, exactly as the
// calling thread would, one task after another in the order they came, and sends the planes back, moving the
// buffer rather than copying it. Tasks queue here rather than on the calling thread, so the worker keeps drawing
// while the training thread is busy in a step and cannot hand out work.
import { parentPort } from 'node:worker_threads';
import { renderToTensor, type EcgRecord, type TensorOptions } from '@ecglab/render';

const port = parentPort!;
let queue: Promise<void> = Promise.resolve();

async function run(m: { id: number; record: EcgRecord; opts: TensorOptions }): Promise<void> {
  const t0 = performance.now();
  try {
    const { data } = await renderToTensor([m.record], m.opts);
    port.postMessage({ id: m.id, ok: true, data, ms: performance.now() - t0 }, [data.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ id: m.id, ok: false, error: { name: e.name, message: e.message } });
  }
}

port.on('message', (m: { id: number; record: EcgRecord; opts: TensorOptions }) => {
  queue = queue.then(() => run(m));
});
