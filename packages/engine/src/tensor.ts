// The Tensor class: a counted handle to a native at::Tensor with PyTorch's methods in camelCase.
// Methods call one native op each; autograd happens inside libtorch.
import { call, type Handle } from './native.js';
import { TorchError, fmtShape } from './errors.js';
import { track, untrack, setTensorTest } from './scope.js';
import { isDType, isDevice, type AnyTypedArray, type DType, type Device } from './dtype.js';

export type { DType, Device, TensorOptions, AnyTypedArray } from './dtype.js';

/** A tensor operand or a plain number (broadcast like a Python scalar). */
export type Operand = Tensor | number;
export type NestedArray = number | boolean | NestedArray[];

/** Returns the handle of a live tensor, or throws DISPOSED naming the function and argument. */
export function handleOf(t: Tensor, fn: string, arg: string): Handle {
  if (!(t instanceof Tensor)) {
    throw new TorchError('ARGUMENT', `${fn}: '${arg}' must be a Tensor, got ${describe(t)}`);
  }
  const h = t.rawHandle;
  if (h === null) throw new TorchError('DISPOSED', `${fn}: '${arg}' is a disposed tensor`);
  return h;
}

/** Handle or number for a binary operand. */
export function operand(o: Operand, fn: string, arg: string): Handle | number {
  if (typeof o === 'number') return o;
  return handleOf(o, fn, arg);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}

function normDims(dim: number | number[] | undefined): number[] | undefined {
  return dim === undefined ? undefined : Array.isArray(dim) ? dim : [dim];
}

export class Tensor {
  #h: Handle | null;
  #shape: number[] | undefined;
  #dtype: DType | undefined;
  #grad: Tensor | null = null;     // cached handle of .grad, owned by this tensor
  #gradId = 0;
  readonly #owned: boolean;

  /** Wraps a native handle; `owned` handles (such as `.grad`) are not counted and not tidied. */
  constructor(h: Handle, owned = false) {
    this.#h = h;
    this.#owned = owned;
    if (!owned) track(this);
  }

  /** Wraps the native result of op `name`. */
  static op(name: string, ...args: unknown[]): Tensor {
    return new Tensor(call(name, ...args) as Handle);
  }

  static opList(name: string, ...args: unknown[]): Tensor[] {
    return (call(name, ...args) as Handle[]).map((h) => new Tensor(h));
  }

  /** The native handle, or null once disposed. */
  get rawHandle(): Handle | null {
    return this.#h;
  }

  #hd(fn: string): Handle {
    if (this.#h === null) throw new TorchError('DISPOSED', `${fn}: tensor is disposed`);
    return this.#h;
  }

  // ---- properties ----
  get shape(): number[] {
    this.#shape ??= call('shape', this.#hd('shape')) as number[];
    return this.#shape.slice();
  }
  get dtype(): DType {
    this.#dtype ??= call('dtype', this.#hd('dtype')) as DType;
    return this.#dtype;
  }
  get device(): Device {
    return call('device', this.#hd('device')) as Device;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get isDisposed(): boolean {
    return this.#h === null;
  }
  get requiresGrad(): boolean {
    return call('requiresGrad', this.#hd('requiresGrad')) as boolean;
  }
  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }
  get isLeaf(): boolean {
    return call('isLeaf', this.#hd('isLeaf')) as boolean;
  }

  /**
   * The accumulated gradient, or null. The returned tensor is owned by this one (not counted, not tidied,
   * invalid after `zeroGrad_()` or `dispose()`); `clone()` it to keep it.
   */
  get grad(): Tensor | null {
    const h = this.#hd('grad');
    const id = call('gradId', h) as number;
    if (id === 0) {
      this.#dropGrad();
      return null;
    }
    if (this.#grad !== null && !this.#grad.isDisposed && this.#gradId === id) return this.#grad;
    this.#dropGrad();
    this.#grad = new Tensor(call('gradOf', h) as Handle, true);
    this.#gradId = id;
    return this.#grad;
  }
  set grad(g: Tensor | null) {
    this.#dropGrad();
    call('setGrad', this.#hd('grad'), g === null ? undefined : handleOf(g, 'grad', 'value'));
  }

  #dropGrad(): void {
    if (this.#grad !== null && !this.#grad.isDisposed) this.#grad.dispose();
    this.#grad = null;
    this.#gradId = 0;
  }

  // ---- memory ----
  /** Releases this handle's reference to the native tensor (views and graphs may keep the memory alive). */
  dispose(): void {
    if (this.#h === null) return;
    this.#dropGrad();
    call('dispose', this.#h);
    this.#h = null;
    if (!this.#owned) untrack();
  }

  /** `using x = ...` (explicit resource management) disposes the tensor when its block ends. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- read back ----
  /** A fresh typed array with the elements in row-major order (bool as 0/1 bytes, int64 as BigInt64Array). */
  toArray(): AnyTypedArray {
    return call('toArray', this.#hd('toArray')) as AnyTypedArray;
  }
  dataSync(): AnyTypedArray {
    return this.toArray();
  }
  item(): number {
    return call('item', this.#hd('item')) as number;
  }
  tolist(): NestedArray {
    const data = this.toArray();
    const isBool = this.dtype === 'bool';
    const at = (i: number): number | boolean => (isBool ? data[i] !== 0 : Number(data[i]));
    const shape = this.shape;
    let pos = 0;
    const build = (d: number): NestedArray => {
      if (d === shape.length) return at(pos++);
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[d]!; i++) out.push(build(d + 1));
      return out;
    };
    return build(0);
  }
  toString(): string {
    return this.isDisposed ? 'Tensor(disposed)' : `Tensor(${fmtShape(this.shape)}, ${this.dtype})`;
  }

  // ---- views and indexing ----
  reshape(shape: number[]): Tensor { return Tensor.op('reshape', this.#hd('reshape'), shape); }
  view(shape: number[]): Tensor { return Tensor.op('view', this.#hd('view'), shape); }
  flatten(start = 0, end = -1): Tensor { return Tensor.op('flatten', this.#hd('flatten'), start, end); }
  permute(...dims: number[]): Tensor { return Tensor.op('permute', this.#hd('permute'), dims); }
  transpose(d0: number, d1: number): Tensor { return Tensor.op('transpose', this.#hd('transpose'), d0, d1); }
  t(): Tensor { return Tensor.op('t', this.#hd('t')); }
  squeeze(dim?: number): Tensor { return Tensor.op('squeeze', this.#hd('squeeze'), dim); }
  unsqueeze(dim: number): Tensor { return Tensor.op('unsqueeze', this.#hd('unsqueeze'), dim); }
  expand(shape: number[]): Tensor { return Tensor.op('expand', this.#hd('expand'), shape); }
  repeat(sizes: number[]): Tensor { return Tensor.op('repeat', this.#hd('repeat'), sizes); }
  flip(dims: number[]): Tensor { return Tensor.op('flip', this.#hd('flip'), dims); }
  roll(shifts: number | number[], dims: number | number[]): Tensor {
    return Tensor.op('roll', this.#hd('roll'), shifts, dims);
  }
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return Tensor.op('slice', this.#hd('slice'), dim, start, end, step);
  }
  select(dim: number, index: number): Tensor { return Tensor.op('select', this.#hd('select'), dim, index); }
  narrow(dim: number, start: number, length: number): Tensor {
    return Tensor.op('narrow', this.#hd('narrow'), dim, start, length);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return Tensor.op('indexSelect', this.#hd('indexSelect'), dim, handleOf(index, 'indexSelect', 'index'));
  }
  gather(dim: number, index: Tensor): Tensor {
    return Tensor.op('gather', this.#hd('gather'), dim, handleOf(index, 'gather', 'index'));
  }
  scatter(dim: number, index: Tensor, src: Tensor): Tensor {
    return Tensor.op('scatter', this.#hd('scatter'), dim, handleOf(index, 'scatter', 'index'), handleOf(src, 'scatter', 'src'));
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return Tensor.op('maskedFill', this.#hd('maskedFill'), handleOf(mask, 'maskedFill', 'mask'), value);
  }
  maskedSelect(mask: Tensor): Tensor {
    return Tensor.op('maskedSelect', this.#hd('maskedSelect'), handleOf(mask, 'maskedSelect', 'mask'));
  }
  contiguous(): Tensor { return Tensor.op('contiguous', this.#hd('contiguous')); }
  chunk(n: number, dim = 0): Tensor[] { return Tensor.opList('chunk', this.#hd('chunk'), n, dim); }
  split(size: number | number[], dim = 0): Tensor[] {
    return Array.isArray(size)
      ? Tensor.opList('splitWithSizes', this.#hd('split'), size, dim)
      : Tensor.opList('split', this.#hd('split'), size, dim);
  }
  tril(diagonal = 0): Tensor { return Tensor.op('tril', this.#hd('tril'), diagonal); }
  triu(diagonal = 0): Tensor { return Tensor.op('triu', this.#hd('triu'), diagonal); }
  /** `torch.where(cond, this, other)`. */
  where(cond: Tensor, other: Operand): Tensor {
    return Tensor.op('where', handleOf(cond, 'where', 'cond'), this.#hd('where'), operand(other, 'where', 'other'));
  }

  // ---- elementwise ----
  #bin(name: string, o: Operand): Tensor { return Tensor.op(name, this.#hd(name), operand(o, name, 'other')); }
  add(o: Operand): Tensor { return this.#bin('add', o); }
  sub(o: Operand): Tensor { return this.#bin('sub', o); }
  mul(o: Operand): Tensor { return this.#bin('mul', o); }
  div(o: Operand): Tensor { return this.#bin('div', o); }
  pow(o: Operand): Tensor { return this.#bin('pow', o); }
  remainder(o: Operand): Tensor { return this.#bin('remainder', o); }
  maximum(o: Operand): Tensor { return this.#bin('maximum', o); }
  minimum(o: Operand): Tensor { return this.#bin('minimum', o); }
  eq(o: Operand): Tensor { return this.#bin('eq', o); }
  ne(o: Operand): Tensor { return this.#bin('ne', o); }
  lt(o: Operand): Tensor { return this.#bin('lt', o); }
  le(o: Operand): Tensor { return this.#bin('le', o); }
  gt(o: Operand): Tensor { return this.#bin('gt', o); }
  ge(o: Operand): Tensor { return this.#bin('ge', o); }
  logicalAnd(o: Operand): Tensor { return this.#bin('logicalAnd', o); }
  logicalOr(o: Operand): Tensor { return this.#bin('logicalOr', o); }
  #un(name: string): Tensor { return Tensor.op(name, this.#hd(name)); }
  neg(): Tensor { return this.#un('neg'); }
  abs(): Tensor { return this.#un('abs'); }
  exp(): Tensor { return this.#un('exp'); }
  expm1(): Tensor { return this.#un('expm1'); }
  log(): Tensor { return this.#un('log'); }
  log1p(): Tensor { return this.#un('log1p'); }
  sqrt(): Tensor { return this.#un('sqrt'); }
  rsqrt(): Tensor { return this.#un('rsqrt'); }
  sin(): Tensor { return this.#un('sin'); }
  cos(): Tensor { return this.#un('cos'); }
  sign(): Tensor { return this.#un('sign'); }
  square(): Tensor { return this.#un('square'); }
  reciprocal(): Tensor { return this.#un('reciprocal'); }
  floor(): Tensor { return this.#un('floor'); }
  ceil(): Tensor { return this.#un('ceil'); }
  round(): Tensor { return this.#un('round'); }
  logicalNot(): Tensor { return this.#un('logicalNot'); }
  isnan(): Tensor { return this.#un('isnan'); }
  isfinite(): Tensor { return this.#un('isfinite'); }
  clamp(min?: number, max?: number): Tensor { return Tensor.op('clamp', this.#hd('clamp'), min, max); }
  relu(): Tensor { return this.#un('relu'); }
  sigmoid(): Tensor { return this.#un('sigmoid'); }
  tanh(): Tensor { return this.#un('tanh'); }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor { return Tensor.op('gelu', this.#hd('gelu'), approximate); }
  leakyRelu(slope = 0.01): Tensor { return Tensor.op('leakyRelu', this.#hd('leakyRelu'), slope); }
  softmax(dim: number): Tensor { return Tensor.op('softmax', this.#hd('softmax'), dim); }
  logSoftmax(dim: number): Tensor { return Tensor.op('logSoftmax', this.#hd('logSoftmax'), dim); }

  // ---- reductions ----
  sum(dim?: number | number[], keepdim = false): Tensor { return Tensor.op('sum', this.#hd('sum'), normDims(dim), keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return Tensor.op('mean', this.#hd('mean'), normDims(dim), keepdim); }
  std(dim?: number | number[], unbiased = true, keepdim = false): Tensor {
    return Tensor.op('std', this.#hd('std'), normDims(dim), unbiased, keepdim);
  }
  var(dim?: number | number[], unbiased = true, keepdim = false): Tensor {
    return Tensor.op('var', this.#hd('var'), normDims(dim), unbiased, keepdim);
  }
  /** Maximum values (over all elements, or along `dim`). */
  max(dim?: number | number[], keepdim = false): Tensor { return Tensor.op('amax', this.#hd('max'), normDims(dim), keepdim); }
  min(dim?: number | number[], keepdim = false): Tensor { return Tensor.op('amin', this.#hd('min'), normDims(dim), keepdim); }
  maxWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = Tensor.opList('maxDim', this.#hd('maxWithIndices'), dim, keepdim) as [Tensor, Tensor];
    return { values, indices };
  }
  minWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = Tensor.opList('minDim', this.#hd('minWithIndices'), dim, keepdim) as [Tensor, Tensor];
    return { values, indices };
  }
  argmax(dim?: number, keepdim = false): Tensor { return Tensor.op('argmax', this.#hd('argmax'), dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return Tensor.op('argmin', this.#hd('argmin'), dim, keepdim); }
  norm(p = 2, dim?: number | number[], keepdim = false): Tensor {
    return Tensor.op('norm', this.#hd('norm'), p, normDims(dim), keepdim);
  }
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return Tensor.op('logsumexp', this.#hd('logsumexp'), normDims(dim), keepdim);
  }
  prod(dim?: number, keepdim = false): Tensor { return Tensor.op('prod', this.#hd('prod'), dim, keepdim); }
  cumsum(dim: number): Tensor { return Tensor.op('cumsum', this.#hd('cumsum'), dim); }
  all(): Tensor { return this.#un('all'); }
  any(): Tensor { return this.#un('any'); }
  /** True if same shape and elements. */
  equal(o: Tensor): boolean { return call('equal', this.#hd('equal'), handleOf(o, 'equal', 'other')) as boolean; }
  allclose(o: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
    return call('allclose', this.#hd('allclose'), handleOf(o, 'allclose', 'other'), rtol, atol) as boolean;
  }

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor { return Tensor.op('matmul', this.#hd('matmul'), handleOf(o, 'matmul', 'other')); }
  mm(o: Tensor): Tensor { return Tensor.op('mm', this.#hd('mm'), handleOf(o, 'mm', 'other')); }
  bmm(o: Tensor): Tensor { return Tensor.op('bmm', this.#hd('bmm'), handleOf(o, 'bmm', 'other')); }
  dot(o: Tensor): Tensor { return Tensor.op('dot', this.#hd('dot'), handleOf(o, 'dot', 'other')); }
  outer(o: Tensor): Tensor { return Tensor.op('outer', this.#hd('outer'), handleOf(o, 'outer', 'other')); }

  // ---- conversion ----
  to(target: DType | Device | { dtype?: DType; device?: Device }): Tensor {
    const h = this.#hd('to');
    if (isDType(target)) return Tensor.op('to', h, target, undefined);
    if (isDevice(target)) return Tensor.op('to', h, undefined, target);
    if (typeof target === 'object' && target !== null) {
      if (target.dtype !== undefined && !isDType(target.dtype)) {
        throw new TorchError('DTYPE', `to: 'dtype' must be a dtype name, got ${String(target.dtype)}`);
      }
      if (target.device !== undefined && !isDevice(target.device)) {
        throw new TorchError('ARGUMENT', `to: 'device' must be 'cpu', 'cuda' or 'cuda:N', got ${String(target.device)}`);
      }
      return Tensor.op('to', h, target.dtype, target.device);
    }
    throw new TorchError('ARGUMENT', `to: 'target' must be a dtype, a device or {dtype, device}, got ${String(target)}`);
  }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  clone(): Tensor { return this.#un('clone'); }
  detach(): Tensor { return this.#un('detach'); }

  // ---- autograd ----
  requiresGrad_(flag = true): this {
    call('requiresGrad_', this.#hd('requiresGrad_'), flag);
    return this;
  }
  retainGrad(): this {
    call('retainGrad', this.#hd('retainGrad'));
    return this;
  }
  /** Accumulates d(this)/d(leaf) into each leaf's `.grad`. `gradient` is needed for non-scalar outputs. */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    const g = gradient === undefined ? undefined : handleOf(gradient, 'backward', 'gradient');
    call('backward', this.#hd('backward'), g, opts.retainGraph, opts.createGraph ?? false);
  }
  /** Sets `.grad` to null (PyTorch's `set_to_none`), freeing its memory. */
  zeroGrad_(): void {
    this.grad = null;
  }

  // ---- in-place updates (for optimizers/initialisers: call under noGrad on leaves) ----
  add_(o: Operand, alpha?: number): this { call('add_', this.#hd('add_'), operand(o, 'add_', 'other'), alpha); return this; }
  sub_(o: Operand, alpha?: number): this { call('sub_', this.#hd('sub_'), operand(o, 'sub_', 'other'), alpha); return this; }
  mul_(o: Operand): this { call('mul_', this.#hd('mul_'), operand(o, 'mul_', 'other')); return this; }
  div_(o: Operand): this { call('div_', this.#hd('div_'), operand(o, 'div_', 'other')); return this; }
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    call('addcmul_', this.#hd('addcmul_'), handleOf(t1, 'addcmul_', 'tensor1'), handleOf(t2, 'addcmul_', 'tensor2'), value);
    return this;
  }
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    call('addcdiv_', this.#hd('addcdiv_'), handleOf(t1, 'addcdiv_', 'tensor1'), handleOf(t2, 'addcdiv_', 'tensor2'), value);
    return this;
  }
  lerp_(end: Tensor, weight: number): this {
    call('lerp_', this.#hd('lerp_'), handleOf(end, 'lerp_', 'end'), weight);
    return this;
  }
  maximum_(o: Tensor): this { call('maximum_', this.#hd('maximum_'), handleOf(o, 'maximum_', 'other')); return this; }
  copy_(src: Tensor): this { call('copy_', this.#hd('copy_'), handleOf(src, 'copy_', 'src')); return this; }
  zero_(): this { call('zero_', this.#hd('zero_')); return this; }
  fill_(value: number): this { call('fill_', this.#hd('fill_'), value); return this; }
  clamp_(min?: number, max?: number): this { call('clamp_', this.#hd('clamp_'), min, max); return this; }
  uniform_(low = 0, high = 1): this { call('uniform_', this.#hd('uniform_'), low, high); return this; }
  normal_(mean = 0, std = 1): this { call('normal_', this.#hd('normal_'), mean, std); return this; }
}

setTensorTest((x) => x instanceof Tensor);
