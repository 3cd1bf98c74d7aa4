// Normalisation layers' functional forms.
import { Tensor, handleOf } from '../tensor.js';
import { TorchError, fmtShape } from '../errors.js';
import { checkDims, checkFloat, checkInt, checkOptionalTensor } from '../checks.js';

const opt = (t: Tensor | null | undefined, fn: string, arg: string) => (t ? handleOf(t, fn, arg) : undefined);

/**
 * Batch norm over dim 1 of [N, C, ...]. In training it uses batch statistics and updates the running
 * buffers in place (momentum as PyTorch: running = (1 - m) running + m batch).
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null | undefined, runningVar: Tensor | null | undefined,
  weight?: Tensor | null, bias?: Tensor | null, training = false, momentum = 0.1, eps = 1e-5): Tensor {
  checkDims('batchNorm', 'input', x, [2, 3, 4, 5], '[N, C, ...]');
  checkFloat('batchNorm', 'input', x);
  if (!training && (!runningMean || !runningVar)) {
    throw new TorchError('ARGUMENT', `batchNorm: 'runningMean' and 'runningVar' are required when training is false`);
  }
  return Tensor.op('batchNorm', handleOf(x, 'batchNorm', 'input'), opt(weight, 'batchNorm', 'weight'),
    opt(bias, 'batchNorm', 'bias'), opt(runningMean, 'batchNorm', 'runningMean'), opt(runningVar, 'batchNorm', 'runningVar'),
    training, momentum, eps, false);
}

/** Group norm over [N, C, ...] with C divisible by `groups`. */
export function groupNorm(x: Tensor, groups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkDims('groupNorm', 'input', x, [2, 3, 4, 5], '[N, C, ...]');
  checkFloat('groupNorm', 'input', x);
  checkInt('groupNorm', 'groups', groups, 1);
  const c = x.shape[1]!;
  if (c % groups !== 0) {
    throw new TorchError('SHAPE', `groupNorm: channels (${c} in 'input' ${fmtShape(x.shape)}) must be divisible by groups=${groups}`);
  }
  checkOptionalTensor('groupNorm', 'weight', weight);
  checkOptionalTensor('groupNorm', 'bias', bias);
  const affine = weight ?? bias;
  if (x.dtype === 'bfloat16' && affine && affine.dtype === 'float32') {
    // Under autocast a conv hands bfloat16 to a float32-parameter norm; libtorch 1.13 has no mixed-dtype group-norm
    // kernel ("expected scalar type BFloat16 but found Float"). Normalise in float32 (the statistics need it) and
    // return bfloat16, as later PyTorch's mixed kernel does; bench/models/bench_torch.py patches its twin alike.
    const wide = x.float();
    const y = groupNorm(wide, groups, weight, bias, eps);
    wide.dispose();
    const out = y.to('bfloat16');
    y.dispose();
    return out;
  }
  return Tensor.op('groupNorm', handleOf(x, 'groupNorm', 'input'), groups, opt(weight, 'groupNorm', 'weight'),
    opt(bias, 'groupNorm', 'bias'), eps);
}

/** Layer norm over the trailing `normalizedShape` dims. */
export function layerNorm(x: Tensor, normalizedShape: number | number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkFloat('layerNorm', 'input', x);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  const tail = x.shape.slice(x.ndim - ns.length);
  if (ns.length > x.ndim || tail.some((s, i) => s !== ns[i])) {
    throw new TorchError('SHAPE', `layerNorm: 'input' ${fmtShape(x.shape)} must end with normalizedShape ${fmtShape(ns)}`);
  }
  return Tensor.op('layerNorm', handleOf(x, 'layerNorm', 'input'), ns, opt(weight, 'layerNorm', 'weight'),
    opt(bias, 'layerNorm', 'bias'), eps);
}
