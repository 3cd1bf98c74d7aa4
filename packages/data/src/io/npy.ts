// NumPy .npy files, format version 1.0 (numpy.lib.format): the magic `\x93NUMPY`, version 1.0, a
// little-endian uint16 header length, then a Python dict literal giving dtype, order and shape,
// padded with spaces and a final newline so that the data starts at a multiple of 64 bytes.
import { WriteError } from '../errors.js';

export type NpyArray = Float32Array | Float64Array | Int16Array | Int32Array;

const DESCR = new Map<string, string>([['Float32Array', '<f4'], ['Float64Array', '<f8'], ['Int16Array', '<i2'], ['Int32Array', '<i4']]);

/**
 * Encodes a C-order (row-major) array as .npy bytes, identical to what `numpy.save` writes.
 * @example encodeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3])
 */
export function encodeNpy(data: NpyArray, shape: number[]): Uint8Array {
  const descr = DESCR.get(data.constructor.name);
  if (!descr) throw new WriteError(`encodeNpy: unsupported array type ${data.constructor.name}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new WriteError(`encodeNpy: shape [${shape.join(', ')}] holds ${count} values, the data has ${data.length}`);
  // A 1-tuple needs its trailing comma in Python: (5,)
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  // Typed arrays are little-endian on every platform Node supports (x86, ARM).
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
