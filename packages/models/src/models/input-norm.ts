import { nn, ones, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';

/**
 * How a model turns millivolts into its input units, as the first step of its forward pass:
 * - `max-abs`: each lead of each record divided by its largest |value| over the real samples
 *   (Ma & Liang's scaling; scale-free, so an ε of 0.01 is 1 % of the lead's peak);
 * - `z-score`: each lead minus its mean, over its standard deviation (population), over the real samples;
 * - `none`: millivolts as they are.
 * An all-zero (or constant, for z-score) lead stays zero. Padding stays zero.
 */
export type InputNormKind = 'max-abs' | 'z-score' | 'none';

export const INPUT_NORM_KINDS: readonly InputNormKind[] = ['max-abs', 'z-score', 'none'];

/**
 * The input stage of every ecglab signal model. It is part of the model (and so of a saved model), not of
 * the data pipeline, for two reasons: an attack or a noise test can be stated in millivolts (perturb `x`)
 * or in the model's units (perturb `normalize(x)`), and gradients flow through the scaling; and a saved
 * model carries its own preprocessing, so a Predictor cannot feed it differently scaled input.
 * It has no parameters: state dicts are unchanged by it.
 *
 * @example
 * const norm = new InputNorm('max-abs');
 * const xn = norm.call(x, mask); // x [N, leads, L] mV, mask [N, 1, L] → [N, leads, L] in [-1, 1]
 */
export class InputNorm extends nn.Module {
  constructor(readonly kind: InputNormKind) {
    super();
    if (!INPUT_NORM_KINDS.includes(kind)) throw new ArgumentError(`InputNorm: 'kind' must be one of ${INPUT_NORM_KINDS.join(', ')}, got '${String(kind)}'`);
  }

  /** `x` `[N, leads, L]` in mV with its `mask` `[N, 1, L]` (1 = real sample) → the model's units. */
  forward(x: Tensor, mask: Tensor): Tensor {
    if (this.kind === 'none') return x.mul(mask);
    const { shift, scale } = this.stats(x, mask);
    const xn = shift ? x.sub(shift).div(scale).mul(mask) : x.div(scale); // max-abs keeps zero padding zero by itself
    shift?.dispose();
    scale.dispose();
    return xn;
  }

  /**
   * Per record and lead, the `shift` and `scale` `[N, leads, 1]` with `xn = (x − shift) / scale`, so a
   * perturbation δ in model units is δ·scale millivolts. `shift` is null for max-abs and none.
   */
  stats(x: Tensor, mask: Tensor): { shift: Tensor | null; scale: Tensor } {
    if (x.ndim !== 3 || mask.ndim !== 3 || mask.shape[1] !== 1 || mask.shape[0] !== x.shape[0] || mask.shape[2] !== x.shape[2]) {
      throw new ArgumentError(`InputNorm: 'x' must be [N, leads, L] and 'mask' [N, 1, L], got [${x.shape.join(', ')}] and [${mask.shape.join(', ')}]`);
    }
    if (this.kind === 'none') return { shift: null, scale: ones([x.shape[0]!, x.shape[1]!, 1], { dtype: x.dtype, device: x.device }) };
    if (this.kind === 'max-abs') {
      const peak = x.abs().mul(mask).max(2, true); // [N, leads, 1]
      const scale = peak.where(peak.gt(0), 1); // an all-zero lead is left as it is
      peak.dispose();
      return { shift: null, scale };
    }
    const n = mask.sum(2, true).clamp(1); // [N, 1, 1] real samples per record
    const mean = x.mul(mask).sum(2, true).div(n); // [N, leads, 1]
    const centred = x.sub(mean).mul(mask);
    const variance = centred.mul(centred).sum(2, true).div(n); // [N, leads, 1], population variance
    // A constant lead (a missing lead stored as zeros, say) becomes zeros. The clamp keeps its gradient
    // finite: sqrt'(0) is infinite, and one NaN would spoil an attack's whole input gradient.
    const sd = variance.clamp(1e-12).sqrt();
    const scale = sd.where(variance.gt(1e-12), 1);
    for (const t of [n, centred, variance, sd]) t.dispose();
    return { shift: mean, scale };
  }
}
