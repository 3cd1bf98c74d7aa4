// Properties over random inputs (fast-check), complementing the scipy fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { butter, outputLength, resamplePoly, sosfiltfilt } from './index.js';

const signal = (min: number, max: number) => fc.float64Array({ minLength: min, maxLength: max, noNaN: true, noDefaultInfinity: true, min: -10, max: 10 });

test('resamplePoly: output length ceil(n·up/down); linear in its input', () => {
  fc.assert(
    fc.property(signal(1, 200), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.double({ min: -3, max: 3, noNaN: true }), (x, up, down, c) => {
      const y = resamplePoly(x, up, down);
      assert.equal(y.length, outputLength(x.length, up, down));
      assert.equal(y.length, Math.ceil((x.length * up) / down - 1e-9));
      const yc = resamplePoly(x.map((v) => c * v), up, down);
      for (let i = 0; i < y.length; i++) assert.ok(Math.abs(yc[i]! - c * y[i]!) <= 1e-9 * (1 + Math.abs(c * y[i]!)));
    }),
    { numRuns: 60 },
  );
});

test('sosfiltfilt: a low-pass passes a constant unchanged (odd padding + steady-state initial conditions)', () => {
  fc.assert(
    fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 40, max: 400 }), (c, order, n) => {
      const sos = butter(order, 20, 'lowpass', 250);
      const y = sosfiltfilt(sos, new Float64Array(n).fill(c));
      for (const v of y) assert.ok(Math.abs(v - c) < 1e-9 * (1 + Math.abs(c)), `${v} vs ${c}`);
    }),
    { numRuns: 40 },
  );
});
