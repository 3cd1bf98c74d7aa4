import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ServiceError } from '../errors.js';

/** Half-precision storage: IEEE float16 (10-bit mantissa) or bfloat16 (float32's range, 7-bit mantissa). */
export type HalfDType = 'F16' | 'BF16';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE float16 bits, rounding to nearest even; overflow → ±inf, underflow → subnormals, then ±0. */
export function toFloat16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000; // the implicit 1
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // a carry into the exponent is the right rounding
  return sign | h;
}

/** float32 → bfloat16 bits (the upper half), rounding to nearest even; NaN stays a quiet NaN. */
export function toBfloat16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Rewrites a safetensors model file with its float32 tensors stored as float16 or bfloat16 (half the bytes;
 * other dtypes and the metadata, the inference spec among them, unchanged). The engine's safetensors reader
 * loads F16/BF16 back to float32, so a halved model loads with `Predictor.load` as before. Written atomically.
 *
 * @example halveModelFile('runs/cinc2017/model.safetensors', 'models/cinc2017-rhythm/model.safetensors', 'F16');
 */
export function halveModelFile(src: string, dst: string, dtype: HalfDType = 'F16'): { before: number; after: number } {
  const buf = readFileSync(src);
  const n = Number(buf.readBigUInt64LE(0));
  if (n + 8 > buf.length) throw new ServiceError('BAD_REQUEST', `${src}: not a safetensors file (header length ${n} past the end)`);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  const data = buf.subarray(8 + n);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const parts: Buffer[] = [];
  const out: Record<string, unknown> = {};
  if (header.__metadata__) out.__metadata__ = header.__metadata__;
  let offset = 0;
  // Keep the file's order of tensors (safetensors writers order by alignment, then name).
  names.sort((a, b) => (header[a] as { data_offsets: number[] }).data_offsets[0]! - (header[b] as { data_offsets: number[] }).data_offsets[0]!);
  for (const name of names) {
    const t = header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    let bytes = data.subarray(t.data_offsets[0], t.data_offsets[1]);
    let dt = t.dtype;
    if (t.dtype === 'F32') {
      const src32 = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const half = new Uint16Array(src32.length);
      const conv = dtype === 'F16' ? toFloat16Bits : toBfloat16Bits;
      for (let i = 0; i < src32.length; i++) half[i] = conv(src32[i]!);
      bytes = Buffer.from(half.buffer);
      dt = dtype;
    }
    out[name] = { dtype: dt, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(out);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // the format pads the header to 8 bytes
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const file = Buffer.concat([head, Buffer.from(json, 'utf8'), ...parts]);
  const tmp = `${dst}.tmp-${process.pid}`;
  writeFileSync(tmp, file);
  renameSync(tmp, dst);
  return { before: buf.length, after: file.length };
}
