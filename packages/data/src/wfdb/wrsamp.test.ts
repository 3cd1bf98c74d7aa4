import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { WriteError } from '../errors.js';
import { encodeRecord, rdheader, rdrecord, toDigital, toPhysical, wrsamp, wrsampSync } from './index.js';
import { WFDB_FIXTURES as W } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'ecglab-wrsamp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Writing the digital samples of a real record in its own format must reproduce its .dat byte for
// byte, and the header's checksums and initial values: evidence that other WFDB tools read ours.
for (const [rec, fmt] of [['test01_00s', 16], ['100_3chan', 212], ['3000003_0003', 80]] as const) {
  test(`format ${fmt}: rewriting ${rec} reproduces its .dat byte for byte and reads back bit-exact`, async () => {
    const orig = await rdrecord(`${W}${rec}`, { physical: false });
    const h0 = await rdheader(`${W}${rec}`);
    const out = join(dir, `${rec}_copy`);
    const h = await wrsamp(out, {
      fs: orig.fs, sigName: orig.sigName, units: orig.units, fmt, digital: orig.digital!,
      adcGain: orig.adcGain, baseline: orig.baseline,
    });
    assert.deepEqual(new Uint8Array(readFileSync(`${out}.dat`)), new Uint8Array(readFileSync(`${W}${h0.signals[0]!.fileName}`)));
    const norm = (x: number | undefined) => ((x! % 65536) + 65536) % 65536;
    assert.deepEqual(h.signals.map((s) => [norm(s.checksum), s.initValue]), h0.signals.map((s) => [norm(s.checksum), s.initValue]));
    const back = await rdrecord(out, { physical: false });
    assert.deepEqual(back.digital, orig.digital);
    assert.ok(back.checksums.every((c) => c === 'ok'));
    const phys = await rdrecord(out);
    assert.deepEqual(phys.physical, (await rdrecord(`${W}${rec}`)).physical);
  });
}

test('the written header is standard WFDB text', async () => {
  const out = join(dir, 'std');
  await wrsamp(out, { fs: 360, sigName: ['MLII', 'V5'], fmt: 212, digital: [Int32Array.of(995, 995, 996), Int32Array.of(1011, 1010, 1012)], adcGain: [200, 200], baseline: [1024, 1024] });
  assert.equal(readFileSync(`${out}.hea`, 'latin1'), [
    'std 2 360 3',
    'std.dat 212 200(1024)/mV 12 0 995 2986 0 MLII',
    'std.dat 212 200(1024)/mV 12 0 1011 3033 0 V5',
    '',
  ].join('\n'));
  // No temp files are left behind by the atomic writes.
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('physical input: gain and baseline are fitted to the format, and NaN becomes the invalid sample', async () => {
  const x = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i / 20) * 3.2 - 0.4);
  x[7] = NaN;
  for (const fmt of [16, 212, 80]) {
    const out = join(dir, `phys${fmt}`);
    const h = await wrsamp(out, { fs: 500, sigName: ['I'], fmt, physical: [x] });
    const r = await rdrecord(out);
    const step = 1 / h.signals[0]!.adcGain; // one quantisation step
    assert.ok(Number.isNaN(r.physical![0]![7]!));
    for (let i = 0; i < x.length; i++) if (i !== 7) assert.ok(Math.abs(r.physical![0]![i]! - x[i]!) <= step / 2 + 1e-12, `fmt ${fmt} sample ${i}`);
    // Reading the digital values back and writing them again gives the same bytes (bit-exact).
    const d = await rdrecord(out, { physical: false });
    assert.equal(d.digital![0]![7], { 16: -32768, 212: -2048, 80: -128 }[fmt]);
    wrsampSync(`${out}b`, { fs: 500, sigName: ['I'], fmt, digital: d.digital!, adcGain: [h.signals[0]!.adcGain], baseline: [h.signals[0]!.baseline] });
    assert.deepEqual(readFileSync(`${out}b.dat`), readFileSync(`${out}.dat`));
  }
});

test('property: random digital records in formats 16, 212, 80 read back bit-exact', async () => {
  const ranges = { 16: [-32767, 32767], 212: [-2047, 2047], 80: [-127, 127] } as const;
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(16, 212, 80), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 50 }), fc.integer(),
    async (fmt, nSig, len, seed) => {
      const [lo, hi] = ranges[fmt];
      let s = seed >>> 0;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % (hi - lo + 1)) + lo;
      const digital = Array.from({ length: nSig }, () => Int32Array.from({ length: len }, rnd));
      const out = join(dir, `prop_${fmt}`);
      await wrsamp(out, { fs: 100, sigName: digital.map((_, i) => `s${i}`), fmt, digital });
      const r = await rdrecord(out, { physical: false });
      assert.deepEqual(r.digital, digital);
    }), { numRuns: 60 });
});

test('bad writer input gives WriteError naming the problem', () => {
  assert.throws(() => encodeRecord('r', { fs: 100, sigName: ['a'], fmt: 212, digital: [[5000]] }), (e: unknown) => e instanceof WriteError && /sample 0 = 5000 is not an integer in format 212's range -2048..2047/.test((e as Error).message));
  assert.throws(() => encodeRecord('r', { fs: 100, sigName: ['a', 'b'], digital: [[1, 2], [1]] }), /signal 1 has 1 samples, signal 0 has 2/);
  assert.throws(() => encodeRecord('r', { fs: 100, sigName: ['a'], fmt: 8, digital: [[1]] }), /cannot write format 8/);
  assert.throws(() => encodeRecord('r', { fs: 0, sigName: ['a'], digital: [[1]] }), /'fs' must be positive/);
  assert.throws(() => wrsampSync(join(dir, 'bad name'), { fs: 1, sigName: ['a'], digital: [[1]] }), /record name 'bad name'/);
});

test('toDigital and toPhysical are inverse on stored values (100_3chan, all three signals)', async () => {
  const d = await rdrecord(`${W}100_3chan`, { physical: false });
  const h = d.header;
  h.signals.forEach((s, c) => {
    assert.deepEqual(toDigital(toPhysical(d.digital![c]!, s), s), d.digital![c]);
  });
  assert.deepEqual([...toDigital([0.5, NaN, -1], { fmt: 212, adcGain: 200, baseline: 0 })], [100, -2048, -200]);
  assert.throws(() => toDigital([20], { fmt: 212, adcGain: 200, baseline: 0 }, 'x'), /x sample 0 = 20 maps to 4000, outside format 212's range -2047..2047/);
});
