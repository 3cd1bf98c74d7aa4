// The wrinkles' shading kernel against the JS expression it replaced (shadeRowsJs, the loop that was in
// photometric.ts), byte for byte: widths that are and are not multiples of 4 (the kernel's 4-pixel groups and its
// one-pixel tail), factors that push values below 0 and above 255 (the clamp), −0, and more rows than one band.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rngFor } from '../rng.js';
import { shadeRows, shadeRowsJs } from './shade.js';

test('shadeRows writes the bytes of the JS expression: every width mod 4, clamping both ways, several bands', () => {
  const r = rngFor(12345, 'shade-test');
  const rand = (): number => r.next();
  for (const [width, height] of [[1, 3], [2, 5], [3, 2], [4, 4], [5, 7], [1101, 9], [2202, 301], [37, 4000]] as const) {
    const gw = Math.ceil(width / 4) + 1;
    // Factors mostly near 1, some negative, some far above 1, some −0 and exact 0.
    const factors = Float32Array.from({ length: gw * height }, () => {
      const u = rand();
      return u < 0.05 ? -rand() : u < 0.1 ? 1 + 3 * rand() : u < 0.12 ? -0 : u < 0.14 ? 0 : 0.6 + 0.8 * rand();
    });
    const rowAt = (y: number, row: Float32Array): void => row.set(factors.subarray(y * gw, (y + 1) * gw));
    const pixels = Uint8Array.from({ length: width * height * 4 }, () => Math.floor(rand() * 256));
    const want = pixels.slice();
    shadeRowsJs(want, width, height, gw, rowAt);
    const got = pixels.slice();
    shadeRows(got, width, height, gw, rowAt);
    const at = got.findIndex((b, i) => b !== want[i]);
    assert.equal(at, -1, `${width}×${height}: byte ${at} (pixel ${at >> 2}, channel ${at & 3}) is ${got[at]}, expected ${want[at]}`);
    assert.ok(want.some((b, i) => b !== pixels[i]), `${width}×${height}: the pass changed something`);
  }
});
