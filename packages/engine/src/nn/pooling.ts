// Pooling layers; options mirror PyTorch's (stride defaults to the kernel size).
import { F, type Tensor } from './core.js';
import { Module } from './module.js';
import { positiveInt, tuple } from './check.js';

export interface MaxPoolOptions<K> {
  stride?: K;          // default: kernelSize
  padding?: K;         // default 0
  dilation?: K;        // default 1
  ceilMode?: boolean;  // default false
}

export interface AvgPoolOptions<K> {
  stride?: K;
  padding?: K;
  ceilMode?: boolean;
  countIncludePad?: boolean;  // default true
}

function maxPoolArgs(name: string, dims: number, k: number | number[], o: MaxPoolOptions<number | number[]>) {
  const kernelSize = tuple(name, 'kernelSize', k, dims, 1);
  return {
    kernelSize,
    stride: tuple(name, 'stride', o.stride ?? kernelSize, dims, 1),
    padding: tuple(name, 'padding', o.padding ?? 0, dims, 0),
    dilation: tuple(name, 'dilation', o.dilation ?? 1, dims, 1),
    ceilMode: o.ceilMode ?? false,
  };
}

function avgPoolArgs(name: string, dims: number, k: number | number[], o: AvgPoolOptions<number | number[]>) {
  const kernelSize = tuple(name, 'kernelSize', k, dims, 1);
  return {
    kernelSize,
    stride: tuple(name, 'stride', o.stride ?? kernelSize, dims, 1),
    padding: tuple(name, 'padding', o.padding ?? 0, dims, 0),
    ceilMode: o.ceilMode ?? false,
    countIncludePad: o.countIncludePad ?? true,
  };
}

/** @example new nn.MaxPool1d(3, { stride: 2, padding: 1 }) // [N, C, L] → [N, C, ⌊(L - 1) / 2⌋ + 1] */
export class MaxPool1d extends Module {
  readonly options: ReturnType<typeof maxPoolArgs>;
  constructor(kernelSize: number, options: MaxPoolOptions<number> = {}) {
    super();
    this.options = maxPoolArgs('MaxPool1d', 1, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return F.maxPool1d(x, this.options);
  }
}

export class MaxPool2d extends Module {
  readonly options: ReturnType<typeof maxPoolArgs>;
  constructor(kernelSize: number | [number, number], options: MaxPoolOptions<number | [number, number]> = {}) {
    super();
    this.options = maxPoolArgs('MaxPool2d', 2, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.options);
  }
}

export class AvgPool1d extends Module {
  readonly options: ReturnType<typeof avgPoolArgs>;
  constructor(kernelSize: number, options: AvgPoolOptions<number> = {}) {
    super();
    this.options = avgPoolArgs('AvgPool1d', 1, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.options);
  }
}

export class AvgPool2d extends Module {
  readonly options: ReturnType<typeof avgPoolArgs>;
  constructor(kernelSize: number | [number, number], options: AvgPoolOptions<number | [number, number]> = {}) {
    super();
    this.options = avgPoolArgs('AvgPool2d', 2, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.options);
  }
}

/** [N, C, L] → [N, C, outputSize], averaging PyTorch's adaptive windows. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
    positiveInt('AdaptiveAvgPool1d', 'outputSize', outputSize);
  }

  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool1d(x, this.outputSize);
  }
}

export class AdaptiveMaxPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
    positiveInt('AdaptiveMaxPool1d', 'outputSize', outputSize);
  }

  forward(x: Tensor): Tensor {
    return F.adaptiveMaxPool1d(x, this.outputSize);
  }
}
