// MATLAB Level 5 MAT files (MathWorks, "MAT-File Format", ch. 1): a 128-byte header (116 bytes of
// text, 8 of subsystem offset, version 0x0100 and endian indicator 'IM'), then data elements. Each
// element is a tag (type, byte count; or a 4-byte "small element" packing both into one word) and
// its data, padded to 8 bytes. miCOMPRESSED (15) elements hold a zlib stream of one element;
// miMATRIX (14) elements hold array flags, dimensions, name and the class-specific parts.
import { constants, inflateSync } from 'node:zlib';
import { LimitError, MatError } from '../errors.js';
import { dataLimits, raiseHint, type DataLimits } from '../limits.js';
import type { MatFile, MatNumericClass, MatTypedArray, MatValue } from './types.js';

const miINT8 = 1, miUINT8 = 2, miINT16 = 3, miUINT16 = 4, miINT32 = 5, miUINT32 = 6, miSINGLE = 7, miDOUBLE = 9,
  miINT64 = 12, miUINT64 = 13, miMATRIX = 14, miCOMPRESSED = 15, miUTF8 = 16, miUTF16 = 17, miUTF32 = 18;

const mxCELL = 1, mxSTRUCT = 2, mxOBJECT = 3, mxCHAR = 4, mxSPARSE = 5;
// Numeric classes 6..15 and the typed array each is returned in.
const NUMERIC: Record<number, { cls: MatNumericClass; make: (n: number) => MatTypedArray }> = {
  6: { cls: 'double', make: (n) => new Float64Array(n) }, 7: { cls: 'single', make: (n) => new Float32Array(n) },
  8: { cls: 'int8', make: (n) => new Int8Array(n) }, 9: { cls: 'uint8', make: (n) => new Uint8Array(n) },
  10: { cls: 'int16', make: (n) => new Int16Array(n) }, 11: { cls: 'uint16', make: (n) => new Uint16Array(n) },
  12: { cls: 'int32', make: (n) => new Int32Array(n) }, 13: { cls: 'uint32', make: (n) => new Uint32Array(n) },
  14: { cls: 'int64', make: (n) => new BigInt64Array(n) }, 15: { cls: 'uint64', make: (n) => new BigUint64Array(n) },
};
const SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4 };

interface Element { type: number; data: Uint8Array; next: number; declared: number }

class Reader {
  constructor(readonly file: string, readonly le: boolean) {}
  fail(pos: number, msg: string): MatError {
    return new MatError(`${this.file} byte ${pos}: ${msg}`, this.file);
  }
  /** The element at `pos`; with `tagOnly`, only its tag is read (`data` is then empty). */
  element(buf: Uint8Array, pos: number, tagOnly = false): Element {
    if (pos + 8 > buf.length) throw this.fail(pos, `data element tag cut off (${buf.length - pos} bytes left)`);
    const dv = new DataView(buf.buffer, buf.byteOffset + pos, 8);
    const w = dv.getUint32(0, this.le);
    // Small data element: byte count in the upper 16 bits, type in the lower, data in the next 4 bytes.
    if (w >>> 16 !== 0) {
      const n = w >>> 16;
      if (n > 4) throw this.fail(pos, `small data element claims ${n} bytes (at most 4)`);
      return { type: w & 0xffff, data: buf.subarray(pos + 4, pos + 4 + n), next: pos + 8, declared: n };
    }
    const n = dv.getUint32(4, this.le);
    if (tagOnly) return { type: w, data: buf.subarray(0, 0), next: pos + 8, declared: n };
    if (pos + 8 + n > buf.length) throw this.fail(pos, `data element of type ${w} claims ${n} bytes, only ${buf.length - pos - 8} remain; the file is truncated`);
    const padded = w === miCOMPRESSED ? n : Math.ceil(n / 8) * 8;
    return { type: w, data: buf.subarray(pos + 8, pos + 8 + n), next: Math.min(buf.length, pos + 8 + padded), declared: n };
  }
  /** Reads an element's numbers into `out` (converting from its stored type, as MATLAB may store doubles as uint8). */
  numbers(e: Element, out: MatTypedArray, pos: number): void {
    const size = SIZE[e.type];
    if (size === undefined) throw this.fail(pos, `numeric data of element type ${e.type} is not a number type`);
    const n = e.data.length / size;
    if (n !== out.length) throw this.fail(pos, `array has ${out.length} elements but its data holds ${n}`);
    const dv = new DataView(e.data.buffer, e.data.byteOffset, e.data.length);
    const le = this.le;
    const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
    const get = (i: number): number | bigint => {
      switch (e.type) {
        case miINT8: return dv.getInt8(i);
        case miUINT8: case miUTF8: return dv.getUint8(i);
        case miINT16: return dv.getInt16(i * 2, le);
        case miUINT16: case miUTF16: return dv.getUint16(i * 2, le);
        case miINT32: return dv.getInt32(i * 4, le);
        case miUINT32: case miUTF32: return dv.getUint32(i * 4, le);
        case miSINGLE: return dv.getFloat32(i * 4, le);
        case miDOUBLE: return dv.getFloat64(i * 8, le);
        case miINT64: return dv.getBigInt64(i * 8, le);
        case miUINT64: default: return dv.getBigUint64(i * 8, le);
      }
    };
    if (out instanceof Float64Array && e.type === miDOUBLE && le) {
      // The common case (signals): one copy, straight from the bytes when they are 8-aligned.
      const aligned = e.data.byteOffset % 8 === 0 ? e.data : e.data.slice();
      out.set(new Float64Array(aligned.buffer, aligned.byteOffset, n));
      return;
    }
    for (let i = 0; i < n; i++) {
      const v = get(i);
      (out as unknown as (number | bigint)[])[i] = big ? BigInt(v) : Number(v);
    }
  }
  /** How many numbers an element holds, or a MatError if its type or size makes no sense. */
  countOf(e: Element, pos: number): number {
    const size = SIZE[e.type];
    if (size === undefined) throw this.fail(pos, `element type ${e.type} is not a number type`);
    if (e.data.length % size !== 0) throw this.fail(pos, `element of type ${e.type} has ${e.data.length} bytes, not a multiple of ${size}`);
    return e.data.length / size;
  }
  ints(e: Element, pos: number): number[] {
    const out = new Float64Array(this.countOf(e, pos));
    this.numbers(e, out, pos);
    return [...out];
  }
  text(e: Element): string {
    return Buffer.from(e.data).toString('latin1').replace(/\0+$/, '');
  }

  /** Parses a miMATRIX element's contents; returns its name and value. */
  matrix(buf: Uint8Array, at: number): { name: string; value: MatValue } {
    if (buf.length === 0) return { name: '', value: { kind: 'numeric', class: 'double', dims: [0, 0], data: new Float64Array(0), imag: undefined, logical: false } };
    const flags = this.element(buf, 0);
    const fw = this.ints(flags, at)[0] ?? 0;
    const cls = fw & 0xff;
    const complex = (fw & 0x800) !== 0;
    const logical = (fw & 0x200) !== 0;
    const dimsE = this.element(buf, flags.next);
    const dims = this.ints(dimsE, at + flags.next);
    const nameE = this.element(buf, dimsE.next);
    const name = this.text(nameE);
    let pos = nameE.next;
    if (dims.length < 2 || dims.some((d) => !Number.isInteger(d) || d < 0)) throw this.fail(at, `variable '${name}': dimensions [${dims.join(', ')}] are not valid`);
    const count = dims.reduce((a, b) => a * b, 1);
    // Every element needs at least one byte of this buffer, so a larger count is damage (and would
    // otherwise allocate whatever a corrupted header asks for).
    if (count > buf.length * 8) throw this.fail(at, `variable '${name}': dimensions [${dims.join(', ')}] need more data than the ${buf.length} bytes present`);
    if (NUMERIC[cls]) {
      const real = this.element(buf, pos);
      if (this.countOf(real, at + pos) !== count) throw this.fail(at + pos, `variable '${name}' has ${count} elements but its data holds ${this.countOf(real, at + pos)}`);
      const data = NUMERIC[cls].make(count);
      this.numbers(real, data, at + pos);
      let imag: MatTypedArray | undefined;
      if (complex) {
        imag = NUMERIC[cls].make(count);
        this.numbers(this.element(buf, real.next), imag, at + real.next);
      }
      return { name, value: { kind: 'numeric', class: NUMERIC[cls].cls, dims, data, imag, logical } };
    }
    if (cls === mxCHAR) {
      const e = this.element(buf, pos);
      const codes = e.type === miUTF8 ? [...Buffer.from(e.data).toString('utf8')].map((c) => c.codePointAt(0)!) : this.ints(e, at + pos);
      if (codes.length !== count) throw this.fail(at + pos, `char variable '${name}' has ${count} elements but its data holds ${codes.length}`);
      if (codes.some((c) => !Number.isInteger(c) || c < 0 || c > 0x10ffff)) throw this.fail(at + pos, `char variable '${name}' holds a value that is not a character code`);
      const nr = dims[0] ?? 0;
      const nc = nr === 0 ? 0 : codes.length / nr;
      const rows: string[] = [];
      for (let r = 0; r < nr; r++) {
        let s = '';
        for (let c = 0; c < nc; c++) s += String.fromCodePoint(codes[r + c * nr]!);
        rows.push(s);
      }
      return { name, value: { kind: 'char', dims, rows } };
    }
    if (cls === mxSTRUCT) {
      const lenE = this.element(buf, pos);
      const fieldLen = this.ints(lenE, at + pos)[0] ?? 0;
      const namesE = this.element(buf, lenE.next);
      const fields: string[] = [];
      for (let k = 0; k + fieldLen <= namesE.data.length && fieldLen > 0; k += fieldLen) {
        fields.push(Buffer.from(namesE.data.subarray(k, k + fieldLen)).toString('latin1').replace(/\0.*$/s, ''));
      }
      pos = namesE.next;
      const elements: Record<string, MatValue>[] = [];
      for (let i = 0; i < count; i++) {
        const el: Record<string, MatValue> = {};
        for (const f of fields) {
          const e = this.element(buf, pos);
          if (e.type !== miMATRIX) throw this.fail(at + pos, `struct field '${f}' is element type ${e.type}, expected miMATRIX (14)`);
          el[f] = this.matrix(e.data, at + pos + 8).value;
          pos = e.next;
        }
        elements.push(el);
      }
      return { name, value: { kind: 'struct', dims, fields, elements } };
    }
    if (cls === mxCELL) {
      const cells: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const e = this.element(buf, pos);
        if (e.type !== miMATRIX) throw this.fail(at + pos, `cell ${i} is element type ${e.type}, expected miMATRIX (14)`);
        cells.push(this.matrix(e.data, at + pos + 8).value);
        pos = e.next;
      }
      return { name, value: { kind: 'cell', dims, cells } };
    }
    const what = cls === mxSPARSE ? 'sparse arrays' : cls === mxOBJECT ? 'objects' : `array class ${cls}`;
    throw this.fail(at, `variable '${name}': ${what} are not supported`);
  }
}

/** Whether the bytes start with a MAT v5 header (endian indicator `IM` or `MI` at byte 126). */
export function looksLikeV5(bytes: Uint8Array): boolean {
  return bytes.length >= 128 && ((bytes[126] === 0x49 && bytes[127] === 0x4d) || (bytes[126] === 0x4d && bytes[127] === 0x49));
}

// A deflate stream's first 4096 bytes hold its first block's code tables and the start of its data,
// so they inflate to at least the 8-byte tag of the element inside (and to at most ~4 MB).
const PEEK_BYTES = 4096;
const PEEK_MAX_OUT = 8 * 2 ** 20;

/**
 * Inflates a miCOMPRESSED element with an output cap equal to the size of the element it holds, as
 * its tag declares: zlib can expand 1,032-fold, so a 1.5 MB file could otherwise inflate to 1.5 GB.
 * The declared size itself must stay under the `maxFileBytes` limit.
 */
function inflateElement(r: Reader, data: Uint8Array, pos: number, limits: DataLimits): Uint8Array {
  const fail = (err: unknown): MatError => r.fail(pos, `compressed element does not inflate (${(err as Error).message})`);
  let head: Uint8Array;
  try {
    head = inflateSync(data.subarray(0, PEEK_BYTES), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: PEEK_MAX_OUT });
  } catch (err) {
    throw fail(err);
  }
  if (head.length < 8) throw r.fail(pos, `compressed element inflates to ${head.length} bytes, less than a data element tag`);
  const inner = r.element(head.subarray(0, 8), 0, true);
  const declared = 8 + inner.declared;
  if (declared > limits.maxFileBytes) {
    throw new LimitError(`${r.file} byte ${pos}: compressed element declares ${declared} bytes inflated; ${raiseHint('maxFileBytes', limits.maxFileBytes)}`, r.file);
  }
  try {
    // The Buffer is used as it is (a Uint8Array): no second copy of what may be hundreds of MB.
    return inflateSync(data, { maxOutputLength: Math.max(declared, 1) });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw r.fail(pos, `compressed element inflates to more than the ${declared} bytes its tag declares`);
    }
    throw fail(err);
  }
}

/** Parses a whole MAT v5 file. */
export function parseV5(bytes: Uint8Array, file: string, limits: Partial<DataLimits> = {}): MatFile {
  const lim = dataLimits(limits);
  const headerText = Buffer.from(bytes.subarray(0, 116)).toString('latin1').replace(/[\0 ]+$/, '');
  if (headerText.startsWith('MATLAB 7.3')) throw new MatError(`${file}: MAT v7.3 files are HDF5, which this reader does not support; save with -v7 or -v6`, file);
  const r = new Reader(file, bytes[126] === 0x49);
  const variables: Record<string, MatValue> = {};
  let pos = 128;
  while (pos + 8 <= bytes.length) {
    const e = r.element(bytes, pos);
    let inner = e;
    let at = pos;
    if (e.type === miCOMPRESSED) {
      inner = r.element(inflateElement(r, e.data, pos, lim), 0);
      at = 0;
    }
    if (inner.type === miMATRIX) {
      const { name, value } = r.matrix(inner.data, at + 8);
      variables[name] = value;
    }
    pos = e.next;
  }
  return { version: 5, headerText, variables };
}
