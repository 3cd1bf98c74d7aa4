// safetensors over tensors: load a PyTorch-written file, atomic save/load round trip, state dicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor, fromArray, nn, safetensors, liveTensorCount, type Tensor } from '../index.js';

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
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-st-'));
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
  assert.throws(() => safetensors.load(join(dir, 'nope.safetensors')), /ENOENT/);
  assert.throws(() => safetensors.save(path, { bad: 3 as unknown as Tensor }), /safetensors: 'bad' must be a Tensor, got number/);
  rmSync(dir, { recursive: true });
});

test('a module state dict round-trips through a file into a fresh module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-st-'));
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
