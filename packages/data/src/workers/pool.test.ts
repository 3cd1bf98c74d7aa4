// The pool mechanism itself; RenderPool's and RecordReadPool's tests check that their work comes back as on
// the calling thread.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DataError, RecordError, reviveDataError } from '../errors.js';
import { WorkerPool } from './pool.js';
import type { TestTask } from './testing-worker.js';

const make = (size: number) => new WorkerPool<TestTask, unknown>({
  module: new URL('./testing-worker.ts', import.meta.url), name: 'TestPool', size, doing: 'testing',
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
