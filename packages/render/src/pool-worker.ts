// A RenderPool worker: runs the same functions the calling thread would (renderPage, tensorPage +
// rgbaToPlanes, renderRecordFile) on the tasks pool.ts sends, and sends results back, moving
// pixel buffers rather than copying them.
import { serveTasks, type TaskDone } from '@ecglab/data';
import { renderRecordFile } from './batch.js';
import { writePage } from './encode.js';
import { renderPage } from './page.js';
import type { Task } from './pool-protocol.js';
import { rgbaToPlanes, tensorPage } from './tensor.js';

async function run(task: Task): Promise<TaskDone<unknown>> {
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
      return { result: await writePage(task.path, page, task.write) };
    }
    case 'file':
      await renderRecordFile(task.record, task.out, task.render, task.sidecar);
      return { result: null };
  }
}

serveTasks(run);
