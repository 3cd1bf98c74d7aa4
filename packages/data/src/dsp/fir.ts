import { argError } from './errors.js';

/** Modified Bessel function of the first kind, order 0, by its power series (converges for all x). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Symmetric Kaiser window of `n` points (scipy.signal.windows.kaiser(n, beta, sym=True)). */
export function kaiser(n: number, beta: number): Float64Array {
  const w = new Float64Array(n);
  if (n === 1) {
    w[0] = 1;
    return w;
  }
  const alpha = (n - 1) / 2;
  const den = besselI0(beta);
  for (let i = 0; i < n; i++) {
    const r = (i - alpha) / alpha;
    w[i] = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / den;
  }
  return w;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * Low-pass FIR by the window method, as scipy.signal.firwin(numtaps, cutoff, window=('kaiser', beta))
 * with pass_zero=True and scale=True; `cutoff` is relative to Nyquist (0 < cutoff < 1).
 * Example: `firwinLowpass(41, 0.5)` → 41 taps summing to 1.
 */
export function firwinLowpass(numtaps: number, cutoff: number, beta = 5.0): Float64Array {
  if (!Number.isInteger(numtaps) || numtaps < 1) argError('firwinLowpass', 'numtaps', `must be an integer >= 1, got ${numtaps}`);
  if (!(cutoff > 0 && cutoff < 1)) argError('firwinLowpass', 'cutoff', `must be in (0, 1) relative to Nyquist, got ${cutoff}`);
  const alpha = 0.5 * (numtaps - 1);
  const win = kaiser(numtaps, beta);
  const h = new Float64Array(numtaps);
  let s = 0;
  for (let i = 0; i < numtaps; i++) {
    const m = i - alpha;
    h[i] = cutoff * sinc(cutoff * m) * win[i]!;
    s += h[i]!; // scale so the DC gain is exactly 1 (scale_frequency = 0)
  }
  for (let i = 0; i < numtaps; i++) h[i]! /= s;
  return h;
}
