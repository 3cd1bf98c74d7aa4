// TorchWorker: torch work on one dedicated thread, results back as transferred typed arrays, errors as TorchError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TorchWorker, TorchError, fromArray, F, tidy, manualSeed, randn, noGrad } from './index.js';

const fixture = new URL('./testing/worker_fixture.ts', import.meta.url);

test('the worker computes what the main thread computes, and transfers arrays both ways', async () => {
  const w = await TorchWorker.start(fixture);
  try {
    assert.deepEqual([...w.methods].sort(), ['fail', 'heavy', 'init', 'later', 'predict', 'threads']);
    await w.call('init', 42);
    const input = new Float32Array([1, 2, 3, 4, -1, 0, 1, 2]);
    const copy = input.slice();
    const r = await w.call<{ probs: Float32Array; shape: number[] }>('predict', input, [2, 4]);
    assert.equal(input.byteLength, 0, 'the argument was transferred, not copied');
    assert.ok(r.probs instanceof Float32Array);
    assert.deepEqual(r.shape, [2, 3]);
    // Same seed, same weights, same maths on the main thread.
    const want = tidy(() => noGrad(() => {
      manualSeed(42);
      const wt = randn([3, 4]);
      return F.softmax(F.linear(fromArray(copy, [2, 4]), wt), 1).toArray() as Float32Array;
    }));
    assert.deepEqual(Array.from(r.probs), Array.from(want));
    assert.equal(await w.call('later', 21), 42);
  } finally {
    await w.terminate();
  }
});

test('the event loop keeps ticking while a heavy call runs in the worker', async () => {
  const w = await TorchWorker.start(fixture, { numThreads: 1 });
  try {
    assert.equal(await w.call('threads'), 1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let ticksWhenDone = -1;
    const done = w.call<number>('heavy', 60).then((v) => { ticksWhenDone = ticks; return v; });
    // Wait for several ticks while the call is still running: only possible if this thread is free.
    while (ticks < 5 && ticksWhenDone < 0) await new Promise((r) => setImmediate(r));
    const ticksDuring = ticksWhenDone < 0 ? ticks : -1;
    const v = await done;
    clearInterval(timer);
    assert.ok(Number.isFinite(v));
    assert.ok(ticksDuring >= 5, `the interval ticked ${ticksDuring} times before the heavy call finished`);
  } finally {
    await w.terminate();
  }
});

test('errors in the worker arrive as TorchError; unknown methods and bad modules are reported', async () => {
  const w = await TorchWorker.start(fixture);
  try {
    await assert.rejects(w.call('fail'), (e: unknown) => e instanceof TorchError && e.code === 'SHAPE' && /conv1d: 'input'/.test(e.message));
    await assert.rejects(w.call('nope'), (e: unknown) => e instanceof TorchError && e.code === 'ARGUMENT' && /exports no function 'nope'/.test(e.message));
    assert.equal(await w.call('threads') as number >= 1, true, 'still serving after an error');
  } finally {
    await w.terminate();
  }
  await assert.rejects(w.call('threads'), (e: unknown) => e instanceof TorchError && e.code === 'WORKER');
  await assert.rejects(TorchWorker.start(new URL('./testing/does_not_exist.ts', import.meta.url)), /does_not_exist|Cannot find/);
});
