// Linear, Identity, Flatten.
import { F, type DType, type Tensor } from './core.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { biasParameter, kaimingUniformParameter } from './init.js';
import { positiveInt } from './check.js';

export interface LinearOptions {
  bias?: boolean;   // default true
  dtype?: DType;    // default float32
}

/**
 * y = x Wᵀ + b over the last dim; weight [out, in], PyTorch's kaiming-uniform init.
 * @example const fc = new nn.Linear(512, 9); const logits = fc.call(features); // [N, 512] → [N, 9]
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    this.weight = kaimingUniformParameter([outFeatures, inFeatures], options.dtype);
    this.bias = options.bias === false ? null : biasParameter(outFeatures, [outFeatures, inFeatures], options.dtype);
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias ?? undefined);
  }
}

/** Returns its input. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}
