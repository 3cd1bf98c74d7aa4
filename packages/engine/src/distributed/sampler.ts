// One rank's share of an epoch, as torch.utils.data.DistributedSampler computes it. The order itself (shuffled with
// the run's seed and the epoch) comes from the caller; every rank must pass the same order.
import { TorchError } from '../errors.js';

export interface ShardOptions {
  rank: number;
  worldSize: number;
  /**
   * false (default): wrap around to the start of `order` so that every rank gets ceil(n / worldSize) items (a few
   * items are then seen twice per epoch). true: drop the tail so that every rank gets floor(n / worldSize) items
   * and none is seen twice. Either way all ranks get the same count, so their steps stay in lockstep.
   */
  dropLast?: boolean;
}

/** Items each rank gets from an epoch of `n` items (DistributedSampler's num_samples). */
export function shardLength(n: number, worldSize: number, dropLast = false): number {
  // PyTorch writes ceil((n - worldSize) / worldSize) for drop_last with a remainder, which is floor(n / worldSize).
  return dropLast ? Math.floor(n / worldSize) : Math.ceil(n / worldSize);
}

/**
 * Rank `rank`'s items of `order`: every worldSize-th item starting at `rank`, after padding or trimming `order` to
 * a multiple of worldSize (DistributedSampler's indices[rank:total_size:num_replicas]). The shards are disjoint
 * positions of the padded order, so together they cover every item once (plus the wrapped padding).
 * @example
 * shardIndices([7, 3, 5, 1, 0, 2, 6, 4, 8], { rank: 1, worldSize: 2 });                  // [3, 1, 2, 4, 7]
 * shardIndices([7, 3, 5, 1, 0, 2, 6, 4, 8], { rank: 1, worldSize: 2, dropLast: true });  // [3, 1, 2, 4]
 */
export function shardIndices<T>(order: readonly T[], opts: ShardOptions): T[] {
  const { rank, worldSize, dropLast = false } = opts;
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new TorchError('ARGUMENT', `shardIndices: 'worldSize' must be an integer >= 1, got ${worldSize}`);
  }
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new TorchError('ARGUMENT', `shardIndices: 'rank' must be an integer in [0, ${worldSize}), got ${rank}`);
  }
  const n = order.length;
  const total = shardLength(n, worldSize, dropLast) * worldSize;
  const out: T[] = [];
  if (n === 0) return out;
  // Position i of the padded order is order[i % n]: padding repeats the order from its start, as PyTorch's does.
  for (let i = rank; i < total; i += worldSize) out.push(order[i % n]!);
  return out;
}
