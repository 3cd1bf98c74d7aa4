// Runs inside a TorchWorker's thread: imports the user module and answers {id, method, args} messages.
import { parentPort, workerData } from 'node:worker_threads';
import { transferables } from './worker.js';
import { setNumThreads } from './runtime.js';

interface Call { id: number; method: string; args: unknown[] }

function errorOf(e: unknown) {
  if (e instanceof Error) return { message: e.message, name: e.name, code: (e as { code?: string }).code };
  return { message: String(e) };
}

const port = parentPort!;
const { moduleUrl, numThreads } = workerData as { moduleUrl: string; numThreads?: number };
try {
  if (numThreads !== undefined) setNumThreads(numThreads);
  const mod = (await import(moduleUrl)) as Record<string, unknown>;
  const methods = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
  // Calls run one at a time in arrival order: this thread owns the module's torch state.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: Call) => {
    queue = queue.then(async () => {
      try {
        const result = await (mod[m.method] as (...a: unknown[]) => unknown)(...m.args);
        port.postMessage({ id: m.id, ok: true, result }, transferables(result));
      } catch (e) {
        port.postMessage({ id: m.id, ok: false, error: errorOf(e) });
      }
    });
  });
  port.postMessage({ type: 'ready', result: methods });
} catch (e) {
  port.postMessage({ type: 'fatal', error: errorOf(e) });
}
