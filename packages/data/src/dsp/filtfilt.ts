import type { Sos } from './butter.js';
import { argError } from './errors.js';

function checkSos(fn: string, sos: Sos): number {
  if (!(sos instanceof Float64Array) || sos.length === 0 || sos.length % 6 !== 0) {
    argError(fn, 'sos', `must be a Float64Array of 6 coefficients per section, got length ${sos?.length}`);
  }
  for (let s = 0; s < sos.length / 6; s++) {
    if (sos[6 * s + 3] !== 1) argError(fn, 'sos', `section ${s} must have a0 = 1, got ${sos[6 * s + 3]}`);
  }
  return sos.length / 6;
}

/** Normalises [b, a] to a[0] = 1 and equal lengths (as scipy.signal.lfilter does). */
function normalizeBa(fn: string, b: Float64Array, a: Float64Array): [Float64Array, Float64Array] {
  if (a.length === 0 || b.length === 0) argError(fn, 'b/a', 'must be non-empty');
  const a0 = a[0]!;
  if (a0 === 0 || !Number.isFinite(a0)) argError(fn, 'a', `a[0] must be a finite non-zero number, got ${a0}`);
  const n = Math.max(a.length, b.length);
  const bb = new Float64Array(n);
  const aa = new Float64Array(n);
  for (let i = 0; i < b.length; i++) bb[i] = b[i]! / a0;
  for (let i = 0; i < a.length; i++) aa[i] = a[i]! / a0;
  return [bb, aa];
}

/**
 * Direct-form II transposed IIR filter (scipy.signal.lfilter), optional initial state `zi`
 * (length max(len(a), len(b)) - 1). Returns the output; the final state is written into `zi`.
 */
export function lfilter(b: Float64Array, a: Float64Array, x: Float64Array, zi?: Float64Array): Float64Array {
  const [bb, aa] = normalizeBa('lfilter', b, a);
  const order = bb.length - 1;
  const z = zi ?? new Float64Array(order);
  if (z.length !== order) argError('lfilter', 'zi', `must have length ${order}, got ${z.length}`);
  const y = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    const xn = x[n]!;
    const yn = bb[0]! * xn + (order > 0 ? z[0]! : 0);
    for (let i = 0; i < order - 1; i++) z[i] = bb[i + 1]! * xn - aa[i + 1]! * yn + z[i + 1]!;
    if (order > 0) z[order - 1] = bb[order]! * xn - aa[order]! * yn;
    y[n] = yn;
  }
  return y;
}

/** Steady-state initial conditions for a step response (scipy.signal.lfilter_zi). */
export function lfilterZi(b: Float64Array, a: Float64Array): Float64Array {
  const [bb, aa] = normalizeBa('lfilterZi', b, a);
  const n = bb.length - 1;
  if (n === 0) return new Float64Array(0);
  // Solve (I - companion(a)^T) zi = b[1:] - a[1:] * b[0] by Gaussian elimination with pivoting.
  const m: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n + 1).fill(0);
    row[i] = 1;
    row[0]! += aa[i + 1]!; // first column of -companion^T is a[1:]
    if (i + 1 < n) row[i + 1]! -= 1; // superdiagonal of companion^T is ones
    row[n] = bb[i + 1]! - aa[i + 1]! * bb[0]!;
    m.push(row);
  }
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    if (m[piv]![col] === 0) argError('lfilterZi', 'a', 'gives a singular system (a pole at z = 1?)');
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      if (f === 0) continue;
      for (let k = col; k <= n; k++) m[r]![k]! -= f * m[col]![k]!;
    }
  }
  return Float64Array.from({ length: n }, (_, i) => m[i]![n]! / m[i]![i]!);
}

/** Cascaded second-order sections (scipy.signal.sosfilt); `zi` is [sections][2] packed, updated in place. */
export function sosfilt(sos: Sos, x: Float64Array, zi?: Float64Array): Float64Array {
  const ns = checkSos('sosfilt', sos);
  const z = zi ?? new Float64Array(2 * ns);
  if (z.length !== 2 * ns) argError('sosfilt', 'zi', `must have length ${2 * ns}, got ${z.length}`);
  const y = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let v = x[n]!;
    for (let s = 0; s < ns; s++) {
      const o = 6 * s;
      const out = sos[o]! * v + z[2 * s]!;
      z[2 * s] = sos[o + 1]! * v - sos[o + 4]! * out + z[2 * s + 1]!;
      z[2 * s + 1] = sos[o + 2]! * v - sos[o + 5]! * out;
      v = out;
    }
    y[n] = v;
  }
  return y;
}

/** Initial conditions of each section for a unit step (scipy.signal.sosfilt_zi). */
export function sosfiltZi(sos: Sos): Float64Array {
  const ns = checkSos('sosfiltZi', sos);
  const zi = new Float64Array(2 * ns);
  let scale = 1;
  for (let s = 0; s < ns; s++) {
    const b = sos.subarray(6 * s, 6 * s + 3);
    const a = sos.subarray(6 * s + 3, 6 * s + 6);
    const z = lfilterZi(b, a);
    zi[2 * s] = scale * z[0]!;
    zi[2 * s + 1] = scale * z[1]!;
    // the next section sees this one's DC gain H(1) = sum(b) / sum(a)
    scale *= (b[0]! + b[1]! + b[2]!) / (a[0]! + a[1]! + a[2]!);
  }
  return zi;
}

/** Odd extension by `n` samples at both ends (scipy.signal._arraytools.odd_ext). */
export function oddExtend(x: Float64Array, n: number): Float64Array {
  const len = x.length;
  const out = new Float64Array(len + 2 * n);
  const first = x[0]!;
  const last = x[len - 1]!;
  for (let i = 0; i < n; i++) {
    out[i] = 2 * first - x[n - i]!;
    out[n + len + i] = 2 * last - x[len - 2 - i]!;
  }
  out.set(x, n);
  return out;
}

function validatePad(fn: string, x: Float64Array, padlen: number): void {
  if (!Number.isInteger(padlen) || padlen < 0) argError(fn, 'padlen', `must be an integer >= 0, got ${padlen}`);
  if (x.length <= padlen) {
    argError(fn, 'x', `must be longer than padlen (${padlen}) samples, got ${x.length}; pass a smaller padlen or a longer signal`);
  }
}

/**
 * Zero-phase filtering with second-order sections: forward then backward, odd padding and
 * steady-state initial conditions, as scipy.signal.sosfiltfilt(sos, x, padtype='odd', padlen).
 * Default padlen = 3 * (2 * sections + 1 - sections whose b2 and a2 are both zero).
 */
export function sosfiltfilt(sos: Sos, x: Float64Array, padlen?: number): Float64Array {
  const ns = checkSos('sosfiltfilt', sos);
  let ntaps = 2 * ns + 1;
  let zb = 0;
  let za = 0;
  for (let s = 0; s < ns; s++) {
    if (sos[6 * s + 2] === 0) zb++;
    if (sos[6 * s + 5] === 0) za++;
  }
  ntaps -= Math.min(zb, za);
  const edge = padlen ?? 3 * ntaps;
  validatePad('sosfiltfilt', x, edge);
  const ext = edge > 0 ? oddExtend(x, edge) : x;
  const zi = sosfiltZi(sos);
  const z = zi.map((v) => v * ext[0]!);
  const fwd = sosfilt(sos, ext, z);
  fwd.reverse();
  const z2 = zi.map((v) => v * fwd[0]!);
  const back = sosfilt(sos, fwd, z2);
  back.reverse();
  return edge > 0 ? back.slice(edge, back.length - edge) : back;
}

/** Zero-phase filtering with [b, a] (scipy.signal.filtfilt, method 'pad', padtype 'odd'; padlen default 3 * max(len(a), len(b))). */
export function filtfilt(b: Float64Array, a: Float64Array, x: Float64Array, padlen?: number): Float64Array {
  const edge = padlen ?? 3 * Math.max(a.length, b.length);
  validatePad('filtfilt', x, edge);
  const ext = edge > 0 ? oddExtend(x, edge) : x;
  const zi = lfilterZi(b, a);
  const fwd = lfilter(b, a, ext, zi.map((v) => v * ext[0]!));
  fwd.reverse();
  const back = lfilter(b, a, fwd, zi.map((v) => v * fwd[0]!));
  back.reverse();
  return edge > 0 ? back.slice(edge, back.length - edge) : back;
}
