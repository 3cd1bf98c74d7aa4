// The tasks RenderPool (pool.ts) sends its workers (pool-worker.ts), through @ecglab/data's WorkerPool.
import type { EcgRecord, RenderOptions } from './options.js';
import type { TensorPlan } from './tensor.js';

export type Task =
  | { kind: 'page'; record: EcgRecord; opts: Partial<RenderOptions> }
  | { kind: 'planes'; record: EcgRecord; i: number; plan: TensorPlan }
  | { kind: 'file'; record: string; out: string; render: Partial<RenderOptions>; sidecar: boolean }
  | { kind: 'write'; record: EcgRecord; path: string; opts: Partial<RenderOptions>; write: WriteOptions };

/** writePage's options. */
export interface WriteOptions {
  sidecar?: boolean;
  quality?: number;
  compressionLevel?: number;
}
