import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from './npy.js';

const F = fileURLToPath(new URL('../../fixtures/formats/', import.meta.url));

test('encodeNpy writes the bytes numpy.save writes (fixtures from make_mat_fixture.py)', () => {
  assert.deepEqual(encodeNpy(Float32Array.of(0.5, -1.25, 3.0, 1e-3, 2.0, -0.0), [2, 3]), new Uint8Array(readFileSync(`${F}small-f32.npy`)));
  assert.deepEqual(encodeNpy(Int16Array.of(1, -2, 32767, -32768, 0, 7), [2, 3]), new Uint8Array(readFileSync(`${F}small-i16.npy`)));
});

test('header is padded so data starts at a multiple of 64; 1-D shapes keep the trailing comma', () => {
  const b = encodeNpy(Float64Array.of(1, 2, 3, 4, 5), [5]);
  const hlen = b[8]! | (b[9]! << 8);
  assert.equal((10 + hlen) % 64, 0);
  assert.match(Buffer.from(b.subarray(10, 10 + hlen)).toString('latin1'), /'shape': \(5,\), }\s*\n$/);
  assert.throws(() => encodeNpy(Float32Array.of(1, 2), [3]), /shape \[3\] holds 3 values, the data has 2/);
});
