import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromArray, liveTensorCount, tidy } from '@ecglab/engine';
import { gradcheck } from '@ecglab/engine/testing';
import { InputNorm } from './input-norm.js';

// Two records of 2 leads padded to 6 samples: record 0 is 6 long, record 1 is 4 long; lead (1, 1) is constant.
const X = [
  [[0.5, -2, 1, 0.25, 3, -1], [1, 1, -1, 0, 0.5, 2]],
  [[0.1, 0.4, -0.2, 0.3, 0, 0], [0.7, 0.7, 0.7, 0.7, 0, 0]],
];
const LEN = [6, 4];

function batch(values = X.flat(2)) {
  const x = fromArray(Float64Array.from(values), [2, 2, 6]);
  const m = new Float64Array(12);
  m.fill(1, 0, 6).fill(1, 6, 6 + LEN[1]!);
  return { x, mask: fromArray(m, [2, 1, 6]) };
}

/** The reference, written out per record and lead in plain JS. */
function reference(kind: 'max-abs' | 'z-score'): number[] {
  const out: number[] = [];
  X.forEach((rec, i) =>
    rec.forEach((lead) => {
      const real = lead.slice(0, LEN[i]);
      let f: (v: number) => number;
      if (kind === 'max-abs') {
        const peak = Math.max(...real.map(Math.abs));
        f = (v) => v / (peak > 0 ? peak : 1);
      } else {
        const mean = real.reduce((a, b) => a + b, 0) / real.length;
        const sd = Math.sqrt(real.reduce((a, b) => a + (b - mean) ** 2, 0) / real.length);
        f = (v) => (v - mean) / (sd > 0 ? sd : 1);
      }
      lead.forEach((v, t) => out.push(t < LEN[i]! ? f(v) : 0));
    }),
  );
  return out;
}

for (const kind of ['max-abs', 'z-score'] as const) {
  test(`InputNorm ${kind}: per record and lead over the real samples, padding stays zero`, () => {
    const before = liveTensorCount();
    const got = tidy(() => {
      const { x, mask } = batch();
      return Array.from(new InputNorm(kind).call(x, mask).toArray() as Float64Array);
    });
    const want = reference(kind);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `element ${i}: ${v} vs ${want[i]}`));
    assert.equal(liveTensorCount(), before);
  });

  test(`InputNorm ${kind}: gradients equal finite differences; a constant lead's gradient is finite`, () => {
    tidy(() => {
      // Distinct values: at a tie of the max (or a constant lead) the function has no derivative to check.
      const { x, mask } = batch(X.flat(2).map((v, i) => v + 0.013 * i));
      x.requiresGrad_(true);
      const norm = new InputNorm(kind);
      const r = gradcheck((a) => norm.call(a, mask), [x], { atol: 1e-6 });
      assert.equal(r.checked, 24);
      const c = batch();
      c.x.requiresGrad_(true);
      norm.call(c.x, c.mask).sum().backward();
      const g = c.x.grad!.toArray() as Float64Array;
      assert.ok(g.every(Number.isFinite), `gradient ${Array.from(g).join(', ')}`);
    });
  });
}

test('InputNorm stats: xn = (x − shift) / scale, so δ model units are δ·scale mV', () => {
  tidy(() => {
    const { x, mask } = batch();
    const norm = new InputNorm('max-abs');
    const { shift, scale } = norm.stats(x, mask);
    assert.equal(shift, null);
    assert.deepEqual(Array.from(scale.toArray() as Float64Array), [3, 2, 0.4, 0.7]);
    assert.deepEqual(new InputNorm('none').call(x, mask).toArray(), x.mul(mask).toArray());
  });
});

test('InputNorm: bad kind and shapes are named', () => {
  assert.throws(() => new InputNorm('minmax' as never), /'kind' must be one of max-abs, z-score, none, got 'minmax'/);
  tidy(() => {
    const { x } = batch();
    assert.throws(() => new InputNorm('max-abs').call(x, x), /'mask' \[N, 1, L\], got \[2, 2, 6\] and \[2, 2, 6\]/);
  });
});
