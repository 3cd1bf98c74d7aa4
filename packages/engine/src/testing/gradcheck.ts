// Gradient checks against central finite differences, in float64, for any function of tensors.
// Each probe v checks the whole vector-Jacobian product vᵀJ element by element: analytic (libtorch's
// autograd) vs numeric ((f(x + εeⱼ) − f(x − εeⱼ))·v / 2ε). Second order: gradgradcheck checks the gradient
// of the gradient (built with createGraph) the same way.
import { Tensor } from '../tensor.js';
import { cat, fromArray } from '../creation.js';
import { grad } from '../autograd.js';
import { tidy } from '../scope.js';
import { fmtShape } from '../errors.js';

export interface GradcheckOptions {
  eps?: number;      // finite-difference step (default 1e-6)
  atol?: number;     // default 1e-5
  rtol?: number;     // default 1e-3
  probes?: number;   // random cotangents v per check (default 2)
  seed?: number;     // for the cotangents (default 1)
}

export interface GradcheckReport {
  checked: number;       // input elements checked
  maxAbsError: number;
}

/** A small deterministic PRNG (mulberry32) so cotangents do not depend on libtorch's generator. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box–Muller) from `prng`. */
export function normals(n: number, rand: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return out;
}

function evalFlat(fn: (...xs: Tensor[]) => Tensor, xs: Tensor[]): Float64Array {
  return tidy(() => {
    const y = fn(...xs);
    return y.double().toArray() as Float64Array;
  });
}

/**
 * Throws if autograd's gradients of `fn` at `inputs` disagree with finite differences. Inputs that require
 * grad must be float64; the others (targets, indices) are passed through unchanged.
 * @example gradcheck((x, w) => F.conv1d(x, w), [x, w]) // x, w float64 with requiresGrad
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckReport {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const probes = opts.probes ?? 2;
  const rand = prng(opts.seed ?? 1);
  const diffIdx = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (diffIdx.length === 0) throw new Error('gradcheck: no input requires grad');
  for (const i of diffIdx) {
    if (inputs[i]!.dtype !== 'float64') throw new Error(`gradcheck: input ${i} must be float64, got ${inputs[i]!.dtype}`);
  }

  // Analytic vector-Jacobian products, one per probe.
  const y0 = evalFlat(fn, inputs);
  const outShape = tidy(() => fn(...inputs).shape);
  const vs = Array.from({ length: probes }, () => normals(y0.length, rand));
  const analytic: Float64Array[][] = vs.map((v) => tidy(() => {
    const y = fn(...inputs);
    const gs = grad(y, diffIdx.map((i) => inputs[i]!), {
      gradOutputs: [fromArray(v, outShape, { dtype: 'float64' }).to(y.dtype)],
      allowUnused: true,
    });
    return gs.map((g, k) => (g === null ? new Float64Array(inputs[diffIdx[k]!]!.numel) : (g.double().toArray() as Float64Array)));
  }));

  // Numeric: perturb one element at a time. Grad stays on because fn may itself call grad() (gradgradcheck).
  let maxAbsError = 0;
  let checked = 0;
  diffIdx.forEach((inputIdx, k) => {
    const x = inputs[inputIdx]!;
    const base = x.toArray() as Float64Array;
    const shape = x.shape;
    for (let j = 0; j < base.length; j++) {
      const shifted = (delta: number) => {
        const data = base.slice();
        data[j]! += delta;
        const xs = inputs.slice();
        return tidy(() => {
          xs[inputIdx] = fromArray(data, shape, { dtype: 'float64', requiresGrad: true });
          return evalFlat(fn, xs);
        });
      };
      const fp = shifted(eps);
      const fm = shifted(-eps);
      vs.forEach((v, p) => {
        let num = 0;
        for (let o = 0; o < v.length; o++) num += ((fp[o]! - fm[o]!) / (2 * eps)) * v[o]!;
        const ana = analytic[p]![k]![j]!;
        const err = Math.abs(ana - num);
        maxAbsError = Math.max(maxAbsError, err);
        if (!(err <= atol + rtol * Math.abs(num))) {
          throw new Error(`gradcheck: input ${inputIdx} ${fmtShape(shape)} element ${j}, probe ${p}: ` +
            `analytic ${ana} vs numeric ${num} (|diff| ${err.toExponential(2)} > atol ${atol} + rtol ${rtol}·|numeric|)`);
        }
      });
      checked++;
    }
  });
  return { checked, maxAbsError };
}

/**
 * Second-order check: the gradient of vᵀ∂fn/∂x (computed with createGraph) must itself pass gradcheck.
 * This is what gradient penalties (input-gradient-norm regularisers) rely on.
 */
export function gradgradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckReport {
  const outShape = tidy(() => fn(...inputs).shape);
  const n = outShape.reduce((a, b) => a * b, 1);
  const v = normals(n, prng((opts.seed ?? 1) + 1000));
  const diffIdx = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const firstOrder = (...xs: Tensor[]): Tensor => {
    const y = fn(...xs);
    const gs = grad(y, diffIdx.map((i) => xs[i]!), {
      gradOutputs: [fromArray(v, outShape, { dtype: 'float64' })],
      createGraph: true,
      allowUnused: true,
    });
    // Unused inputs contribute zeros; flatten and join every gradient into one output vector.
    const parts = gs.filter((g): g is Tensor => g !== null).map((g) => g.flatten());
    return parts.length === 1 ? parts[0]! : cat(parts, 0);
  };
  return gradcheck(firstOrder, inputs, { ...opts, seed: (opts.seed ?? 1) + 2000 });
}
