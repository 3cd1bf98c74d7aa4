// Module bookkeeping: names, registration, modes, state dicts and their errors, dtype moves, inits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros, ones, tidy, liveTensorCount, manualSeed, nn, type Tensor } from '../index.js';

class Block extends nn.Module {
  conv = new nn.Conv1d(2, 4, 3, { padding: 1 });
  norm = new nn.BatchNorm1d(4);
  extra: Tensor = zeros([1]); // a plain tensor field is not state (PyTorch needs register_buffer too)
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.conv.forward(x));
  }
}

class Net extends nn.Module {
  stem = new nn.Linear(3, 2);
  blocks = new nn.ModuleList([new Block(), new Block()]);
  heads = new nn.ModuleDict({ rhythm: new nn.Linear(4, 2), form: new nn.Linear(4, 3, { bias: false }) });
  outProj = new nn.Identity();
  declare scaleFactor: Tensor;
  constructor() {
    super();
    this.registerBuffer('scaleFactor', ones([2]));
    this.registerBuffer('scratch', zeros([2]), false);
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

test('names: PyTorch dotted names, snake_case fields, containers by index and key', () => {
  const net = new Net();
  assert.deepEqual([...net.stateDict().keys()], [
    'scale_factor',
    'stem.weight', 'stem.bias',
    'blocks.0.conv.weight', 'blocks.0.conv.bias', 'blocks.0.norm.weight', 'blocks.0.norm.bias',
    'blocks.0.norm.running_mean', 'blocks.0.norm.running_var', 'blocks.0.norm.num_batches_tracked',
    'blocks.1.conv.weight', 'blocks.1.conv.bias', 'blocks.1.norm.weight', 'blocks.1.norm.bias',
    'blocks.1.norm.running_mean', 'blocks.1.norm.running_var', 'blocks.1.norm.num_batches_tracked',
    'heads.rhythm.weight', 'heads.rhythm.bias', 'heads.form.weight',
  ]);
  assert.deepEqual(net.namedBuffers().map(([n]) => n).slice(0, 2), ['scale_factor', 'scratch']); // non-persistent: a buffer, not state
  assert.equal(net.parameters().length, 13);
  assert.deepEqual(net.namedModules().map(([n]) => n), ['', 'stem', 'blocks', 'blocks.0', 'blocks.0.conv', 'blocks.0.norm',
    'blocks.1', 'blocks.1.conv', 'blocks.1.norm', 'heads', 'heads.rhythm', 'heads.form', 'out_proj']);
  assert.equal(net.blocks.at(-1), net.blocks.at(1));
  assert.deepEqual(net.heads.keys(), ['rhythm', 'form']);
  net.dispose();
});

test('shared parameters are listed once; registerParameter checks its argument', () => {
  class Tied extends nn.Module {
    a = new nn.Linear(3, 3);
    b = new nn.Linear(3, 3);
    constructor() {
      super();
      this.b.weight.dispose();
      this.b.registerParameter('weight', this.a.weight);
    }
    forward(x: Tensor): Tensor { return x; }
  }
  const t = new Tied();
  assert.deepEqual(t.namedParameters().map(([n]) => n), ['a.weight', 'a.bias', 'b.bias']);
  assert.equal(t.stateDict().size, 4); // the state dict keeps both names, as PyTorch does
  assert.throws(() => t.registerParameter('w', zeros([1]) as never), /registerParameter: 'w' must be an nn.Parameter/);
  assert.throws(() => t.registerBuffer('a.b', zeros([1])), /registerBuffer: 'name' must be a non-empty string without '.'/);
  t.dispose();
});

test('train/eval reach every sub-module; requiresGrad_ freezes; apply visits children first; call = forward', () => {
  const net = new Net();
  net.blocks.requiresGrad_(false);
  assert.deepEqual(net.parameters().map((p) => p.requiresGrad), [true, true, ...Array(8).fill(false), true, true, true]);
  const order: string[] = [];
  net.heads.apply((m) => order.push(m.constructor.name));
  assert.deepEqual(order, ['Linear', 'Linear', 'ModuleDict']);
  const x = ones([1, 3]);
  const y: Tensor = net.stem.call(x);
  assert.deepEqual(y.shape, [1, 2]);
  x.dispose();
  y.dispose();
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.modules().every((m) => m.training));
  net.dispose();
});

test('loadStateDict: copies values; strict errors name missing, unexpected and mis-shaped keys, and change nothing', () => {
  const a = new Block();
  const b = new Block();
  b.loadStateDict(a.stateDict());
  for (const [n, t] of b.stateDict()) assert.deepEqual(t.toArray(), a.stateDict().get(n)!.toArray(), n);

  const before = b.conv.weight.toArray();
  const bad = new Map(a.stateDict());
  bad.delete('norm.running_var');
  bad.set('norm.extra', zeros([1]));
  bad.set('conv.bias', zeros([5]));
  assert.throws(() => b.loadStateDict(bad), (e: Error) => {
    assert.match(e.message, /loadStateDict \(Block\): 'conv.bias' has shape \[5\] in the state dict, the module expects \[4\]/);
    assert.match(e.message, /missing keys: 'norm.running_var'/);
    assert.match(e.message, /unexpected keys: 'norm.extra'/);
    return true;
  });
  assert.deepEqual(b.conv.weight.toArray(), before);
  bad.get('conv.bias')!.dispose();
  bad.set('conv.bias', a.conv.bias!);
  const r = b.loadStateDict(bad, { strict: false });
  assert.deepEqual(r, { missingKeys: ['norm.running_var'], unexpectedKeys: ['norm.extra'] });
  bad.get('norm.extra')!.dispose();
  a.dispose();
  b.dispose();
});

test('zeroGrad drops gradients; to(float64) converts floats and keeps int64 buffers', () => {
  const blk = new Block();
  tidy(() => blk.forward(ones([2, 2, 5])).sum().backward());
  assert.ok(blk.conv.weight.grad !== null);
  blk.zeroGrad();
  assert.equal(blk.conv.weight.grad, null);
  const live = liveTensorCount();
  blk.to('float64');
  assert.equal(liveTensorCount(), live, 'old tensors disposed');
  assert.equal(blk.conv.weight.dtype, 'float64');
  assert.ok(blk.conv.weight instanceof nn.Parameter && blk.conv.weight.requiresGrad);
  assert.equal(blk.norm.runningMean!.dtype, 'float64');
  assert.equal(blk.norm.numBatchesTracked!.dtype, 'int64');
  assert.equal(blk.parameters().length, 4);
  blk.dispose();
});

test('BatchNorm counts batches only in training', () => {
  const bn = new nn.BatchNorm1d(3);
  const x = ones([4, 3]);
  tidy(() => { bn.forward(x); bn.forward(x); });
  bn.eval();
  tidy(() => { bn.forward(x); });
  assert.equal(Number(bn.numBatchesTracked!.item()), 2);
  x.dispose();
  bn.dispose();
});

test('Dropout in training zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
  manualSeed(1);
  const d = new nn.Dropout(0.25);
  const x = ones([100_000]);
  const y = d.forward(x);
  const v = y.toArray() as Float32Array;
  const zeros = v.filter((e) => e === 0).length / v.length;
  assert.ok(Math.abs(zeros - 0.25) < 0.01, `zero fraction ${zeros}`);
  assert.ok(v.every((e) => e === 0 || Math.abs(e - 1 / 0.75) < 1e-6));
  d.eval();
  const z = d.forward(x);
  assert.deepEqual(z.toArray(), x.toArray());
  for (const t of [x, y, z]) t.dispose();
});

test('pipe and Sequential drop intermediates at once, never the input, the output or a pass-through', () => {
  const x = ones([2, 3]);
  const seen: Tensor[] = [];
  const live = liveTensorCount();
  const y = nn.pipe(x, (t) => { seen.push(t); return t.mul(2); }, (t) => { seen.push(t); return t; }, (t) => { seen.push(t); return t.add(1); });
  assert.equal(liveTensorCount(), live + 1);
  assert.ok(!x.isDisposed && !y.isDisposed && seen[1]!.isDisposed);
  assert.deepEqual(y.tolist(), [[3, 3, 3], [3, 3, 3]]);
  const seq = new nn.Sequential(new nn.Identity(), new nn.Linear(3, 4), new nn.ReLU(), new nn.Identity());
  const z = seq.forward(x);
  assert.equal(liveTensorCount(), live + 2 + 2);  // y, z, Linear's weight and bias
  assert.ok(!x.isDisposed);
  for (const t of [x, y, z]) t.dispose();
  seq.dispose();
});

test("default inits: PyTorch's bounds (kaiming-uniform a=√5, bias 1/√fan_in, xavier for MHA)", () => {
  manualSeed(0);
  const lin = new nn.Linear(400, 300);
  const w = lin.weight.toArray() as Float32Array;
  const bound = 1 / Math.sqrt(400);
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.01 * bound, `weight std ${std}`);
  assert.ok((lin.bias!.toArray() as Float32Array).every((v) => Math.abs(v) <= bound));
  const conv = new nn.Conv1d(8, 16, 5, { groups: 2 }); // fan_in = 8 / 2 · 5
  assert.ok((conv.weight.toArray() as Float32Array).every((v) => Math.abs(v) <= 1 / Math.sqrt(20)));
  const mha = new nn.MultiheadAttention(64, 8);
  const xb = Math.sqrt(6 / (64 + 192));
  assert.ok((mha.inProjWeight.toArray() as Float32Array).every((v) => Math.abs(v) <= xb));
  assert.ok((mha.inProjBias!.toArray() as Float32Array).every((v) => v === 0));
  assert.ok((mha.outProj.bias!.toArray() as Float32Array).every((v) => v === 0));
  for (const m of [lin, conv, mha]) m.dispose();
});

test('constructor and input errors name the layer, argument, expectation and value', () => {
  assert.throws(() => new nn.Conv1d(3, 4, 0), /Conv1d: 'kernelSize' must be an integer >= 1 or 1 of them, got 0/);
  assert.throws(() => new nn.Conv1d(3, 4, 3, { groups: 2 }), /Conv1d: 'groups' \(2\) must divide inChannels \(3\)/);
  assert.throws(() => new nn.GroupNorm(32, 48), /GroupNorm: 'numChannels' \(48\) must be divisible by 'numGroups' \(32\)/);
  assert.throws(() => new nn.MultiheadAttention(10, 3), /'embedDim' \(10\) must be divisible by 'numHeads' \(3\)/);
  assert.throws(() => new nn.Dropout(1.5), /Dropout: 'p' must be in \[0, 1\], got 1.5/);
  assert.throws(() => new nn.Linear(0, 3), /Linear: 'inFeatures' must be a positive integer, got 0/);
  const conv = new nn.Conv1d(12, 4, 3);
  const x = zeros([2, 3, 10]);
  assert.throws(() => conv.forward(x), /Conv1d: input must have 12 channels at dim 1, got shape \[2, 3, 10\]/);
  const bn = new nn.BatchNorm2d(3);
  assert.throws(() => bn.forward(x), /BatchNorm2d: input must be \[N, C, H, W\], got shape \[2, 3, 10\]/);
  assert.throws(() => new nn.Sequential(conv, {} as nn.Module), /Sequential: module 1 must be an nn.Module/);
  assert.throws(() => new nn.ModuleDict().get('x'), /ModuleDict.get: no module 'x'/);
  for (const t of [x]) t.dispose();
  conv.dispose();
  bn.dispose();
});
