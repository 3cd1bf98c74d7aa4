// MAT reading checked against scipy.io.loadmat / savemat through the fixture script
// packages/data/fixtures/formats/make_mat_fixture.py (run with /usr/bin/python3; outputs committed).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { MatError } from '../errors.js';
import { matDoubles, matScalar, matString, readMat, readMatSync, type MatCell, type MatNumeric, type MatStruct } from './index.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-mat-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

const F = fileURLToPath(new URL('../../fixtures/formats/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const json = (name: string) => JSON.parse(readFileSync(`${F}${name}`, 'utf8'));

test('CPSC 2018 A1980.mat (v5, compressed struct ECG) equals scipy.io.loadmat', async () => {
  const ref = json('cpsc-A1980.json');
  const m = await readMat(`${ROOT}fixtures/data/cpsc2018/TrainingSet1/A1980.mat`);
  assert.equal(m.version, 5);
  const ecg = m.variables.ECG as MatStruct;
  assert.equal(ecg.kind, 'struct');
  assert.deepEqual(ecg.fields, ref.fields);
  const el = ecg.elements[0]!;
  assert.equal(matString(el.sex, 'ECG.sex'), ref.sex);
  assert.equal(matScalar(el.age, 'ECG.age'), ref.age);
  const { dims, data } = matDoubles(el.data, 'ECG.data');
  assert.deepEqual(dims, ref.dims);
  const leads = dims[0]!;
  for (const [key, value] of Object.entries(ref.samples as Record<string, string>)) {
    const [lead, i] = key.split(',').map(Number) as [number, number];
    assert.equal(data[lead + i * leads], Number(value), `data[${lead}, ${i}]`); // column-major
  }
  (ref.leadSums as string[]).forEach((s, lead) => {
    let sum = 0;
    for (let i = 0; i < dims[1]!; i++) sum += data[lead + i * leads]!;
    assert.ok(Math.abs(sum - Number(s)) < 1e-9, `lead ${lead} sum`); // numpy sums pairwise
  });
});

test('scipy.io.savemat files (v5 compressed, v5 uncompressed, v4) read back the stored values', async () => {
  const ref = json('mixed.json');
  for (const file of ['mixed-v5.mat', 'mixed-v5-uncompressed.mat']) {
    const v = (await readMat(`${F}${file}`)).variables;
    for (const name of ['dbl', 'i16', 'u8', 'i32'] as const) {
      const x = v[name] as MatNumeric;
      assert.deepEqual(x.dims, ref[name].dims, `${file} ${name} dims`);
      assert.deepEqual([...x.data].map(Number), ref[name].colmajor.map(Number), `${file} ${name}`);
    }
    assert.deepEqual([(v.i16 as MatNumeric).class, (v.u8 as MatNumeric).class, (v.i32 as MatNumeric).class], ['int16', 'uint8', 'int32']);
    assert.equal(matString(v.txt, 'txt'), ref.txt);
    const s = v.ECG as MatStruct;
    assert.equal(matString(s.elements[0]!.sex, 'sex'), ref.ECG.sex);
    assert.equal(matScalar(s.elements[0]!.age, 'age'), ref.ECG.age);
    const c = v.cell as MatCell;
    assert.deepEqual(c.dims, [1, 2]);
    assert.equal(matString(c.cells[0], 'cell{1}'), 'abc');
    assert.deepEqual([...(c.cells[1] as MatNumeric).data], ref.cell[1]);
  }
  const v4 = readMatSync(`${F}mixed-v4.mat`);
  assert.equal(v4.version, 4);
  assert.deepEqual([...(v4.variables.dbl as MatNumeric).data].map(Number), ref.dbl.colmajor.map(Number));
  assert.deepEqual([...(v4.variables.i16 as MatNumeric).data], ref.i16.colmajor);
  assert.equal(matString(v4.variables.txt, 'txt'), 'hello');
});

test('CinC 2017 / WFDB MAT v4 signal file: int16 val, 1×9000', async () => {
  const m = await readMat(`${ROOT}fixtures/data/cinc2017/training2017/A00614.mat`);
  const val = m.variables.val as MatNumeric;
  assert.deepEqual([val.class, ...val.dims], ['int16', 1, 9000]);
});

test('broken MAT input gives MatError naming the file', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'mat-'));
  writeFileSync(join(dir, 'text.mat'), 'this is not a MAT file at all, just some text that goes on for a while');
  await assert.rejects(readMat(join(dir, 'text.mat')), (e: unknown) => e instanceof MatError && /text\.mat: not a MAT file/.test((e as Error).message));
  const cpsc = readFileSync(`${ROOT}fixtures/data/cpsc2018/TrainingSet1/A1980.mat`);
  writeFileSync(join(dir, 'cut.mat'), cpsc.subarray(0, 5000));
  await assert.rejects(readMat(join(dir, 'cut.mat')), /cut\.mat byte 128: data element of type 15 claims \d+ bytes, only 4864 remain; the file is truncated/);
  // A compressed element whose zlib stream is damaged.
  const hdr = Buffer.from(cpsc.subarray(0, 128));
  const junk = Buffer.alloc(8); junk.writeUInt32LE(15, 0); junk.writeUInt32LE(100, 4);
  writeFileSync(join(dir, 'zlib.mat'), Buffer.concat([hdr, junk, Buffer.alloc(100, 0x55)]));
  await assert.rejects(readMat(join(dir, 'zlib.mat')), /zlib\.mat byte 128: compressed element does not inflate/);
  const z = deflateSync(Buffer.from([1, 2, 3]));
  const tag = Buffer.alloc(8); tag.writeUInt32LE(15, 0); tag.writeUInt32LE(z.length, 4);
  writeFileSync(join(dir, 'inner.mat'), Buffer.concat([hdr, tag, z]));
  await assert.rejects(readMat(join(dir, 'inner.mat')), /inner\.mat byte 128: compressed element inflates to 3 bytes, less than a data element tag/);
  const v4 = readFileSync(`${ROOT}fixtures/data/cinc2017/training2017/A00614.mat`);
  writeFileSync(join(dir, 'v4cut.mat'), v4.subarray(0, 1000));
  await assert.rejects(readMat(join(dir, 'v4cut.mat')), /v4cut\.mat: not a MAT file/);
  await assert.rejects(readMat(join(dir, 'missing.mat')), /missing\.mat: file not found/);
  assert.throws(() => matScalar(undefined, 'ECG.age'), /ECG\.age: expected a numeric scalar, found nothing/);
});

test('property: random and mutated bytes never throw anything but MatError', async () => {
  const fc = (await import('fast-check')).default;
  const seeds = [readFileSync(`${F}mixed-v5.mat`), readFileSync(`${F}mixed-v5-uncompressed.mat`), readFileSync(`${F}mixed-v4.mat`)];
  const mutated = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat())
    .map(([k, edits, cut]) => {
      const b = new Uint8Array(seeds[k]!);
      for (const [at, v] of edits) b[at % b.length] = v;
      return b.subarray(0, Math.max(0, b.length - (cut % 64)));
    });
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), (bytes) => {
    try {
      readMatSync(bytes);
    } catch (e) {
      assert.ok(e instanceof MatError, `unexpected ${String(e)}`);
    }
  }), { numRuns: 1500 });
});

test('compression bombs: a zlib stream is inflated only up to the size its element declares, within maxFileBytes', async () => {
  const { LimitError } = await import('../errors.js');
  const dir = mkdtempSync(join(scratchRoot, 'matbomb-'));
  const hdr = Buffer.from(readFileSync(`${F}mixed-v5.mat`).subarray(0, 128));
  const compressed = (inner: Buffer): Buffer => {
    const z = deflateSync(inner, { level: 9 });
    const tag = Buffer.alloc(8); tag.writeUInt32LE(15, 0); tag.writeUInt32LE(z.length, 4);
    return Buffer.concat([hdr, tag, z]);
  };
  const matrixTag = (n: number): Buffer => { const t = Buffer.alloc(8); t.writeUInt32LE(14, 0); t.writeUInt32LE(n, 4); return t; };
  // An empty miMATRIX that declares 0 bytes, followed by 64 MB of zeros in the same stream: a 64 kB file.
  const bomb = compressed(Buffer.concat([matrixTag(0), Buffer.alloc(64 * 2 ** 20)]));
  assert.ok(bomb.length < 100_000);
  writeFileSync(join(dir, 'bomb.mat'), bomb);
  await assert.rejects(readMat(join(dir, 'bomb.mat')), (e: unknown) => e instanceof MatError && /bomb\.mat byte 128: compressed element inflates to more than the 8 bytes its tag declares/.test((e as Error).message));
  // An element that declares more than the limit is refused before inflating.
  const huge = compressed(Buffer.concat([matrixTag(2 ** 31), Buffer.alloc(1024)]));
  assert.throws(() => readMatSync(huge), (e: unknown) => e instanceof LimitError && /<bytes> byte 128: compressed element declares 2147483656 bytes inflated; the limit is 67108864 \(set ECGLAB_MAX_FILE_BYTES/.test((e as Error).message));
  assert.throws(() => readMatSync(compressed(Buffer.concat([matrixTag(4096), Buffer.alloc(4096)])), { maxFileBytes: 4000 }), LimitError);
  // A MAT file that is a device or a FIFO is refused, not read for ever.
  symlinkSync('/dev/zero', join(dir, 'zero.mat'));
  await assert.rejects(readMat(join(dir, 'zero.mat')), /zero\.mat: is a device, expected a regular file/);
});
