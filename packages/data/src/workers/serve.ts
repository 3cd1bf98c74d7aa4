// The worker side of a WorkerPool: runs each task the pool sends with the module's own function and sends
// the result back, moving the buffers it names rather than copying them, or the error as plain data.
import { parentPort, type TransferListItem } from 'node:worker_threads';
import { DataError } from '../errors.js';
import type { ReplyMessage, TaskMessage, WireError } from './protocol.js';

/** A task's result and the buffers to move with it (they are unusable in the worker afterwards). */
export interface TaskDone<R> {
  result: R;
  transfer?: readonly TransferListItem[];
}

/**
 * Answers a WorkerPool's tasks in this worker thread with `run`, one at a time, in the order they came. Call it
 * once, at the top level of the module given to WorkerPool as `module`.
 *
 * @example serveTasks((task: { n: number }) => ({ result: new Float32Array(task.n) }));
 */
export function serveTasks<T, R>(run: (task: T) => TaskDone<R> | Promise<TaskDone<R>>): void {
  const port = parentPort;
  if (port === null) throw new DataError('serveTasks: must be called in a worker thread started by a WorkerPool, not on the main thread');
  // One task at a time, in the order they came (a pool with `queueIn: 'workers'` sends several).
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: TaskMessage<T>) => {
    queue = queue.then(() => answer(port, run, m));
  });
}

async function answer<T, R>(port: NonNullable<typeof parentPort>, run: (task: T) => TaskDone<R> | Promise<TaskDone<R>>, m: TaskMessage<T>): Promise<void> {
  let done: TaskDone<R>;
  try {
    done = await run(m.task);
  } catch (err) {
    port.postMessage({ id: m.id, ok: false, error: errorToWire(err) } satisfies ReplyMessage<R>);
    return;
  }
  try {
    port.postMessage({ id: m.id, ok: true, result: done.result } satisfies ReplyMessage<R>, done.transfer);
  } catch (err) {
    // a result that cannot be cloned: the caller gets that error rather than a worker that died
    port.postMessage({ id: m.id, ok: false, error: errorToWire(err) } satisfies ReplyMessage<R>);
  }
}

/**
 * An error as plain data, as the pool sends a task's error (for a worker that reports errors item by item);
 * fields that cannot be cloned (a `cause`, a function) are left out.
 */
export function errorToWire(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const { code, ...rest } = Object.fromEntries(Object.entries(e)) as { code?: unknown } & Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries(rest).filter(([k, v]) => k !== 'name' && k !== 'cause' && cloneable(v)));
  return {
    name: e.name, message: e.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(Object.keys(fields).length > 0 ? { fields } : {}),
  };
}

function cloneable(v: unknown): boolean {
  try {
    structuredClone(v);
    return true;
  } catch {
    return false;
  }
}
