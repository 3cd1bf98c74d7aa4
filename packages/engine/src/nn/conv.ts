// Conv1d and Conv2d. Weight [out, in / groups, ...kernel]; PyTorch's kaiming-uniform init.
import { F, TorchError, type DType, type Tensor } from './core.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { biasParameter, kaimingUniformParameter } from './init.js';
import { inputRank, positiveInt, tuple } from './check.js';

export interface ConvOptions<K> {
  stride?: K;                            // default 1
  padding?: K | 'same' | 'valid';        // default 0 (zeros)
  dilation?: K;                          // default 1
  groups?: number;                       // default 1
  bias?: boolean;                        // default true
  dtype?: DType;                         // default float32
}

abstract class ConvNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly groups: number;

  protected constructor(name: string, dims: number, inChannels: number, outChannels: number,
    kernelSize: number | number[], o: ConvOptions<number | number[]>) {
    super();
    this.inChannels = positiveInt(name, 'inChannels', inChannels);
    this.outChannels = positiveInt(name, 'outChannels', outChannels);
    this.kernelSize = tuple(name, 'kernelSize', kernelSize, dims, 1);
    this.stride = tuple(name, 'stride', o.stride ?? 1, dims, 1);
    this.dilation = tuple(name, 'dilation', o.dilation ?? 1, dims, 1);
    this.groups = positiveInt(name, 'groups', o.groups ?? 1);
    const p = o.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : tuple(name, 'padding', p, dims, 0);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new TorchError('ARGUMENT', `${name}: 'groups' (${this.groups}) must divide inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    if (this.padding === 'same' && this.stride.some((s) => s !== 1)) {
      throw new TorchError('ARGUMENT', `${name}: padding 'same' needs stride 1, got stride [${this.stride.join(', ')}]`);
    }
    const shape = [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = kaimingUniformParameter(shape, o.dtype);
    this.bias = o.bias === false ? null : biasParameter(outChannels, shape, o.dtype);
  }

  protected convOptions(): { stride: number[]; padding: number[] | 'same' | 'valid'; dilation: number[]; groups: number } {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }
}

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]).
 * @example const conv = new nn.Conv1d(12, 64, 7, { stride: 2, padding: 3, bias: false }); // [N, 12, 5000] → [N, 64, 2500]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number], options: ConvOptions<number | [number]> = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    inputRank('Conv1d', x, [2, 3], '[N, C, L] or [C, L]', x.ndim === 3 ? this.inChannels : undefined);
    return F.conv1d(x, this.weight, this.bias ?? undefined, this.convOptions());
  }
}

/** 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]). */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: ConvOptions<number | [number, number]> = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    inputRank('Conv2d', x, [3, 4], '[N, C, H, W] or [C, H, W]', x.ndim === 4 ? this.inChannels : undefined);
    return F.conv2d(x, this.weight, this.bias ?? undefined, this.convOptions());
  }
}
