import { fromArray, type DType, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';

/**
 * Fixed sinusoidal position encodings, added to tokens before attention. Fixed rather than learned: they have
 * no parameters to fit on small data sets, and they exist for any grid size, so a page of another size or a
 * record of another length still gets meaningful positions.
 *
 * 1-D (time steps): `[sin(p·ω_0..ω_{D/2−1}), cos(p·ω_0..ω_{D/2−1})]` with ω_i = 10000^(−i/(D/2)) (the
 * Transformer's frequencies, sines then cosines as MAE writes them). 2-D (image rows y and columns x): the
 * 1-D encoding of y in the first D/2 dimensions and of x in the last D/2 (MAE's 2-D sin-cos), so attention
 * can tell rows (leads in a 3×4 layout) from columns (time).
 */
function sincos(dim: number, pos: number, out: Float64Array, offset: number): void {
  const half = dim / 2;
  for (let i = 0; i < half; i++) {
    const a = pos * 10000 ** (-i / half);
    out[offset + i] = Math.sin(a);
    out[offset + half + i] = Math.cos(a);
  }
}

// The encodings of the sizes in use (a training run has one page size and a few record lengths), so a forward
// pass copies them into a tensor rather than recomputing h·w·dim sines; bounded, as lengths may vary freely.
const cache = new Map<string, Float64Array>();
function cached(key: string, make: () => Float64Array): Float64Array {
  let v = cache.get(key);
  if (!v) {
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    v = make();
    cache.set(key, v);
  }
  return v;
}

/**
 * `[1, length, dim]` encoding of positions 0…length−1.
 *
 * @example const pe = positionalEncoding1d(77, 128); // [1, 77, 128]
 */
export function positionalEncoding1d(length: number, dim: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(dim) || dim <= 0 || dim % 2 !== 0) throw new ArgumentError(`positionalEncoding1d: 'dim' must be a positive even integer, got ${dim}`);
  const out = cached(`1d ${length} ${dim}`, () => {
    const a = new Float64Array(length * dim);
    for (let t = 0; t < length; t++) sincos(dim, t, a, t * dim);
    return a;
  });
  return fromArray(out, [1, length, dim], { dtype });
}

/**
 * `[1, h·w, dim]` encoding of a row-major `h`×`w` grid (token k is row ⌊k/w⌋, column k mod w, the order of
 * `grid.flatten(2)`).
 *
 * @example const pe = positionalEncoding2d(11, 14, 128); // [1, 154, 128]
 */
export function positionalEncoding2d(h: number, w: number, dim: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(dim) || dim <= 0 || dim % 4 !== 0) throw new ArgumentError(`positionalEncoding2d: 'dim' must be a positive multiple of 4, got ${dim}`);
  const out = cached(`2d ${h} ${w} ${dim}`, () => {
    const a = new Float64Array(h * w * dim);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * dim;
        sincos(dim / 2, y, a, o);
        sincos(dim / 2, x, a, o + dim / 2);
      }
    }
    return a;
  });
  return fromArray(out, [1, h * w, dim], { dtype });
}
