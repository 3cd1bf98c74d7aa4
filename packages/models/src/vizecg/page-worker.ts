// A page worker thread (page-renderer.ts): draws one record's page with renderToTensor, exactly as the calling
// thread would, and sends the planes back, moving the buffer rather than copying it.
import { parentPort } from 'node:worker_threads';
import { renderToTensor, type EcgRecord, type TensorOptions } from '@ecglab/render';

const port = parentPort!;
port.on('message', (m: { id: number; record: EcgRecord; opts: TensorOptions }) => {
  const t0 = performance.now();
  renderToTensor([m.record], m.opts).then(
    ({ data }) => port.postMessage({ id: m.id, ok: true, data, ms: performance.now() - t0 }, [data.buffer as ArrayBuffer]),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: m.id, ok: false, error: { name: e.name, message: e.message } });
    },
  );
});
