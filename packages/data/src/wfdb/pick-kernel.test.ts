// The WebAssembly pick against the JS expression it replaces, value by value: every 16-bit value and
// every 12-bit pair, awkward calibrations, float64 and float32, sums, NaN for the invalid value, records
// longer than one staging chunk, and both ways of converting: computed per sample, and looked up in a table
// (made once a calibration has been asked for as many samples as its table has entries; 4 are kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksum16 } from './checksum.js';
import { FORMATS } from './formats.js';
import { PickMode, SampleKind, pickSignals, type PickSignal } from './pick-kernel.js';

/** What the scalar reader stored for one sample: ((x − baseline) / gain) × k in float64, NaN if invalid. */
const expected = (x: number, s: PickSignal): number => (x === s.invalid ? NaN : ((x - s.baseline) / s.gain) * s.k);

function assertPicked(values: ArrayLike<number>, s: PickSignal, got: { out: Float64Array | Float32Array | Int32Array; sum: number; invalid: number }, mode: PickMode, what: string): void {
  assert.equal(got.sum, checksum16(values), `${what}: sum`);
  assert.equal(got.invalid, Array.from(values).filter((x) => x === s.invalid).length, `${what}: invalid samples`);
  const Ref = mode === PickMode.Digital ? Int32Array : mode === PickMode.Float64 ? Float64Array : Float32Array;
  const ref = new Ref(values.length);
  for (let i = 0; i < ref.length; i++) ref[i] = mode === PickMode.Digital ? values[i]! : expected(values[i]!, s);
  assert.equal(got.out.constructor, Ref, `${what}: array type`);
  assert.equal(got.out.length, values.length, `${what}: length`);
  for (let i = 0; i < ref.length; i++) {
    // Object.is: the same bits for every number (−0 included), NaN where the reference has NaN.
    if (!Object.is(got.out[i], ref[i])) assert.fail(`${what}: sample ${i} (stored ${values[i]}) is ${got.out[i]}, expected ${ref[i]}`);
  }
}

const calibrations = [
  { baseline: 0, gain: 1000, k: 1 }, // PTB-XL, CinC 2017
  { baseline: -22131, gain: 874.5, k: 1 },
  { baseline: 1024, gain: 200, k: 1e-3 }, // MIT-BIH, with a scale (mV to V)
  { baseline: 7, gain: 3, k: -2.5 },
];

test('int16 frames: every value, three signals a frame, each calibration and mode, across staging chunks', () => {
  // Signal 1 runs through all 65,536 values; 0 and 2 hold other patterns. 65,536 frames of 6 bytes are
  // more than one 256 KiB staging chunk, so the chunks' sums and copies are checked too.
  const n = 65536;
  const frames = new Int16Array(3 * n);
  for (let f = 0; f < n; f++) {
    frames[3 * f] = (f * 7919) & 0xffff;
    frames[3 * f + 1] = f - 32768;
    frames[3 * f + 2] = -32768 + (f % 3);
  }
  const bytes = new Uint8Array(frames.buffer);
  for (const c of calibrations) {
    const signals = [0, 1, 2].map((i): PickSignal => ({ at: 2 * i, kind: SampleKind.Int16, invalid: -32768, ...c }));
    for (const mode of Object.values(PickMode)) {
      // 65,536 samples of one calibration: looked up in a table (made by this call).
      const picked = pickSignals(bytes, 6, n, signals, mode);
      signals.forEach((s, i) => {
        const values = Int16Array.from({ length: n }, (_, f) => frames[3 * f + i]!);
        assertPicked(values, s, picked[i]!, mode, `signal ${i}, gain ${c.gain}, mode ${mode}`);
      });
      // 2,000 samples of a calibration not asked for before: computed per sample.
      const fresh = { ...signals[1]!, baseline: c.baseline + 101 + mode };
      const values = Int16Array.from({ length: 2000 }, (_, f) => frames[3 * (f * 31) + 1]!);
      const strided = new Uint8Array(bytes.buffer, 0, 6 * 31 * 2000);
      assertPicked(values, fresh, pickSignals(strided, 6 * 31, 2000, [fresh], mode)[0]!, mode, `computed, gain ${c.gain}, mode ${mode}`);
    }
  }
});

test("caller's arrays: written in place across staging chunks, computed and looked up, nothing past n", () => {
  // 50,000 frames of 8 bytes are two 256 KiB staging chunks. Each calibration is new: the first read computes
  // every value (and puts the second signal's NaNs in afterwards, in the caller's array); by the third, the
  // calibration has been asked for more samples than its table has entries, so the values are looked up.
  const n = 50000;
  const frames = Int16Array.from({ length: 4 * n }, (_, i) => (i % 4 === 1 ? (i % 97 === 0 ? -32768 : i % 5000) : ((i * 7919) & 0xffff) - 32768));
  const bytes = new Uint8Array(frames.buffer);
  for (const mode of Object.values(PickMode)) {
    const signals: PickSignal[] = [
      { at: 0, kind: SampleKind.Int16, invalid: -32768, baseline: 3 + mode, gain: 200, k: 1 },
      { at: 2, kind: SampleKind.Int16, invalid: -32768, baseline: 17 + mode, gain: 1e5 + 0.5, k: 0.001 },
    ];
    const Ref = [Int32Array, Float64Array, Float32Array][mode]!;
    for (const read of ['computed', 'fresh arrays', 'looked up']) {
      const into = signals.map(() => new Ref(n + 5).fill(7));
      const picked = pickSignals(bytes, 8, n, signals, mode, read === 'fresh arrays' ? [] : into);
      signals.forEach((s, i) => {
        const values = Int16Array.from({ length: n }, (_, f) => frames[4 * f + i]!);
        const what = `signal ${i}, ${read}, mode ${mode}`;
        assertPicked(values, s, picked[i]!, mode, what);
        if (read === 'fresh arrays') return;
        assert.equal(picked[i]!.out.buffer, into[i]!.buffer, `${what}: a view of the caller's array`);
        assert.deepEqual([...into[i]!.subarray(n)], [7, 7, 7, 7, 7], `${what}: nothing written past n`);
      });
    }
  }
});

test('format 212 pairs: every 12-bit value in both places of the block', () => {
  const n = 4096;
  const first = Int32Array.from({ length: n }, (_, f) => f - 2048);
  const second = Int32Array.from({ length: n }, (_, f) => 2047 - ((f * 37) % 4096));
  const interleaved = Int32Array.from({ length: 2 * n }, (_, i) => (i & 1 ? second[i >> 1]! : first[i >> 1]!));
  const bytes = FORMATS.get(212)!.encode(interleaved, 2 * n);
  for (const c of calibrations) {
    const signals: PickSignal[] = [
      { at: 0, kind: SampleKind.Fmt212First, invalid: -2048, ...c },
      { at: 0, kind: SampleKind.Fmt212Second, invalid: -2048, ...c },
    ];
    for (const mode of Object.values(PickMode)) {
      const picked = pickSignals(bytes, 3, n, signals, mode); // 4,096 samples: a table
      assertPicked(first, signals[0]!, picked[0]!, mode, `212 first, gain ${c.gain}, mode ${mode}`);
      assertPicked(second, signals[1]!, picked[1]!, mode, `212 second, gain ${c.gain}, mode ${mode}`);
      const fresh = signals.map((s) => ({ ...s, baseline: c.baseline + 101 + mode })); // 1,000 samples: computed
      const few = pickSignals(bytes, 3, 1000, fresh, mode);
      assertPicked(first.subarray(0, 1000), fresh[0]!, few[0]!, mode, `212 first computed, gain ${c.gain}, mode ${mode}`);
      assertPicked(second.subarray(0, 1000), fresh[1]!, few[1]!, mode, `212 second computed, gain ${c.gain}, mode ${mode}`);
    }
  }
});

test('int32 samples (decoded formats): extremes, the 32-bit sum wrapping, one signal of two', () => {
  const values = Int32Array.of(-2147483648, 2147483647, -1, 0, 1, 123456789, -987654321, 2147483647, 2147483647);
  const frames = new Int32Array(2 * values.length);
  values.forEach((v, f) => { frames[2 * f] = 5; frames[2 * f + 1] = v; });
  const s: PickSignal = { at: 4, kind: SampleKind.Int32, baseline: -3, gain: 65536.5, k: 1, invalid: -2147483648 };
  for (const mode of Object.values(PickMode)) {
    assertPicked(values, s, pickSignals(new Uint8Array(frames.buffer), 8, values.length, [s], mode)[0]!, mode, `int32, mode ${mode}`);
  }
});

test('no frames: empty outputs of the asked type, sum 0', () => {
  const s: PickSignal = { at: 0, kind: SampleKind.Int16, baseline: 0, gain: 1, k: 1, invalid: -32768 };
  const [got] = pickSignals(new Uint8Array(0), 2, 0, [s], PickMode.Float32);
  assert.ok(got!.out instanceof Float32Array);
  assert.equal(got!.out.length, 0);
  assert.equal(got!.sum, 0);
});
