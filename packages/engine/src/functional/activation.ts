// Activations, softmax, dropout and padding.
import { Tensor, handleOf } from '../tensor.js';
import { TorchError } from '../errors.js';
import { checkFloat, checkProbability } from '../checks.js';

export function relu(x: Tensor): Tensor { return Tensor.op('relu', handleOf(x, 'relu', 'input')); }
export function sigmoid(x: Tensor): Tensor { return Tensor.op('sigmoid', handleOf(x, 'sigmoid', 'input')); }
export function tanh(x: Tensor): Tensor { return Tensor.op('tanh', handleOf(x, 'tanh', 'input')); }
export function silu(x: Tensor): Tensor { return Tensor.op('silu', handleOf(x, 'silu', 'input')); }
export function softplus(x: Tensor): Tensor { return Tensor.op('softplus', handleOf(x, 'softplus', 'input')); }
export function elu(x: Tensor): Tensor { return Tensor.op('elu', handleOf(x, 'elu', 'input')); }
export function logSigmoid(x: Tensor): Tensor { return Tensor.op('logSigmoid', handleOf(x, 'logSigmoid', 'input')); }
/** GELU; 'tanh' is PyTorch's tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new TorchError('ARGUMENT', `gelu: 'approximate' must be 'none' or 'tanh', got ${String(approximate)}`);
  }
  return Tensor.op('gelu', handleOf(x, 'gelu', 'input'), approximate);
}
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return Tensor.op('leakyRelu', handleOf(x, 'leakyRelu', 'input'), negativeSlope);
}
export function softmax(x: Tensor, dim: number): Tensor {
  checkFloat('softmax', 'input', x);
  return Tensor.op('softmax', handleOf(x, 'softmax', 'input'), dim);
}
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkFloat('logSoftmax', 'input', x);
  return Tensor.op('logSoftmax', handleOf(x, 'logSoftmax', 'input'), dim);
}

/** Zeroes elements with probability p when training, scaling the rest by 1/(1-p). */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkProbability('dropout', 'p', p);
  return Tensor.op('dropout', handleOf(x, 'dropout', 'input'), p, training);
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/** PyTorch's F.pad: `pads` lists (left, right) pairs starting from the last dim. */
export function pad(x: Tensor, pads: number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (!Array.isArray(pads) || pads.length % 2 !== 0 || !pads.every(Number.isInteger)) {
    throw new TorchError('ARGUMENT', `pad: 'pads' must be an even-length array of integers, got ${JSON.stringify(pads)}`);
  }
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new TorchError('ARGUMENT', `pad: 'mode' must be constant, reflect, replicate or circular, got ${String(mode)}`);
  }
  return Tensor.op('pad', handleOf(x, 'pad', 'input'), pads, mode, mode === 'constant' ? value : undefined);
}
