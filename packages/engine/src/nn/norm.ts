// BatchNorm1d/2d, GroupNorm, LayerNorm, with PyTorch's parameters, buffers and defaults.
import { F, TorchError, zeros, ones, full, noGrad, type DType, type Tensor } from './core.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { onesParameter, zerosParameter } from './init.js';
import { inputRank, positiveInt } from './check.js';

export interface BatchNormOptions {
  eps?: number;                 // default 1e-5
  momentum?: number | null;     // default 0.1; null = cumulative average over all batches seen
  affine?: boolean;             // default true: learnable weight and bias
  trackRunningStats?: boolean;  // default true: running_mean, running_var, num_batches_tracked buffers
  dtype?: DType;
}

abstract class BatchNormNd extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;

  protected constructor(layer: string, numFeatures: number, o: BatchNormOptions) {
    super();
    this.numFeatures = positiveInt(layer, 'numFeatures', numFeatures);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    const affine = o.affine ?? true;
    this.weight = affine ? onesParameter([numFeatures], o.dtype) : null;
    this.bias = affine ? zerosParameter([numFeatures], o.dtype) : null;
    const track = o.trackRunningStats ?? true;
    this.registerBuffer('runningMean', track ? zeros([numFeatures], { dtype: o.dtype }) : null);
    this.registerBuffer('runningVar', track ? ones([numFeatures], { dtype: o.dtype }) : null);
    this.registerBuffer('numBatchesTracked', track ? full([], 0, { dtype: 'int64' }) : null);
  }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    // Same decisions as torch.nn.modules.batchnorm._BatchNorm.forward.
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked !== null) {
      const n = this.numBatchesTracked;
      // fill_ rather than add_(1): a JS number reaches libtorch as a double, which add_ will not cast into int64.
      const count = Number(n.item()) + 1;
      noGrad(() => n.fill_(count));
      if (this.momentum === null) factor = 1 / count;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const track = !this.training || this.numBatchesTracked !== null;
    return F.batchNorm(x, track ? this.runningMean ?? undefined : undefined, track ? this.runningVar ?? undefined : undefined,
      this.weight ?? undefined, this.bias ?? undefined, useBatchStats, factor, this.eps);
  }
}

/** Batch norm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  protected checkInput(x: Tensor): void {
    inputRank('BatchNorm1d', x, [2, 3], '[N, C] or [N, C, L]', this.numFeatures);
  }
}

/** Batch norm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }

  protected checkInput(x: Tensor): void {
    inputRank('BatchNorm2d', x, [4], '[N, C, H, W]', this.numFeatures);
  }
}

export interface GroupNormOptions {
  eps?: number;       // default 1e-5
  affine?: boolean;   // default true
  dtype?: DType;
}

/**
 * Group norm over [N, C, ...]: statistics per sample and group of C / numGroups channels, so it does
 * not depend on the batch (train and eval behave alike).
 * @example new nn.GroupNorm(32, 64)
 */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;

  constructor(readonly numGroups: number, readonly numChannels: number, o: GroupNormOptions = {}) {
    super();
    positiveInt('GroupNorm', 'numGroups', numGroups);
    positiveInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) {
      throw new TorchError('ARGUMENT', `GroupNorm: 'numChannels' (${numChannels}) must be divisible by 'numGroups' (${numGroups})`);
    }
    this.eps = o.eps ?? 1e-5;
    const affine = o.affine ?? true;
    this.weight = affine ? onesParameter([numChannels], o.dtype) : null;
    this.bias = affine ? zerosParameter([numChannels], o.dtype) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new TorchError('SHAPE', `GroupNorm: input must be [N, ${this.numChannels}, ...], got shape [${x.shape.join(', ')}]`);
    }
    return F.groupNorm(x, this.numGroups, this.weight ?? undefined, this.bias ?? undefined, this.eps);
  }
}

export interface LayerNormOptions {
  eps?: number;                  // default 1e-5
  elementwiseAffine?: boolean;   // default true
  dtype?: DType;
}

/** Layer norm over the trailing dims `normalizedShape`. */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | number[], o: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.normalizedShape.forEach((d, i) => positiveInt('LayerNorm', `normalizedShape[${i}]`, d));
    this.eps = o.eps ?? 1e-5;
    const affine = o.elementwiseAffine ?? true;
    this.weight = affine ? onesParameter(this.normalizedShape, o.dtype) : null;
    this.bias = affine ? zerosParameter(this.normalizedShape, o.dtype) : null;
  }

  forward(x: Tensor): Tensor {
    const tail = x.shape.slice(x.ndim - this.normalizedShape.length);
    if (tail.join(',') !== this.normalizedShape.join(',')) {
      throw new TorchError('SHAPE', `LayerNorm: input must end in [${this.normalizedShape.join(', ')}], got shape [${x.shape.join(', ')}]`);
    }
    return F.layerNorm(x, this.normalizedShape, this.weight ?? undefined, this.bias ?? undefined, this.eps);
  }
}
