// Data parallelism as PyTorch's DistributedDataParallel does it, called by the training loop rather than hooked
// into autograd: the same parameters everywhere at the start (broadcastParameters), and after each backward the
// gradients averaged across ranks in buckets of about `bucketBytes` (allReduceGradients). Clip after averaging.
import { TorchError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { zerosLike } from '../creation.js';
import { allReduceCoalesced, broadcast, getWorldSize } from './group.js';

/** PyTorch DDP's default bucket_cap_mb (25 MiB). */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

const BYTES: Record<string, number> = { float32: 4, float64: 8, float16: 2, int32: 4, int64: 8, uint8: 1 };

export interface AllReduceGradientsOptions {
  /** Upper size of one collective in bytes (default 25 MiB, as DDP); a larger gradient gets a bucket of its own. */
  bucketBytes?: number;
}

/** PyTorch DDP's _DEFAULT_FIRST_BUCKET_BYTES (1 MiB); here never above `bucketBytes`. */
export const DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024;

/**
 * Groups tensors into buckets of one dtype as DDP does (torch.distributed._compute_bucket_assignment_by_size, then
 * reversed): filled in parameter order, a bucket closes once it holds at least its limit, the first of each dtype
 * (the input layers', whose gradients come last in backward) at `firstBucketBytes`, the others at `bucketBytes`;
 * buckets are ordered by their first tensor and returned in reverse: launch order. So the big buckets travel while
 * backward is still busy with the first layers, and little is left to send when it ends. Returns indices into
 * `tensors`; every rank must pass the same tensors in the same order, so buckets match.
 */
export function bucketIndices(tensors: readonly Tensor[], bucketBytes: number,
  firstBucketBytes = Math.min(DEFAULT_FIRST_BUCKET_BYTES, bucketBytes)): number[][] {
  const open = new Map<string, { indices: number[]; bytes: number; limit: number }>();
  const buckets: number[][] = [];
  tensors.forEach((t, i) => {
    const b = open.get(t.dtype) ?? { indices: [], bytes: 0, limit: firstBucketBytes };
    open.set(t.dtype, b);
    b.indices.push(i);
    b.bytes += t.numel * (BYTES[t.dtype] ?? 8);
    if (b.bytes >= b.limit) {
      buckets.push(b.indices);
      open.set(t.dtype, { indices: [], bytes: 0, limit: bucketBytes });
    }
  });
  for (const b of open.values()) if (b.indices.length > 0) buckets.push(b.indices);
  return buckets.sort((a, b) => a[0]! - b[0]!).reverse();
}

/** bucketIndices as tensors. */
export function bucketTensors(tensors: readonly Tensor[], bucketBytes: number): Tensor[][] {
  return bucketIndices(tensors, bucketBytes).map((b) => b.map((i) => tensors[i]!));
}

export function checkBucketBytes(fn: string, bucketBytes: number): void {
  if (!Number.isFinite(bucketBytes) || bucketBytes <= 0) {
    throw new TorchError('ARGUMENT', `${fn}: 'bucketBytes' must be a positive number, got ${bucketBytes}`);
  }
}

export function paramList(fn: string, params: Iterable<Tensor>): Tensor[] {
  const list = [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TorchError('ARGUMENT', `${fn}: 'params[${i}]' must be a Tensor`);
  });
  return list;
}

/**
 * Averages the gradients of `params` across all ranks, in place: after it every rank holds the gradient of the
 * mean loss over the global batch, so identical optimizer steps keep the replicas identical. A parameter that
 * requires grad but got none on this rank contributes zeros (and receives the average); all ranks must pass the
 * same parameters in the same order. All buckets are in flight at once; Gloo's threads reduce them.
 * @example
 * loss.backward();
 * await distributed.allReduceGradients(model.parameters());
 * optim.clipGradNorm(model.parameters(), 1.0);   // clip the averaged gradient, as DDP does
 * opt.step();
 */
export async function allReduceGradients(params: Iterable<Tensor>, opts: AllReduceGradientsOptions = {}): Promise<void> {
  const fn = 'allReduceGradients';
  const bucketBytes = opts.bucketBytes ?? DEFAULT_BUCKET_BYTES;
  checkBucketBytes(fn, bucketBytes);
  const worldSize = getWorldSize();
  const grads: Tensor[] = [];
  for (const p of paramList(fn, params)) {
    if (!p.requiresGrad) continue;
    if (p.grad === null) {
      const zero = zerosLike(p);
      p.grad = zero;  // p keeps its own reference
      zero.dispose();
    }
    grads.push(p.grad!);
  }
  if (worldSize === 1 || grads.length === 0) return;
  // Issue every bucket before awaiting any: the order of issue is what matches buckets across ranks.
  await Promise.all(bucketTensors(grads, bucketBytes).map((bucket) => allReduceCoalesced(bucket, 'sum')));
  noGrad(() => {
    for (const g of grads) g.div_(worldSize);
  });
}

/**
 * Copies rank `src`'s values of `tensors` (parameters, and buffers such as BatchNorm's running statistics) to
 * every rank, so all replicas start equal. Call it once after building the model, before the optimizer's first step.
 * @example await distributed.broadcastParameters([...model.parameters(), ...model.buffers()], 0);
 */
export async function broadcastParameters(tensors: Iterable<Tensor>, src = 0): Promise<void> {
  const list = paramList('broadcastParameters', tensors);
  // Gloo writes into each tensor's memory; autograd never sees it, as with PyTorch's in-place copy under no_grad.
  await Promise.all(list.map((t) => broadcast(t, src)));
}
