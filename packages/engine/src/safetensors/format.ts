// The safetensors byte format (https://github.com/huggingface/safetensors), over typed arrays; no addon.
//
//   [8 bytes: header length N, u64 little-endian]
//   [N bytes: UTF-8 JSON {"__metadata__"?: {str: str}, name: {dtype, shape, data_offsets: [begin, end]}}]
//   [data: raw little-endian element bytes; offsets are relative to the start of this region]
//
// The reference writer pads the header with spaces to a multiple of 8 bytes and lays tensors out by
// dtype alignment (largest first) then by name, with no gaps; we write the same bytes and read strictly.
import { SafetensorsError } from './errors.js';

/** Element types we read and write. 'bool' is stored as one byte (0 or 1) per element. */
export type StDType = 'float64' | 'float32' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export type StArray = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** One tensor as plain data: row-major elements of `dtype`, `shape` dims. */
export interface RawTensor {
  dtype: StDType;
  shape: number[];
  data: StArray;
}

export interface Decoded {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string> | null;
}

// Format code, bytes per element, typed-array constructor. Half types are read (widened exactly to
// float32) but never written: the engine has no half dtype, and writing would need rounding.
interface DTypeRow { code: string; bytes: number; make: (buf: ArrayBuffer) => StArray }
const DTYPES: Record<StDType, DTypeRow> = {
  float64: { code: 'F64', bytes: 8, make: (b) => new Float64Array(b) },
  float32: { code: 'F32', bytes: 4, make: (b) => new Float32Array(b) },
  int64: { code: 'I64', bytes: 8, make: (b) => new BigInt64Array(b) },
  int32: { code: 'I32', bytes: 4, make: (b) => new Int32Array(b) },
  int16: { code: 'I16', bytes: 2, make: (b) => new Int16Array(b) },
  int8: { code: 'I8', bytes: 1, make: (b) => new Int8Array(b) },
  uint8: { code: 'U8', bytes: 1, make: (b) => new Uint8Array(b) },
  bool: { code: 'BOOL', bytes: 1, make: (b) => new Uint8Array(b) },
};
const BY_CODE = new Map<string, StDType>(Object.entries(DTYPES).map(([k, v]) => [v.code, k as StDType]));
const HALF_CODES = new Set(['F16', 'BF16']);

// The reference refuses headers over 100 MB; a larger one means a corrupt or hostile file.
const MAX_HEADER = 100_000_000;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new SafetensorsError('safetensors: this host is big-endian; only little-endian hosts are supported');
}

/** Which typed array holds a dtype's elements. */
export function arrayMatchesDType(data: StArray, dtype: StDType): boolean {
  switch (dtype) {
    case 'float64': return data instanceof Float64Array;
    case 'float32': return data instanceof Float32Array;
    case 'int64': return data instanceof BigInt64Array;
    case 'int32': return data instanceof Int32Array;
    case 'int16': return data instanceof Int16Array;
    case 'int8': return data instanceof Int8Array;
    case 'uint8': case 'bool': return data instanceof Uint8Array;
  }
}

function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialise tensors to safetensors bytes, byte-identical to the reference writer.
 * @example encode({ w: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) } }, { epoch: '3' })
 */
export function encode(
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata?: Record<string, string> | null,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(`encode: tensor name '__metadata__' is reserved`);
    const row = DTYPES[t.dtype];
    if (row === undefined) throw new SafetensorsError(`encode: tensor '${name}' has dtype '${String(t.dtype)}', expected one of ${Object.keys(DTYPES).join(', ')}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`encode: tensor '${name}' shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
    }
    if (!arrayMatchesDType(t.data, t.dtype)) {
      throw new SafetensorsError(`encode: tensor '${name}' has dtype ${t.dtype} but data is a ${t.data.constructor.name}`);
    }
    if (t.data.length !== numelOf(t.shape)) {
      throw new SafetensorsError(`encode: tensor '${name}' shape [${t.shape.join(', ')}] needs ${numelOf(t.shape)} elements, data has ${t.data.length}`);
    }
  }
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`encode: metadata '${k}' must be a string, got ${typeof v}`);
    }
  }
  // Reference layout: larger alignment first, then by name (byte order of the UTF-8 names).
  entries.sort(([na, a], [nb, b]) => DTYPES[b.dtype].bytes - DTYPES[a.dtype].bytes || (na < nb ? -1 : na > nb ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.byteLength;
    header[name] = { dtype: DTYPES[t.dtype].code, shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Parse safetensors bytes. `source` names the file in error messages. F16/BF16 tensors are widened
 * (exactly) to float32; every other check follows the reference reader (offsets contiguous, in range).
 * @example const { tensors, metadata } = decode(readFileSync('w.safetensors'), 'w.safetensors')
 */
export function decode(bytes: Uint8Array, source = 'safetensors'): Decoded {
  if (bytes.length < 8) throw new SafetensorsError(`${source}: file is ${bytes.length} bytes, expected at least 8 (header length)`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw new SafetensorsError(`${source}: header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) {
    throw new SafetensorsError(`${source}: header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsError(`${source}: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(`${source}: header must be a JSON object, got ${Array.isArray(header) ? 'an array' : typeof header}`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, RawTensor>();

  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new SafetensorsError(`${source}: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw new SafetensorsError(`${source}: __metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
      }
      metadata = info as Record<string, string>;
      continue;
    }
    const where = `${source}: tensor '${name}'`;
    if (info === null || typeof info !== 'object') throw new SafetensorsError(`${where} must be an object with dtype, shape, data_offsets`);
    const { dtype: code, shape, data_offsets: offs } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof code !== 'string') throw new SafetensorsError(`${where}: dtype must be a string, got ${JSON.stringify(code)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      throw new SafetensorsError(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > dataLen) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data region`);
    const numel = numelOf(shape as number[]);
    const half = HALF_CODES.has(code);
    const dtype = half ? 'float32' : BY_CODE.get(code);
    if (dtype === undefined) {
      throw new SafetensorsError(`${where}: dtype '${code}' is not supported; expected one of ${[...BY_CODE.keys(), 'F16', 'BF16'].join(', ')}`);
    }
    const elemBytes = half ? 2 : DTYPES[dtype].bytes;
    if (end - begin !== numel * elemBytes) {
      throw new SafetensorsError(`${where}: shape [${(shape as number[]).join(', ')}] of ${code} needs ${numel * elemBytes} bytes, data_offsets span ${end - begin}`);
    }
    spans.push({ name, begin, end });
    // slice() copies into a fresh, aligned buffer: the view stays valid after the file bytes are freed.
    const raw = bytes.buffer.slice(bytes.byteOffset + dataStart + begin, bytes.byteOffset + dataStart + end) as ArrayBuffer;
    const data = half ? widenHalf(new Uint16Array(raw), code) : DTYPES[dtype].make(raw);
    if (dtype === 'bool' && (data as Uint8Array).some((v) => v > 1)) throw new SafetensorsError(`${where}: BOOL data holds a byte other than 0 or 1`);
    tensors.set(name, { dtype, shape: shape as number[], data });
  }
  // Like the reference: tensors must tile the data region exactly, with no gaps or overlaps.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of spans) {
    if (s.begin !== cursor) {
      throw new SafetensorsError(`${source}: tensor '${s.name}' starts at byte ${s.begin} of the data region, expected ${cursor} (gap or overlap)`);
    }
    cursor = s.end;
  }
  if (cursor !== dataLen) throw new SafetensorsError(`${source}: tensors cover ${cursor} bytes but the data region has ${dataLen}`);
  return { tensors, metadata };
}

// IEEE half / bfloat16 → float32, exact (every half value is a float32 value).
function widenHalf(src: Uint16Array, code: string): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  if (code === 'BF16') {
    for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
    return out;
  }
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const man = h & 0x3ff;
    if (exp === 0) out[i] = (sign ? -1 : 1) * man * 2 ** -24; // zero / subnormal
    else if (exp === 31) bits[i] = sign | 0x7f800000 | (man << 13); // inf / NaN
    else bits[i] = sign | ((exp + 112) << 23) | (man << 13);
  }
  return out;
}
