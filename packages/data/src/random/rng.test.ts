import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

test('Rng: the reference xoshiro128** stream after splitmix32 seeding', () => {
  // /usr/bin/python3, the algorithm of Blackman & Vigna's xoshiro128starstar.c on the state splitmix32 expands
  // from 42 (x += 0x9e3779b9; z = (x ^ x>>16)·0x85ebca6b; z = (z ^ z>>13)·0xc2b2ae35; z ^ z>>16, four times):
  const want = [2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290];
  const r = new Rng(42);
  assert.deepEqual(want.map(() => r.nextU32()), want);
});

test('Rng: same seed gives the same stream, different seeds differ; uniform mean and Gaussian moments', () => {
  const a = new Rng(123);
  const b = new Rng(123);
  const c = new Rng(124);
  const xa = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xa, Array.from({ length: 1000 }, () => b.next()));
  assert.notDeepEqual(xa, Array.from({ length: 1000 }, () => c.next()));
  const g = new Rng(5);
  const n = 200000;
  let s = 0;
  let s2 = 0;
  let u = 0;
  for (let i = 0; i < n; i++) {
    const v = g.gaussian();
    s += v;
    s2 += v * v;
    u += g.next();
  }
  // 5-sigma bounds for n = 200000
  assert.ok(Math.abs(s / n) < 5 / Math.sqrt(n), `gaussian mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 5 * Math.sqrt(2 / n), `gaussian variance ${s2 / n}`);
  assert.ok(Math.abs(u / n - 0.5) < 5 * Math.sqrt(1 / 12 / n), `uniform mean ${u / n}`);
});


test('Rng: state round-trips exactly; derive gives independent, reproducible streams', () => {
  const a = new Rng(9);
  for (let i = 0; i < 5; i++) a.next();
  const saved = a.state;
  const xs = Array.from({ length: 10 }, () => a.next());
  const b = new Rng(0);
  b.state = saved;
  assert.deepEqual(Array.from({ length: 10 }, () => b.next()), xs);
  assert.throws(() => (b.state = [0, 0, 0, 0]), /'state' must be four uint32 words, not all zero/);
  const d = (k: number) => Array.from({ length: 4 }, ((r) => () => r.nextU32())(Rng.derive(7, 3, k)));
  assert.deepEqual(d(1), d(1));
  assert.notDeepEqual(d(1), d(2));
  assert.notDeepEqual(Rng.derive(7, 1, 2).nextU32(), Rng.derive(7, 2, 1).nextU32());
  assert.notEqual(Rng.hashString('blur'), Rng.hashString('noise'));
});
