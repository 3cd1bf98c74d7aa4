// Memory rules: tidy/keep/dispose keep liveTensorCount exact, and a training loop does not grow RSS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Tensor, ones, randn, zeros, tidy, keep, liveTensorCount, noGrad, F, manualSeed, setNumThreads, watchLiveTensors } from './index.js';

// Tiny ops on a shared 2-core machine: an OpenMP team of 2 waits on descheduled threads when other processes
// load the cores (measured 27 ms vs 1.6 ms per training step at load 11), so these tests use one thread.
setNumThreads(1);

test('tidy leaves liveTensorCount unchanged and keeps only returned or kept tensors', () => {
  const x = randn([4, 3]);
  const before = liveTensorCount();
  tidy(() => { x.mul(2).add(1).relu().sum(); });
  assert.equal(liveTensorCount(), before);

  const { y, list } = tidy(() => ({ y: x.exp(), list: [x.sin(), new Map([['c', x.cos()]])], n: 3 }));
  assert.equal(liveTensorCount(), before + 3);
  assert.equal(y.isDisposed, false);
  const kept = tidy(() => {
    keep(x.abs());
    x.neg();
    return null;
  }) ?? undefined;
  assert.equal(kept, undefined);
  assert.equal(liveTensorCount(), before + 4);
  y.dispose();
  for (const t of [list[0] as Tensor, (list[1] as Map<string, Tensor>).get('c')!]) t.dispose();
  assert.equal(liveTensorCount(), before + 1);
  x.dispose();
});

test('nested tidy hands returned tensors to the outer scope', () => {
  const before = liveTensorCount();
  let inner: Tensor | undefined;
  tidy(() => {
    inner = tidy(() => ones([2]).add(1));
    assert.equal(inner.isDisposed, false);
    return null;
  });
  assert.equal(inner!.isDisposed, true);
  assert.equal(liveTensorCount(), before);
});

test('.grad is owned by its tensor: not counted, reused while unchanged, released by zeroGrad_', () => {
  const w = randn([3], { requiresGrad: true });
  const before = liveTensorCount();
  tidy(() => w.mul(2).sum().backward());
  const g1 = w.grad!;
  assert.equal(liveTensorCount(), before);
  tidy(() => w.mul(3).sum().backward());
  assert.equal(w.grad, g1);                      // accumulated in place: same tensor
  assert.deepEqual(g1.tolist(), [5, 5, 5]);
  w.zeroGrad_();
  assert.equal(w.grad, null);
  assert.equal(g1.isDisposed, true);
  w.dispose();
  assert.equal(liveTensorCount(), before - 1);
});

// RSS minus V8's JS heap: the memory libtorch allocates, without the noise of when V8 grows its heap.
function nativeRss(): number {
  const m = process.memoryUsage();
  return m.rss - m.heapTotal;
}

test('RSS stays flat over 1,000 training steps and liveTensorCount returns to baseline', (t) => {
  manualSeed(0);
  // A two-layer regression net trained by hand-written SGD: the plain-tensor path the trainer relies on.
  const w1 = randn([128, 64], { requiresGrad: true });
  const w2 = randn([1, 128], { requiresGrad: true });
  const xs = randn([64, 64]);
  const ys = randn([64, 1]);
  const baseline = liveTensorCount();
  let rssAt200 = 0;
  let firstLoss = 0;
  let lastLoss = 0;
  for (let step = 1; step <= 1000; step++) {
    const loss = tidy(() => {
      const h = F.tanh(F.linear(xs, w1.mul(0.05)));            // [64, 128]
      const l = F.mseLoss(F.linear(h, w2.mul(0.05)), ys);
      l.backward();
      noGrad(() => {
        for (const p of [w1, w2]) p.sub_(p.grad!, 0.5);
      });
      w1.zeroGrad_();
      w2.zeroGrad_();
      return l.item();
    });
    if (step === 1) firstLoss = loss;
    lastLoss = loss;
    if (step === 200) rssAt200 = nativeRss();
  }
  const rssAt1000 = nativeRss();
  assert.equal(liveTensorCount(), baseline);
  assert.ok(lastLoss < firstLoss, `training reduced the loss (${firstLoss} → ${lastLoss})`);
  // A leak of one [64, 128] float activation per step would add 25 MB over the last 800 steps.
  const growthMb = (rssAt1000 - rssAt200) / 2 ** 20;
  t.diagnostic(`RSS outside the JS heap: ${(rssAt200 / 2 ** 20).toFixed(1)} MB at step 200, ${(rssAt1000 / 2 ** 20).toFixed(1)} MB at step 1000`);
  assert.ok(growthMb < 16, `RSS outside the JS heap grew by ${growthMb.toFixed(1)} MB between steps 200 and 1000`);
  for (const t of [w1, w2, xs, ys]) t.dispose();
});

test('dispose is idempotent and counted once', () => {
  const before = liveTensorCount();
  const t = zeros([2]);
  t.dispose();
  t.dispose();
  assert.equal(liveTensorCount(), before);
});

test('finalizers free tensors that were never disposed once V8 collects their handles (safety net)', () => {
  // In a child with --expose-gc: 50 undisposed 4 MB tensors (200 MB) must not stay resident after GC. Freed
  // blocks go to the caching CPU allocator (allocator.ts), so the child empties its cache before measuring: a
  // block still held by a tensor would stay resident.
  const code = `
    import { randn, liveTensorCount, emptyCpuCache } from '@ecglab/engine';
    const native = () => { const m = process.memoryUsage(); return (m.rss - m.heapTotal) / 2 ** 20; };
    const before = native();
    for (let i = 0; i < 50; i++) randn([1024, 1024]);
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    emptyCpuCache();
    console.log(JSON.stringify({ grownMb: native() - before, live: liveTensorCount() }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { grownMb, live } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { grownMb: number; live: number };
  assert.ok(grownMb < 60, `native memory still up ${grownMb.toFixed(0)} MB after GC`);
  assert.equal(live, 50, 'undisposed tensors still count as live: the count exposes the leak');
});

// handle.cc tells V8 the handles' memory in steps of 256 MiB. Each case runs in a child: it counts the child's
// mark-compact collections (PerformanceObserver 'gc' entries) and its memory outside the JS heap.
function gcChild(body: string): { markCompacts: number; peakMb: number } {
  const code = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    import { zeros, setNumThreads } from '@ecglab/engine';
    setNumThreads(1);
    let markCompacts = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts++; })
      .observe({ entryTypes: ['gc'] });
    let peakMb = 0;
    const sample = () => { const m = process.memoryUsage(); peakMb = Math.max(peakMb, (m.rss - m.heapTotal) / 2 ** 20); };
    ${body}
    await new Promise((r) => setTimeout(r, 50)); // gc entries are delivered asynchronously
    console.log(JSON.stringify({ markCompacts, peakMb }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { markCompacts: number; peakMb: number };
}

test('activations that come and go (each disposed at once) do not make V8 collect', (t) => {
  // 200 rounds of three 40 MB tensors alive at once, as a forward pass through nn.pipe: reporting each handle made
  // V8 run a full collection every time the total rose 64 MiB, 2-3 times per Ma & Liang inference batch.
  const { markCompacts } = gcChild(`
    for (let i = 0; i < 200; i++) { const a = zeros([10 << 20]); const b = a.add(1); const c = b.mul(2); a.dispose(); b.dispose(); c.dispose(); }`);
  t.diagnostic(`${markCompacts} mark-compact collections`);
  assert.ok(markCompacts <= 2, `${markCompacts} mark-compact collections`);
});

test('tensors never disposed are still collected without an explicit gc(): memory stays bounded', (t) => {
  // 2 GB of undisposed 8 MB tensors: the handles' memory, reported in 256 MiB steps, must bring collections, or the
  // process would hold all 2 GB. Node runs the finalizers of collected handles when the event loop turns, so the
  // loop yields now and then, as an async pipeline does.
  const { markCompacts, peakMb } = gcChild(`
    for (let i = 0; i < 256; i++) { zeros([2 << 20]); sample(); if (i % 8 === 7) await new Promise((r) => setImmediate(r)); }`);
  t.diagnostic(`${markCompacts} mark-compact collections, peak ${peakMb.toFixed(0)} MB outside the JS heap`);
  assert.ok(markCompacts >= 1, 'V8 collected at least once');
  assert.ok(peakMb < 1200, `memory outside the JS heap peaked at ${peakMb.toFixed(0)} MB for 2,048 MB allocated`);
});

test('watchLiveTensors warns once when a loop keeps a tensor every step, and stays quiet for a tidy loop', () => {
  const warnings: string[] = [];
  const kept: Tensor[] = [];
  const leaky = watchLiveTensors('leaky loop', { enabled: true, patience: 3, warn: (m) => warnings.push(m) });
  for (let i = 0; i < 8; i++) {
    kept.push(tidy(() => zeros([4]).add(i))); // survives the scope: a leak
    leaky();
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^leaky loop: the live tensor count grew for 3 steps in a row \(\d+ → \d+\); a tensor is kept each step/);
  const tidyLoop = watchLiveTensors('tidy loop', { enabled: true, patience: 3, warn: (m) => warnings.push(m) });
  for (let i = 0; i < 8; i++) {
    tidy(() => zeros([4]).add(i).sum().item());
    tidyLoop();
  }
  assert.equal(warnings.length, 1);
  for (const t of kept) t.dispose();
  assert.equal(typeof watchLiveTensors('off')(), 'undefined', 'off unless asked (ECGLAB_DEBUG_TENSORS=1)');
});
