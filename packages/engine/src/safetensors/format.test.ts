// safetensors bytes: files from the reference-layout Python writer, round trips, and malformed input.
// Fixtures: /usr/bin/python3 packages/engine/fixtures/safetensors/make_safetensors_fixture.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decode, encode, type RawTensor } from './format.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/safetensors/${name}`, import.meta.url));

interface Expected { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }> }

test('decode: reads every dtype of a file written from PyTorch', () => {
  const exp = JSON.parse(readFileSync(fixture('py_written.expected.json'), 'utf8')) as Expected;
  const { tensors, metadata } = decode(readFileSync(fixture('py_written.safetensors')), 'py_written.safetensors');
  assert.deepEqual(metadata, exp.metadata);
  assert.deepEqual([...tensors.keys()].sort(), Object.keys(exp.tensors).sort());
  const dtypeOf: Record<string, string> = { F64: 'float64', F32: 'float32', F16: 'float32', BF16: 'float32', I64: 'int64', I32: 'int32', U8: 'uint8', BOOL: 'bool' };
  for (const [name, e] of Object.entries(exp.tensors)) {
    const t = tensors.get(name)!;
    assert.equal(t.dtype, dtypeOf[e.dtype], name);
    assert.deepEqual(t.shape, e.shape, name);
    // Integers and bools are stored as decimal strings in the JSON (int64 exceeds 2^53).
    const isInt = !t.dtype.startsWith('float');
    assert.deepEqual(Array.from(t.data as ArrayLike<number | bigint>, (v) => (isInt ? String(v) : v)), e.values, name);
  }
  // -0.0 survives (deepEqual uses Object.is)
  assert.ok(Object.is(tensors.get('f32')!.data[4], -0));
});

test('encode: same bytes as the reference layout (file checked by the Python script)', () => {
  const bytes = readFileSync(fixture('ts_written.safetensors'));
  const { tensors, metadata } = decode(bytes);
  assert.deepEqual(Buffer.from(encode(tensors, metadata)), bytes);
});

test('encode/decode: round trip keeps dtype, shape, values and metadata', () => {
  const src = new Map<string, RawTensor>([
    ['b', { dtype: 'int64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) }],
    ['a', { dtype: 'float64', shape: [2, 1], data: new Float64Array([Math.PI, Number.MIN_VALUE]) }],
    ['c', { dtype: 'int8', shape: [1], data: new Int8Array([-128]) }],
    ['d', { dtype: 'int16', shape: [], data: new Int16Array([-300]) }],
  ]);
  const { tensors, metadata } = decode(encode(src, { k: 'v' }));
  assert.deepEqual(metadata, { k: 'v' });
  for (const [n, t] of src) assert.deepEqual(tensors.get(n), t);
  // A subarray view is written from its own window, not the whole buffer.
  const big = new Float32Array([9, 1, 2, 9]);
  const r = decode(encode({ x: { dtype: 'float32', shape: [2], data: big.subarray(1, 3) } }));
  assert.deepEqual(r.tensors.get('x')!.data, new Float32Array([1, 2]));
  assert.equal(r.metadata, null);
});

test('encode: clear errors for bad arguments', () => {
  assert.throws(() => encode({ w: { dtype: 'float32', shape: [3], data: new Float32Array(2) } }), /tensor 'w' shape \[3\] needs 3 elements, data has 2/);
  assert.throws(() => encode({ w: { dtype: 'float64', shape: [2], data: new Float32Array(2) } }), /dtype float64 but data is a Float32Array/);
  assert.throws(() => encode({ w: { dtype: 'float16' as never, shape: [1], data: new Float32Array(1) } }), /dtype 'float16', expected one of/);
  assert.throws(() => encode({}, { n: 3 as unknown as string }), /metadata 'n' must be a string/);
});

function withHeader(header: unknown, data = new Uint8Array(0), pad = true): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  if (pad) { const p = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(32); p.set(json); json = p; }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('decode: clear errors naming the file and tensor', () => {
  assert.throws(() => decode(new Uint8Array(3), 'x.st'), /x.st: file is 3 bytes, expected at least 8/);
  const long = new Uint8Array(16); new DataView(long.buffer).setBigUint64(0, 100n, true);
  assert.throws(() => decode(long, 'x.st'), /header length 100 runs past the end of the 16-byte file/);
  assert.throws(() => decode(withHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), 'x.st'),
    /tensor 'w': data_offsets \[0, 8\] run past the 4-byte data region/);
  assert.throws(() => decode(withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8))),
    /shape \[3\] of F32 needs 12 bytes, data_offsets span 8/);
  assert.throws(() => decode(withHeader({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8))),
    /dtype 'C64' is not supported/);
  assert.throws(() => decode(withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8))),
    /starts at byte 4 of the data region, expected 0/);
  assert.throws(() => decode(withHeader({ w: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(2))),
    /cover 1 bytes but the data region has 2/);
  assert.throws(() => decode(withHeader({ __metadata__: { a: 1 } })), /__metadata__.a must be a string/);
  assert.throws(() => decode(withHeader({ w: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, new Uint8Array([2]))), /BOOL data holds a byte/);
  const bad = withHeader({}); bad[8] = 0x7b; bad[9] = 0x7b;
  assert.throws(() => decode(bad, 'x.st'), /x.st: header is not valid UTF-8 JSON/);
});
