// safetensors over tensors: load a PyTorch-written file, atomic save/load round trip, state dicts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor, fromArray, nn, safetensors, liveTensorCount, type Tensor } from '../index.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-st-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/safetensors/${name}`, import.meta.url));

test('load: a file written from PyTorch becomes tensors of the right dtype (half widened, bool kept)', () => {
  const exp = JSON.parse(readFileSync(fixture('py_written.expected.json'), 'utf8')) as { tensors: Record<string, { shape: number[]; values: (number | string)[] }> };
  const { tensors, metadata } = safetensors.load(fixture('py_written.safetensors'));
  assert.equal(metadata!.written_by, 'make_safetensors_fixture.py');
  const dtypes = Object.fromEntries([...tensors].map(([n, t]) => [n, t.dtype]));
  assert.deepEqual(dtypes, { 'conv.weight': 'float64', f32: 'float32', i64: 'int64', i32: 'int32', u8: 'uint8', mask: 'bool',
    half: 'float32', bhalf: 'float32', scalar: 'float64', empty: 'float32' });
  for (const [n, t] of tensors) {
    assert.deepEqual(t.shape, exp.tensors[n]!.shape, n);
    const isInt = !['float32', 'float64'].includes(t.dtype);
    assert.deepEqual(Array.from(t.toArray() as ArrayLike<number | bigint>, (v) => (isInt ? String(v) : v)), exp.tensors[n]!.values, n);
    t.dispose();
  }
});

test('save: atomic (no temp file left), and load returns equal tensors and metadata', () => {
  const dir = mkdtempSync(join(scratchRoot, 'st-'));
  const path = join(dir, 'w.safetensors');
  const src: Record<string, Tensor> = {
    w: tensor([[1.5, -2], [3, 4]], { dtype: 'float64' }),
    n: fromArray(new BigInt64Array([7n]), []),
    m: tensor([true, false, true]),
  };
  const live = liveTensorCount();
  safetensors.save(path, src, { note: 'x' });
  assert.equal(liveTensorCount(), live);
  assert.deepEqual(readdirSync(dir), ['w.safetensors']);
  const { tensors, metadata } = safetensors.load(path);
  assert.deepEqual(metadata, { note: 'x' });
  for (const [n, t] of Object.entries(src)) {
    const back = tensors.get(n)!;
    assert.equal(back.dtype, t.dtype);
    assert.deepEqual(back.tolist(), t.tolist());
    back.dispose();
    t.dispose();
  }
  assert.throws(() => safetensors.load(join(dir, 'nope.safetensors')), /nope\.safetensors: file not found/);
  assert.throws(() => safetensors.save(path, { bad: 3 as unknown as Tensor }), /safetensors: 'bad' must be a Tensor, got number/);
  rmSync(dir, { recursive: true });
});

test('a module state dict round-trips through a file into a fresh module', () => {
  const dir = mkdtempSync(join(scratchRoot, 'st-'));
  const a = new nn.Sequential(new nn.Conv1d(2, 3, 3), new nn.BatchNorm1d(3));
  safetensors.save(join(dir, 'm.safetensors'), a.stateDict());
  const b = new nn.Sequential(new nn.Conv1d(2, 3, 3), new nn.BatchNorm1d(3));
  const { tensors } = safetensors.load(join(dir, 'm.safetensors'));
  b.loadStateDict(tensors);
  for (const t of tensors.values()) t.dispose();
  for (const [n, t] of a.stateDict()) assert.deepEqual(b.stateDict().get(n)!.toArray(), t.toArray(), n);
  a.dispose();
  b.dispose();
  rmSync(dir, { recursive: true });
});

test('load refuses a symlink to /dev/zero, a FIFO, a directory and a file over the size limit, naming the file', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdirSync, symlinkSync, writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(scratchRoot, 'st-bad-'));
  symlinkSync('/dev/zero', join(dir, 'zero.safetensors'));
  execFileSync('mkfifo', [join(dir, 'fifo.safetensors')]);
  mkdirSync(join(dir, 'dir.safetensors'));
  const bad = (name: string, re: RegExp) => assert.throws(() => safetensors.load(join(dir, name)), (e: unknown) => e instanceof safetensors.SafetensorsError && re.test((e as Error).message));
  bad('zero.safetensors', /zero\.safetensors: is a device, expected a safetensors file/);
  bad('fifo.safetensors', /fifo\.safetensors: is a FIFO, expected a safetensors file/);
  bad('dir.safetensors', /dir\.safetensors: is a directory, expected a safetensors file/);
  bad('none.safetensors', /none\.safetensors: file not found/);
  writeFileSync(join(dir, 'big.safetensors'), new Uint8Array(100));
  process.env.ECGLAB_MAX_MODEL_BYTES = '64';
  try {
    bad('big.safetensors', /big\.safetensors: file of 100 bytes is larger than the 64-byte limit for a model \(set ECGLAB_MAX_MODEL_BYTES/);
  } finally {
    delete process.env.ECGLAB_MAX_MODEL_BYTES;
  }
  assert.equal(safetensors.maxModelBytes(), 2 ** 31);
});

test('save fsyncs the temporary file before the rename and the directory after it', async () => {
  const { createRequire, syncBuiltinESMExports } = await import('node:module');
  const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
  const dir = mkdtempSync(join(scratchRoot, 'st-sync-'));
  const path = join(dir, 'w.safetensors');
  const events: string[] = [];
  const fdPath = new Map<number, string>();
  const orig = { openSync: fs.openSync, fsyncSync: fs.fsyncSync, renameSync: fs.renameSync };
  // Spy on the fs functions the module calls (node:fs's ESM exports follow the CommonJS object).
  fs.openSync = ((p: string, flags: string | number, mode?: number) => { const fd = orig.openSync(p, flags, mode); fdPath.set(fd, p); return fd; }) as typeof fs.openSync;
  fs.fsyncSync = ((fd: number) => { events.push(`fsync ${fdPath.get(fd) === dir ? 'dir' : fdPath.get(fd)!.endsWith('.tmp') ? 'tmp' : fdPath.get(fd)}`); orig.fsyncSync(fd); }) as typeof fs.fsyncSync;
  fs.renameSync = ((a: string, b: string) => { events.push('rename'); orig.renameSync(a, b); }) as typeof fs.renameSync;
  syncBuiltinESMExports();
  const t = tensor([1, 2, 3]);
  try {
    safetensors.save(path, { t });
  } finally {
    Object.assign(fs, orig);
    syncBuiltinESMExports();
    t.dispose();
  }
  assert.deepEqual(events, ['fsync tmp', 'rename', 'fsync dir']);
  const { tensors } = safetensors.load(path);
  assert.deepEqual([...(tensors.get('t')!.toArray() as Float32Array)], [1, 2, 3]);
  for (const x of tensors.values()) x.dispose();
});
