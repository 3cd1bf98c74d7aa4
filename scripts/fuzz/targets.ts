// Fuzz targets: for each parser or decoder, a fast-check generator of inputs (random bytes, real
// files mutated, and the hostile cases of issue 13: huge lengths, long whitespace, path tricks,
// compression bombs) and a function that feeds one input to it. An input may be refused with the
// package's own error (DataError, SafetensorsError); anything else thrown is a crash.
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDeflate, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { CsvTable, DataError, consumeHeaderAnnotations, decodeAnnotations, parseHeader, parseMat, rdannSync, rdrecordSync } from '@ecglab/data';
import { decode as decodeSafetensors, encode as encodeSafetensors } from '../../packages/engine/src/safetensors/format.js';
import { SafetensorsError } from '../../packages/engine/src/safetensors/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const W = join(ROOT, 'fixtures/data/wfdb');
const read = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

/** One fuzz target: what it feeds, and the errors that count as a proper refusal. */
export interface Target {
  name: string;
  arbitrary: fc.Arbitrary<unknown>;
  run(input: unknown): void;
  expected(err: unknown): boolean;
}

const isDataError = (e: unknown): boolean => e instanceof DataError;

/** Replaces, inserts or deletes a few bytes, and maybe cuts the end: the usual damage. */
function mutated(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 }));
  return fc.tuple(fc.nat(seeds.length - 1), fc.array(edit, { maxLength: 12 }), fc.nat(), fc.boolean()).map(([k, edits, cut, doCut]) => {
    let b = Array.from(seeds[k]!);
    for (const [op, at, v] of edits) {
      const i = b.length === 0 ? 0 : at % b.length;
      if (op === 'set' && b.length > 0) b[i] = v;
      else if (op === 'insert') b.splice(i, 0, v);
      else if (op === 'delete') b.splice(i, 1);
    }
    if (doCut) b = b.slice(0, b.length - (cut % Math.max(1, b.length)));
    return Uint8Array.from(b);
  });
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const spaces = (n: number): string => ' '.repeat(n);

// ---- WFDB headers --------------------------------------------------------------------------

const headerSeeds = readdirSync(W).filter((f) => f.endsWith('.hea')).map((f) => read(join(W, f)));

const number = fc.oneof(
  fc.integer().map(String), fc.double().map(String), fc.constantFrom('0', '-1', '2000000000', '99999999999999999999', '1e400', '-1e309', 'NaN', 'Infinity', '0x10', '1.', '.5', '', '1e-400', '9'.repeat(2000)),
);
const field = fc.oneof(number, fc.string({ maxLength: 12 }), fc.constantFrom('~', '../../etc/passwd', '/dev/zero', 'a.dat', '16x2:3+24', '212', '200(0)/mV', '1e400(5)/mV', '16:99999999'));
const line = fc.array(field, { maxLength: 12 }).map((f) => f.join(' '));
const hostileLine = fc.oneof(
  fc.nat(200_000).map((n) => `#${spaces(n)}x`),
  fc.nat(200_000).map((n) => `# <age>:${spaces(n)}<sex>${spaces(n % 1000)}: M`),
  fc.nat(200_000).map((n) => `#a${spaces(n)}!: 1`),
  fc.nat(100_000).map((n) => `r.dat 16 ${'1'.repeat(n)}.5e5x 16 0 0 0 0 I`),
  fc.constant(`#${'x'.repeat(2 ** 20 + 1)}`),
  fc.constant('\ufeffr 1 250 10'),
);

/** Header text: grammar-shaped lines, real headers mutated, and the hostile lines. */
export const headerText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(fc.oneof({ weight: 5, arbitrary: line }, { weight: 1, arbitrary: hostileLine }), { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r')).map(([ls, eol]) => ls.join(eol)) },
  { weight: 3, arbitrary: mutated(headerSeeds).map(latin1) },
  { weight: 1, arbitrary: fc.string({ maxLength: 400 }) },
);

const header: Target = {
  name: 'header',
  arbitrary: headerText,
  run: (text) => { parseHeader(text as string, 'fuzz.hea'); },
  expected: isDataError,
};

// ---- WFDB records read from files ----------------------------------------------------------

let recordDir = '';
let outsideFile = '';
/** A fresh folder for the record target's files (and a file outside it for the path tricks). */
export function prepareRecordDir(base: string): void {
  recordDir = join(base, 'rec');
  mkdirSync(recordDir, { recursive: true });
  outsideFile = join(base, 'outside.dat');
  writeFileSync(outsideFile, Uint8Array.from({ length: 64 }, (_, i) => i));
  rmSync(join(recordDir, 'link.dat'), { force: true });
  symlinkSync(outsideFile, join(recordDir, 'link.dat'));
  rmSync(join(recordDir, 'zero.dat'), { force: true });
  symlinkSync('/dev/zero', join(recordDir, 'zero.dat'));
}

// Mostly plausible lines (so that the decoders run), with the hostile values mixed in.
const often = <T>(common: T[], rare: T[]): fc.Arbitrary<T> => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: fc.constantFrom(...rare) });
const sigFile = often(['a.dat', 'b.dat', 'a.mat', 'c.flac'], ['~', 'link.dat', 'zero.dat', '../outside.dat', '/etc/hostname', 'sub/../a.dat', 'rec', '']);
const sigLine = fc.record({
  file: sigFile,
  fmt: often(['8', '16', '24', '32', '61', '80', '160', '212', '310', '311', '516'], ['0', '508', '524', '7']),
  spf: often(['', '', 'x2', 'x3'], ['x1000000']),
  skew: often(['', '', ':1', ':5'], [':99999999']),
  off: often(['', '', '+1', '+24'], ['+100000']),
  gain: often(['200', '0', '12.5(-3)/mmHg', '-5'], ['1e-300', '1e400']),
}).map((s) => `${s.file} ${s.fmt}${s.spf}${s.skew}${s.off} ${s.gain} 12 0 0 0 0 x`);
const segLine = fc.tuple(fc.constantFrom('~', 'seg', 'r', 'lay', '../rec/seg', '/tmp/x'), fc.constantFrom(0, 1, 10, 1000, 2_000_000_000)).map(([n, l]) => `${n} ${l}`);
const flacSeed = read(join(W, 'flacformats.d1'));

interface RecordCase { multi: boolean; sigs: string[]; segs: string[]; len: string; a: Uint8Array; b: Uint8Array; c: Uint8Array; opts: object }

/** A record folder: a header (single- or multi-segment), its segment headers and signal-file bytes. */
const recordCase: fc.Arbitrary<RecordCase> = fc.record({
  multi: fc.boolean(),
  sigs: fc.array(sigLine, { minLength: 1, maxLength: 4 }),
  segs: fc.array(segLine, { minLength: 1, maxLength: 4 }),
  len: often(['', ' 0', ' 10', ' 40', ' 100'], [' 1000', ' 2000000000', ' 99999999999']),
  a: fc.uint8Array({ maxLength: 600 }),
  b: fc.uint8Array({ maxLength: 100 }),
  c: fc.oneof(mutated([flacSeed]), fc.uint8Array({ maxLength: 200 })),
  opts: fc.record({ sampfrom: fc.option(fc.nat(20), { nil: undefined }), sampto: fc.option(fc.nat(40), { nil: undefined }), physical: fc.boolean(), smoothFrames: fc.boolean() }),
});

const record: Target = {
  name: 'record',
  arbitrary: recordCase,
  run: (input) => {
    const c = input as RecordCase;
    const single = `seg 1 100 10\na.dat 16 200 12 0 0 0 0 x\n`;
    const head = c.multi ? `r/${c.segs.length} ${c.sigs.length} 100${c.len}\n${c.segs.join('\n')}\n` : `r ${c.sigs.length} 100${c.len}\n${c.sigs.join('\n')}\n`;
    writeFileSync(join(recordDir, 'r.hea'), head);
    writeFileSync(join(recordDir, 'seg.hea'), single);
    writeFileSync(join(recordDir, 'lay.hea'), `lay ${c.sigs.length} 100 0\n${c.sigs.join('\n')}\n`);
    writeFileSync(join(recordDir, 'a.dat'), c.a);
    writeFileSync(join(recordDir, 'b.dat'), c.b);
    writeFileSync(join(recordDir, 'a.mat'), c.a);
    writeFileSync(join(recordDir, 'c.flac'), c.c);
    rdrecordSync(join(recordDir, 'r'), c.opts);
  },
  expected: isDataError,
};

// ---- annotations ---------------------------------------------------------------------------

const annSeeds = ['100.atr', '1003.atr', '12726.anI', '12726.wabp', 'huge.qrs', '100.qrs'].map((f) => read(join(W, f)));
const word = (A: number, I: number): number[] => [((A << 10) | I) & 0xff, ((A << 10) | I) >> 8];
const annWord = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 1023 })).map(([A, I]) => word(A, I)),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => [...word(59, 0), (n >>> 16) & 0xff, (n >>> 24) & 0xff, n & 0xff, (n >>> 8) & 0xff]),
  fc.tuple(fc.constantFrom('## time resolution: abcd', '## time resolution: 1e400', '## time resolution: 360', '42 CAL Calibration', '## annotation type definitions', '## end of definitions', '-5 x y', '49 ZZ', 'x'.repeat(255)), fc.boolean())
    .map(([t, note]) => { const b = [...Buffer.from(t, 'latin1')]; return [...(note ? word(22, 0) : []), ...word(63, b.length), ...b, ...(b.length & 1 ? [0] : [])]; }),
  fc.integer({ min: 0, max: 1023 }).map((n) => word(63, n)), // an AUX whose text may be cut off
);
const annBytes = fc.oneof(
  fc.tuple(fc.array(annWord, { maxLength: 40 }), fc.boolean()).map(([ws, end]) => Uint8Array.from([...ws.flat(), ...(end ? [0, 0] : [])])),
  mutated(annSeeds),
  fc.uint8Array({ maxLength: 300 }),
);

const annotation: Target = {
  name: 'annotation',
  arbitrary: annBytes,
  run: (bytes) => { consumeHeaderAnnotations(decodeAnnotations(bytes as Uint8Array, 'fuzz.atr'), 'fuzz.atr'); },
  expected: isDataError,
};

let annDir = '';
/** A folder for rdann's file cases: the file itself, a FIFO-like special file, a symlink out. */
export function prepareAnnDir(base: string): void {
  annDir = join(base, 'ann');
  mkdirSync(annDir, { recursive: true });
  rmSync(join(annDir, 'out.atr'), { force: true });
  symlinkSync('/dev/zero', join(annDir, 'out.atr'));
}

const annotationFile: Target = {
  name: 'rdann',
  arbitrary: fc.tuple(annBytes, fc.constantFrom('atr', 'atr', 'atr', '../ann/x', 'atr/..', '')),
  run: (input) => {
    const [bytes, ext] = input as [Uint8Array, string];
    writeFileSync(join(annDir, 'x.atr'), bytes);
    rdannSync(join(annDir, ext === 'atr' ? 'x' : 'out'), ext);
  },
  expected: isDataError,
};

// ---- MAT files -----------------------------------------------------------------------------

const F = join(ROOT, 'packages/data/fixtures/formats');
const matSeeds = ['mixed-v4.mat', 'mixed-v5.mat', 'mixed-v5-uncompressed.mat'].map((f) => read(join(F, f)));
const v5Header = matSeeds[1]!.subarray(0, 128);
// Compression bombs are built once per process from 1 MB chunks of zeros (the deflate stream of
// 64 MB of zeros is 64 kB), so that building them does not weigh on the memory measured.
async function zeroStream(tag: Buffer, megabytes: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve, reject) => { z.on('end', resolve); z.on('error', reject); });
  const zeros = Buffer.alloc(2 ** 20);
  z.write(tag);
  for (let k = 0; k < megabytes; k++) {
    if (!z.write(zeros)) await new Promise((resolve) => z.once('drain', resolve));
  }
  z.end();
  await done;
  return Buffer.concat(out);
}

/** A MAT v5 file with one compressed element whose inner tag declares `declared` bytes and holds `megabytes` MB. */
async function bomb(declared: number, megabytes: number, type: number): Promise<Uint8Array> {
  const inner = Buffer.alloc(8);
  inner.writeUInt32LE(type, 0);
  inner.writeUInt32LE(declared >>> 0, 4);
  const z = megabytes > 0 ? await zeroStream(inner, megabytes) : deflateSync(Buffer.concat([inner, Buffer.alloc(16)]));
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(15, 0);
  tag.writeUInt32LE(z.length, 4);
  return Buffer.concat([v5Header, tag, z]);
}
let bombs: Uint8Array[] = [];

const mat: Target = {
  name: 'mat',
  arbitrary: fc.oneof({ weight: 6, arbitrary: mutated(matSeeds) }, { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.nat(99).map((k) => bombs[k % bombs.length]!) }, { weight: 1, arbitrary: fc.nat(99).chain((k) => mutated([bombs[3 + (k % 2)]!])) }),
  run: (bytes) => { parseMat(bytes as Uint8Array, 'fuzz.mat'); },
  expected: isDataError,
};

/** Builds the compression bombs (only the mat target needs them). */
export async function prepareMat(): Promise<void> {
  bombs = await Promise.all([bomb(0, 64, 14), bomb(2 ** 31, 1, 14), bomb(2 ** 32 - 1, 16, 14), bomb(48, 1, 14), bomb(16, 0, 1)]);
}

// ---- safetensors (the byte codec: load = a regular-file check, then this) ------------------

const stSeeds = [
  read(join(ROOT, 'packages/engine/fixtures/safetensors/py_written.safetensors')),
  encodeSafetensors({ w: { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) }, b: { dtype: 'int64', shape: [1], data: new BigInt64Array(1) } }, { epoch: '1' }),
];
const stHostile = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, n, true); return b; }),
  fc.tuple(fc.constantFrom('[1e15, 1e15]', '[4294967296, 4294967296]', '[]', '[-1]', '[9007199254740993]', '[1.5]'), fc.constantFrom('[0, 8]', '[0, 1e20]', '[8, 0]', '[0]')).map(([shape, offs]) => {
    const json = Buffer.from(`{"t":{"dtype":"F32","shape":${shape},"data_offsets":${offs}}}`);
    const b = Buffer.alloc(8 + json.length + 8);
    b.writeBigUInt64LE(BigInt(json.length), 0);
    json.copy(b, 8);
    return new Uint8Array(b);
  }),
);
const safetensors: Target = {
  name: 'safetensors',
  arbitrary: fc.oneof({ weight: 5, arbitrary: mutated(stSeeds) }, { weight: 2, arbitrary: stHostile }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) }),
  run: (bytes) => { decodeSafetensors(bytes as Uint8Array, 'fuzz.safetensors'); },
  expected: (e) => e instanceof SafetensorsError,
};

// ---- CSV label files -----------------------------------------------------------------------

const csvText = fc.oneof(
  fc.array(fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('"', '""', '"a,b"', '"\n"', '\r\n', ',', '\ufeff')), { maxLength: 6 }).map((r) => r.join(',')), { maxLength: 10 }).map((rows) => rows.join('\n')),
  fc.nat(300_000).map((n) => `a,b\n"${'x'.repeat(n)}`),
  fc.nat(300_000).map((n) => `a,b\n${' '.repeat(n)},"${'"'.repeat(n % 5000)}`),
  fc.string({ maxLength: 400 }),
);
const csv: Target = {
  name: 'csv',
  arbitrary: csvText,
  run: (text) => { new CsvTable('fuzz.csv', text as string); },
  expected: isDataError,
};

/** Every target, by name. */
export const TARGETS: Record<string, Target> = Object.fromEntries([header, record, annotation, annotationFile, mat, safetensors, csv].map((t) => [t.name, t]));
