// Gradient averaging overlapped with backward (DDP's Reducer): hooks on the parameters launch each bucket's
// all-reduce on Gloo's threads as soon as its gradients are final, while backward computes the earlier layers';
// finish() then only waits for what is still in flight. See native/gradient_sync.cc.
import { call, callAsync } from '../native.js';
import { TorchError } from '../errors.js';
import { Tensor, handleOf } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { collective, group } from './group.js';
import { DEFAULT_BUCKET_BYTES, bucketIndices, checkBucketBytes, paramList, type AllReduceGradientsOptions } from './data-parallel.js';

type SyncHandle = { readonly __gradientSync: unique symbol };

/**
 * Averages the gradients of `params` across ranks, overlapping the all-reduce with backward. Create it once, before
 * the first backward, with the parameters every rank passes in the same order; after each `backward()` await
 * `finish()`, then clip and step. Same result as `allReduceGradients` (a parameter without a gradient contributes
 * zeros), but the buckets of the last layers travel while the first layers' gradients are being computed.
 * Set `enabled = false` around backward passes that are not the step's last one (gradient accumulation, or an
 * extra backward for input gradients): they then launch nothing, and `finish()` sends everything at once.
 * @example
 * const sync = new distributed.GradientSync(model.parameters());
 * for (const batch of batches) {
 *   opt.zeroGrad();
 *   lossOf(batch).backward();        // buckets start travelling during backward
 *   await sync.finish();              // the rest, then average
 *   optim.clipGradNorm(model.parameters(), 1.0);
 *   opt.step();
 * }
 * sync.dispose();
 */
export class GradientSync {
  readonly params: readonly Tensor[];
  #handle: SyncHandle | null;
  #worldSize: number;

  constructor(params: Iterable<Tensor>, opts: AllReduceGradientsOptions = {}) {
    const fn = 'GradientSync';
    const bucketBytes = opts.bucketBytes ?? DEFAULT_BUCKET_BYTES;
    checkBucketBytes(fn, bucketBytes);
    const g = group(fn);
    this.params = paramList(fn, params).filter((p) => p.requiresGrad);
    this.params.forEach((p, i) => {
      if (!p.isLeaf) throw new TorchError('ARGUMENT', `${fn}: 'params[${i}]' must be a leaf tensor (a parameter)`);
    });
    this.#worldSize = g.info.worldSize;
    const handles = this.params.map((p, i) => handleOf(p, fn, `params[${i}]`));
    this.#handle = call('gradSyncCreate', g.handle, handles, bucketIndices(this.params, bucketBytes)) as SyncHandle;
  }

  #live(fn: string): SyncHandle {
    if (this.#handle === null) throw new TorchError('DISPOSED', `GradientSync.${fn}: the gradient sync was disposed`);
    return this.#handle;
  }

  /** Whether backward launches buckets (default true). */
  set enabled(on: boolean) {
    call('gradSyncSetEnabled', this.#live('enabled'), on);
  }

  /** Buckets already launched in this step (by backward, before finish()). */
  get launched(): number {
    return call('gradSyncLaunched', this.#live('launched')) as number;
  }

  /** Launches what backward did not, waits for every bucket, and divides by the world size: gradients are averaged. */
  async finish(): Promise<void> {
    const h = this.#live('finish');
    await collective('GradientSync.finish', () => callAsync('gradSyncFinish', h));
    noGrad(() => {
      for (const p of this.params) p.grad?.div_(this.#worldSize);
    });
  }

  /** Removes the hooks from the parameters. */
  dispose(): void {
    if (this.#handle === null) return;
    call('gradSyncDispose', this.#handle);
    this.#handle = null;
  }
}
