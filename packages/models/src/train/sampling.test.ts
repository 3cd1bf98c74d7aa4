import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancedClassWeights, bucketByLength, epochOrder, learningRate, stratifiedSplit } from './sampling.js';
import { Mulberry32 } from '@ecglab/data';

test('stratified split keeps class proportions, is seeded and disjoint', () => {
  const labels = [...new Array(50).fill(0), ...new Array(20).fill(1), ...new Array(10).fill(2)];
  const a = stratifiedSplit(labels, 0.2, 5);
  assert.deepEqual(a, stratifiedSplit(labels, 0.2, 5));
  assert.notDeepEqual(a, stratifiedSplit(labels, 0.2, 6));
  const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;
  assert.deepEqual([0, 1, 2].map((c) => count(a.val, c)), [10, 4, 2]);
  assert.equal(new Set([...a.train, ...a.val]).size, labels.length);
});

test('epoch order: shuffle is a permutation; balanced draws classes about equally; both resume from the rng state', () => {
  const labels = [...new Array(90).fill(0), ...new Array(10).fill(1)];
  const idx = labels.map((_, i) => i);
  const rng = new Mulberry32(3);
  const p = epochOrder(idx, labels, 'shuffle', rng);
  assert.deepEqual([...p].sort((x, y) => x - y), idx);
  const state = rng.state;
  const b = epochOrder(idx, labels, 'balanced', rng);
  const ones = b.filter((i) => labels[i] === 1).length;
  assert.ok(ones > 30 && ones < 70, `class 1 drawn ${ones} times of 100`);
  const again = new Mulberry32(0);
  again.state = state;
  assert.deepEqual(epochOrder(idx, labels, 'balanced', again), b);
});

test('balanced class weights equal sklearn compute_class_weight("balanced")', () => {
  // sklearn: n_samples / (n_classes * bincount(y)) for y = [0,0,0,1] → [0.667, 2.0]
  assert.deepEqual(balancedClassWeights([0, 0, 0, 1], 2).map((w) => +w.toFixed(6)), [0.666667, 2]);
});

test('learning-rate schedule: warm-up, cosine end points', () => {
  const s = { kind: 'cosine' as const, warmupEpochs: 1, minLrFraction: 0.1 };
  assert.equal(learningRate(s, 1, 11, 0), 0);
  assert.equal(learningRate(s, 1, 11, 0.5), 0.5);
  assert.equal(learningRate(s, 1, 11, 1), 1);
  assert.ok(Math.abs(learningRate(s, 1, 11, 6) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 1, 11, 11) - 0.1) < 1e-12);
  assert.equal(learningRate({ kind: 'constant', warmupEpochs: 0 }, 0.3, 5, 4), 0.3);
});

test('length bucketing: a permutation whose batches have a small length spread', () => {
  const rng = new Mulberry32(1);
  const lengths = Array.from({ length: 200 }, () => 1000 + rng.int(17000));
  const order = rng.shuffle(lengths.map((_, i) => i));
  const out = bucketByLength(order, lengths, 10, new Mulberry32(2), 5);
  assert.deepEqual([...out].sort((a, b) => a - b), lengths.map((_, i) => i));
  const spread = (o: number[]) => {
    let s = 0;
    for (let b = 0; b < o.length; b += 10) {
      const l = o.slice(b, b + 10).map((i) => lengths[i]!);
      s += Math.max(...l) - Math.min(...l);
    }
    return s;
  };
  assert.ok(spread(out) < spread(order) / 4, `${spread(out)} vs ${spread(order)}`);
  assert.deepEqual(bucketByLength(order, lengths, 10, new Mulberry32(2), 5), out, 'seeded');
});
