// PyTorch's default initialisers (torch.nn.init), drawing from the engine's seeded generator.
import { zeros, ones, noGrad, type DType } from './core.js';
import { Parameter } from './parameter.js';

/** fan_in of a weight [out, in, ...kernel] (PyTorch's _calculate_fan_in_and_fan_out). */
export function fanIn(shape: readonly number[]): number {
  return (shape[1] ?? 1) * shape.slice(2).reduce((a, b) => a * b, 1);
}

export function fanOut(shape: readonly number[]): number {
  return (shape[0] ?? 1) * shape.slice(2).reduce((a, b) => a * b, 1);
}

/** U(-bound, bound) parameter of `shape`. */
export function uniformParameter(shape: number[], bound: number, dtype: DType = 'float32'): Parameter {
  const t = zeros(shape, { dtype });
  noGrad(() => t.uniform_(-bound, bound));
  return new Parameter(t);
}

/**
 * kaiming_uniform_(w, a=√5), PyTorch's default for Linear and Conv weights: the bound works out to
 * 1/√fan_in (gain √(2/(1+a²)) = √(1/3), times √3/√fan_in).
 */
export function kaimingUniformParameter(shape: number[], dtype: DType = 'float32'): Parameter {
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2 / (1 + a * a));
  return uniformParameter(shape, Math.sqrt(3) * (gain / Math.sqrt(fanIn(shape))), dtype);
}

/** Bias of a Linear/Conv: U(-1/√fan_in, 1/√fan_in) of the weight's fan_in. */
export function biasParameter(n: number, weightShape: number[], dtype: DType = 'float32'): Parameter {
  const f = fanIn(weightShape);
  return uniformParameter([n], f > 0 ? 1 / Math.sqrt(f) : 0, dtype);
}

/** xavier_uniform_ (gain 1): bound √(6 / (fan_in + fan_out)). */
export function xavierUniformParameter(shape: number[], dtype: DType = 'float32'): Parameter {
  return uniformParameter(shape, Math.sqrt(6 / (fanIn(shape) + fanOut(shape))), dtype);
}

export function zerosParameter(shape: number[], dtype: DType = 'float32'): Parameter {
  return new Parameter(zeros(shape, { dtype }));
}

export function onesParameter(shape: number[], dtype: DType = 'float32'): Parameter {
  return new Parameter(ones(shape, { dtype }));
}
