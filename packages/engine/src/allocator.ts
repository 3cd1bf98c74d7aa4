// The caching CPU allocator (native/allocator.cc): large blocks freed by tensors are kept for reuse, so a
// training step's activations are faulted in once rather than on every step. Set ECGLAB_CPU_CACHE_MB before
// the addon loads to bound the cache (default 2048; 0 leaves libtorch's allocator in place), and
// ECGLAB_CPU_HUGE_PAGES=0 to keep its blocks of 2 MiB and more off transparent huge pages.
import { call } from './native.js';

export interface CpuAllocatorStats {
  /** False when ECGLAB_CPU_CACHE_MB=0 turned the caching allocator off. */
  enabled: boolean;
  /** Bytes of freed blocks kept for reuse. */
  cachedBytes: number;
  /** Bytes of blocks held by live tensors (size classes, ≥ 1 MiB allocations only). */
  liveBytes: number;
  cachedBlocks: number;
  /** Allocations served from the cache / by a fresh mapping. */
  hits: number;
  misses: number;
  limitBytes: number;
  /** Whether blocks of 2 MiB and more are advised for transparent huge pages (the kernel's THP mode decides). */
  hugePages: boolean;
}

/**
 * Counters of the caching CPU allocator.
 * @example const { hits, misses } = cpuAllocatorStats(); // hits grow from the second train step on
 */
export function cpuAllocatorStats(): CpuAllocatorStats {
  return call('cpuAllocatorStats') as CpuAllocatorStats;
}

/** Returns every cached (free) block to the system; live tensors are untouched. */
export function emptyCpuCache(): void {
  call('emptyCache');
}
