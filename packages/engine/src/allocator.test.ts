// The caching CPU allocator: large blocks come back from its cache, values are unaffected, the cache empties.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { cpuAllocatorStats, emptyCpuCache, nn, randn, zeros, ones, tidy, setNumThreads } from './index.js';

setNumThreads(1);

test('a freed large block is reused by the next allocation of its size class', (t) => {
  if (!cpuAllocatorStats().enabled) { t.skip('ECGLAB_CPU_CACHE_MB=0'); return; }
  const n = 1 << 20;                                                       // 4 MiB of float32: above the 1 MiB floor
  tidy(() => { ones([n]).mul(3); });                                       // fills then frees two blocks
  const s0 = cpuAllocatorStats();
  assert.ok(s0.cachedBytes >= 4 << 20, `cached ${s0.cachedBytes}`);
  const sum = tidy(() => zeros([n]).add(2).sum().item());                  // reused memory must not leak old values
  assert.equal(sum, 2 * n);
  const s1 = cpuAllocatorStats();
  assert.ok(s1.hits >= s0.hits + 2, `hits ${s0.hits} -> ${s1.hits}`);
  assert.equal(s1.misses, s0.misses);
  emptyCpuCache();
  const s2 = cpuAllocatorStats();
  assert.equal(s2.cachedBytes, 0);
  assert.equal(s2.cachedBlocks, 0);
});

// libtorch and oneDNN free their scratch buffers through the allocator's raw deleter; the small ones (below
// the 1 MiB floor) came from glibc and must go back there. They were once dropped instead, and a Ma & Liang
// train step leaked ~27 MB of them (a CinC 2017 training was killed at 24 GB).
test('repeated conv train steps do not grow the process: small raw buffers are freed (120 steps, < 16 MiB)', () => {
  const conv = new nn.Conv1d(64, 64, 7, { padding: 'same' });
  const step = (): void => tidy(() => {
    const x = randn([8, 64, 1000], { requiresGrad: true });
    conv.forward(x).relu().sum().backward();
  });
  for (let i = 0; i < 20; i++) step(); // warm: caches, thread pools, the allocator's free lists
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 120; i++) step();
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  assert.ok(grown < 16, `RSS grew ${grown.toFixed(1)} MiB over 120 steps`);
});

test('large blocks are backed by transparent huge pages where the kernel allows them', (t) => {
  const mode = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
  if (!cpuAllocatorStats().enabled || mode.includes('[never]')) { t.skip(`THP ${mode.trim()} or ECGLAB_CPU_CACHE_MB=0`); return; }
  const hugeKb = () => Number(/AnonHugePages:\s+(\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))![1]);
  emptyCpuCache();
  const before = hugeKb();
  const x = zeros([16 << 20]).add(1);                                     // 64 MiB, written: 32 huge pages if aligned
  const grownMb = (hugeKb() - before) / 1024;
  x.dispose();
  emptyCpuCache();
  assert.ok(grownMb >= 32, `${grownMb} MiB more in huge pages for a 64 MiB tensor`);
});
