// Test inputs shared by the robustness tests: a zero-padded batch of Gaussian "ECG" with its mask.
import { fromArray, type Tensor } from '@ecglab/engine';
import { Rng } from '@ecglab/data';

/**
 * `x` `[N, leads, max(lengths)]` in mV (standard normal × 0.5 on the real samples, zero after each record's
 * end) and its `mask` `[N, 1, L]`, drawn from `Rng(seed)`.
 *
 * @example const { x, mask } = paddedBatch([40, 25], 2, 1, 'float64');
 */
export function paddedBatch(lengths: number[], leads: number, seed: number, dtype: 'float32' | 'float64'): { x: Tensor; mask: Tensor } {
  const rng = new Rng(seed);
  const len = Math.max(...lengths);
  const x = new Float64Array(lengths.length * leads * len);
  const mask = new Float64Array(lengths.length * len);
  lengths.forEach((l, i) => {
    for (let c = 0; c < leads; c++) for (let t = 0; t < l; t++) x[(i * leads + c) * len + t] = 0.5 * rng.gaussian();
    mask.fill(1, i * len, i * len + l);
  });
  return { x: fromArray(x, [lengths.length, leads, len], { dtype }), mask: fromArray(mask, [lengths.length, 1, len], { dtype }) };
}
