// Process groups for real: a group of one in this process (argument checks, errors), then pairs of ecglab processes
// (fixtures/distributed/rank.ts) over tcp:// and file:// that reduce, broadcast and gather known values, train
// data-parallel, and fail with the rank named when the other one is killed or stalls.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dist from './index.js';
import { tensor, liveTensorCount, tidy } from '../index.js';
import { TorchError } from '../errors.js';
import { startRank, freePort, describeOutcome, type RankOutcome } from '../../fixtures/distributed/spawn.js';
import { makeModel, train, allIndices, type TrainCase, type TrainResult } from '../../fixtures/distributed/tiny-training.js';

function distributedError(pattern: RegExp) {
  return (e: unknown) => e instanceof TorchError && e.code === 'DISTRIBUTED' && pattern.test(e.message);
}

function resultOf(o: RankOutcome): Record<string, unknown> {
  assert.ok(o.result, `no RESULT line from ${describeOutcome(o)}`);
  return o.result;
}

describe('a process group of one, in this process', () => {
  let port: number;
  before(async () => { port = await freePort(); });
  after(async () => { if (dist.isInitialized()) await dist.destroyProcessGroup(); });

  it('initializes, runs each collective and is destroyed without leaking tensors', async () => {
    const info = await dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10_000 });
    assert.deepEqual([info.rank, info.worldSize, dist.getRank(), dist.getWorldSize(), dist.isInitialized()], [0, 1, 0, 1, true]);
    const live = liveTensorCount();
    const t = tensor([1.5, -2]);
    await dist.allReduce(t, 'avg');
    await dist.broadcast(t, 0);
    await dist.allReduceGradients([]);
    const [only, ...rest] = await dist.allGather(t);
    await dist.barrier();
    assert.deepEqual([t.tolist(), only!.tolist(), rest.length], [[1.5, -2], [1.5, -2], 0]);
    t.dispose();
    only!.dispose();
    assert.equal(liveTensorCount(), live);
    await assert.rejects(dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1 }),
      distributedError(/already initialized/));
    await dist.destroyProcessGroup();
    assert.equal(dist.isInitialized(), false);
    assert.throws(() => dist.getRank(), distributedError(/getRank: no process group; call initProcessGroup\(\) first/));
  });

  it('checks arguments before anything reaches Gloo', async () => {
    await dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10_000 });
    const flags = tensor([true, false]);
    const ints = tensor([1, 2], { dtype: 'int64' });
    await assert.rejects(dist.allReduce(flags), (e: unknown) => e instanceof TorchError && e.code === 'DTYPE' &&
      /allReduce: 'tensor' must be float32, float64, float16, int32, int64 or uint8 for gloo, got bool/.test(e.message));
    await assert.rejects(dist.allReduce(ints, 'avg'), /allReduce: 'avg' needs a floating tensor, got int64/);
    await assert.rejects(dist.allReduce(ints, 'mean' as never), /'op' must be 'sum', 'avg', 'product', 'min' or 'max', got "mean"/);
    await assert.rejects(dist.broadcast(ints, 1), /broadcast: 'src' must be a rank in \[0, 1\), got 1/);
    const square = tensor([[1, 2], [3, 4]]);
    const transposed = square.t();
    await assert.rejects(dist.allReduce(transposed), /must be a contiguous tensor/);
    square.dispose();
    transposed.dispose();
    await assert.rejects(dist.allReduceGradients([ints], { bucketBytes: 0 }), /'bucketBytes' must be a positive number, got 0/);
    flags.dispose();
    ints.dispose();
    await dist.destroyProcessGroup();
    await assert.rejects(dist.initProcessGroup({ backend: 'nccl', initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1 }),
      (e: unknown) => e instanceof TorchError && e.code === 'ARGUMENT' && /'nccl' needs a CUDA build of libtorch/.test(e.message));
  });

  it('GradientSync: launches buckets during backward, zero-fills unused parameters, pauses when disabled, and leaves no hooks', async () => {
    await dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10_000 });
    const live = liveTensorCount();
    const w = tensor([1, 2, 3]).requiresGrad_();
    const unused = tensor([5]).requiresGrad_();
    const sync = new dist.GradientSync([w, unused], { bucketBytes: 4 });  // buckets: [unused], [w]
    const backward = () => tidy(() => w.mul(w).sum().backward());
    backward();
    // unused's bucket comes first in launch order and never becomes ready, so w's waits behind it: nothing yet.
    assert.equal(sync.launched, 0);
    await sync.finish();
    assert.deepEqual([w.grad!.tolist(), unused.grad!.tolist()], [[2, 4, 6], [0]]);
    const sync2 = new dist.GradientSync([unused, w], { bucketBytes: 4 });  // buckets: [w], [unused]
    sync.dispose();
    w.zeroGrad_();
    backward();
    assert.equal(sync2.launched, 1, "w's bucket went out during backward");
    await sync2.finish();
    sync2.enabled = false;
    w.zeroGrad_();
    backward();
    assert.equal(sync2.launched, 0, 'disabled: backward launches nothing');
    await sync2.finish();
    assert.deepEqual(w.grad!.tolist(), [2, 4, 6]);
    sync2.dispose();
    sync2.dispose();
    assert.throws(() => sync2.launched, (e: unknown) => e instanceof TorchError && e.code === 'DISPOSED');
    w.zeroGrad_();
    backward();  // no hooks left
    assert.deepEqual(w.grad!.tolist(), [2, 4, 6]);
    w.dispose();
    unused.dispose();
    assert.equal(liveTensorCount(), live);
    await dist.destroyProcessGroup();
  });

  it('fails the rendezvous within the timeout, naming this rank and the rank that never came', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecglab-dist-'));
    try {
      await assert.rejects(
        dist.initProcessGroup({ initMethod: `file://${dir}/store`, rank: 1, worldSize: 2, timeout: 1000 }),
        distributedError(/initProcessGroup failed on rank 1 of 2 \(file:.*timeout 1000 ms\): .*rank_0 after 1000 ms/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(dist.isInitialized(), false);
  });
});

describe('two ecglab processes over tcp://', () => {
  const timeout = 20_000;
  const cases: TrainCase[] = [
    { optimizer: 'sgd', steps: 4 }, { optimizer: 'sgd', steps: 4, clip: 0.1 },
    { optimizer: 'adam', steps: 4 }, { optimizer: 'adam', steps: 4, clip: 0.1 },
    { optimizer: 'adam', steps: 4, clip: 0.1, sync: 'overlap' }, { optimizer: 'sgd', steps: 4, sync: 'overlap' },
  ];
  let ranks: Record<string, unknown>[];
  let exitCode: number | null;

  before(async () => {
    const initMethod = `tcp://127.0.0.1:${await freePort()}`;
    // Rank 1 is killed (SIGKILL, by itself) after training; rank 0 then tries one more all-reduce.
    const outcomes = await Promise.all([
      startRank({ initMethod, rank: 0, worldSize: 2, timeout, trainCases: cases, scenarios: ['collectives', 'train', 'fail-after-peer-dies'] }).done,
      startRank({ initMethod, rank: 1, worldSize: 2, timeout, trainCases: cases, scenarios: ['collectives', 'train', 'die'] }).done,
    ]);
    assert.equal(outcomes[1]!.signal, 'SIGKILL', describeOutcome(outcomes[1]!));
    exitCode = outcomes[0]!.code;
    ranks = outcomes.map(resultOf);
  });

  it('all-reduces (sum, avg, min, max, product, 4 MB, coalesced), broadcasts and all-gathers (even and uneven) the right values on both ranks', () => {
    for (const r of ranks) {
      assert.deepEqual(r.collectives, {
        ...(r.collectives as object),
        sum: [3, 30, -1], avg: [0.5, 1], min: [0, 4], max: [1, 5], product: [6], big: [0, 3, 2_999_997],
        broadcast: [1, 1, 1], allGather: [[0, 1, 2], [10, 11, 12]], coalesced: [[3, 3], [1, 1, 1, 1]], leakedTensors: 0,
        allGatherVarying: [[[1, 2], [3, 4], [5, 6]], [[7, 8]]],
      });
    }
  });

  it('keeps the event loop running while a collective waits for the other rank', () => {
    // Rank 1 joined the barrier 300 ms late; rank 0's 10 ms timer must have fired meanwhile.
    const c = ranks[0]!.collectives as { ticksDuringBarrier: number };
    assert.ok(c.ticksDuringBarrier >= 5, `timer fired ${c.ticksDuringBarrier} times during the barrier`);
  });

  it('gives 2 processes × batch 16 the weights of 1 process × batch 32 (SGD, Adam, with and without clipping, overlapped or not)', async () => {
    const runs = ranks.map((r) => (r.train as { runs: TrainResult[] }).runs);
    for (const [k, c] of cases.entries()) {
      const model = makeModel(1);
      const buckets = dist.bucketIndices(model.parameters(), 64).length;  // rank.ts's bucket size
      const reference = await train(model, c, allIndices);
      model.dispose();
      const label = `${c.optimizer}${c.clip ? ` clip ${c.clip}` : ''}${c.sync === 'overlap' ? ', overlapped with backward' : ''}`;
      if (c.clip !== undefined) {
        assert.ok(reference.norms[0]! > c.clip, `${label}: clipping must act (norm ${reference.norms[0]})`);
      }
      for (const [rank, run] of runs.entries()) {
        const mine = run[k]! as TrainResult & { launchedInBackward: number[] };
        if (c.sync === 'overlap') {
          // Every parameter got its gradient, so backward itself launched every bucket, before finish() was called.
          assert.deepEqual(mine.launchedInBackward, Array(c.steps).fill(buckets), `${label}: buckets launched during backward`);
        }
        for (const [i, p] of reference.params.entries()) {
          const diff = Math.max(...p.map((v, j) => Math.abs(v - mine.params[i]![j]!)));
          assert.ok(diff < 5e-6, `${label}, rank ${rank}, parameter ${i}: max |difference| ${diff}`);  // measured ≤ 2.6e-7
        }
        mine.norms.forEach((n, s) => {
          if (c.clip !== undefined) assert.ok(Math.abs(n - reference.norms[s]!) < 1e-5, `${label} step ${s}: norm ${n} vs ${reference.norms[s]}`);
        });
      }
    }
  });

  it('fails an all-reduce at once, naming the operation and the dead rank, when the other rank is killed', () => {
    assert.equal(exitCode, 0, 'rank 0 destroys its failed group and exits cleanly');
    const f = ranks[0]!.afterPeerDied as { failed: boolean; code: string; message: string; ms: number };
    assert.equal(f.failed, true);
    assert.equal(f.code, 'DISTRIBUTED');
    assert.match(f.message, /^allReduce failed on rank 0 of 2: .*\(rank 1 exited( or lost its connection)?\)$/);
    assert.ok(f.ms < timeout, `failed after ${f.ms} ms, beyond the ${timeout} ms timeout`);
  });
});

describe('two ecglab processes over file://', () => {
  const timeout = 3000;
  let dir: string;
  let ranks: RankOutcome[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecglab-dist-'));
    const initMethod = `file://${dir}/store`;
    // Rank 1 stays alive but skips the last all-reduce; rank 0 must time out rather than hang. The test then
    // kills rank 1.
    const r0 = startRank({ initMethod, rank: 0, worldSize: 2, timeout, scenarios: ['collectives', 'time-out'], waitForGo: true });
    const r1 = startRank({ initMethod, rank: 1, worldSize: 2, timeout, scenarios: ['collectives', 'stall'], waitForGo: true });
    // Both rendezvous at once: the short timeout bounds the rendezvous too, and loading the engine takes seconds.
    await Promise.race([Promise.all([r0.loaded, r1.loaded]), r0.done, r1.done]);
    r0.go();
    r1.go();
    const first = await r0.done;
    r1.child.kill('SIGKILL');
    ranks = [first, await r1.done];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rendezvous through a shared file and reduces the right values', () => {
    const c = resultOf(ranks[0]!).collectives as Record<string, unknown>;
    assert.deepEqual([c.sum, c.avg, c.allGather, c.broadcast], [[3, 30, -1], [0.5, 1], [[0, 1, 2], [10, 11, 12]], [1, 1, 1]]);
  });

  it('times out an all-reduce that the other rank never joins, naming the operation and the rank', () => {
    const f = resultOf(ranks[0]!).timedOut as { failed: boolean; code: string; message: string; ms: number };
    assert.equal(f.failed, true);
    assert.equal(f.code, 'DISTRIBUTED');
    assert.match(f.message, /^allReduce failed on rank 0 of 2: .*[Tt]imed out.*\(rank 1 did not take part within the timeout of 3000 ms\)$/);
    assert.ok(f.ms < timeout * 3, `failed after ${f.ms} ms with a ${timeout} ms timeout`);  // it did not hang
  });
});
