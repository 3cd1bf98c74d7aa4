// Broken input: each case must raise the module's own error naming the file and the problem.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChecksumError, DataError, HeaderError, RangeRequestError, SignalFileError, UnsupportedFormatError } from '../errors.js';
import { rdheader, rdrecord } from './index.js';
import { WFDB_FIXTURES as W } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'ecglab-broken-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const rejects = (p: Promise<unknown>, cls: new (...a: never[]) => DataError, re: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof cls && re.test((e as Error).message));

test('truncated .dat: names the file, the bytes needed and found', async () => {
  copyFileSync(`${W}100_3chan.hea`, join(dir, 'cut.hea'));
  writeFileSync(join(dir, 'cut.hea'), readFileSync(`${W}100_3chan.hea`, 'latin1').replaceAll('100_3chan', 'cut'));
  writeFileSync(join(dir, 'cut.dat'), readFileSync(`${W}100_3chan.dat`).subarray(0, 3001));
  await rejects(rdrecord(join(dir, 'cut')), SignalFileError, /cut\.dat: truncated: 999 samples of 3 per frame in format 212 need 4496 bytes, the file has 3001/);
});

test('missing signal file and missing header', async () => {
  writeFileSync(join(dir, 'nodat.hea'), 'nodat 1 360 10\nnodat.dat 16 200 16 0 0 0 0 I\n');
  await rejects(rdrecord(join(dir, 'nodat')), SignalFileError, /nodat\.dat: file not found/);
  await rejects(rdrecord(join(dir, 'nothere')), HeaderError, /nothere\.hea: header file not found/);
});

test('header with a non-numeric or missing field', async () => {
  writeFileSync(join(dir, 'bad.hea'), 'bad 1 360 10\r\nbad.dat 16 200 16 x 0 0 0 I\r\n');
  await rejects(rdheader(join(dir, 'bad')), HeaderError, /bad\.hea line 2: ADC zero 'x' is not a number/);
  writeFileSync(join(dir, 'short.hea'), 'short 2 360 10\nshort.dat 16 200 16 0 0 0 0 I\n');
  await rejects(rdrecord(join(dir, 'short')), HeaderError, /short\.hea: record line says 2 signals but 1 signal lines follow/);
});

test('an unknown format is reported as unsupported, naming the signal (FLAC formats are read: flac.test.ts)', async () => {
  writeFileSync(join(dir, 'fmt.hea'), 'fmt 1 360 10\nfmt.dat 999 200 16 0 0 0 0 I\n');
  await rejects(rdrecord(join(dir, 'fmt')), UnsupportedFormatError, /fmt\.hea: signal 0 \(I\): unknown format 999 \(supported: 8, 16, .*, 311, 508, 516, 524\)/);
});

test('checksum mismatch: an error by default, a warning on request', async () => {
  writeFileSync(join(dir, 'sum.hea'), readFileSync(`${W}test01_00s.hea`, 'latin1').replace(' 941 ', ' 942 ').replaceAll('test01_00s', 'sum'));
  copyFileSync(`${W}test01_00s.dat`, join(dir, 'sum.dat'));
  await rejects(rdrecord(join(dir, 'sum')), ChecksumError, /sum\.dat signal 1 \(ECG 2\): checksum mismatch: header says 942, samples sum to 941/);
  const r = await rdrecord(join(dir, 'sum'), { onChecksumMismatch: 'warn' });
  assert.deepEqual(r.checksums, ['ok', 'mismatch', 'ok', 'ok']);
  assert.match(r.warnings.join('\n'), /checksum mismatch/);
  // A lone 0 beside real sums is a mismatch, not "not computed".
  writeFileSync(join(dir, 'zero.hea'), readFileSync(`${W}test01_00s.hea`, 'latin1').replace(' 941 ', ' 0 ').replaceAll('test01_00s', 'zero'));
  copyFileSync(`${W}test01_00s.dat`, join(dir, 'zero.dat'));
  await rejects(rdrecord(join(dir, 'zero')), ChecksumError, /header says 0, samples sum to 941/);
});

test('empty record: an empty header is an error; a header of 0 samples reads as 0 samples', async () => {
  writeFileSync(join(dir, 'empty.hea'), '');
  await rejects(rdrecord(join(dir, 'empty')), HeaderError, /empty\.hea: empty header/);
  writeFileSync(join(dir, 'zero0.hea'), 'zero0 1 360 0\nzero0.dat 16 200 16 0 0 0 0 I\n');
  writeFileSync(join(dir, 'zero0.dat'), new Uint8Array(0));
  const r = await rdrecord(join(dir, 'zero0'));
  assert.equal(r.sigLen, 0);
  assert.equal(r.physical![0]!.length, 0);
  // An empty .dat behind a header that promises samples is truncation.
  writeFileSync(join(dir, 'hollow.hea'), 'hollow 1 360 10\nhollow.dat 16 200 16 0 0 0 0 I\n');
  writeFileSync(join(dir, 'hollow.dat'), new Uint8Array(0));
  await rejects(rdrecord(join(dir, 'hollow')), SignalFileError, /hollow\.dat: truncated/);
});

test('a sample range beyond the end, a reversed range and a missing channel', async () => {
  await rejects(rdrecord(`${W}test01_00s`, { sampto: 4001 }), RangeRequestError, /test01_00s: sampto 4001 is beyond the end of the record \(4000 samples\)/);
  await rejects(rdrecord(`${W}test01_00s`, { sampfrom: 10, sampto: 5 }), RangeRequestError, /sampfrom 10 is after sampto 5/);
  await rejects(rdrecord(`${W}test01_00s`, { channels: [4] }), RangeRequestError, /channel 4 does not exist \(the record has 4 signals\)/);
  await rejects(rdrecord(`${W}multi-segment/041s/041s`, { sampto: 2001 }), RangeRequestError, /041s: samples 0–2001 are outside the record/);
});

test('a MAT signal file whose MAT header disagrees with the .hea is rejected', async () => {
  writeFileSync(join(dir, 'm.hea'), 'm 2 250 82500\nm.mat 16+24 7247/mV 16 0 -171 -27403 0 II\nm.mat 16+24 1.052e+04/mV 16 0 9127 -301 0 V\n');
  copyFileSync(`${W}a103l.mat`, join(dir, 'm.mat'));
  await rejects(rdrecord(join(dir, 'm')), SignalFileError, /m\.mat: MAT v4 matrix has 3 rows, the header has 2 samples per frame/);
});

test('property: random signal specs and signal-file bytes never throw anything but DataError', async () => {
  const fc = (await import('fast-check')).default;
  const { rdrecordSync } = await import('./index.js');
  const fz = mkdtempSync(join(dir, 'fuzz-'));
  const sig = fc.record({
    fmt: fc.constantFrom('8', '16', '24', '32', '61', '80', '160', '212', '310', '311', '0', '508', '7'),
    spf: fc.constantFrom('', 'x2', 'x3', 'x1000000'),
    skew: fc.constantFrom('', ':1', ':5', ':99999999'),
    off: fc.constantFrom('', '+1', '+24', '+100000'),
    gain: fc.constantFrom('200', '0', '1e-300', '12.5(-3)/mmHg'),
    file: fc.constantFrom('a.dat', 'b.dat', 'a.mat'),
  });
  const opts = fc.record({ sampfrom: fc.option(fc.nat(20), { nil: undefined }), sampto: fc.option(fc.nat(40), { nil: undefined }), physical: fc.boolean(), smoothFrames: fc.boolean() });
  fc.assert(fc.property(fc.array(sig, { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' 0', ' 10', ' 1000', ' 99999999999'), fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 100 }), opts,
    (sigs, len, a, b, o) => {
      writeFileSync(join(fz, 'r.hea'), `r ${sigs.length} 100${len}\n` + sigs.map((s) => `${s.file} ${s.fmt}${s.spf}${s.skew}${s.off} ${s.gain} 12 0 0 0 0 x`).join('\n') + '\n');
      writeFileSync(join(fz, 'a.dat'), a);
      writeFileSync(join(fz, 'b.dat'), b);
      writeFileSync(join(fz, 'a.mat'), a);
      try {
        rdrecordSync(join(fz, 'r'), o);
      } catch (e) {
        assert.ok(e instanceof DataError, `unexpected ${String(e)}`);
      }
    }), { numRuns: 500 });
});
