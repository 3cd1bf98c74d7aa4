// The messages between RenderPool (pool.ts) and its workers (pool-worker.ts).
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

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { name: string; message: string; code?: string } };
