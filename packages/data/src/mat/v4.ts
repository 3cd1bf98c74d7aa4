// MATLAB Level 4 MAT files: a sequence of matrices, each a 20-byte header (type MOPT, rows, cols,
// imagf, namlen), the name (with its NUL) and the data, column-major. MOPT digits: M machine
// (0 little-endian IEEE, 1 big-endian), O = 0, P precision (0 double, 1 single, 2 int32, 3 int16,
// 4 uint16, 5 uint8), T type (0 numeric, 1 text, 2 sparse). WFDB's `16+24` files are one such int16 matrix.
import { MatError } from '../errors.js';
import type { MatFile, MatNumericClass, MatValue } from './types.js';

const PRECISION: { cls: MatNumericClass; size: number }[] = [
  { cls: 'double', size: 8 }, { cls: 'single', size: 4 }, { cls: 'int32', size: 4 },
  { cls: 'int16', size: 2 }, { cls: 'uint16', size: 2 }, { cls: 'uint8', size: 1 },
];

interface V4Head { le: boolean; P: number; T: number; rows: number; cols: number; imagf: number; namlen: number }

function head(bytes: Uint8Array, pos: number): V4Head | undefined {
  if (pos + 20 > bytes.length) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + pos, 20);
  for (const le of [true, false]) {
    const type = dv.getInt32(0, le);
    if (type < 0 || type > 4052) continue;
    const M = Math.floor(type / 1000), O = Math.floor(type / 100) % 10, P = Math.floor(type / 10) % 10, T = type % 10;
    // Only M = 0 (little-endian) and 1 (big-endian) are IEEE; the other machine codes are obsolete.
    if (M !== (le ? 0 : 1) || O !== 0 || P > 5 || T > 2) continue;
    const rows = dv.getInt32(4, le), cols = dv.getInt32(8, le), imagf = dv.getInt32(12, le), namlen = dv.getInt32(16, le);
    if (rows < 0 || cols < 0 || (imagf !== 0 && imagf !== 1) || namlen < 1 || namlen > 4096) continue;
    return { le, P, T, rows, cols, imagf, namlen };
  }
  return undefined;
}

/** Whether the bytes start like a MAT v4 matrix header. */
export function looksLikeV4(bytes: Uint8Array): boolean {
  const h = head(bytes, 0);
  if (!h) return false;
  const size = 20 + h.namlen + h.rows * h.cols * PRECISION[h.P]!.size * (1 + h.imagf);
  return size <= bytes.length;
}

function readArray(bytes: Uint8Array, pos: number, n: number, P: number, le: boolean): Float64Array | Float32Array | Int32Array | Int16Array | Uint16Array | Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + pos, n * PRECISION[P]!.size);
  switch (P) {
    case 0: { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = dv.getFloat64(i * 8, le); return a; }
    case 1: { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = dv.getFloat32(i * 4, le); return a; }
    case 2: { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = dv.getInt32(i * 4, le); return a; }
    case 3: { const a = new Int16Array(n); for (let i = 0; i < n; i++) a[i] = dv.getInt16(i * 2, le); return a; }
    case 4: { const a = new Uint16Array(n); for (let i = 0; i < n; i++) a[i] = dv.getUint16(i * 2, le); return a; }
    default: return bytes.slice(pos, pos + n);
  }
}

/** Parses a whole MAT v4 file. */
export function parseV4(bytes: Uint8Array, file: string): MatFile {
  const variables: Record<string, MatValue> = {};
  let pos = 0;
  while (pos < bytes.length) {
    const h = head(bytes, pos);
    if (!h) throw new MatError(`${file} byte ${pos}: not a MAT v4 matrix header`, file);
    if (h.T === 2) throw new MatError(`${file} byte ${pos}: sparse MAT v4 matrices are not supported`, file);
    const name = Buffer.from(bytes.subarray(pos + 20, pos + 20 + h.namlen)).toString('latin1').replace(/\0.*$/s, '');
    const n = h.rows * h.cols;
    const size = PRECISION[h.P]!.size;
    let at = pos + 20 + h.namlen;
    const need = at + n * size * (1 + h.imagf);
    if (need > bytes.length) throw new MatError(`${file}: matrix '${name}' (${h.rows}×${h.cols} ${PRECISION[h.P]!.cls}) needs ${need - pos} bytes from byte ${pos}, the file has ${bytes.length - pos}; it is truncated`, file);
    const data = readArray(bytes, at, n, h.P, h.le);
    at += n * size;
    const dims = [h.rows, h.cols];
    if (h.T === 1) {
      const rows: string[] = [];
      for (let r = 0; r < h.rows; r++) {
        let s = '';
        for (let c = 0; c < h.cols; c++) s += String.fromCharCode(Number(data[r + c * h.rows]));
        rows.push(s);
      }
      variables[name] = { kind: 'char', dims, rows };
    } else {
      const imag = h.imagf ? readArray(bytes, at, n, h.P, h.le) : undefined;
      variables[name] = { kind: 'numeric', class: PRECISION[h.P]!.cls, dims, data, imag, logical: false };
    }
    pos = need;
  }
  return { version: 4, headerText: '', variables };
}
