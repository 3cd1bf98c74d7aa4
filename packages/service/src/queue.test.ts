// The work queue in front of a worker, with a runBatch the test controls: merging, limits, time-outs, isolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError } from './errors.js';
import { WorkQueue } from './queue.js';

function gated() {
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  return { gate, open };
}

test('batch jobs of one key waiting behind a running job merge, up to maxBatch items, in order', async () => {
  const calls: { key: string; items: unknown[] }[] = [];
  const q = new WorkQueue({ name: 't', maxQueue: 10, maxBatch: 4, runBatch: async (key, items) => { calls.push({ key, items }); return items.map((x) => `${key}:${x}`); } });
  const { gate, open } = gated();
  const first = q.submit({ kind: 'call', run: () => gate.then(() => 'done') }, 1000);
  const a = q.submit<string[]>({ kind: 'batch', key: 'm', items: [1, 2] }, 1000);
  const b = q.submit<string[]>({ kind: 'batch', key: 'other', items: [3] }, 1000);
  const c = q.submit<string[]>({ kind: 'batch', key: 'm', items: [4] }, 1000);
  const d = q.submit<string[]>({ kind: 'batch', key: 'm', items: [5, 6] }, 1000); // would make 5 > maxBatch
  assert.equal(q.waiting, 4);
  open();
  assert.equal(await first, 'done');
  assert.deepEqual(await Promise.all([a, b, c, d]), [['m:1', 'm:2'], ['other:3'], ['m:4'], ['m:5', 'm:6']]);
  assert.deepEqual(calls, [{ key: 'm', items: [1, 2, 4] }, { key: 'other', items: [3] }, { key: 'm', items: [5, 6] }]);
  assert.deepEqual(q.batchSizes, [3, 1, 2]);
  await q.idle();
});

test('a full queue answers QUEUE_FULL at once; a job past its time TIMEOUT, queued or running', async () => {
  const q = new WorkQueue({ name: 'inference', maxQueue: 1, maxBatch: 8, runBatch: async (_k, items) => items });
  const { gate, open } = gated();
  const running = q.submit({ kind: 'call', run: () => gate }, 40);
  const queued = q.submit({ kind: 'call', run: async () => 1 }, 20);
  await assert.rejects(q.submit({ kind: 'call', run: async () => 2 }, 1000), (e: unknown) => e instanceof ServiceError && e.code === 'QUEUE_FULL' && e.status === 503 && /the inference queue is full \(1 requests waiting\)/.test(e.message));
  await assert.rejects(queued, (e: unknown) => e instanceof ServiceError && e.code === 'TIMEOUT' && /still queued/.test(e.message));
  assert.equal(q.waiting, 0, 'the timed-out job left the queue');
  await assert.rejects(running, (e: unknown) => e instanceof ServiceError && e.code === 'TIMEOUT' && e.status === 504 && /in the worker/.test(e.message));
  open();
  await q.idle();
  assert.equal(await q.submit({ kind: 'call', run: async () => 3 }, 1000), 3, 'serving after time-outs');
});

test('a merged batch that fails is rerun per request: the bad one fails alone', async () => {
  const q = new WorkQueue({ name: 't', maxQueue: 10, maxBatch: 8, runBatch: async (_k, items) => {
    if (items.includes('bad')) throw new ServiceError('BAD_RECORD', 'bad record');
    return items;
  } });
  const { gate, open } = gated();
  const hold = q.submit({ kind: 'call', run: () => gate }, 1000);
  const good1 = q.submit({ kind: 'batch', key: 'm', items: ['a'] }, 1000);
  const bad = q.submit({ kind: 'batch', key: 'm', items: ['bad'] }, 1000);
  const good2 = q.submit({ kind: 'batch', key: 'm', items: ['b', 'c'] }, 1000);
  open();
  await hold;
  assert.deepEqual(await good1, ['a']);
  await assert.rejects(bad, /bad record/);
  assert.deepEqual(await good2, ['b', 'c']);
  assert.deepEqual(q.batchSizes, [4]);
});

test('rejectQueued refuses the waiting jobs; idle waits for the running one', async () => {
  const q = new WorkQueue({ name: 't', maxQueue: 10, maxBatch: 8, runBatch: async (_k, items) => items });
  const { gate, open } = gated();
  let finished = false;
  const running = q.submit({ kind: 'call', run: () => gate.then(() => { finished = true; }) }, 1000);
  const waiting = q.submit({ kind: 'call', run: async () => 1 }, 1000);
  q.rejectQueued(new ServiceError('SHUTTING_DOWN', 'draining'));
  await assert.rejects(waiting, /draining/);
  const idle = q.idle().then(() => finished);
  open();
  await running;
  assert.equal(await idle, true);
});
