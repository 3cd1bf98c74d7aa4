// Signal reading checked against the original WFDB tools' outputs (target-output/, see
// fixtures/data/wfdb/LICENSE-NOTICE.md for the exact rdsamp command behind each file).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rdrecord, rdrecordSync, type RdrecordOptions } from './index.js';
import { FIXTURES, WFDB_FIXTURES as W, firstDifference, targetRows } from './testing.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-record-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

// rdsamp prints physical values with 8 decimals.
const PHYS_TOL = 5e-9;

test('binformats: all 10 formats decode to rdsamp -r binformats (record-1f)', async () => {
  const r = await rdrecord(`${W}binformats`, { physical: false });
  assert.deepEqual(r.fmt, [8, 16, 61, 80, 160, 212, 310, 311, 24, 32]);
  const want = targetRows('record-1f.gz');
  assert.equal(r.sigLen, want.length);
  assert.equal(firstDifference(r.digital!, want), undefined);
  assert.deepEqual(r.checksums, new Array(10).fill('ok'));
});

test('test01_00s (format 16, 4 signals) equals rdsamp -r test01_00s (record-1a)', async () => {
  const r = await rdrecord(`${W}test01_00s`, { physical: false });
  const want = targetRows('record-1a.gz');
  assert.equal(r.sigLen, 4000);
  assert.equal(firstDifference(r.digital!, want), undefined);
  assert.deepEqual(r.checksums, ['ok', 'ok', 'ok', 'ok']);
  assert.deepEqual(r.sigName, ['ECG 1', 'ECG 2', 'ECG 3', 'ECG 4']);
});

test('100_3chan (format 212, odd sample count) physical equals record-2c', async () => {
  const r = await rdrecord(`${W}100_3chan`);
  const want = targetRows('record-2c.gz');
  assert.equal(r.sigLen, 999);
  assert.equal(firstDifference(r.physical!, want, PHYS_TOL), undefined);
  assert.deepEqual(r.checksums, ['ok', 'ok', 'ok']);
});

test('310derive from sample 2 (format 310) equals record-2d', async () => {
  const r = await rdrecord(`${W}310derive`, { sampfrom: 2, physical: false });
  assert.equal(firstDifference(r.digital!, targetRows('record-2d')), undefined);
  assert.equal(r.sigLen, 1024);
});

test('311derive samples 1-977 (format 311) physical equals record-2e', async () => {
  const r = await rdrecord(`${W}311derive`, { sampfrom: 1, sampto: 978 });
  assert.equal(firstDifference(r.physical!, targetRows('record-2e'), PHYS_TOL), undefined);
});

test('310/311 files whose last block is partial decode with valid checksums', async () => {
  for (const name of ['310derive_2', '310derive_3', '311derive_2', '311derive_3', '311derive_4']) {
    const r = await rdrecord(`${W}${name}`, { physical: false });
    assert.deepEqual(r.checksums, ['ok'], name);
  }
});

test('3000003_0003 (format 80) channel 1, samples 125-999, equals record-1d', async () => {
  const r = await rdrecord(`${W}3000003_0003`, { channels: [1], sampfrom: 125, sampto: 1000 });
  assert.equal(firstDifference(r.physical!, targetRows('record-1d'), PHYS_TOL), undefined);
});

test('03700181 (212 with 4 samples per frame and skew) channels 0, 2 equal record-4c', async () => {
  const r = await rdrecord(`${W}03700181`, { channels: [0, 2], sampfrom: 1000, sampto: 16000 });
  assert.equal(firstDifference(r.physical!, targetRows('record-4c.gz'), PHYS_TOL), undefined);
  const whole = await rdrecord(`${W}03700181`, { physical: false });
  assert.deepEqual(whole.checksums, ['ok', 'ok', 'ok']);
});

test('test01_00s_skewframe: smoothed digital equals record-4a, expanded physical equals record-4d', async () => {
  const r = await rdrecord(`${W}test01_00s_skewframe`, { physical: false });
  const want = targetRows('record-4a.gz');
  // rdsamp stops where the skewed signal runs out (3997 frames); we return the header's 4000 frames
  // and mark the three frames past the file's end as WFDB's invalid sample.
  assert.equal(want.length, 3997);
  assert.equal(firstDifference(r.digital!, want), undefined);
  assert.deepEqual([...r.digital![0]!.subarray(3997)], [-32768, -32768, -32768]);
  // Checksums cover the stored samples, so the skew does not change them.
  assert.deepEqual(r.checksums, ['ok', 'ok', 'ok']);
  const e = await rdrecord(`${W}test01_00s_skewframe`, { smoothFrames: false });
  assert.deepEqual(e.sampsPerFrame, [1, 2, 1]);
  assert.equal(e.physical![1]!.length, 8000);
  // record-4d prints each frame as two rows (the 2-sample signal expanded, others repeated).
  const d = targetRows('record-4d.gz');
  for (let i = 0; i < d.length; i++) {
    const f = i >> 1;
    assert.ok(Math.abs(e.physical![0]![f]! - d[i]![0]!) < PHYS_TOL, `4d row ${i} ch 0`);
    assert.ok(Math.abs(e.physical![1]![i]! - d[i]![1]!) < PHYS_TOL, `4d row ${i} ch 1`);
    assert.ok(Math.abs(e.physical![2]![f]! - d[i]![2]!) < PHYS_TOL, `4d row ${i} ch 2`);
  }
});

test('a103l: MAT v4 signals addressed from the header (16+24), checksums ok', async () => {
  const r = await rdrecord(`${W}a103l`);
  assert.equal(r.sigLen, 82500);
  assert.deepEqual(r.sigName, ['II', 'V', 'PLETH']);
  assert.deepEqual(r.checksums, ['ok', 'ok', 'ok']);
  assert.deepEqual(r.units, ['mV', 'mV', 'NU']);
  const d = await rdrecord(`${W}a103l`, { physical: false, sampto: 1 });
  assert.deepEqual(d.digital!.map((x) => x[0]), [-171, 9127, 6042]); // the header's initial values
  // Without a length in the header, the length comes from the file size.
  const n = await rdrecord(`${W}a103l-no-len`, { physical: false });
  assert.equal(n.sigLen, 82500);
});

test('a sample range equals the same slice of the whole record, for every format', async () => {
  for (const [name, from, to] of [['binformats', 37, 411], ['03700181', 999, 1237], ['100_3chan', 1, 998], ['test01_00s', 3, 3]] as const) {
    const all = await rdrecord(`${W}${name}`, { physical: false });
    const part = await rdrecord(`${W}${name}`, { physical: false, sampfrom: from, sampto: to });
    assert.equal(part.sigLen, to - from);
    part.digital!.forEach((d, c) => assert.deepEqual([...d], [...all.digital![c]!.subarray(from, to)], `${name} channel ${c}`));
  }
});

test('a sample range reads only its bytes: a file cut after the range still serves it', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'range-'));
  copyFileSync(`${W}test01_00s.hea`, join(dir, 'test01_00s.hea'));
  // Keep 1000 frames of 4 int16 signals; the header still says 4000.
  writeFileSync(join(dir, 'test01_00s.dat'), readFileSync(`${W}test01_00s.dat`).subarray(0, 8000));
  const r = await rdrecord(join(dir, 'test01_00s'), { physical: false, sampfrom: 10, sampto: 1000 });
  assert.deepEqual(r.checksums, ['unchecked', 'unchecked', 'unchecked', 'unchecked']);
  assert.equal(firstDifference(r.digital!, targetRows('record-1a.gz').slice(10, 1000)), undefined);
});

test('fixed-layout multi-segment v102s, samples 70000-79999, channels 1, 0, 3 equal record-multi-fixed-c', async () => {
  const r = await rdrecord(`${W}multi-segment/fixed1/v102s`, { channels: [1, 0, 3], sampfrom: 70000, sampto: 80000 });
  assert.deepEqual(r.sigName, ['V', 'II', 'RESP']);
  assert.equal(firstDifference(r.physical!, targetRows('record-multi-fixed-c.gz'), PHYS_TOL), undefined);
});

test('variable-layout multi-segment p000878, samples 3550-7499, equals record-multi-variable-d', async () => {
  const r = await rdrecord(`${W}multi-segment/p000878/p000878-2137-10-26-16-57`, { channels: [0, 1], sampfrom: 3550, sampto: 7500, physical: false });
  assert.deepEqual(r.sigName, ['PLETH', 'II']);
  assert.equal(firstDifference(r.digital!, targetRows('record-multi-variable-d')), undefined);
});

test('041s (fixed layout, 2 segments): the record is its two segments joined', async () => {
  const r = await rdrecord(`${W}multi-segment/041s/041s`, { physical: false });
  const a = await rdrecord(`${W}multi-segment/041s/041s01`, { physical: false });
  const b = await rdrecord(`${W}multi-segment/041s/041s02`, { physical: false });
  assert.equal(r.sigLen, 2000);
  r.digital!.forEach((d, c) => {
    assert.deepEqual([...d], [...a.digital![c]!, ...b.digital![c]!], `signal ${c}`);
  });
  assert.deepEqual(r.checksums, new Array(7).fill('ok'));
});

test('CinC 2017: checksum field 0 in every signal reads as not computed, with a warning, not an error', async () => {
  // A00614 and A01883 are two of the 75 records whose initial value differs from the first sample.
  for (const rec of ['A00614', 'A01883']) {
    const r = await rdrecord(`${FIXTURES}cinc2017/training2017/${rec}`, { physical: false });
    assert.deepEqual(r.checksums, ['not-computed']);
    assert.match(r.warnings.join('\n'), /checksum field is 0/);
    assert.equal(r.sigLen, 9000);
    assert.notEqual(r.digital![0]![0], r.header.signals[0]!.initValue);
  }
});

test('rdrecordSync gives the same record as rdrecord', async () => {
  const a = await rdrecord(`${W}03700181`, { sampfrom: 5, sampto: 400 });
  const b = rdrecordSync(`${W}03700181`, { sampfrom: 5, sampto: 400 });
  assert.deepEqual(b, a);
});

test('LUDB record 21 (format 16, 12 leads, 500 Hz) reads with valid checksums', async () => {
  const r = await rdrecord(`${FIXTURES}ludb/data/21`);
  assert.equal(r.physical!.length, 12);
  assert.equal(r.sigLen, 5000);
  assert.ok(r.checksums.every((c) => c === 'ok'));
});

test('a layout header (format 0, file ~) reads as null signals: invalid samples, no file', async () => {
  const r = await rdrecord(`${W}multi-segment/p000878/3269321_layout`, { physical: false });
  assert.deepEqual(r.sigName, ['PLETH', 'II', 'V', 'ABP']);
  assert.equal(r.sigLen, 0);
  assert.deepEqual(r.checksums, ['absent', 'absent', 'absent', 'absent']);
});

test('041s with smoothFrames: false: every sample of its two segments (4 per frame in some signals), joined', async () => {
  const r = await rdrecord(`${W}multi-segment/041s/041s`, { smoothFrames: false, physical: false });
  const a = await rdrecord(`${W}multi-segment/041s/041s01`, { smoothFrames: false, physical: false });
  const b = await rdrecord(`${W}multi-segment/041s/041s02`, { smoothFrames: false, physical: false });
  assert.deepEqual(r.sampsPerFrame, a.sampsPerFrame);
  assert.ok(r.sampsPerFrame.some((x) => x > 1));
  r.digital!.forEach((d, c) => assert.deepEqual([...d], [...a.digital![c]!, ...b.digital![c]!], `signal ${c}`));
  // A range across the segment boundary, in physical units: the same samples as the segments give.
  const p = await rdrecord(`${W}multi-segment/041s/041s`, { smoothFrames: false, sampfrom: 990, sampto: 1010, channels: [0] });
  const pa = await rdrecord(`${W}multi-segment/041s/041s01`, { smoothFrames: false, sampfrom: 990, channels: [0] });
  const pb = await rdrecord(`${W}multi-segment/041s/041s02`, { smoothFrames: false, sampto: 10, channels: [0] });
  assert.deepEqual([...p.physical![0]!], [...pa.physical![0]!, ...pb.physical![0]!]);
  assert.equal(p.physical![0]!.length, 20 * r.sampsPerFrame[0]!);
});

test('two-signal format 212 (NSTDB bw excerpt) decodes like the 212 codec de-interleaved; checksums match the excerpt script', async () => {
  const { FORMATS } = await import('./formats.js');
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}nstdb/bw.dat`));
  const stream = new Int32Array(21600 * 2);
  FORMATS.get(212)!.decode(bytes, stream.length, stream, 0);
  const r = await rdrecord(`${FIXTURES}nstdb/bw`, { physical: false });
  assert.deepEqual(r.checksums, ['ok', 'ok']); // sums written by fixtures/data/nstdb/make_excerpt.py
  for (const c of [0, 1]) assert.deepEqual([...r.digital![c]!], [...stream.filter((_, i) => i % 2 === c)]);
  const p = await rdrecord(`${FIXTURES}nstdb/bw`, { sampfrom: 1001, sampto: 2002, channels: [1] });
  // Gain 0 means uncalibrated: converted with WFDB's default gain 200.
  assert.deepEqual([...p.physical![0]!], [...r.digital![1]!.subarray(1001, 2002)].map((d) => d / 200));
});

test('`invalid` counts, per channel, the NaNs of a physical read and the invalid values of a digital one, on every path', async () => {
  const nans = (x: ArrayLike<number>): number => Array.from(x).filter((v) => Number.isNaN(v)).length;
  const cases: [string, RdrecordOptions][] = [
    [`${FIXTURES}nstdb/bw`, { sampto: 20000 }], // format 212, two signals: the kernel's 212 path
    [`${W}test01_00s_skewframe`, {}], // skew and 2 samples a frame, smoothed: 3 frames past the end are invalid
    [`${W}test01_00s_skewframe`, { smoothFrames: false }],
    [`${W}03700181`, { channels: [0, 2], sampfrom: 1000, sampto: 16000 }], // 4 samples a frame
    [`${W}multi-segment/s25047/s25047-2704-05-04-10-44`, { sampto: 74985 }], // a gap, a signal absent from segments
    [`${W}multi-segment/p000878/3269321_layout`, {}], // null signals, no frames
    [`${FIXTURES}ludb/data/21`, {}], // format 16, 12 leads
  ];
  let seen = 0;
  for (const [path, opts] of cases) {
    const p = await rdrecord(path, opts);
    assert.deepEqual(p.invalid, p.physical!.map(nans), `${path} physical`);
    const f = rdrecordSync(path, { ...opts, float32: true });
    assert.deepEqual(f.invalid, p.invalid, `${path} float32`);
    seen += p.invalid.reduce((a, b) => a + b, 0);
    if (path.includes('s25047')) continue; // its digital samples have no single scale (see multi.test.ts)
    const d = await rdrecord(path, { ...opts, physical: false });
    assert.deepEqual(d.invalid, p.invalid, `${path} digital`);
  }
  assert.ok(seen > 1000, `the cases hold invalid samples (${seen})`);
});

test("`out`: every path writes each channel into the caller's array, bit for bit the values of a fresh read", async () => {
  const bits = (a: Float64Array | Float32Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const cases: [string, RdrecordOptions][] = [
    [`${FIXTURES}nstdb/bw`, { sampto: 20000 }], // format 212, two signals: the kernel writes in place
    [`${FIXTURES}cinc2017/training2017/A00067`, {}], // MAT v4 `16+24`
    [`${FIXTURES}ludb/data/21`, { channels: [11, 0, 5], scale: [1, 1e-3, 2] }], // format 16, some of 12 leads
    [`${W}test01_00s_skewframe`, {}], // skew and 2 samples a frame: made, then copied in
    [`${W}test01_00s_skewframe`, { smoothFrames: false }],
    [`${W}multi-segment/s25047/s25047-2704-05-04-10-44`, { sampto: 74985 }], // assembled from segments, then copied in
    [`${W}multi-segment/p000878/3269321_layout`, {}], // null signals, no frames
  ];
  for (const [path, opts] of cases) {
    for (const mode of [{}, { float32: true }, { physical: false }] as RdrecordOptions[]) {
      if (path.includes('s25047') && mode.physical === false) continue; // no single digital scale (multi.test.ts)
      const fresh = rdrecordSync(path, { ...opts, ...mode });
      const arrays = fresh.physical ?? fresh.digital!;
      const out = arrays.map((a) => new (a.constructor as Float64ArrayConstructor)(a.length + 3).fill(7));
      const got = mode.float32 ? rdrecordSync(path, { ...opts, ...mode, out }) : await rdrecord(path, { ...opts, ...mode, out });
      const what = `${path} ${JSON.stringify(mode)}`;
      (got.physical ?? got.digital!).forEach((a, i) => {
        assert.equal(a.buffer, out[i]!.buffer, `${what} channel ${i}: a view of the caller's array`);
        assert.deepEqual(bits(a), bits(arrays[i]!), `${what} channel ${i}: values`);
        assert.deepEqual([...out[i]!.subarray(arrays[i]!.length)], [7, 7, 7], `${what} channel ${i}: nothing past its values`);
      });
      assert.deepEqual(got.invalid, fresh.invalid, what);
      assert.deepEqual(got.checksums, fresh.checksums, what);
    }
  }
});

test("`out` is refused, naming the array, before anything is written: a missing array, the wrong type, too short", () => {
  const path = `${FIXTURES}nstdb/bw`;
  const ok = () => new Float64Array(21600).fill(7);
  const cases: [RdrecordOptions, RegExp][] = [
    [{ out: [ok()] }, /'out' gives 1 arrays; the read returns 2 channels/],
    [{ out: [ok(), new Float32Array(21600)] }, /'out\[1\]' is a Float32Array; this read returns Float64Array values/],
    [{ out: [ok(), ok()], physical: false }, /'out\[0\]' is a Float64Array; this read returns Int32Array values/],
    [{ out: [ok(), new Float64Array(21599)] }, /'out\[1\]' holds 21599 values; the channel has 21600/],
  ];
  for (const [opts, message] of cases) {
    assert.throws(() => rdrecordSync(path, opts), (e: Error) => e.name === 'RangeRequestError' && message.test(e.message) && e.message.startsWith('bw:'));
    assert.ok(opts.out!.every((a) => a.every((v) => v === 7 || v === 0)), `${message}: nothing written`);
  }
  // A multi-segment record's arrays are checked before they are copied in.
  const multi = `${W}multi-segment/s25047/s25047-2704-05-04-10-44`;
  const first = new Float64Array(100).fill(7);
  assert.throws(() => rdrecordSync(multi, { sampto: 100, out: [first, new Float64Array(99)] }), /'out' gives 2 arrays|'out\[1\]' holds 99 values/);
  assert.ok(first.every((v) => v === 7));
});
