// The pool mechanism itself; RenderPool's and RecordReadPool's tests check that their work comes back as on
// the calling thread.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DataError, RecordError, reviveDataError } from '../errors.js';
import { WorkerPool } from './pool.js';
import type { TestTask } from './testing-worker.js';

const make = (size: number, queueIn?: 'pool' | 'workers') => new WorkerPool<TestTask, unknown>({
  module: new URL('./testing-worker.ts', import.meta.url), name: 'TestPool', size, doing: 'testing', queueIn,
  errors: { argument: (m) => new DataError(m), worker: (m) => new DataError(m), revive: reviveDataError },
});

describe('WorkerPool', () => {
  const pool = make(2);
  after(() => pool.close());

  test('buffers in a transfer list are moved, both ways', async () => {
    const x = Float64Array.from([1, 2, 3.5]);
    assert.equal(await pool.run({ kind: 'sum', x }, [x.buffer]), 6.5);
    assert.equal(x.byteLength, 0, 'the task\'s buffer was copied, not moved');
    const y = Float64Array.from([1, 2]);
    assert.equal(await pool.run({ kind: 'sum', x: y }), 3);
    assert.equal(y.length, 2, 'without a transfer list the buffer stays');
    const out = await pool.run({ kind: 'fill', n: 5 });
    assert.deepEqual(out, new Float32Array(5).fill(7));
  });

  test('an error thrown in a worker comes back as its class, with its fields', async () => {
    await assert.rejects(pool.run({ kind: 'throw' }), (e: Error) => e instanceof RecordError && e.message === 'x.hea: thrown in a worker' && e.file === 'x.hea' && e.code === 'E_RECORD');
  });

  test('a task that cannot be sent fails alone; the pool goes on', async () => {
    await assert.rejects(pool.run({ kind: 'sum', x: (() => 1) as unknown as Float64Array }), /could not be cloned/);
    assert.equal(await pool.run({ kind: 'sum', x: Float64Array.from([2]) }), 2);
  });

  test('a worker that dies fails its own task; the others run on the other worker or a new one', async () => {
    const p = make(2);
    try {
      const dying = p.run({ kind: 'exit', ms: 50 });
      const rest = Array.from({ length: 6 }, (_, i) => p.run({ kind: 'sum', x: Float64Array.from([i]) }));
      await assert.rejects(dying, (e: Error) => e instanceof DataError && /^TestPool: a worker failed while testing: worker exited with code 3/.test(e.message));
      assert.deepEqual(await Promise.all(rest), [0, 1, 2, 3, 4, 5]);
      assert.equal(await p.run({ kind: 'sum', x: Float64Array.from([9]) }), 9);
    } finally {
      await p.close();
    }
  });

  test('size is checked with the caller\'s error', () => {
    assert.throws(() => make(0), (e: Error) => e instanceof DataError && e.message === "TestPool: option 'size' must be an integer in [1, 256], got 0");
  });
});

describe("WorkerPool with queueIn 'workers'", () => {
  const blockFor = (ms: number): number => { const t = Date.now(); while (Date.now() - t < ms); return Date.now(); };
  type Span = { start: number; end: number };

  test('tasks go to the workers at once, so they run while this thread is blocked, each worker in order', async () => {
    for (const queueIn of ['workers', 'pool'] as const) {
      const pool = make(1, queueIn);
      try {
        await pool.run({ kind: 'busy', ms: 1 }); // the worker is up
        const spans = [1, 2, 3].map(() => pool.run({ kind: 'busy', ms: 40 }) as Promise<Span>);
        const unblocked = blockFor(400);
        const got = await Promise.all(spans);
        const during = got.filter((s) => s.end <= unblocked).length;
        // Queued here, only the first task reaches the worker before this thread is free to send the next.
        assert.equal(during, queueIn === 'workers' ? 3 : 1, `${queueIn}: ${during} of 3 tasks ran while this thread was blocked`);
        got.slice(1).forEach((s, i) => assert.ok(s.start >= got[i]!.end, `${queueIn}: task ${i + 1} started after task ${i} ended`));
      } finally {
        await pool.close();
      }
    }
  });

  test('a worker that dies rejects every task sent to it; the next tasks go to a new worker', async () => {
    const pool = make(1, 'workers');
    try {
      await pool.run({ kind: 'busy', ms: 1 });
      const dying = pool.run({ kind: 'exit', ms: 20 });
      const behind = pool.run({ kind: 'busy', ms: 1 });
      await assert.rejects(dying, /TestPool: a worker failed while testing: worker exited with code 3/);
      await assert.rejects(behind, /TestPool: a worker failed while testing/);
      assert.deepEqual(Object.keys(await pool.run({ kind: 'busy', ms: 1 }) as Span), ['start', 'end']);
    } finally {
      await pool.close();
    }
  });
});
