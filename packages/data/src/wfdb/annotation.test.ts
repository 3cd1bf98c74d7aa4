// Annotations checked against rdann's output (target-output/ann-1 = `rdann -r 100 -a atr`,
// ann-2 = `rdann -r 12726 -a anI`, ann-3 = `rdann -r 1003 -a atr`).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { AnnotationError } from '../errors.js';
import { ANNOTATION_CODES, decodeAnnotations, encodeAnnotations, rdann, rdannSync, wrann, type Annotation } from './index.js';
import { FIXTURES, WFDB_FIXTURES as W, targetText } from './testing.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-annotation-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

/** rdann lines: time, sample, symbol, subtype, chan, num, then a tab and the aux text. */
function rdannRows(name: string) {
  return targetText(name).split('\n').filter((l) => l !== '').map((l) => {
    const [main = '', aux = ''] = l.split('\t');
    const f = main.trim().split(/\s+/);
    const n = f.length;
    return { sample: Number(f[n - 5]), symbol: f[n - 4]!, subtype: Number(f[n - 3]), chan: Number(f[n - 2]), num: Number(f[n - 1]), aux };
  });
}

function assertMatchesRdann(a: Annotation, name: string) {
  const want = rdannRows(name);
  assert.equal(a.sample.length, want.length, `${name}: count`);
  want.forEach((w, i) => {
    const got = { sample: a.sample[i], symbol: a.symbol[i], subtype: a.subtype[i], chan: a.chan[i], num: a.num[i], aux: a.aux[i] };
    assert.deepEqual(got, w, `${name} line ${i + 1}`);
  });
}

test('100.atr equals rdann -r 100 -a atr (ann-1): 2274 annotations, 2239 N, 33 A, 1 V, one +', async () => {
  const a = await rdann(`${W}100`, 'atr');
  assertMatchesRdann(a, 'ann-1.gz');
  const count = (s: string) => a.symbol.filter((x) => x === s).length;
  assert.deepEqual([count('N'), count('A'), count('V'), count('+')], [2239, 33, 1, 1]);
  assert.deepEqual([a.sample[0], a.aux[0], a.sample[1], a.sample.at(-1)], [18, '(N', 77, 649991]);
  assert.deepEqual(rdannSync(`${W}100`, 'atr'), a);
});

test('12726.anI (SKIP, CHN 255, comment annotations) equals ann-2', async () => {
  assertMatchesRdann(await rdann(`${W}12726`, 'anI'), 'ann-2');
});

test('1003.atr: the custom code definitions at sample 0 are parsed, the rest equals ann-3', async () => {
  const a = await rdann(`${W}1003`, 'atr');
  assertMatchesRdann(a, 'ann-3.gz');
  assert.deepEqual(a.customCodes.map((c) => [c.code, c.symbol]), [[15, 'c'], [17, '#'], [20, 'x'], [21, 'w'], [23, '*'], [24, 'z']]);
  const raw = await rdann(`${W}1003`, 'atr', { raw: true });
  assert.equal(raw.sample.length, a.sample.length + 9);
});

test('huge.qrs: one annotation at sample 10,000,000,000 (SKIPs summing past 2^32)', async () => {
  const a = await rdann(`${W}huge`, 'qrs');
  assert.deepEqual(a.sample, [10000000000]);
  assert.deepEqual(a.symbol, ['N']);
  // Written back, it takes the same five SKIPs and is byte-identical.
  assert.deepEqual(encodeAnnotations(a), new Uint8Array(readFileSync(`${W}huge.qrs`)));
});

test('LUDB per-lead files (.i ... .v6) hold P/QRS/T waves with onsets and offsets', async () => {
  for (const lead of ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6']) {
    const a = await rdann(`${FIXTURES}ludb/data/21`, lead);
    assert.ok(a.sample.length > 0, lead);
    assert.ok(a.symbol.every((s) => ['p', 'N', 't', '(', ')'].includes(s)), `${lead}: ${[...new Set(a.symbol)].join('')}`);
    assert.ok(a.sample.every((s, i) => i === 0 || s >= a.sample[i - 1]!), `${lead} sorted`);
  }
});

test('sampfrom/sampto keep annotations with sampfrom <= sample < sampto', async () => {
  const a = await rdann(`${W}100`, 'atr', { sampfrom: 77, sampto: 663 });
  assert.deepEqual(a.sample, [77, 370, 662]);
});

test('write then read is lossless for every fixture annotation file', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'ann-'));
  const files: [string, string][] = [[`${W}100`, 'atr'], [`${W}100`, 'qrs'], [`${W}1003`, 'atr'], [`${W}12726`, 'anI'], [`${W}03700181`, 'sqrs'], [`${W}03700181`, 'gqrsh'], [`${FIXTURES}ludb/data/21`, 'v1']];
  for (const [rec, ext] of files) {
    const a = await rdann(rec, ext, { raw: true });
    await wrann(join(dir, 'out'), ext, a);
    const b = await rdann(join(dir, 'out'), ext, { raw: true });
    for (const f of ['sample', 'code', 'subtype', 'chan', 'num', 'aux'] as const) assert.deepEqual(b[f], a[f], `${ext} ${f}`);
  }
});

test('property: random annotations survive encode/decode', () => {
  const codes = [...ANNOTATION_CODES.keys()].filter((c) => c > 0);
  const ann = fc.array(fc.record({
    gap: fc.oneof(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 2 ** 40 })),
    code: fc.constantFrom(...codes), subtype: fc.integer({ min: -128, max: 127 }),
    chan: fc.integer({ min: 0, max: 255 }), num: fc.integer({ min: -128, max: 127 }),
    aux: fc.stringMatching(/^[ -~]{0,20}$/),
  }), { maxLength: 40 });
  fc.assert(fc.property(ann, (xs) => {
    let t = 0;
    const sample = xs.map((x) => (t += x.gap));
    const input = { sample, code: xs.map((x) => x.code), subtype: xs.map((x) => x.subtype), chan: xs.map((x) => x.chan), num: xs.map((x) => x.num), aux: xs.map((x) => x.aux) };
    const a = decodeAnnotations(encodeAnnotations(input), 'p');
    assert.deepEqual({ sample: a.sample, code: a.code, subtype: a.subtype, chan: a.chan, num: a.num, aux: a.aux }, input);
  }), { numRuns: 300 });
});

test('broken annotation files and inputs give AnnotationError naming the file', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'ann-bad-'));
  writeFileSync(join(dir, 'cut.atr'), Uint8Array.from([0x00, 0xec, 0x01, 0x00])); // SKIP with 2 of 4 bytes
  await assert.rejects(rdann(join(dir, 'cut'), 'atr'), (e: unknown) => e instanceof AnnotationError && /cut\.atr byte 2: SKIP is cut off/.test((e as Error).message));
  writeFileSync(join(dir, 'aux.atr'), Uint8Array.from([0x12, 0x04, 0x10, 0xfc, 0x41]));
  await assert.rejects(rdann(join(dir, 'aux'), 'atr'), /aux\.atr byte 4: AUX of 16 bytes is cut off/);
  await assert.rejects(rdann(join(dir, 'none'), 'atr'), /none\.atr: annotation file not found/);
  assert.throws(() => encodeAnnotations({ sample: [5, 3], symbol: ['N', 'N'] }, 'o.atr'), /o\.atr: annotation 1: sample 3 comes before the previous annotation's 5/);
  assert.throws(() => encodeAnnotations({ sample: [5], symbol: ['Z'] }, 'o.atr'), /symbol 'Z' is not a standard annotation symbol/);
});

test('property: random bytes never throw anything but AnnotationError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    try {
      decodeAnnotations(bytes, 'r.atr');
    } catch (e) {
      assert.ok(e instanceof AnnotationError, `unexpected ${String(e)}`);
    }
  }), { numRuns: 2000 });
});

// Annotation files built word by word (annot(5)): [A << 10 | I] little-endian, SKIP = 59 + 4 bytes.
const word = (A: number, I: number) => [((A << 10) | I) & 0xff, ((A << 10) | I) >> 8];
const skip = (n: number) => [...word(59, 0), (n >>> 16) & 0xff, (n >>> 24) & 0xff, n & 0xff, (n >>> 8) & 0xff];
const aux = (text: string) => { const b = [...Buffer.from(text, 'latin1')]; return [...word(63, b.length), ...b, ...(b.length & 1 ? [0] : [])]; };
const END = [0, 0];
const dirAnn = mkdtempSync(join(tmpdir(), 'ecglab-ann-hostile-'));
after(() => rmSync(dirAnn, { recursive: true, force: true }));
const write = (name: string, words: number[]) => { writeFileSync(join(dirAnn, `${name}.atr`), Uint8Array.from(words)); return join(dirAnn, name); };
const annError = (re: RegExp) => (e: unknown) => e instanceof AnnotationError && re.test((e as Error).message);

test('a truncated annotation file is an error, not half of its annotations', async () => {
  const full = [...readFileSync(`${W}100.atr`)];
  const cut = write('cut', full.slice(0, 2000));
  await assert.rejects(rdann(cut, 'atr'), annError(/cut\.atr byte 2000: the file ends after \d+ annotations without the end marker \(a zero word\); it is truncated/));
  assert.throws(() => rdannSync(write('odd', [...full.slice(0, -1)]), 'atr'), annError(/it is truncated/));
});

test('a SKIP that moves an annotation before sample 0 is refused; WFDB\'s SKIP −1 before a NOTQRS still reads', async () => {
  await assert.rejects(rdann(write('neg', [...word(1, 10), ...skip(-100), ...word(1, 5), ...END]), 'atr'),
    annError(/neg\.atr byte 10: annotation 1 falls at sample -85: a negative SKIP moved it before the start of the record/));
  const a = await rdann(write('back', [...word(1, 10), ...skip(-1), ...word(0, 1), ...word(1, 3), ...END]), 'atr', { raw: true });
  assert.deepEqual(a.sample, [10, 10, 13]);
});

test('## time resolution must be a positive number', async () => {
  await assert.rejects(rdann(write('res', [...word(22, 0), ...aux('## time resolution: abcd'), ...word(1, 9), ...END]), 'atr'),
    annError(/res\.atr annotation 0: time resolution 'abcd' is not a positive number/));
  const ok = await rdann(write('res2', [...word(22, 0), ...aux('## time resolution: 1000'), ...word(1, 9), ...END]), 'atr');
  assert.equal(ok.fs, 1000);
  assert.deepEqual(ok.sample, [9]);
});

test('as WFDB\'s get_ann_table: a NOTQRS right after the time resolution note is consumed, not returned', async () => {
  // What WFDB's putann writes for a file with a time resolution: the note, then a NOTQRS at 0 (SKIP −1, I = 1).
  const a = await rdann(write('notqrs', [...word(22, 0), ...aux('## time resolution: 500'), ...skip(-1), ...word(0, 1), ...word(1, 40), ...END]), 'atr');
  assert.equal(a.fs, 500);
  assert.deepEqual([a.sample, a.symbol], [[40], ['N']]);
  // A NOTQRS later in the file, after a beat, is an ordinary annotation.
  const b = await rdann(write('notqrs2', [...word(1, 40), ...word(0, 2), ...END]), 'atr');
  assert.deepEqual(b.code, [1, 0]);
});

test('as WFDB\'s get_ann_table: every leading subtype-0 NOTE at sample 0 is consumed; one with a subtype or later is kept', async () => {
  const a = await rdann(write('notes', [
    ...word(22, 0), ...aux('## some comment'), ...word(22, 0), ...aux('free text note'), ...word(22, 0), ...word(22, 0), ...word(61, 2), ...aux('subtype 2'),
    ...word(22, 5), ...aux('later'), ...END]), 'atr');
  assert.deepEqual([a.sample, a.aux, a.subtype], [[0, 5], ['subtype 2', 'later'], [2, 0]]);
});

test('12726.wabp: the custom code definition 42 CAL Calibration is applied (samples and other symbols as wfdb-python)', async () => {
  const peer = JSON.parse(readFileSync(new URL('../../fixtures/wfdb-peer/wfdb-peer.json', import.meta.url), 'utf8'))['12726.wabp'] as { sample: number[]; symbol: (string | null)[] };
  const a = await rdann(`${W}12726`, 'wabp');
  assert.deepEqual(a.customCodes, [{ code: 42, symbol: 'CAL', name: 'CAL', description: 'Calibration' }]);
  assert.deepEqual(a.sample, peer.sample);
  // wfdb-python leaves code 42 without a symbol (NaN); WFDB's annstr gives the defined mnemonic.
  assert.deepEqual(a.symbol, peer.symbol.map((s) => s ?? 'CAL'));
  assert.equal(a.symbol.filter((s) => s === 'CAL').length, peer.symbol.filter((s) => s === null).length);
  assert.ok(a.code.filter((c) => c === 42).length > 0);
});

test('rdann: an extension with a path, or an annotation file that is a symlink out of the folder, is refused', async () => {
  const { symlinkSync, mkdirSync } = await import('node:fs');
  const { PathError } = await import('../errors.js');
  const rec = join(dirAnn, 'recdir', 'r');
  mkdirSync(join(dirAnn, 'elsewhere'), { recursive: true });
  mkdirSync(join(dirAnn, 'recdir'), { recursive: true });
  writeFileSync(join(dirAnn, 'elsewhere', 'x.atr'), Uint8Array.from([...word(1, 3), ...END]));
  symlinkSync(join(dirAnn, 'elsewhere', 'x.atr'), `${rec}.atr`);
  await assert.rejects(rdann(join(dirAnn, 'elsewhere', 'sub', 'y'), '../x.atr'), annError(/annotation extension '\.\.\/x\.atr' contains a path separator/));
  await assert.rejects(rdann(rec, 'atr'), (e: unknown) => e instanceof PathError && /r\.atr' is a symlink to '.*elsewhere\/x\.atr', outside the record's folder/.test((e as Error).message));
  assert.deepEqual((await rdann(rec, 'atr', { allowOutside: true })).sample, [3]);
});

test('AUX text is Latin-1, byte for byte; NULs inside it stay, the trailing ones (padding) go', () => {
  const bytes = Uint8Array.from([
    ...word(1, 10), ...aux('(AFIB é ü ÿ'), // bytes 0xe9, 0xfc, 0xff
    ...word(1, 10), ...word(63, 5), 0x61, 0x00, 0x62, 0x00, 0x00, 0x00, // 'a\0b' then two NULs and the pad byte
    ...word(1, 10), ...word(63, 2), 0x00, 0x00, // only NULs: no text
    ...END]);
  const a = decodeAnnotations(bytes, 'latin1.atr');
  assert.deepEqual(a.aux, ['(AFIB é ü ÿ', 'a\0b', '']);
  assert.deepEqual(a.aux.map((s) => [...Buffer.from(s, 'latin1')].length), [11, 3, 0]);
});
