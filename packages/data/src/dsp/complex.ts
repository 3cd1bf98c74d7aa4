/** Minimal complex arithmetic for filter design (poles and zeros); not for hot loops. */
export interface C {
  re: number;
  im: number;
}
export const c = (re: number, im = 0): C => ({ re, im });
export const add = (a: C, b: C): C => c(a.re + b.re, a.im + b.im);
export const sub = (a: C, b: C): C => c(a.re - b.re, a.im - b.im);
export const mul = (a: C, b: C): C => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
export const scale = (a: C, s: number): C => c(a.re * s, a.im * s);
export const conj = (a: C): C => c(a.re, -a.im);
export const abs = (a: C): number => Math.hypot(a.re, a.im);
export function div(a: C, b: C): C {
  // Smith's algorithm, as numpy does, to avoid overflow
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return c((a.re + a.im * r) / d, (a.im - a.re * r) / d);
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return c((a.re * r + a.im) / d, (a.im * r - a.re) / d);
}
/** Principal square root. */
export function sqrt(a: C): C {
  if (a.re === 0 && a.im === 0) return c(0, a.im);
  const m = abs(a);
  if (a.re >= 0) {
    const t = Math.sqrt((m + a.re) / 2);
    return c(t, a.im / (2 * t));
  }
  const t = Math.sqrt((m - a.re) / 2);
  return c(Math.abs(a.im) / (2 * t), a.im >= 0 && !Object.is(a.im, -0) ? t : -t);
}
export function expi(theta: number): C {
  return c(Math.cos(theta), Math.sin(theta));
}
