import { nn, type Tensor } from '@ecglab/engine';
import type { TensorBatch } from '../pipeline/tensor-batch.js';
import { InputNorm, type InputNormKind } from './input-norm.js';

/**
 * What the trainer, the Predictor and the objectives need of any ecglab model: class logits `[N, K]` from a
 * batch. Signal models take `batch.x` and `batch.mask`; the image model takes `batch.extras.page`.
 */
export interface BatchModel extends nn.Module {
  logits(batch: TensorBatch): Tensor;
}

/**
 * A signal classifier: logits `[N, K]` from a zero-padded batch `x` `[N, leads, L]` in millivolts and its
 * mask `[N, 1, L]`. The forward pass is `classify(normalize(x, mask), mask)`: `normalize` is the model's
 * input stage (InputNorm, part of the saved model) and `classify` the network proper, so an attack can
 * work in millivolts (perturb `x`, call `forward`) or in the model's units (perturb `normalize(x)`, call
 * `classify`). Variable-length models pool under the mask; fixed-length ones crop and aggregate inside.
 */
export abstract class EcgClassifier extends nn.Module implements BatchModel {
  readonly inputNorm: InputNorm;
  /** Batches are padded to a multiple of this many samples... */
  abstract readonly padMultiple: number;
  /** ...and to at least this many. */
  abstract readonly minLength: number;
  /** Fixed-length models train on random windows of this many samples; variable-length ones leave it undefined. */
  readonly trainWindow?: number;

  protected constructor(norm: InputNormKind) {
    super();
    this.inputNorm = new InputNorm(norm);
  }

  /** Logits `[N, K]` from input already in the model's units (after `normalize`). */
  abstract classify(xn: Tensor, mask: Tensor): Tensor;

  /** `x` `[N, leads, L]` mV → the model's input units (see InputNorm). */
  normalize(x: Tensor, mask: Tensor): Tensor {
    return this.inputNorm.call(x, mask);
  }

  /** Logits `[N, K]` of a batch `x` `[N, leads, L]` in mV with its mask `[N, 1, L]` (1 = real sample). */
  forward(x: Tensor, mask: Tensor): Tensor {
    const xn = this.normalize(x, mask);
    const z = this.classify(xn, mask);
    if (xn !== x) xn.dispose(); // autograd keeps what backward needs
    return z;
  }

  logits(batch: TensorBatch): Tensor {
    return this.forward(batch.x, batch.mask);
  }
}
