import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FORMATS, bytesFor, samplesIn } from './formats.js';

test('property: encode then decode returns the samples, for every format and any length', () => {
  for (const [fmt, spec] of FORMATS) {
    fc.assert(fc.property(fc.array(fc.integer({ min: spec.min, max: spec.max }), { maxLength: 64 }), (xs) => {
      const bytes = spec.encode(xs, xs.length);
      assert.equal(bytes.length, bytesFor(spec, xs.length), `format ${fmt} size`);
      assert.equal(samplesIn(spec, bytes.length) >= xs.length, true);
      const out = new Int32Array(xs.length);
      spec.decode(bytes, xs.length, out, 0);
      assert.deepEqual([...out], xs, `format ${fmt}`);
    }), { numRuns: 200 });
  }
});

test('property: decoding from an odd byte offset (unaligned buffer) gives the same samples', () => {
  const spec = FORMATS.get(16)!;
  fc.assert(fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 64 }), (xs) => {
    const bytes = spec.encode(xs, xs.length);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const out = new Int32Array(xs.length);
    spec.decode(shifted.subarray(1), xs.length, out, 0);
    assert.deepEqual([...out], xs);
  }));
});

test('known byte layouts from signal(5)', () => {
  const dec = (fmt: number, bytes: number[], n: number) => {
    const out = new Int32Array(n);
    FORMATS.get(fmt)!.decode(Uint8Array.from(bytes), n, out, 0);
    return [...out];
  };
  // 212: byte 1 holds the high nibbles of both samples (s1's in the upper half).
  assert.deepEqual(dec(212, [0xe3, 0x13, 0xf3], 2), [0x3e3, 0x1f3]);
  assert.deepEqual(dec(212, [0x00, 0x08, 0x00], 2), [-2048, 0]);
  // 80 and 160 are offset binary; 61 is big-endian.
  assert.deepEqual(dec(80, [0, 128, 255], 3), [-128, 0, 127]);
  assert.deepEqual(dec(160, [0, 0, 0, 0x80], 2), [-32768, 0]);
  assert.deepEqual(dec(61, [0x01, 0x02], 1), [0x0102]);
  // 311: three 10-bit fields of one little-endian word.
  assert.deepEqual(dec(311, [0x01, 0x08, 0x30, 0x00], 3), [1, 2, 3]);
});
