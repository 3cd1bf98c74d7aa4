import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { iterativeStratification, stratifiedKFold, stratifiedSplit } from './stratify.js';
import { openCinc2017 } from './cinc2017.js';
import { openPtbxl } from './ptbxl.js';
import { Rng } from '../random/rng.js';

const DATA = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));

/** max over folds and classes of |count in fold - total/k|, and the spread of fold sizes. */
function deviation(labels: number[][], folds: Int32Array, k: number): { label: number; size: number } {
  const nClasses = Math.max(...labels.flat()) + 1;
  let label = 0;
  for (let c = 0; c < nClasses; c++) {
    const tot = labels.filter((l) => l.includes(c)).length;
    for (let j = 0; j < k; j++) {
      const cnt = labels.filter((l, i) => l.includes(c) && folds[i] === j).length;
      label = Math.max(label, Math.abs(cnt - tot / k));
    }
  }
  const sizes = Array.from({ length: k }, (_, j) => folds.filter((f) => f === j).length);
  return { label, size: Math.max(...sizes) - Math.min(...sizes) };
}

test('stratifiedKFold on CinC 2017 labels: every fold holds each class within ±1 of proportional', () => {
  const db = openCinc2017(`${DATA}cinc2017/training2017`);
  const ids = db.list();
  const cls = ids.map((id) => db.classOf(id));
  const idx = cls.map((c) => db.classes.indexOf(c));
  for (const k of [5, 10]) {
    const f = stratifiedKFold(cls, k, 7);
    const d = deviation(idx.map((i) => [i]), f, k);
    assert.ok(d.label < 1, `class deviation ${d.label}`);
    assert.ok(d.size <= 1, `fold size spread ${d.size}`);
  }
  assert.deepEqual(stratifiedKFold(cls, 5, 7), stratifiedKFold(cls, 5, 7));
  assert.notDeepEqual(stratifiedKFold(cls, 5, 7), stratifiedKFold(cls, 5, 8));
});

test('stratifiedSplit 80/20 puts round(0.2 n_c) of each class in test', () => {
  const db = openCinc2017(`${DATA}cinc2017/training2017`);
  const cls = db.list().map((id) => db.classOf(id));
  const { train, test: held } = stratifiedSplit(cls, 0.2, 1);
  assert.equal(train.length + held.length, cls.length);
  assert.equal(new Set([...train, ...held]).size, cls.length);
  for (const c of db.classes) {
    const n = cls.filter((x) => x === c).length;
    assert.equal(held.filter((i) => cls[i] === c).length, Math.round(0.2 * n), c);
  }
});

test('iterativeStratification (Sechidis 2011) on correlated multi-label data: each class within ±1 per fold', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const r = new Rng(seed);
    const prev = [0.5, 0.2, 0.1, 0.05, 0.03, 0.3];
    const labels = Array.from({ length: 700 }, () => {
      const l = prev.flatMap((p, c) => (r.next() < p ? [c] : []));
      if (l.includes(3) && r.next() < 0.7) l.push(4); // correlate two rare labels
      return [...new Set(l)];
    });
    for (const k of [3, 5, 10]) {
      const f = iterativeStratification(labels, k, seed);
      const d = deviation(labels, f, k);
      assert.ok(d.label <= 1, `seed ${seed} k ${k}: class deviation ${d.label}`);
      assert.ok(d.size <= 1, `seed ${seed} k ${k}: fold size spread ${d.size}`);
    }
    assert.deepEqual(iterativeStratification(labels, 5, seed), iterativeStratification(labels, 5, seed));
  }
});

test('iterativeStratification: empty label sets are spread by size, bad arguments are named', () => {
  const f = iterativeStratification([[], [], [], [0], [0], [1]], 3, 0);
  assert.equal(f.length, 6);
  for (let j = 0; j < 3; j++) assert.equal(f.filter((x) => x === j).length, 2);
  assert.throws(() => iterativeStratification([[0]], 2, 0), /'k' must not exceed the number of samples \(1\)/);
  assert.throws(() => iterativeStratification([[0], [-1]], 2, 0), /invalid class index -1/);
});

test('database folds: PTB-XL computed folds cover every record once', () => {
  const db = openPtbxl({ dir: `${DATA}ptbxl`, labelSet: 'superclass' });
  const f = db.folds({ k: 4, seed: 3 });
  assert.deepEqual([...f.keys()], db.list());
  assert.ok([...f.values()].every((v) => v >= 0 && v < 4));
});
