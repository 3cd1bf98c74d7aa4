// TorchWorker: one dedicated worker_thread owns all the torch work of a module, so the event loop stays free.
// (Torch calls spread over libuv's pool ran 1.2–1.8× slower: each calling thread gets its own OpenMP team.)
import { Worker } from 'node:worker_threads';
import { TorchError, type TorchErrorCode } from './errors.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Reply {
  id?: number;
  type?: 'ready' | 'fatal';
  ok?: boolean;
  result?: unknown;
  error?: { message: string; code?: string; name?: string };
}

/** Typed arrays whose buffer they fill entirely, so moving the buffer moves nothing else. */
export function transferables(value: unknown, out = new Set<ArrayBuffer>(), seen = new Set<unknown>()): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [...out];
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const b = value.buffer;
    if (b instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === b.byteLength) out.add(b);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) transferables(v, out, seen);
  }
  return [...out];
}

export function toError(e: { message: string; code?: string; name?: string }): Error {
  if (e.name === 'TorchError' && e.code) return new TorchError(e.code as TorchErrorCode, e.message);
  const err = new Error(e.message);
  if (e.name) err.name = e.name;
  return err;
}

export interface TorchWorkerOptions {
  /** Intra-op threads inside the worker (default: all cores). */
  numThreads?: number;
}

/**
 * Runs the exported functions of `moduleUrl` on one worker thread.
 * Typed arrays in arguments and results are transferred, not copied: the caller's arrays are detached
 * after `call` (pass `a.slice()` to keep a copy).
 * @example
 * const w = await TorchWorker.start(new URL('./infer.ts', import.meta.url));
 * const probs = await w.call<Float32Array>('predict', batch, [8, 12, 5000]);
 * await w.terminate();
 */
export class TorchWorker {
  readonly methods: readonly string[];
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #dead: Error | null = null;

  private constructor(worker: Worker, methods: string[]) {
    this.#worker = worker;
    this.methods = methods;
    worker.on('message', (m: Reply) => this.#onReply(m));
    worker.on('error', (e) => this.#fail(e));
    worker.on('exit', (code) => this.#fail(new TorchError('WORKER', `TorchWorker: worker exited with code ${code}`)));
  }

  static start(moduleUrl: URL | string, opts: TorchWorkerOptions = {}): Promise<TorchWorker> {
    const url = moduleUrl instanceof URL ? moduleUrl.href : String(moduleUrl);
    if (!/^(file|data):/.test(url)) {
      return Promise.reject(new TorchError('ARGUMENT', `TorchWorker.start: 'moduleUrl' must be a file: URL, got ${url}`));
    }
    // worker_boot.mjs registers the TypeScript loader inside the thread, then loads worker_host.ts.
    const worker = new Worker(new URL('./worker_boot.mjs', import.meta.url), {
      workerData: { moduleUrl: url, numThreads: opts.numThreads },
    });
    return new Promise((resolve, reject) => {
      const onMessage = (m: Reply) => {
        if (m.type === 'ready') {
          cleanup();
          resolve(new TorchWorker(worker, (m.result as string[]) ?? []));
        } else if (m.type === 'fatal') {
          cleanup();
          void worker.terminate();
          reject(toError(m.error ?? { message: 'TorchWorker: module failed to load' }));
        }
      };
      const onError = (e: Error) => { cleanup(); reject(e); };
      const onExit = (code: number) => {
        cleanup();
        reject(new TorchError('WORKER', `TorchWorker.start: worker exited with code ${code} before it was ready`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /** Calls exported function `method` in the worker with `args` (structured-cloned; typed arrays transferred). */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    if (!this.methods.includes(method)) {
      return Promise.reject(new TorchError('ARGUMENT', `TorchWorker.call: the module exports no function '${method}' ` +
        `(it exports ${this.methods.join(', ') || 'none'})`));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, method, args }, transferables(args));
    });
  }

  /** Stops the worker; pending calls reject. */
  async terminate(): Promise<void> {
    this.#fail(new TorchError('WORKER', 'TorchWorker: terminated'));
    await this.#worker.terminate();
  }

  #onReply(m: Reply): void {
    if (m.id === undefined) return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(toError(m.error ?? { message: 'TorchWorker: unknown error' }));
  }

  #fail(e: Error): void {
    this.#dead ??= e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}
