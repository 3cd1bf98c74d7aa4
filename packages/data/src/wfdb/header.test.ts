import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataError, HeaderError } from '../errors.js';
import { formatHeader, parseHeader, rdheader } from './index.js';
import type { SignalSpec, WfdbHeader } from './index.js';
import { FIXTURES, WFDB_FIXTURES as W } from './testing.js';

test('record line: name, signals, frequency, length, base time and date (03700181)', async () => {
  const h = await rdheader(`${W}03700181`);
  assert.equal(h.recordName, '03700181');
  assert.equal(h.nSig, 3);
  assert.equal(h.fs, 125);
  assert.equal(h.sigLen, 75000);
  assert.equal(h.baseTime, '17:27:45');
  assert.equal(h.baseDate, '15/08/1994');
  const [s0, s1, s2] = h.signals as [SignalSpec, SignalSpec, SignalSpec];
  assert.equal(s0.sampsPerFrame, 4);
  assert.equal(s0.adcGain, 2963.77);
  assert.equal(s1.baseline, -1605);
  assert.equal(s1.units, 'mmHg');
  assert.equal(s2.skew, 4);
  assert.equal(s2.units, 'mV'); // no units given: mV
  assert.equal(s2.description, 'RESP');
});

test('counter frequency and base counter (12726: 250/24000), CRLF, comment-only lines', async () => {
  const h = await rdheader(`${W}12726`);
  assert.equal(h.fs, 250);
  assert.equal(h.counterFreq, 24000);
  assert.equal(h.baseCounter, undefined);
  assert.equal(h.signals[0]!.baseline, 4);
  assert.equal(h.signals[2]!.units, 'degrees');
  assert.equal(h.info.age, 28);
  assert.equal(h.info.sex, 'M');
  assert.equal(h.info.fields.height, '170');
  const b = parseHeader('r 1 360/1000(-50) 10\nr.dat 16 200 16 0 0 0 0 x\n', 'r.hea');
  assert.equal(b.counterFreq, 1000);
  assert.equal(b.baseCounter, -50);
});

test('100.hea: comment before the record line, blank line between signals, byte offset and ADC zero', async () => {
  const h = await rdheader(`${W}100`);
  assert.equal(h.nSig, 2);
  assert.deepEqual(h.signals.map((s) => [s.fmt, s.adcGain, s.baseline, s.adcRes, s.adcZero, s.initValue, s.checksum, s.description]), [
    [212, 200, 1024, 11, 1024, 995, -22131, 'MLII'],
    [212, 200, 1024, 11, 1024, 1011, 20052, 'V5'],
  ]);
  assert.deepEqual(h.comments, [' unnecessary comment', ' 69 M 1085 1629 x1', ' Aldomet, Inderal']);
  const nl = await rdheader(`${W}100-no-len`);
  assert.equal(nl.sigLen, undefined);
  assert.equal(nl.fs, 360);
});

test('MAT signal files: 16+24 is format 16 at byte offset 24', async () => {
  const h = await rdheader(`${W}a103l`);
  assert.deepEqual([h.signals[1]!.fmt, h.signals[1]!.byteOffset, h.signals[1]!.adcGain], [16, 24, 10520]);
  assert.deepEqual(h.comments, ['Asystole', 'False alarm']);
});

test('comments: CinC 2021 #Age/#Sex/#Dx SNOMED list, CPSC #Dx abbreviations, test01_00s <key>: pairs', async () => {
  const h = await rdheader(`${FIXTURES}cpsc2018/Training_WFDB/A0079`);
  assert.ok(h.info.dx && h.info.dx.length >= 1);
  const c = parseHeader('A 1 500 10\nA.mat 16+24 1000/mV 16 0 0 0 0 I\n#Age: 54\n#Sex: Female\n#Dx: 164889003,59118001, 426783006\n');
  assert.deepEqual([c.info.age, c.info.sex, c.info.dx], [54, 'F', ['164889003', '59118001', '426783006']]);
  const t = await rdheader(`${W}test01_00s`);
  assert.deepEqual([t.info.age, t.info.sex, t.info.fields.diagnoses], [25, 'M', '(none)']);
  const u = parseHeader('A 1\nA.dat 16\n#Age: Unknown\n#Sex: Unknown\n');
  assert.deepEqual([u.info.age, u.info.sex], [undefined, undefined]);
});

test('defaults for a minimal signal line follow header(5)', () => {
  const h = parseHeader('rec 1\nrec.dat 16\n');
  assert.equal(h.fs, 250);
  const s = h.signals[0]!;
  assert.deepEqual([s.adcGain, s.baseline, s.units, s.adcRes, s.adcZero, s.initValue, s.checksum, s.blockSize, s.description], [200, 0, 'mV', 0, 0, 0, undefined, 0, '']);
});

test('multi-segment headers: fixed layout and variable layout with a layout segment and gaps', async () => {
  const f = await rdheader(`${W}multi-segment/041s/041s`);
  assert.deepEqual(f.segments, [{ name: '041s01', sigLen: 1000 }, { name: '041s02', sigLen: 1000 }]);
  assert.equal(f.nSig, 7);
  const v = await rdheader(`${W}multi-segment/p000878/p000878-2137-10-26-16-57`);
  assert.equal(v.segments!.length, 36);
  assert.deepEqual(v.segments!.slice(0, 2), [{ name: '3269321_layout', sigLen: 0 }, { name: '~', sigLen: 3750 }]);
  assert.equal(v.baseTime, '16:57:09.000');
  assert.equal(v.baseDate, '26/10/2137');
  const layout = await rdheader(`${W}multi-segment/p000878/3269321_layout`);
  assert.deepEqual(layout.signals.map((s) => [s.fileName, s.fmt, s.description]), [['~', 0, 'PLETH'], ['~', 0, 'II'], ['~', 0, 'V'], ['~', 0, 'ABP']]);
});

test('non-standard base time/date (CinC 2020 "12-May-2020 12:33:59") is kept as text with a warning', () => {
  const h = parseHeader('A0689 1 500 5000 12-May-2020 12:33:59\nA0689.mat 16+24 1000/mV 16 0 -47 409 0 I\n', 'A0689.hea');
  assert.equal(h.baseTime, '12-May-2020');
  assert.match(h.warnings.join('\n'), /A0689.hea line 1: base time '12-May-2020' is not HH:MM:SS/);
});

test('errors name the file, line and field', () => {
  const cases: [string, RegExp][] = [
    ['r 2 360 100\nr.dat 16 abc 16 0 0 0 0 I\nr.dat 16 200\n', /r\.hea line 2: gain 'abc' is not a number/],
    ['r 2 360 100\nr.dat 16 200 16 0 0 0 0 I\n', /r\.hea: record line says 2 signals but 1 signal lines follow/],
    ['r x 360\n', /r\.hea line 1: number of signals 'x' is not a number/],
    ['r\n', /r\.hea line 1: number of signals is missing/],
    ['r 1 fast\nr.dat 16\n', /r\.hea line 1: sampling frequency 'fast' is not a number/],
    ['r 1 360 1.5\nr.dat 16\n', /r\.hea line 1: number of samples '1.5' is not an integer/],
    ['r 1 360\nr.dat 16q\n', /r\.hea line 2: format '16q' is not of the form/],
    ['r 1 360\nr.dat\n', /r\.hea line 2: signal line has no format field/],
    ['r 1 360\nr.dat 16 200 16 0 zz\n', /r\.hea line 2: initial value 'zz' is not a number/],
    ['# only a comment\n\n', /r\.hea: empty header/],
    ['r/3 1 360\ns1 10\n', /r\.hea: record line says 3 segments but 1 segment lines follow/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseHeader(text, 'r.hea'), (e: unknown) => e instanceof HeaderError && e.code === 'E_WFDB_HEADER' && re.test(e.message), text);
  }
});

// --- Properties -------------------------------------------------------------------------------

const word = fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/);
const int = (min: number, max: number) => fc.integer({ min, max });
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
const signal: fc.Arbitrary<SignalSpec> = fc.record({
  fileName: word.map((w) => `${w}.dat`),
  fmt: fc.constantFrom(8, 16, 24, 32, 61, 80, 160, 212, 310, 311),
  sampsPerFrame: int(1, 8),
  skew: int(0, 10),
  byteOffset: int(0, 1000),
  adcGain: finite,
  baseline: int(-40000, 40000),
  units: fc.constantFrom('mV', 'uV', 'mmHg', 'NU', 'degrees'),
  adcRes: int(0, 32),
  adcZero: int(-4096, 4096),
  initValue: int(-40000, 40000),
  checksum: int(-32768, 65535),
  blockSize: int(0, 4),
  description: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_ ,.-]{0,15}[A-Za-z0-9_.]$/),
}).map((s) => ({ ...s })); // plain objects (fast-check's records have a null prototype)
const header: fc.Arbitrary<WfdbHeader> = fc.record({
  recordName: word,
  fs: fc.double({ min: 0.01, max: 1e5, noNaN: true }),
  counterFreq: fc.option(fc.double({ min: 0.01, max: 1e5, noNaN: true }), { nil: undefined }),
  baseCounter: fc.option(int(-1000, 1000), { nil: undefined }),
  sigLen: int(11, 1e9), // above the largest skew: a skew at or past the end is an error
  baseTime: fc.option(fc.constantFrom('10:00:00', '8:26:04', '16:57:09.000'), { nil: undefined }),
  baseDate: fc.option(fc.constantFrom('15/08/1994', '1/03/2000'), { nil: undefined }),
  signals: fc.array(signal, { maxLength: 6 }),
  comments: fc.array(fc.stringMatching(/^[ -~]{0,30}[!-~]$/), { maxLength: 4 }),
}).map((r) => {
  const baseCounter = r.counterFreq === undefined ? undefined : r.baseCounter;
  const baseTime = r.baseTime ?? (r.baseDate !== undefined ? '0:00:00' : undefined);
  const h = { ...r, nSig: r.signals.length, baseCounter, baseTime, segments: undefined, warnings: [] as string[] };
  return { ...h, info: parseHeader(formatHeader({ ...h, info: { fields: {} } })).info };
});

test('property: parseHeader(formatHeader(h)) equals h', () => {
  fc.assert(fc.property(header, (h) => {
    assert.deepEqual(parseHeader(formatHeader(h)), h);
  }), { numRuns: 300 });
});

test('property: garbage never throws anything but HeaderError', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.constantFrom('r', '1', '2', '360', '/', '(', ')', 'x', ':', '+', ' ', '\n', '\r\n', '#', 'abc', '16', '212', '-5', '.', 'e9', '~'), { maxLength: 60 }).map((a) => a.join('')),
  );
  fc.assert(fc.property(text, (t) => {
    try {
      parseHeader(t, 'g.hea');
    } catch (e) {
      assert.ok(e instanceof HeaderError && e instanceof DataError, `unexpected ${String(e)}`);
      assert.match((e as Error).message, /^g\.hea/);
    }
  }), { numRuns: 2000 });
});

test('integer fields read as Number() reads them: signs, leading zeros, −0, 15 digits and more, and refuse the rest', () => {
  const zeroOf = (v: string): number => parseHeader(`r 1 360 10\nr.dat 16 200 16 ${v} 0 0 0 x\n`, 'r.hea').signals[0]!.adcZero;
  for (const v of ['0', '-0', '+7', '007', '-32768', '999999999999999', '-999999999999999', '9007199254740991', '0000000000000000001']) {
    assert.ok(Object.is(zeroOf(v), Number(v)), `'${v}' read as ${zeroOf(v)}`);
  }
  for (const [v, why] of [['9007199254740993', 'out of range'], ['12a', 'not a number'], ['1.5', 'not an integer'], ['+', 'not a number'], ['-', 'not a number'], ['١٢', 'not a number']]) {
    assert.throws(() => zeroOf(v!), (e: Error) => e instanceof HeaderError && e.message.includes(`ADC zero '${v}' is ${why}`), v);
  }
  fc.assert(fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.boolean(), (x, plus) => {
    const v = x >= 0 && plus ? `+${x}` : String(x);
    assert.equal(zeroOf(v), x);
  }), { numRuns: 500 });
});
