import { F, fromArray, type Tensor } from '@ecglab/engine';
import type { Rng } from '@ecglab/data';
import { ArgumentError } from '../errors.js';

/** The norm that bounds a perturbation: `inf` (largest |δ|) or `2` (Euclidean, over all leads and samples of a record). */
export type PerturbationNorm = 'inf' | '2';

/** Checks `eps` (a finite number ≥ 0) for the function `fn`. */
export function checkEps(fn: string, eps: number, name = 'eps'): void {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new ArgumentError(`${fn}: '${name}' must be a finite number >= 0, got ${eps}`);
}

/**
 * Per record, the norm of `delta` `[N, leads, L]` → `[N]`: the largest |δ| (`inf`) or the Euclidean norm (`2`)
 * over all of the record's leads and samples.
 */
export function recordNorm(delta: Tensor, norm: PerturbationNorm): Tensor {
  const flat = delta.flatten(1); // [N, leads·L]
  return norm === 'inf' ? flat.abs().max(1) : flat.norm(2, 1);
}

/**
 * Projects `delta` `[N, leads, L]` onto the ε-ball of `norm`, record by record: clamping for L∞, rescaling
 * the records whose L2 norm exceeds ε for L2 (the others are left unchanged).
 *
 * @example const inBall = projectToBall(delta, 0.01, 'inf');
 */
export function projectToBall(delta: Tensor, eps: number, norm: PerturbationNorm): Tensor {
  checkEps('projectToBall', eps);
  if (norm === 'inf') return delta.clamp(-eps, eps);
  const n = recordNorm(delta, '2'); // [N]
  const factor = n.clamp(1e-12).reciprocal().mul(eps).clamp(undefined, 1).reshape([-1, 1, 1]); // [N, 1, 1]
  return delta.mul(factor);
}

/**
 * The step direction of a gradient `g` `[N, leads, L]` for the norm: its sign for L∞ (steepest ascent under
 * an L∞ budget), `g/‖g‖₂` per record for L2 (with the norm floored at 1e-8, as Ma & Liang's normalize_grad_).
 */
export function steepestDirection(g: Tensor, norm: PerturbationNorm): Tensor {
  if (norm === 'inf') return g.sign();
  const n = recordNorm(g, '2').clamp(1e-8).reshape([-1, 1, 1]); // [N, 1, 1]
  return g.div(n);
}

/**
 * Elementwise bounds `{ low, high }` on δ that keep `xn + δ` inside `[lo, hi]`: `low = min(lo − xn, 0)`,
 * `high = max(hi − xn, 0)`. The zero in each keeps |δ| from growing when a clean value already lies outside
 * the range (a z-scored input, say), so clipping can never push a perturbation out of its ε-ball.
 */
export function rangeBounds(xn: Tensor, range: readonly [number, number]): { low: Tensor; high: Tensor } {
  const [lo, hi] = range;
  if (!(lo < hi)) throw new ArgumentError(`rangeBounds: 'range' must be [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  return { low: xn.neg().add(lo).clamp(undefined, 0), high: xn.neg().add(hi).clamp(0) };
}

/**
 * A random start drawn from `rng`, zero on the padding: uniform in the L∞ cube `[−ε, ε]` for `inf`, and
 * uniform in the L2 ball of radius ε over each record's real samples for `2` (a Gaussian direction scaled to
 * radius ε·u^(1/d), with d the record's number of real values). Same `rng` state, same start.
 *
 * @example const delta0 = randomStart([4, 1, 3072], mask, 0.01, 'inf', new Rng(7), 'float32');
 */
export function randomStart(shape: number[], mask: Tensor, eps: number, norm: PerturbationNorm, rng: Rng, dtype: 'float32' | 'float64'): Tensor {
  checkEps('randomStart', eps);
  const [n, leads, len] = shape as [number, number, number];
  const m = mask.toArray(); // [N, 1, L] 0/1
  const out = dtype === 'float64' ? new Float64Array(n * leads * len) : new Float32Array(n * leads * len);
  for (let i = 0; i < n; i++) {
    const base = i * leads * len;
    if (norm === 'inf') {
      for (let c = 0; c < leads; c++) {
        for (let t = 0; t < len; t++) out[base + c * len + t] = m[i * len + t] ? eps * (2 * rng.next() - 1) : 0;
      }
      continue;
    }
    let sq = 0;
    let d = 0;
    for (let c = 0; c < leads; c++) {
      for (let t = 0; t < len; t++) {
        if (!m[i * len + t]) continue;
        const g = rng.gaussian();
        out[base + c * len + t] = g;
        sq += g * g;
        d++;
      }
    }
    if (d === 0 || sq === 0) continue;
    const radius = eps * Math.pow(rng.next(), 1 / d);
    const f = radius / Math.sqrt(sq);
    for (let j = base; j < base + leads * len; j++) out[j] = out[j]! * f;
  }
  return fromArray(out, shape);
}

/**
 * Han et al.'s smoothing kernel (Nature Medicine 2020, code XintianHan/ADV_ECG create_adv_conv_train.py): the
 * mean of normalised Gaussian kernels over every (size, σ) pair, sizes [5, 7, 11, 15, 19] and σ [1, 3, 5, 7, 10]
 * by default. Convolution is linear, so averaging their 25 convolutions equals one convolution with this mean
 * kernel (centred, length = the largest size), which is 25× cheaper and the same numbers.
 */
export function smoothingKernel(sizes: readonly number[] = [5, 7, 11, 15, 19], sigmas: readonly number[] = [1, 3, 5, 7, 10]): Float64Array {
  if (sizes.length === 0 || sigmas.length === 0) throw new ArgumentError(`smoothingKernel: 'sizes' and 'sigmas' must be non-empty, got ${sizes.length} and ${sigmas.length}`);
  for (const s of sizes) if (!(Number.isInteger(s) && s >= 1 && s % 2 === 1)) throw new ArgumentError(`smoothingKernel: every size must be an odd integer >= 1, got ${s}`);
  for (const s of sigmas) if (!(s > 0)) throw new ArgumentError(`smoothingKernel: every sigma must be > 0, got ${s}`);
  const width = Math.max(...sizes);
  const half = (width - 1) / 2;
  const kernel = new Float64Array(width);
  for (const size of sizes) {
    for (const sigma of sigmas) {
      const h = (size - 1) / 2;
      const w = Array.from({ length: size }, (_, i) => Math.exp(-((i - h) ** 2) / 2 / sigma ** 2));
      const total = w.reduce((a, b) => a + b, 0);
      w.forEach((v, i) => (kernel[half - h + i]! += v / total / (sizes.length * sigmas.length)));
    }
  }
  return kernel;
}

/**
 * `theta` `[N, leads, L]` convolved lead by lead with `kernel` (odd length, zero padding, same length out),
 * as Han et al. convolve their perturbation.
 */
export function smooth(theta: Tensor, kernel: Tensor): Tensor {
  const leads = theta.shape[1] as number;
  const k = kernel.shape[0] as number;
  const w = kernel.reshape([1, 1, k]).expand([leads, 1, k]); // [leads, 1, k]: one depthwise filter per lead
  return F.conv1d(theta, w, null, { padding: (k - 1) / 2, groups: leads });
}
