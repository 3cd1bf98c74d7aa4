import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TorchWorker } from '@ecglab/engine';
import type { Inference } from './inference.js';
import type { Limits } from './limits.js';
import type { BundledModel } from './models/registry.js';
import type { WorkQueue } from './queue.js';

/** What every route reads: the models, the workers and their queues, the limits, the temp folder, the log. */
export interface ServiceContext {
  models: readonly BundledModel[];
  inference: Inference;
  render: { worker: TorchWorker; queue: WorkQueue };
  limits: Limits;
  /** The service's own temporary folder: every upload is written under it, in a folder per request. */
  tmpRoot: string;
  log: Logger;
  started: number;
  draining: boolean;
  /** Requests being answered now, and who waits for none to be. */
  inflight: { count: number; idle: (() => void)[] };
}

/** Hono's per-request variables. */
export interface Env {
  Variables: { requestId: string };
}

/**
 * Runs `fn` with a fresh folder under the service's temporary folder, deleted afterwards whatever happens.
 */
export async function withRequestDir<T>(ctx: ServiceContext, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(ctx.tmpRoot, 'req-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
