import { argError } from './errors.js';

/**
 * Running median with an odd kernel, zero-padded at the ends like scipy.signal.medfilt(x, k).
 * A sorted window is kept and updated by binary search: O(n·k) memory moves, fine for k ≲ 1000.
 */
export function medfilt(x: Float64Array, kernel: number): Float64Array {
  if (!Number.isInteger(kernel) || kernel < 1 || kernel % 2 === 0) argError('medfilt', 'kernel', `must be an odd integer >= 1, got ${kernel}`);
  const n = x.length;
  const half = (kernel - 1) / 2;
  const at = (i: number): number => (i >= 0 && i < n ? x[i]! : 0);
  const win: number[] = [];
  const lowerBound = (v: number): number => {
    let lo = 0;
    let hi = win.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (win[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let i = -half; i <= half; i++) win.splice(lowerBound(at(i)), 0, at(i));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = win[half]!;
    if (i + 1 < n) {
      win.splice(lowerBound(at(i - half)), 1);
      const v = at(i + half + 1);
      win.splice(lowerBound(v), 0, v);
    }
  }
  return y;
}
