// readRecord and the reader options it rests on (float32, scale, header): every value must be the Float64
// physical value times its unit factor, rounded once to float32, whatever the format or layout.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RangeRequestError } from '../errors.js';
import { loadFlacDecoder, rdheader, rdrecord, rdrecordSync, wrsampSync, type RdrecordOptions } from '../wfdb/index.js';
import { FIXTURES, WFDB_FIXTURES as W } from '../wfdb/testing.js';
import { readRecord, readRecordSync } from './read.js';
import { assertSameError, assertSameRecord, badCases, READ_CASES } from './testing.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-read-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

/** The Float64 values times `k`, rounded to float32 (NaN kept), as the old two-step conversion made them. */
const rounded = (x: Float64Array, k = 1): Float32Array => Float32Array.from(x, (v) => v * k);

const RECORDS = [
  `${FIXTURES}ptbxl/records500/00000/00017_hr`, // format 16, 12 leads
  `${FIXTURES}cinc2017/training2017/A00067`, // MAT v4 16+24
  `${W}100_3chan`, // format 212, 3 signals
  `${FIXTURES}nstdb/bw`, // format 212, two signals (the direct path)
  `${W}03700181`, // 212 with 4 samples per frame and skew (stream, then smoothing and conversion)
  `${W}binformats`, // 10 formats
];

test('float32: each value is the Float64 value rounded once, sync and async, in every format', async () => {
  for (const rec of RECORDS) {
    const f64 = await rdrecord(rec);
    const f32 = await rdrecord(rec, { float32: true });
    const f32s = rdrecordSync(rec, { float32: true });
    assert.equal(f32.physical!.length, f64.physical!.length, rec);
    f64.physical!.forEach((x, c) => {
      assert.ok(f32.physical![c] instanceof Float32Array, rec);
      assert.deepEqual(f32.physical![c], rounded(x), `${rec} channel ${c}`);
      assert.deepEqual(f32s.physical![c], rounded(x), `${rec} channel ${c} (sync)`);
    });
    assert.deepEqual(f32.checksums, f64.checksums, rec);
  }
});

test('scale multiplies in float64 before the one rounding, per returned channel; ranges and multi-segment records too', async () => {
  const cases: [string, RdrecordOptions & { float32?: false }][] = [
    [`${W}100_3chan`, { channels: [2, 0] }],
    [`${FIXTURES}nstdb/bw`, {}],
    [`${FIXTURES}ptbxl/records500/00000/00017_hr`, { channels: [1, 7], sampfrom: 100, sampto: 900 }],
    [`${W}multi-segment/fixed1/v102s`, { channels: [1, 0], sampfrom: 70000, sampto: 80000 }],
    [`${W}multi-segment/041s/041s`, { channels: [0, 2] }],
  ];
  for (const [rec, opts] of cases) {
    const f64 = await rdrecord(rec, opts);
    const k = f64.physical!.map((_, c) => [1e-3, 1e3][c % 2]!);
    const got = await rdrecord(rec, { ...opts, float32: true, scale: k });
    f64.physical!.forEach((x, c) => assert.deepEqual(got.physical![c], rounded(x, k[c]), `${rec} channel ${c}`));
    const wide = await rdrecord(rec, { ...opts, scale: k });
    f64.physical!.forEach((x, c) => assert.deepEqual(wide.physical![c], Float64Array.from(x, (v) => v * k[c]!), `${rec} channel ${c} (float64)`));
  }
  await assert.rejects(rdrecord(`${W}100_3chan`, { scale: [1, 2] }), (e: unknown) => e instanceof RangeRequestError && /'scale' must give one finite factor per returned channel \(3\)/.test((e as Error).message));
  assert.throws(() => rdrecordSync(`${W}100_3chan`, { channels: [0], scale: [NaN] }), RangeRequestError);
});

test('header: a header already read is used, and the record is the same', async () => {
  const rec = `${FIXTURES}ptbxl/records500/00000/00017_hr`;
  const h = await rdheader(rec);
  assert.deepEqual((await rdrecord(rec, { header: h })).physical, (await rdrecord(rec)).physical);
  assert.deepEqual(rdrecordSync(rec, { header: h }).physical, (await rdrecord(rec)).physical);
});

test('readRecord: Float32 mV, units converted from the header (µV, V), invalid samples 0 and counted', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'read-'));
  const uv = [1200, -350, 40, 0, 80];
  const v = [0.0012, -0.00035, NaN, 0.0001, 0.002];
  wrsampSync(join(dir, 'mixed'), { fs: 250, sigName: ['I', 'II'], units: ['uV', 'V'], physical: [uv, v] });
  const raw = await rdrecord(join(dir, 'mixed'));
  const rec = await readRecord(join(dir, 'mixed'));
  assert.deepEqual(rec.meta!.units, ['uV', 'V']);
  assert.deepEqual(rec.signals[0], rounded(raw.physical![0]!, 1e-3));
  assert.deepEqual(rec.signals[1], rounded(raw.physical![1]!, 1e3).map((x) => (Number.isNaN(x) ? 0 : x)));
  assert.equal(rec.meta!.invalidSamples, 1);
  assert.ok(Math.abs(rec.signals[0]![0]! - 1.2) < 1e-3 && Math.abs(rec.signals[1]![4]! - 2) < 1e-3);
});

test('readRecord: a non-voltage signal is refused by name before any sample is read, or dropped; multi-segment layouts too', async () => {
  await assert.rejects(readRecord(`${W}multi-segment/041s/041s`), /041s\.hea: signal 3 \(ABP\) is in 'mmHg', not a voltage/);
  const rec = await readRecord(`${W}multi-segment/041s/041s`, { nonVoltage: 'drop' });
  const raw = await rdrecord(`${W}multi-segment/041s/041s`);
  const kept = raw.units.flatMap((u, c) => (['mmHg', 'NU', 'pm'].includes(u) ? [] : [c]));
  assert.deepEqual(rec.leadNames, kept.map((c) => raw.sigName[c]));
  kept.forEach((c, j) => assert.deepEqual(rec.signals[j], rounded(raw.physical![c]!).map((x) => (Number.isNaN(x) ? 0 : x))));
});

test('readRecordSync gives what readRecord gives, record for record and error for error', async () => {
  await loadFlacDecoder(); // as rdrecordSync, the sync reader cannot load it itself
  for (const [path, opts] of READ_CASES) {
    const what = `${path} ${JSON.stringify(opts)}`;
    assertSameRecord(readRecordSync(path, opts), await readRecord(path, opts), what);
  }
  for (const [path, opts] of badCases()) {
    const what = `${path} ${JSON.stringify(opts)}`;
    const want = await readRecord(path, opts).catch((e: unknown) => e);
    let got: unknown;
    try {
      readRecordSync(path, opts);
    } catch (e) {
      got = e;
    }
    assertSameError(got, want, what);
  }
});
