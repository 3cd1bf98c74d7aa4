// Linear maps, convolutions and pooling. Inputs are batched: [N, C, L] for 1-D, [N, C, H, W] for 2-D
// (unbatched inputs are rejected rather than guessed at, so a missing batch dim is reported, not misread).
import { Tensor, handleOf } from '../tensor.js';
import { TorchError, fmtShape } from '../errors.js';
import { checkDims, checkFloat, checkInt, checkIntList, checkOptionalTensor } from '../checks.js';

/** y = x Wᵀ + b, x: [..., in], W: [out, in]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkFloat('linear', 'input', x);
  checkDims('linear', 'weight', weight, 2, '[out, in]');
  checkOptionalTensor('linear', 'bias', bias);
  const inF = weight.shape[1]!;
  const xs = x.shape;
  if (xs.length === 0 || xs[xs.length - 1] !== inF) {
    throw new TorchError('SHAPE', `linear: 'input' must end with ${inF} features to match 'weight' ${fmtShape(weight.shape)}, got ${fmtShape(xs)}`);
  }
  return Tensor.op('linear', handleOf(x, 'linear', 'input'), handleOf(weight, 'linear', 'weight'),
    bias ? handleOf(bias, 'linear', 'bias') : undefined);
}

export interface ConvOptions {
  stride?: number | number[];
  padding?: number | number[] | 'same' | 'valid';
  dilation?: number | number[];
  groups?: number;
}

function conv(fn: 'conv1d' | 'conv2d', d: number, x: Tensor, w: Tensor, b: Tensor | null | undefined, o: ConvOptions): Tensor {
  const layout = d === 1 ? '[N, C, L]' : '[N, C, H, W]';
  checkDims(fn, 'input', x, d + 2, layout);
  checkDims(fn, 'weight', w, d + 2, d === 1 ? '[out, in/groups, k]' : '[out, in/groups, kH, kW]');
  checkFloat(fn, 'input', x);
  checkOptionalTensor(fn, 'bias', b);
  const groups = checkInt(fn, 'groups', o.groups ?? 1, 1);
  const cin = x.shape[1]!;
  if (cin !== w.shape[1]! * groups) {
    throw new TorchError('SHAPE', `${fn}: 'input' has ${cin} channels but 'weight' ${fmtShape(w.shape)} with groups=${groups} ` +
      `expects ${w.shape[1]! * groups}`);
  }
  const stride = checkIntList(fn, 'stride', o.stride ?? 1, d, 1);
  const dilation = checkIntList(fn, 'dilation', o.dilation ?? 1, d, 1);
  const p = o.padding ?? 0;
  const padding = p === 'same' || p === 'valid' ? p : checkIntList(fn, 'padding', p, d, 0);
  return Tensor.op(fn, handleOf(x, fn, 'input'), handleOf(w, fn, 'weight'), b ? handleOf(b, fn, 'bias') : undefined,
    stride, padding, dilation, groups);
}

/** @example F.conv1d(x, w, b, { stride: 2, padding: 3 }) // x: [N, C, L], w: [out, C, k] */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return conv('conv1d', 1, x, weight, bias, opts);
}
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return conv('conv2d', 2, x, weight, bias, opts);
}

export interface MaxPoolOptions {
  kernelSize: number | number[];
  stride?: number | number[];   // default: kernelSize
  padding?: number | number[];
  dilation?: number | number[];
  ceilMode?: boolean;
}
export interface AvgPoolOptions {
  kernelSize: number | number[];
  stride?: number | number[];
  padding?: number | number[];
  ceilMode?: boolean;
  countIncludePad?: boolean;     // default true, as PyTorch
}

function poolArgs(fn: string, d: number, x: Tensor, o: { kernelSize: number | number[]; stride?: number | number[]; padding?: number | number[] }) {
  checkDims(fn, 'input', x, d + 2, d === 1 ? '[N, C, L]' : '[N, C, H, W]');
  if (o === undefined || o.kernelSize === undefined) throw new TorchError('ARGUMENT', `${fn}: 'kernelSize' is required`);
  const kernel = checkIntList(fn, 'kernelSize', o.kernelSize, d, 1);
  const stride = checkIntList(fn, 'stride', o.stride ?? kernel, d, 1);
  const padding = checkIntList(fn, 'padding', o.padding ?? 0, d, 0);
  return { kernel, stride, padding };
}

function maxPool(fn: string, d: number, x: Tensor, o: MaxPoolOptions): Tensor {
  const { kernel, stride, padding } = poolArgs(fn, d, x, o);
  const dilation = checkIntList(fn, 'dilation', o.dilation ?? 1, d, 1);
  return Tensor.op(fn, handleOf(x, fn, 'input'), kernel, stride, padding, dilation, o.ceilMode ?? false);
}
function avgPool(fn: string, d: number, x: Tensor, o: AvgPoolOptions): Tensor {
  const { kernel, stride, padding } = poolArgs(fn, d, x, o);
  return Tensor.op(fn, handleOf(x, fn, 'input'), kernel, stride, padding, o.ceilMode ?? false, o.countIncludePad ?? true);
}
export function maxPool1d(x: Tensor, opts: MaxPoolOptions): Tensor { return maxPool('maxPool1d', 1, x, opts); }
export function maxPool2d(x: Tensor, opts: MaxPoolOptions): Tensor { return maxPool('maxPool2d', 2, x, opts); }
export function avgPool1d(x: Tensor, opts: AvgPoolOptions): Tensor { return avgPool('avgPool1d', 1, x, opts); }
export function avgPool2d(x: Tensor, opts: AvgPoolOptions): Tensor { return avgPool('avgPool2d', 2, x, opts); }

function adaptive(fn: string, d: number, x: Tensor, size: number | number[]): Tensor {
  checkDims(fn, 'input', x, d + 2, d === 1 ? '[N, C, L]' : '[N, C, H, W]');
  return Tensor.op(fn, handleOf(x, fn, 'input'), checkIntList(fn, 'outputSize', size, d, 1));
}
/** [N, C, L] → [N, C, size]. */
export function adaptiveAvgPool1d(x: Tensor, size: number): Tensor { return adaptive('adaptiveAvgPool1d', 1, x, size); }
export function adaptiveMaxPool1d(x: Tensor, size: number): Tensor { return adaptive('adaptiveMaxPool1d', 1, x, size); }
export function adaptiveAvgPool2d(x: Tensor, size: number | number[]): Tensor { return adaptive('adaptiveAvgPool2d', 2, x, size); }
export function adaptiveMaxPool2d(x: Tensor, size: number | number[]): Tensor { return adaptive('adaptiveMaxPool2d', 2, x, size); }
