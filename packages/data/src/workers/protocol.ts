// The messages between a WorkerPool (pool.ts) and the worker module it runs (serve.ts).

/** What boot.mjs receives as workerData: the worker module to load once tsx is registered. */
export interface BootData {
  module: string;
}

export interface TaskMessage<T> {
  id: number;
  task: T;
}

/**
 * An error thrown in a worker, as plain data: its class name, message, `code`, and its other own fields
 * (`file`, `errno`...), so that the calling side can rebuild the class the caller would have seen.
 */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  fields?: Record<string, unknown>;
}

export type ReplyMessage<R> = { id: number; ok: true; result: R } | { id: number; ok: false; error: WireError };
