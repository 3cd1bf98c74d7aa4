// resamplePoly's WebAssembly kernel against the plain scalar loop it replaced (bit for bit), and its
// Float32 and multi-lead paths. Agreement with scipy itself: dsp.test.ts (fixtures within 1e-12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firwinLowpass } from './fir.js';
import { outputLength, resamplePoly, resampleSignal } from './index.js';

/** The scalar loop of the first version of resample.ts (scipy's taps, x summed from the newest sample down). */
function scalarReference(x: Float64Array, up: number, down: number): Float64Array {
  const maxRate = Math.max(up, down);
  const halfLen = 10 * maxRate;
  const base = firwinLowpass(2 * halfLen + 1, 1 / maxRate, 5.0);
  const nPrePad = down - (halfLen % down);
  const preRemove = Math.floor((halfLen + nPrePad) / down);
  const h = new Float64Array(nPrePad + base.length);
  for (let i = 0; i < base.length; i++) h[nPrePad + i] = base[i]! * up;
  const nIn = x.length;
  const y = new Float64Array(outputLength(nIn, up, down));
  for (let o = 0; o < y.length; o++) {
    const m = (o + preRemove) * down;
    const iHi = Math.min(Math.floor(m / up), nIn - 1);
    const iLo = Math.max(0, Math.ceil((m - h.length + 1) / up));
    let acc = 0;
    for (let i = iHi, j = m - iHi * up; i >= iLo; i--, j += up) acc += h[j]! * x[i]!;
    y[o] = acc;
  }
  return y;
}

const coprime = (a: number, b: number): boolean => {
  while (b !== 0) [a, b] = [b, a % b];
  return a === 1;
};
const rates = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })).filter(([u, d]) => coprime(u, d) && u * d > 1);
const signal = (max: number) => fc.float64Array({ minLength: 1, maxLength: max, noNaN: true, noDefaultInfinity: true, min: -10, max: 10 });

test('resamplePoly is bit-identical to the scalar polyphase loop', () => {
  fc.assert(
    fc.property(signal(600), rates, (x, [up, down]) => {
      assert.deepEqual(resamplePoly(x, up, down), scalarReference(x, up, down));
    }),
    { numRuns: 300 },
  );
});

test('resamplePoly bit-identical to the scalar loop at the ECG databases\' rates', () => {
  const x = Float64Array.from({ length: 5003 }, (_, i) => Math.sin(i / 37) + 0.3 * Math.sin(i / 3.1) + 1e-3 * ((i * 7919) % 101));
  // CinC 2021 INCART 257 Hz and 1000 Hz → 500 Hz, PTB-XL 500 → 100, CinC 2017 300 → 250 / 500, MIT-BIH 360 → 500
  for (const [up, down] of [[500, 257], [1, 2], [1, 5], [5, 6], [5, 3], [25, 18]] as const) {
    assert.deepEqual(resamplePoly(x, up, down), scalarReference(x, up, down), `${up}/${down}`);
  }
});

test('resamplePoly of a Float32Array is the float64 result rounded once to float32', () => {
  fc.assert(
    fc.property(signal(400), rates, (x, [up, down]) => {
      const x32 = Float32Array.from(x);
      const y = resamplePoly(x32, up, down);
      assert.ok(y instanceof Float32Array);
      assert.deepEqual(y, Float32Array.from(scalarReference(Float64Array.from(x32), up, down)));
    }),
    { numRuns: 100 },
  );
});

test('resampleSignal gives each lead what resamplePoly gives it (pairs of leads and an odd one out)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 700 }), rates, (leads, n, [up, down]) => {
      const sig = Array.from({ length: leads }, (_, l) => Float64Array.from({ length: n }, (_, i) => Math.cos(i * (l + 1) * 0.01) - l));
      const out = resampleSignal(sig, down * 10, up * 10);
      assert.equal(out.length, leads);
      for (let l = 0; l < leads; l++) assert.deepEqual(out[l], scalarReference(sig[l]!, up, down), `lead ${l}`);
      const out32 = resampleSignal(sig.map((s) => Float32Array.from(s)), down * 10, up * 10);
      for (let l = 0; l < leads; l++) assert.deepEqual(out32[l], resamplePoly(Float32Array.from(sig[l]!), up, down), `float32 lead ${l}`);
    }),
    { numRuns: 150 },
  );
});

test('resamplePoly: empty input, identity rates and bad arguments', () => {
  assert.deepEqual(resamplePoly(new Float64Array(0), 3, 2), new Float64Array(0));
  const x = Float64Array.of(1, 2, 3);
  const same = resamplePoly(x, 4, 4);
  assert.deepEqual(same, x);
  assert.notEqual(same, x);
  assert.throws(() => resamplePoly([1, 2] as unknown as Float64Array, 1, 2), /resamplePoly: 'x' must be a Float64Array or Float32Array/);
  assert.throws(() => resampleSignal([new Float64Array(3), new Float32Array(3)] as Float64Array[], 500, 250), /lead 1 must be a Float64Array like lead 0/);
  assert.throws(() => resampleSignal([new Float64Array(3), new Float64Array(4)], 500, 250), /lead 0 has 3 and lead 1 has 4/);
});
