// A RenderPool worker: runs the same functions the calling thread would (renderPage, tensorPage +
// rgbaToPlanes, renderRecordFile) on the tasks pool.ts sends, and sends results back, moving
// pixel buffers rather than copying them.
import { parentPort } from 'node:worker_threads';
import { renderRecordFile } from './batch.js';
import { writePage } from './encode.js';
import { renderPage } from './page.js';
import type { Reply, Task } from './pool-protocol.js';
import { rgbaToPlanes, tensorPage } from './tensor.js';

async function run(task: Task): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (task.kind) {
    case 'page': {
      const page = await renderPage(task.record, task.opts);
      return { result: page, transfer: [page.data.buffer as ArrayBuffer] };
    }
    case 'planes': {
      const page = await tensorPage(task.record, task.i, task.plan);
      const planes = new Float32Array(task.plan.channels * page.width * page.height);
      rgbaToPlanes(page, task.plan.channels, planes, 0);
      return { result: { planes, width: page.width, height: page.height, sidecar: page.sidecar }, transfer: [planes.buffer] };
    }
    case 'write': {
      const page = await renderPage(task.record, task.opts);
      return { result: await writePage(task.path, page, task.write), transfer: [] };
    }
    case 'file':
      await renderRecordFile(task.record, task.out, task.render, task.sidecar);
      return { result: null, transfer: [] };
  }
}

const port = parentPort!;
port.on('message', (m: { id: number; task: Task }) => {
  run(m.task).then(
    ({ result, transfer }) => port.postMessage({ id: m.id, ok: true, result } satisfies Reply, transfer),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = (e as { code?: unknown }).code;
      port.postMessage({ id: m.id, ok: false, error: { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) } } satisfies Reply);
    },
  );
});
