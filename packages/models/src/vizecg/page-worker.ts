// A PageRenderer worker (page-renderer.ts): draws one record's page per task with renderToTensor, exactly as the
// calling thread would, and sends the planes back with the milliseconds drawing took, moving the buffer rather than
// copying it. The pool sends tasks here at once, and serveTasks runs them in order.
import { serveTasks } from '@ecglab/data';
import { renderToTensor, type EcgRecord, type TensorOptions } from '@ecglab/render';

serveTasks(async (task: { record: EcgRecord; opts: TensorOptions }) => {
  const t0 = performance.now();
  const { data } = await renderToTensor([task.record], task.opts);
  return { result: { planes: data, ms: performance.now() - t0 }, transfer: [data.buffer as ArrayBuffer] };
});
