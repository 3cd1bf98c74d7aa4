// shardIndices against torch.utils.data.DistributedSampler (fixtures/distributed/make_sampler_fixture.py), and the
// property the trainer relies on: the ranks' shards together cover each item of an epoch exactly once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { shardIndices, shardLength } from './sampler.js';
import { TorchError } from '../errors.js';

interface Case { n: number; worldSize: number; dropLast: boolean; shuffle: boolean; order: number[]; perRank: number[][] }
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/distributed/sampler.json', import.meta.url), 'utf8')) as
  { torch: string; cases: Case[] };

describe('shardIndices', () => {
  it(`gives each rank what PyTorch ${fixture.torch}'s DistributedSampler gives it (${fixture.cases.length} cases)`, () => {
    for (const c of fixture.cases) {
      for (let rank = 0; rank < c.worldSize; rank++) {
        assert.deepEqual(shardIndices(c.order, { rank, worldSize: c.worldSize, dropLast: c.dropLast }), c.perRank[rank],
          `n=${c.n} worldSize=${c.worldSize} dropLast=${c.dropLast} shuffle=${c.shuffle} rank=${rank}`);
        assert.equal(shardLength(c.n, c.worldSize, c.dropLast), c.perRank[rank]!.length);
      }
    }
  });

  it('covers each item once per epoch across ranks: exactly once when n divides, wrapped padding or a dropped tail otherwise', () => {
    const order = [...Array(103).keys()].sort((a, b) => ((a * 37) % 103) - ((b * 37) % 103));  // a shuffled epoch
    for (const worldSize of [1, 2, 3, 4, 7]) {
      for (const dropLast of [false, true]) {
        const shards = [...Array(worldSize).keys()].map((rank) => shardIndices(order, { rank, worldSize, dropLast }));
        const counts = new Map<number, number>();
        for (const s of shards) for (const i of s) counts.set(i, (counts.get(i) ?? 0) + 1);
        assert.ok(shards.every((s) => s.length === shards[0]!.length), 'every rank gets the same count');
        const seen = [...counts.values()];
        const rest = order.length % worldSize;
        if (dropLast) {
          assert.ok(seen.every((k) => k === 1), `dropLast: no item twice (worldSize ${worldSize})`);
          assert.equal(counts.size, order.length - rest);
          assert.deepEqual(order.slice(0, order.length - rest).filter((i) => !counts.has(i)), []);  // the tail is dropped
        } else {
          assert.equal(counts.size, order.length, `every item is seen (worldSize ${worldSize})`);
          const pad = rest === 0 ? 0 : worldSize - rest;
          assert.deepEqual(order.filter((i) => counts.get(i) === 2), order.slice(0, pad), 'the first items pad the tail');
        }
      }
    }
    const exact = [...Array(96).keys()];
    const shards = [0, 1, 2, 3].map((rank) => shardIndices(exact, { rank, worldSize: 4 }));
    assert.deepEqual(shards.flat().sort((a, b) => a - b), exact);
  });

  it('rejects a rank outside the group, naming the argument', () => {
    assert.throws(() => shardIndices([1, 2], { rank: 2, worldSize: 2 }),
      (e: unknown) => e instanceof TorchError && e.code === 'ARGUMENT' && /'rank' must be an integer in \[0, 2\), got 2/.test(e.message));
    assert.throws(() => shardIndices([1, 2], { rank: 0, worldSize: 0 }), /'worldSize' must be an integer >= 1, got 0/);
  });
});
