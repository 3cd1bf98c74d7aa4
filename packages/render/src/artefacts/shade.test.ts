// The wrinkles' shading kernel against the JS expression it replaced, byte for byte: widths that are and are not
// multiples of 4 (the kernel's 4-pixel groups and its one-pixel tail), factors that push values below 0 and above
// 255 (the clamp), −0, and pages taller than one band of rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shadeRows } from './shade.js';

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** The JS loop of photometric.ts's wrinkles before the kernel: the reference. */
function reference(data: Uint8Array, width: number, height: number, gw: number, rowAt: (y: number, row: Float32Array) => void): void {
  const row = new Float32Array(gw);
  for (let y = 0; y < height; y++) {
    rowAt(y, row);
    let i = y * width * 4;
    for (let x = 0; x < width; x++, i += 4) {
      const gx = x >> 2;
      const fx = (x & 3) / 4;
      const m = row[gx]! * (1 - fx) + row[gx + 1]! * fx;
      data[i] = clamp(data[i]! * m);
      data[i + 1] = clamp(data[i + 1]! * m);
      data[i + 2] = clamp(data[i + 2]! * m);
    }
  }
}

test('shadeRows writes the bytes of the JS expression: every width mod 4, clamping both ways, several bands', () => {
  let seed = 12345;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
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
    reference(want, width, height, gw, rowAt);
    const got = pixels.slice();
    shadeRows(got, width, height, gw, rowAt);
    const at = got.findIndex((b, i) => b !== want[i]);
    assert.equal(at, -1, `${width}×${height}: byte ${at} (pixel ${at >> 2}, channel ${at & 3}) is ${got[at]}, expected ${want[at]}`);
    assert.ok(want.some((b, i) => b !== pixels[i]), `${width}×${height}: the pass changed something`);
  }
});
