// Hostile headers (issue 13): tiny files that ask for huge allocations, file names that lead out of
// the record's folder, lines that made the parser quadratic, numbers that are not finite.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { DataError, HeaderError, LimitError, PathError } from '../errors.js';
import { rdheader, rdheaderSync, rdrecord, rdrecordSync, parseHeader } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'ecglab-hostile-'));
after(() => rmSync(root, { recursive: true, force: true }));
const rejects = (p: Promise<unknown>, cls: new (...a: never[]) => DataError, re: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.match((e as Error).message, re);
    return true;
  });
const throwsSync = (f: () => unknown, cls: new (...a: never[]) => DataError, re: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof cls && re.test((e as Error).message));

function folder(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), v);
  return dir;
}

test('a 47-byte header of a null signal with 2,000,000,000 samples is refused by the sample limit, naming the file and line', async () => {
  const dir = folder('null', { 'n.hea': '# made by hand\nn 1 250 2000000000\n~ 0 200/mV 16 0 0 0 0 I\n' });
  await rejects(rdrecord(join(dir, 'n')), LimitError, /n\.hea line 2: reading 2000000000 frames of 1 signal\(s\) is 2000000000 samples; the limit is 16777216 \(set ECGLAB_MAX_SAMPLES/);
  throwsSync(() => rdrecordSync(join(dir, 'n')), LimitError, /the limit is 16777216/);
  // A range within the limit reads, as invalid samples, and a raised limit lets a longer read through.
  const r = await rdrecord(join(dir, 'n'), { sampfrom: 1999999990 });
  assert.deepEqual([...r.physical![0]!], new Array(10).fill(NaN));
  await rejects(rdrecord(join(dir, 'n'), { sampto: 101, limits: { maxSamples: 100 } }), LimitError, /is 101 samples; the limit is 100/);
  const d = await rdrecord(join(dir, 'n'), { sampto: 101, physical: false, limits: { maxSamples: 101 } });
  assert.deepEqual([...d.digital![0]!], new Array(101).fill(-32768));
});

test('the sample limit comes from ECGLAB_MAX_SAMPLES when set', async () => {
  const dir = folder('nullenv', { 'n.hea': 'n 2 250 1000\n~ 0 200/mV 16 0 0 0 0 I\n~ 0 200/mV 16 0 0 0 0 II\n' });
  process.env.ECGLAB_MAX_SAMPLES = '1999';
  try {
    await rejects(rdrecord(join(dir, 'n')), LimitError, /n\.hea line 1: reading 1000 frames of 2 signal\(s\) is 2000 samples; the limit is 1999/);
    assert.equal((await rdrecord(join(dir, 'n'), { channels: [1] })).physical![0]!.length, 1000);
    process.env.ECGLAB_MAX_SAMPLES = 'lots';
    await rejects(rdrecord(join(dir, 'n')), LimitError, /ECGLAB_MAX_SAMPLES must be a positive integer, found 'lots'/);
  } finally {
    delete process.env.ECGLAB_MAX_SAMPLES;
  }
});

test('a multi-segment header with a gap of 2,000,000,000 samples is refused before anything is allocated', async () => {
  const dir = folder('gap', {
    'g.hea': 'g/2 1 250 2000000010\ns1 10\n~ 2000000000\n',
    's1.hea': 's1 1 250 10\ns1.dat 16 200/mV 16 0 0 0 0 I\n',
    's1.dat': new Uint8Array(20),
  });
  await rejects(rdrecord(join(dir, 'g')), LimitError, /g\.hea line 1: reading 2000000010 frames of 1 signal\(s\)/);
  const r = await rdrecord(join(dir, 'g'), { sampto: 20 });
  assert.deepEqual([...r.physical![0]!.subarray(8, 12)], [0, 0, NaN, NaN]);
});

test('signal file names with .., absolute paths or symlinks out of the folder are refused unless allowOutside', async () => {
  const outside = folder('outside', { 'secret.dat': new Uint8Array([1, 0, 2, 0, 3, 0]) });
  const dir = folder('rec', {
    'up.hea': `up 1 250 3\n../outside/secret.dat 16 200/mV 16 0 0 0 0 I\n`,
    'abs.hea': `abs 1 250 3\n${join(outside, 'secret.dat')} 16 200/mV 16 0 0 0 0 I\n`,
    'link.hea': 'link 1 250 3\nlink.dat 16 200/mV 16 0 0 0 0 I\n',
    'seg.hea': 'seg/1 1 250 3\n../outside/secret 3\n',
  });
  symlinkSync(join(outside, 'secret.dat'), join(dir, 'link.dat'));
  await rejects(rdrecord(join(dir, 'up')), PathError, /up\.hea line 2: signal file '\.\.\/outside\/secret\.dat' leads out of the record's folder through '\.\.'/);
  await rejects(rdheader(join(dir, 'up')), PathError, /leads out of the record's folder/);
  await rejects(rdrecord(join(dir, 'abs')), PathError, /abs\.hea line 2: signal file '.*secret\.dat' is an absolute path/);
  await rejects(rdrecord(join(dir, 'link')), PathError, /signal file '.*link\.dat' is a symlink to '.*outside\/secret\.dat', outside the record's folder/);
  throwsSync(() => rdrecordSync(join(dir, 'link')), PathError, /is a symlink to/);
  await rejects(rdrecord(join(dir, 'seg')), PathError, /seg\.hea line 2: segment '\.\.\/outside\/secret' leads out/);
  // The caller who trusts the header opts in.
  for (const name of ['up', 'abs', 'link']) {
    const r = await rdrecord(join(dir, name), { physical: false, allowOutside: true });
    assert.deepEqual([...r.digital![0]!], [1, 2, 3]);
  }
  assert.equal(rdheaderSync(join(dir, 'up'), { allowOutside: true }).signals[0]!.fileName, '../outside/secret.dat');
});

test('a signal file that is a symlink to a file inside the folder is read (the open refuses it, the full check lets it through)', async () => {
  const dir = folder('inlink', { 'r.hea': 'r 1 250 2\nalias.dat 16 200/mV 16 0 0 0 0 I\n', 'data.dat': new Uint8Array([7, 0, 8, 0]) });
  symlinkSync(join(dir, 'data.dat'), join(dir, 'alias.dat'));
  assert.deepEqual([...(await rdrecord(join(dir, 'r'), { physical: false })).digital![0]!], [7, 8]);
  assert.deepEqual([...rdrecordSync(join(dir, 'r'), { physical: false }).digital![0]!], [7, 8]);
});

test('a symlinked record folder is not "outside": the real paths are compared', async () => {
  const real = folder('realrec', { 'r.hea': 'r 1 250 2\nr.dat 16 200/mV 16 0 0 0 0 I\n', 'r.dat': new Uint8Array([5, 0, 6, 0]) });
  symlinkSync(real, join(root, 'aliasrec'));
  const r = await rdrecord(join(root, 'aliasrec', 'r'), { physical: false });
  assert.deepEqual([...r.digital![0]!], [5, 6]);
});

test('a signal file that is a FIFO, a device or a directory is refused without blocking or reading', async () => {
  const dir = folder('special', {
    'fifo.hea': 'fifo 1 250 3\nfifo.dat 16 200/mV 16 0 0 0 0 I\n',
    'zero.hea': 'zero 1 250 3\nzero.dat 16 200/mV 16 0 0 0 0 I\n',
    'dir.hea': 'dir 1 250 3\ndir.dat 16 200/mV 16 0 0 0 0 I\n',
  });
  execFileSync('mkfifo', [join(dir, 'fifo.dat')]);
  symlinkSync('/dev/zero', join(dir, 'zero.dat'));
  mkdirSync(join(dir, 'dir.dat'));
  await rejects(rdrecord(join(dir, 'fifo')), DataError, /fifo\.dat: is a FIFO, expected a regular file/);
  await rejects(rdrecord(join(dir, 'zero'), { allowOutside: true }), DataError, /zero\.dat: is a device, expected a regular file/);
  await rejects(rdrecord(join(dir, 'dir')), DataError, /dir\.dat: is a directory, expected a regular file/);
  // The header itself, too: a .hea that is /dev/zero would otherwise be read until memory runs out.
  symlinkSync('/dev/zero', join(dir, 'devhea.hea'));
  throwsSync(() => rdheaderSync(join(dir, 'devhea')), HeaderError, /devhea\.hea: is a device, expected a regular file/);
});

test('a comment line of 160,000 spaces parses in linear time; a line over the length limit is refused', () => {
  const spaces = ' '.repeat(160_000);
  for (const comment of [`#${spaces}x`, `#a${spaces}`, `#a${spaces}!: 1`, `# <age>:${spaces}<sex>${spaces}x`, `#${'1'.repeat(160_000)}x`]) {
    const t0 = process.hrtime.bigint();
    const h = parseHeader(`r 1 250 10\n${comment}\nr.dat 16 200 16 0 0 0 0 I${spaces}\n`, 'r.hea');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(h.signals[0]!.description, 'I');
    // Not a timing assertion on the machine's speed: quadratic parsing took 22 s here; linear takes ~10 ms.
    assert.ok(ms < 2000, `${comment.slice(0, 12)}… took ${ms} ms`);
  }
  // The pairs of one line and key: value comments still parse as before.
  const h = parseHeader('r 1 250 10\n# <age>: 54  <sex>: M  <diagnoses>: (none)\n#Dx: 1,2\nr.dat 16 200 16 0 0 0 0 I\n');
  assert.deepEqual(h.info.fields, { age: '54', sex: 'M', diagnoses: '(none)', dx: '1,2' });
  assert.throws(() => parseHeader(`r 1 250 10\n#${'x'.repeat(2 ** 20)}\n`, 'big.hea'),
    (e: unknown) => e instanceof LimitError && /big\.hea line 2: line of 1048577 characters is longer than a header line may be; the limit is 1048576 \(set ECGLAB_MAX_LINE_LENGTH/.test((e as Error).message));
  assert.equal(parseHeader(`r 0 250 10\n#${'x'.repeat(2 ** 20)}\n`, 'big.hea', { maxLineLength: 2 ** 21 }).comments[0]!.length, 2 ** 20);
  const digits = '1'.repeat(100_000);
  assert.throws(() => parseHeader(`r 1 250 10\nr.dat 16 ${digits}.5e5x 16 0 0 0 0 I\n`, 'r.hea'), /r\.hea line 2: gain '1+\.5e5x' is not a number/);
});

test('non-finite header numbers (gain 1e400, fs 1e999) are errors naming the line', () => {
  assert.throws(() => parseHeader('r 1 250 10\nr.dat 16 1e400/mV 16 0 0 0 0 I\n', 'r.hea'), /r\.hea line 2: gain '1e400' is not a finite number/);
  assert.throws(() => parseHeader('r 1 1e999 10\n', 'r.hea'), /r\.hea line 1: sampling frequency '1e999' is not a finite number/);
  assert.throws(() => parseHeader('r 1 250/1e999 10\n', 'r.hea'), /counter frequency '1e999' is not a finite number/);
  assert.throws(() => parseHeader('r 1 250 10\nr.dat 16 -1e309(0)/mV 16 0 0 0 0 I\n', 'r.hea'), /gain '-1e309' is not a finite number/);
});

test('a skew at or beyond the record\'s end is an error naming the line', () => {
  assert.throws(() => parseHeader('r 1 250 10\nr.dat 16:10 200 16 0 0 0 0 I\n', 'r.hea'), /r\.hea line 2: skew 10 is beyond the record's 10 samples/);
  assert.throws(() => parseHeader('r 1 250 10\nr.dat 16:99999999 200 16 0 0 0 0 I\n', 'r.hea'), /skew 99999999 is beyond/);
  assert.equal(parseHeader('r 1 250 10\nr.dat 16:9 200 16 0 0 0 0 I\n').signals[0]!.skew, 9);
});

test('a header that starts with a UTF-8 byte order mark is read with the mark stripped and a warning', async () => {
  const dir = folder('bom', { 'b.hea': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('b 1 250 2\nb.dat 16 200/mV 16 0 0 0 0 I\n')]), 'b.dat': new Uint8Array([7, 0, 8, 0]) });
  const r = await rdrecord(join(dir, 'b'), { physical: false });
  assert.equal(r.recordName, 'b');
  assert.deepEqual([...r.digital![0]!], [7, 8]);
  assert.match(r.warnings.join('\n'), /b\.hea: starts with a UTF-8 byte order mark; ignored/);
  assert.equal(parseHeader('\ufeffb 0 250 2\n').recordName, 'b');
});

test('a segment that is itself a multi-segment header (or the record itself) is refused, not followed for ever', async () => {
  const dir = folder('loop', { 'm.hea': 'm/1 1 250 10\nm 10\n' });
  await rejects(rdrecord(join(dir, 'm')), HeaderError, /m\.hea: is a multi-segment header, but it is named as a segment of another record/);
});

test('a header or annotation file over maxFileBytes is a LimitError naming the file, before it is read', async () => {
  const { rdann } = await import('./index.js');
  const dir = folder('bigfiles', { 'h.hea': `h 0 250 10\n#${'x'.repeat(100)}\n`, 'h.atr': new Uint8Array(200) });
  await rejects(rdheader(join(dir, 'h'), { limits: { maxFileBytes: 64 } }), LimitError, /h\.hea: file of 113 bytes is larger than a file read whole may be; the limit is 64 \(set ECGLAB_MAX_FILE_BYTES/);
  await rejects(rdann(join(dir, 'h'), 'atr', { limits: { maxFileBytes: 100 } }), LimitError, /h\.atr: file of 200 bytes is larger than a file read whole may be; the limit is 100/);
});

test('found by the fuzz harness: one 212x2 signal alone in its file, and a fixed-layout segment with fewer signals than the first', async () => {
  // 212 with two samples per frame of one signal is not the two-signal fast path.
  const one = folder('one212', { 'o.hea': 'o 1 250 2\no.dat 212x2 200/mV 12 0 0 0 0 I\n', 'o.dat': Uint8Array.from([1, 0, 2, 3, 0, 4]) });
  const r = await rdrecord(join(one, 'o'), { physical: false, smoothFrames: false });
  assert.deepEqual([...r.digital![0]!], [1, 2, 3, 4]);
  const dir = folder('fixedfewer', {
    'm.hea': 'm/2 2 250 4\na 2\nb 2\n',
    'a.hea': 'a 2 250 2\na.dat 16 200/mV 16 0 0 0 0 I\na.dat 16 200/mV 16 0 0 0 0 II\n', 'a.dat': new Uint8Array(8),
    'b.hea': 'b 1 250 2\nb.dat 16 200/mV 16 0 0 0 0 I\n', 'b.dat': new Uint8Array(4),
  });
  await rejects(rdrecord(join(dir, 'm')), HeaderError, /m: segment b has 1 signal\(s\), but a fixed-layout record's segments all have the 2 of its first segment/);
});

test("a segment's header that is a symlink out of the folder is refused; one to a header inside it is read", async () => {
  const outside = folder('segout', { 'b.hea': 'b 1 250 2\nb.dat 16 200/mV 16 0 0 0 0 I\n' });
  const dir = folder('segrec', {
    'm.hea': 'm/2 1 250 4\na 2\nb 2\n',
    'a.hea': 'a 1 250 2\na.dat 16 200/mV 16 0 0 0 0 I\n', 'a.dat': new Uint8Array([1, 0, 2, 0]),
    'b.dat': new Uint8Array([3, 0, 4, 0]),
    'n.hea': 'n/2 1 250 4\na 2\nc 2\n',
    'c-real.hea': 'c 1 250 2\nb.dat 16 200/mV 16 0 0 0 0 I\n',
  });
  symlinkSync(join(outside, 'b.hea'), join(dir, 'b.hea'));
  symlinkSync(join(dir, 'c-real.hea'), join(dir, 'c.hea'));
  const refused = /m\.hea: segment header '.*segrec\/b\.hea' is a symlink to '.*segout\/b\.hea', outside the record's folder/;
  await rejects(rdrecord(join(dir, 'm')), PathError, refused);
  throwsSync(() => rdrecordSync(join(dir, 'm')), PathError, refused);
  assert.deepEqual([...(await rdrecord(join(dir, 'm'), { physical: false, allowOutside: true })).digital![0]!], [1, 2, 3, 4]);
  assert.deepEqual([...(await rdrecord(join(dir, 'n'), { physical: false })).digital![0]!], [1, 2, 3, 4]);
  assert.deepEqual([...rdrecordSync(join(dir, 'n'), { physical: false }).digital![0]!], [1, 2, 3, 4]);
});
