import { test } from 'node:test';
import assert from 'node:assert/strict';
import { padBatch, prepareSignal } from './prepare.js';
import { Mulberry32 } from '@ecglab/data';

const ramp = (n: number, scale: number) => Float64Array.from({ length: n }, (_, i) => (i - n / 2) * scale);

test('max-abs: lead selection, truncation to maxSeconds from the start, each lead scaled into [-1, 1]', () => {
  const sig = [ramp(1000, 0.01), ramp(1000, 3)];
  const out = prepareSignal(sig, 100, { kind: 'max-abs', leads: [1, 0], maxSeconds: 4, maxShiftSeconds: 0 }, null);
  assert.equal(out.length, 2);
  assert.equal(out[0]!.length, 400);
  // lead 1 cut to its first 400 samples: values (i - 500)·3, max |.| at i = 0 → 1500
  assert.equal(out[0]![0], -1);
  assert.ok(Math.abs(out[0]![399]! - (-101 * 3) / 1500) < 1e-12);
  assert.equal(out[1]![0], -1);
});

test('mv-zscore: each lead has mean 0 and (population) sd 1', () => {
  const out = prepareSignal([ramp(300, 0.2)], 100, { kind: 'mv-zscore', leads: [0], maxSeconds: 60, maxShiftSeconds: 0 }, null);
  const x = out[0]!;
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
  assert.ok(Math.abs(mean) < 1e-12 && Math.abs(sd - 1) < 1e-12);
});

test('training truncation takes a seeded random window', () => {
  const sig = [ramp(1000, 1)];
  const input = { kind: 'max-abs' as const, leads: [0], maxSeconds: 2, maxShiftSeconds: 0 };
  const a = prepareSignal(sig, 100, input, new Mulberry32(4));
  const b = prepareSignal(sig, 100, input, new Mulberry32(4));
  assert.deepEqual(a, b);
  assert.equal(a[0]!.length, 200);
});

test('a missing lead is named', () => {
  assert.throws(() => prepareSignal([ramp(10, 1)], 100, { kind: 'max-abs', leads: [2], maxSeconds: 1, maxShiftSeconds: 0 }, null, 'A00001'), /A00001: input lead 2 does not exist \(the record has 1 leads\)/);
});

test('padBatch: records at their offsets, zero elsewhere, mask 1 exactly on real samples, length a multiple', () => {
  const r1 = [Float64Array.of(1, 2, 3)];
  const r2 = [Float64Array.of(4, 5)];
  const b = padBatch([r1, r2], [0, 2], 4, 1);
  assert.deepEqual(b.shape, [2, 1, 4]);
  assert.deepEqual(Array.from(b.x), [1, 2, 3, 0, 0, 0, 4, 5]);
  assert.deepEqual(Array.from(b.mask), [1, 1, 1, 0, 0, 0, 1, 1]);
  assert.deepEqual(padBatch([r2], null, 1, 6).shape, [1, 1, 6], 'at least minLength');
  assert.throws(() => padBatch([r1, [r2[0]!, r2[0]!]], null), /padBatch: record 1 has 2 leads, record 0 has 1/);
});
