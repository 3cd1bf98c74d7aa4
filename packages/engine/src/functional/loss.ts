// Losses. Argument checks name the loss and the argument; the maths is libtorch's.
import { Tensor, handleOf } from '../tensor.js';
import { TorchError, fmtShape } from '../errors.js';
import { isFloat } from '../dtype.js';
import { checkFloat, checkOptionalTensor, checkProbability } from '../checks.js';
import { tidy } from '../scope.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduction(fn: string, r: unknown): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new TorchError('ARGUMENT', `${fn}: 'reduction' must be 'mean', 'sum' or 'none', got ${String(r)}`);
  }
  return r;
}

const opt = (t: Tensor | null | undefined, fn: string, arg: string) => (t ? handleOf(t, fn, arg) : undefined);

export interface CrossEntropyOptions {
  weight?: Tensor | null;     // [C] class weights
  labelSmoothing?: number;    // in [0, 1]
  reduction?: Reduction;
  ignoreIndex?: number;       // class-index targets only
}

/**
 * Cross-entropy from logits [N, C] (or [N, C, d...]); target is int64 class indices [N] or float class
 * probabilities with the logits' shape.
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const fn = 'crossEntropy';
  checkFloat(fn, 'logits', logits);
  handleOf(target, fn, 'target');
  checkOptionalTensor(fn, 'weight', opts.weight);
  const ls = checkProbability(fn, 'labelSmoothing', opts.labelSmoothing ?? 0);
  const ls_ = logits.shape;
  const ts = target.shape;
  if (isFloat(target.dtype)) {
    if (fmtShape(ls_) !== fmtShape(ts)) {
      throw new TorchError('SHAPE', `${fn}: probability 'target' must have the logits' shape ${fmtShape(ls_)}, got ${fmtShape(ts)}`);
    }
  } else if (target.dtype === 'int64') {
    const want = ls_.length <= 1 ? [] : [ls_[0]!, ...ls_.slice(2)];
    if (fmtShape(want) !== fmtShape(ts)) {
      throw new TorchError('SHAPE', `${fn}: class-index 'target' must have shape ${fmtShape(want)} for logits ${fmtShape(ls_)}, got ${fmtShape(ts)}`);
    }
  } else {
    throw new TorchError('DTYPE', `${fn}: 'target' must be int64 class indices or float probabilities, got ${target.dtype}`);
  }
  return Tensor.op('crossEntropy', handleOf(logits, fn, 'logits'), handleOf(target, fn, 'target'),
    opt(opts.weight, fn, 'weight'), reduction(fn, opts.reduction ?? 'mean'), opts.ignoreIndex ?? -100, ls);
}

/** Negative log-likelihood of log-probabilities [N, C] at int64 targets [N]. */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction; ignoreIndex?: number } = {}): Tensor {
  checkFloat('nllLoss', 'input', logProbs);
  handleOf(target, 'nllLoss', 'target');
  if (target.dtype !== 'int64') throw new TorchError('DTYPE', `nllLoss: 'target' must be int64, got ${target.dtype}`);
  return Tensor.op('nllLoss', handleOf(logProbs, 'nllLoss', 'input'), handleOf(target, 'nllLoss', 'target'),
    opt(opts.weight, 'nllLoss', 'weight'), reduction('nllLoss', opts.reduction ?? 'mean'), opts.ignoreIndex ?? -100);
}

function sameShape(fn: string, a: Tensor, b: Tensor, an: string, bn: string): void {
  if (fmtShape(a.shape) !== fmtShape(b.shape)) {
    throw new TorchError('SHAPE', `${fn}: '${bn}' must have the shape of '${an}' ${fmtShape(a.shape)}, got ${fmtShape(b.shape)}`);
  }
}

/** Sigmoid + binary cross-entropy in one stable op; `posWeight` [C] weighs positives (multi-label). */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const fn = 'binaryCrossEntropyWithLogits';
  checkFloat(fn, 'logits', logits);
  checkFloat(fn, 'target', target);
  sameShape(fn, logits, target, 'logits', 'target');
  return Tensor.op('bceWithLogits', handleOf(logits, fn, 'logits'), handleOf(target, fn, 'target'),
    opt(opts.weight, fn, 'weight'), opt(opts.posWeight, fn, 'posWeight'), reduction(fn, opts.reduction ?? 'mean'));
}

export function binaryCrossEntropy(probs: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const fn = 'binaryCrossEntropy';
  checkFloat(fn, 'input', probs);
  checkFloat(fn, 'target', target);
  sameShape(fn, probs, target, 'input', 'target');
  return Tensor.op('binaryCrossEntropy', handleOf(probs, fn, 'input'), handleOf(target, fn, 'target'),
    opt(opts.weight, fn, 'weight'), reduction(fn, opts.reduction ?? 'mean'));
}

/**
 * KL(target ‖ input) with `input` as log-probabilities (PyTorch's convention). 'batchmean' divides the sum by
 * the batch size, the mathematically correct mean; 'mean' averages over all elements as PyTorch does.
 */
export function klDiv(input: Tensor, target: Tensor,
  opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}): Tensor {
  const fn = 'klDiv';
  checkFloat(fn, 'input', input);
  checkFloat(fn, 'target', target);
  const r = opts.reduction ?? 'mean';
  const hi = handleOf(input, fn, 'input');
  const ht = handleOf(target, fn, 'target');
  if (r === 'batchmean') {
    const n = input.ndim === 0 ? 1 : input.shape[0]!;
    return tidy(() => Tensor.op('klDiv', hi, ht, 'sum', opts.logTarget ?? false).div(n));
  }
  return Tensor.op('klDiv', hi, ht, reduction(fn, r), opts.logTarget ?? false);
}

export function mseLoss(a: Tensor, b: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkFloat('mseLoss', 'input', a);
  return Tensor.op('mseLoss', handleOf(a, 'mseLoss', 'input'), handleOf(b, 'mseLoss', 'target'), reduction('mseLoss', opts.reduction ?? 'mean'));
}

export function l1Loss(a: Tensor, b: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkFloat('l1Loss', 'input', a);
  return Tensor.op('l1Loss', handleOf(a, 'l1Loss', 'input'), handleOf(b, 'l1Loss', 'target'), reduction('l1Loss', opts.reduction ?? 'mean'));
}

export function smoothL1Loss(a: Tensor, b: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  checkFloat('smoothL1Loss', 'input', a);
  return Tensor.op('smoothL1Loss', handleOf(a, 'smoothL1Loss', 'input'), handleOf(b, 'smoothL1Loss', 'target'),
    reduction('smoothL1Loss', opts.reduction ?? 'mean'), opts.beta ?? 1);
}
