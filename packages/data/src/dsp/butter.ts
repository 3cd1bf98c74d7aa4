import * as cx from './complex.js';
import type { C } from './complex.js';
import { argError, checkFinitePositive, checkPositiveInt } from './errors.js';

/**
 * Second-order sections, scipy's layout: `n` rows of [b0, b1, b2, a0, a1, a2] packed row-major
 * into one Float64Array of length 6n (a0 = 1).
 */
export type Sos = Float64Array;

export type BandType = 'lowpass' | 'highpass' | 'bandpass';

interface Zpk {
  z: C[];
  p: C[];
  k: number;
}

function prodC(xs: C[]): C {
  return xs.reduce((acc, v) => cx.mul(acc, v), cx.c(1));
}

/** Analog Butterworth prototype (scipy.signal.buttap). */
function buttap(n: number): Zpk {
  const p: C[] = [];
  for (let m = -n + 1; m < n; m += 2) p.push(cx.scale(cx.expi((Math.PI * m) / (2 * n)), -1));
  return { z: [], p, k: 1 };
}

/** scipy.signal.bilinear_zpk with fs = 2 (the normalised digital design). */
function bilinear({ z, p, k }: Zpk, fs: number): Zpk {
  const fs2 = cx.c(2 * fs);
  const degree = p.length - z.length;
  const zz = z.map((v) => cx.div(cx.add(fs2, v), cx.sub(fs2, v)));
  const pz = p.map((v) => cx.div(cx.add(fs2, v), cx.sub(fs2, v)));
  for (let i = 0; i < degree; i++) zz.push(cx.c(-1));
  const kz = k * cx.div(prodC(z.map((v) => cx.sub(fs2, v))), prodC(p.map((v) => cx.sub(fs2, v)))).re;
  return { z: zz, p: pz, k: kz };
}

function isReal(v: C): boolean {
  return v.im === 0;
}

/** scipy's _cplxreal: complex values with positive imaginary part (sorted), then reals (sorted). */
function cplxreal(zs: C[]): { zc: C[]; zr: C[] } {
  const tol = 100 * Number.EPSILON;
  const sorted = [...zs].sort((a, b) => a.re - b.re || Math.abs(a.im) - Math.abs(b.im));
  const zr = sorted.filter((v) => Math.abs(v.im) <= tol * cx.abs(v)).map((v) => cx.c(v.re));
  const rest = sorted.filter((v) => !(Math.abs(v.im) <= tol * cx.abs(v)));
  const zp = rest.filter((v) => v.im > 0);
  const zn = rest.filter((v) => v.im < 0);
  if (zp.length !== zn.length) argError('zpk2sos', 'z/p', 'has a complex value without its conjugate');
  // runs of equal real part are sorted by |imag|; Butterworth roots have distinct real parts
  // except in exact conjugates, so the lexsort above already orders them
  const zc = zp.map((v, i) => cx.scale(cx.add(v, cx.conj(zn[i]!)), 0.5));
  return { zc, zr };
}

function idxWorst(p: C[]): number {
  // digital: the pole closest to the unit circle
  let best = 0;
  let bestV = Infinity;
  p.forEach((v, i) => {
    const d = Math.abs(1 - cx.abs(v));
    if (d < bestV) {
      bestV = d;
      best = i;
    }
  });
  return best;
}

function nearestIdx(fro: C[], to: C, which: 'real' | 'complex' | 'any'): number {
  // stable ordering by distance, as numpy's argsort on these small arrays
  const order = fro.map((v, i) => ({ i, d: cx.abs(cx.sub(v, to)) })).sort((a, b) => a.d - b.d || a.i - b.i);
  for (const { i } of order) {
    const v = fro[i]!;
    if (which === 'any' || (which === 'real') === isReal(v)) return i;
  }
  return argError('zpk2sos', 'z', `has no ${which} zero left to pair`);
}

/** np.poly for up to two roots that are real or a conjugate pair: real coefficients. */
function poly(roots: C[]): number[] {
  let coef: C[] = [cx.c(1)];
  for (const r of roots) {
    const next: C[] = coef.map((v) => v).concat([cx.c(0)]);
    for (let i = 1; i < next.length; i++) next[i] = cx.sub(next[i]!, cx.mul(r, coef[i - 1]!));
    coef = next;
  }
  return coef.map((v) => v.re);
}

function singleSection(z: C[], p: C[]): number[] {
  const row = [0, 0, 0, 0, 0, 0];
  const b = poly(z);
  const a = poly(p);
  for (let i = 0; i < b.length; i++) row[3 - b.length + i] = b[i]!;
  for (let i = 0; i < a.length; i++) row[6 - a.length + i] = a[i]!;
  return row;
}

/** scipy.signal.zpk2sos(z, p, k) for digital filters with pairing='nearest' (scipy 1.10 order). */
export function zpk2sos(zIn: C[], pIn: C[], k: number): Sos {
  let z = [...zIn];
  let p = [...pIn];
  while (p.length < z.length) p.push(cx.c(0));
  while (z.length < p.length) z.push(cx.c(0));
  const nSections = Math.floor((p.length + 1) / 2);
  if (p.length % 2 === 1) {
    p.push(cx.c(0));
    z.push(cx.c(0));
  }
  const zs = cplxreal(z);
  const ps = cplxreal(p);
  z = [...zs.zc, ...zs.zr];
  p = [...ps.zc, ...ps.zr];
  const sos = new Float64Array(6 * nSections);
  const take = (arr: C[], i: number): C => arr.splice(i, 1)[0]!;
  // the "worst" poles (closest to the unit circle) go last
  for (let si = nSections - 1; si >= 0; si--) {
    const p1 = take(p, idxWorst(p));
    const nRealP = p.filter(isReal).length;
    let row: number[];
    if (isReal(p1) && nRealP === 0) {
      const z1 = take(z, nearestIdx(z, p1, 'real'));
      row = singleSection([z1, cx.c(0)], [p1, cx.c(0)]);
    } else if (p.length + 1 === z.length && !isReal(p1) && nRealP === 1 && z.filter(isReal).length === 1) {
      const z1 = take(z, nearestIdx(z, p1, 'complex'));
      row = singleSection([z1, cx.conj(z1)], [p1, cx.conj(p1)]);
    } else {
      let p2: C;
      if (isReal(p1)) {
        const realIdx = p.map((v, i) => (isReal(v) ? i : -1)).filter((i) => i >= 0);
        p2 = take(p, realIdx[idxWorst(realIdx.map((i) => p[i]!))]!);
      } else {
        p2 = cx.conj(p1);
      }
      if (z.length > 0) {
        const z1 = take(z, nearestIdx(z, p1, 'any'));
        if (!isReal(z1)) row = singleSection([z1, cx.conj(z1)], [p1, p2]);
        else if (z.length > 0) row = singleSection([z1, take(z, nearestIdx(z, p1, 'real'))], [p1, p2]);
        else row = singleSection([z1], [p1, p2]);
      } else {
        row = singleSection([], [p1, p2]);
      }
    }
    sos.set(row, 6 * si);
  }
  for (let i = 0; i < 3; i++) sos[i]! *= k; // the gain goes into the first section
  return sos;
}

/**
 * Digital Butterworth filter as second-order sections, matching
 * scipy.signal.butter(order, wn, btype, fs=fs, output='sos') (scipy 1.10: same sections, same order).
 * `wn` is the cutoff in Hz, or [low, high] for 'bandpass'.
 * Example: `butter(4, 0.5, 'highpass', 500)` → 2 sections for 0.5 Hz baseline removal at 500 Hz.
 */
export function butter(order: number, wn: number | [number, number], btype: BandType, fs: number): Sos {
  checkPositiveInt('butter', 'order', order);
  checkFinitePositive('butter', 'fs', fs);
  const nyq = fs / 2;
  const w = typeof wn === 'number' ? [wn] : wn;
  if ((btype === 'bandpass') !== (w.length === 2)) {
    argError('butter', 'wn', `must be ${btype === 'bandpass' ? '[low, high]' : 'one frequency'} for '${btype}', got [${w.join(', ')}]`);
  }
  for (const f of w) if (!(f > 0 && f < nyq)) argError('butter', 'wn', `must lie in (0, fs/2 = ${nyq}) Hz, got ${f}`);
  if (w.length === 2 && !(w[0]! < w[1]!)) argError('butter', 'wn', `must be increasing, got [${w.join(', ')}]`);
  // pre-warp the normalised frequencies for the bilinear transform at fs = 2
  const warped = w.map((f) => 4 * Math.tan((Math.PI * (f / nyq)) / 2));
  const proto = buttap(order);
  let analog: Zpk;
  const degree = proto.p.length - proto.z.length;
  if (btype === 'lowpass') {
    const wo = warped[0]!;
    analog = { z: [], p: proto.p.map((v) => cx.scale(v, wo)), k: proto.k * wo ** degree };
  } else if (btype === 'highpass') {
    const wo = warped[0]!;
    const kk = proto.k * cx.div(cx.c(1), prodC(proto.p.map((v) => cx.scale(v, -1)))).re;
    analog = { z: Array.from({ length: degree }, () => cx.c(0)), p: proto.p.map((v) => cx.div(cx.c(wo), v)), k: kk };
  } else {
    const bw = warped[1]! - warped[0]!;
    const wo = Math.sqrt(warped[0]! * warped[1]!);
    const pl = proto.p.map((v) => cx.scale(v, bw / 2));
    const s = pl.map((v) => cx.sqrt(cx.sub(cx.mul(v, v), cx.c(wo * wo))));
    const p = [...pl.map((v, i) => cx.add(v, s[i]!)), ...pl.map((v, i) => cx.sub(v, s[i]!))];
    analog = { z: Array.from({ length: degree }, () => cx.c(0)), p, k: proto.k * bw ** degree };
  }
  const d = bilinear(analog, 2);
  return zpk2sos(d.z, d.p, d.k);
}

/**
 * Second-order IIR notch at f0 Hz with quality factor q (scipy.signal.iirnotch, Orfanidis 11.3.4).
 * Returns [b, a]. Example: `iirnotch(50, 30, 500)` removes mains hum at 50 Hz.
 */
export function iirnotch(f0: number, q: number, fs: number): [Float64Array, Float64Array] {
  checkFinitePositive('iirnotch', 'fs', fs);
  checkFinitePositive('iirnotch', 'q', q);
  if (!(f0 > 0 && f0 < fs / 2)) argError('iirnotch', 'f0', `must lie in (0, fs/2 = ${fs / 2}) Hz, got ${f0}`);
  const w0 = ((2 * f0) / fs) * Math.PI;
  const bw = ((2 * f0) / fs / q) * Math.PI;
  const gb = 1 / Math.sqrt(2);
  const beta = (Math.sqrt(1 - gb ** 2) / gb) * Math.tan(bw / 2);
  const gain = 1 / (1 + beta);
  const b = Float64Array.from([gain, -2 * Math.cos(w0) * gain, gain]);
  const a = Float64Array.from([1, -2 * gain * Math.cos(w0), 2 * gain - 1]);
  return [b, a];
}
