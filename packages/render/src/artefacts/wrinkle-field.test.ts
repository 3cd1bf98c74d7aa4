// The WebAssembly wrinkle field against Math.cos, bit for bit: the values a seed's page depends on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '@ecglab/data';
import { fieldSums } from './wrinkle-field.js';

/** cos of each x through the kernel: one wave, amplitude 1, no phase, one grid row. */
const cosOf = (xs: Float64Array): Float64Array => fieldSums(xs, new Float64Array(1), new Float64Array(1), Float64Array.of(1), xs.length, 1);

function sameAsMathCos(xs: Float64Array, what: string): void {
  const got = cosOf(xs);
  for (let i = 0; i < xs.length; i++) {
    if (!Object.is(got[i], Math.cos(xs[i]!))) assert.fail(`${what}: cos(${xs[i]}) = ${got[i]}, Math.cos gives ${Math.cos(xs[i]!)}`);
  }
}

test('cosines are Math.cos bit for bit: the field\'s range, small and tiny arguments', () => {
  const r = new Rng(20261206);
  sameAsMathCos(Float64Array.from({ length: 1 << 21 }, () => r.uniform(-700, 700)), 'uniform in ±700');
  sameAsMathCos(Float64Array.from({ length: 1 << 18 }, () => r.uniform(-4, 4)), 'uniform in ±4');
  sameAsMathCos(Float64Array.from({ length: 1 << 14 }, () => r.uniform(-1, 1) * 2 ** -r.uniform(10, 60)), 'tiny');
  sameAsMathCos(Float64Array.of(0, -0, Math.PI / 4, -Math.PI / 4, 0.78125, 0.3, 3 * Math.PI / 4, 2 ** -27, 1e300, -1e300, Infinity, NaN), 'edges');
});

test('cosines next to multiples of π/2 (where fdlibm reduces differently) are Math.cos too', () => {
  const r = new Rng(7);
  const xs = new Float64Array(1 << 17);
  for (let i = 0; i < xs.length; i++) {
    const k = Math.floor(r.uniform(-900, 900));
    xs[i] = (k * Math.PI) / 2 + r.uniform(-1, 1) * 2 ** -r.uniform(0, 50);
  }
  sameAsMathCos(xs, 'near kπ/2');
  // the float64 neighbours of π/2 and 3π/2
  const near: number[] = [];
  const f = new Float64Array(1);
  const u = new BigInt64Array(f.buffer);
  for (const c of [Math.PI / 2, (3 * Math.PI) / 2, -Math.PI / 2]) {
    f[0] = c;
    for (let d = -200n; d <= 200n; d++) {
      const g = new Float64Array(1);
      new BigInt64Array(g.buffer)[0] = u[0]! + d;
      near.push(g[0]!);
    }
  }
  sameAsMathCos(Float64Array.from(near), 'ulps around π/2');
});

test('field sums are the JS expression Σ amp·Math.cos(kx·x + ky·y + phase), k ascending (odd and even widths)', () => {
  const r = new Rng(3);
  for (const [gw, gh, K] of [[37, 11, 10], [40, 9, 3], [1, 5, 2]] as const) {
    const kx = Float64Array.from({ length: K * gw }, (_, i) => (i % gw) * 4 * r.uniform(-0.13, 0.13));
    const ky = Float64Array.from({ length: K * gh }, (_, i) => (i % gh) * 4 * r.uniform(0, 0.13));
    const phase = Float64Array.from({ length: K }, () => r.uniform(0, 2 * Math.PI));
    const amp = Float64Array.from({ length: K }, () => r.uniform(0.3, 1));
    const got = fieldSums(kx, ky, phase, amp, gw, gh);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        let f = 0;
        for (let k = 0; k < K; k++) f += amp[k]! * Math.cos(kx[k * gw + gx]! + ky[k * gh + gy]! + phase[k]!);
        assert.ok(Object.is(got[gy * gw + gx], f), `[${gy}, ${gx}] of ${gw}×${gh}`);
      }
    }
  }
});
