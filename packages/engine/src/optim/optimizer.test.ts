// Optimizer bookkeeping: param groups, argument errors, state dict checks, clipGradNorm edge cases.
// (Update formulas are checked against torch.optim in nn/cnn.fixture.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy, liveTensorCount, nn, optim } from '../index.js';

const param = (values: number[]) => new nn.Parameter(tensor(values, { dtype: 'float64' }));

test('param groups keep their own lr; defaults fill the rest', () => {
  const a = param([1, 2]);
  const b = param([3]);
  const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  assert.deepEqual(opt.paramGroups.map((g) => [g.lr, g.momentum]), [[0.1, 0.9], [0.5, 0.9]]);
  tidy(() => a.mul(a).sum().add(b.mul(b).sum()).backward()); // grads 2a, 2b
  opt.step();
  assert.deepEqual(a.tolist(), [1 - 0.1 * 2, 2 - 0.1 * 4]);
  assert.deepEqual(b.tolist(), [3 - 0.5 * 6]);
  opt.zeroGrad();
  assert.equal(a.grad, null);
  opt.step(); // no gradients: nothing moves
  assert.deepEqual(b.tolist(), [0]);
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('argument errors name the optimizer, group and value', () => {
  const p = param([1]);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /SGD: 'params' must be a non-empty array/);
  assert.throws(() => new optim.SGD([p], { lr: -1 }), /SGD: param group 0: 'lr' must be a number in \[0, Infinity\], got -1/);
  assert.throws(() => new optim.SGD([p], { lr: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0 and dampening 0/);
  assert.throws(() => new optim.Adam([p], { betas: [0.9, 1] }), /Adam: param group 0: 'betas\[1\]' must be a number in \[0, /);
  assert.throws(() => new optim.Adam([p, p]), /a parameter appears in more than one place/);
  const frozen = tensor([1]);
  assert.throws(() => new optim.AdamW([frozen]), /AdamW: param group 0, params\[0\] does not require grad/);
  frozen.dispose();
  p.dispose();
});

test('loadStateDict checks group and parameter counts and shapes before changing anything', () => {
  const p = param([1, 2]);
  const opt = new optim.Adam([p], { lr: 0.1 });
  tidy(() => p.sum().backward());
  opt.step();
  const q = param([1, 2, 3]);
  const other = new optim.Adam([q]);
  assert.throws(() => other.loadStateDict(opt.stateDict()), /state 'expAvg' of parameter 0 has shape \[2\], the parameter is \[3\]/);
  const two = new optim.Adam([{ params: [q] }, { params: [param([0])] }]);
  assert.throws(() => two.loadStateDict(opt.stateDict()), /state has 1 param groups, the optimizer has 2/);
  for (const o of [opt, other, two]) o.dispose();
  for (const g of two.paramGroups) for (const t of g.params) if (!t.isDisposed) t.dispose();
  p.dispose();
});

test('optimizer steps allocate state once and leak nothing', () => {
  const p = param([1, -2, 3]);
  const opt = new optim.AdamW([p], { lr: 0.1, amsgrad: true });
  tidy(() => p.mul(p).sum().backward());
  const live = liveTensorCount();
  opt.step();
  assert.equal(liveTensorCount(), live + 3, 'expAvg, expAvgSq, maxExpAvgSq');
  opt.step();
  assert.equal(liveTensorCount(), live + 3);
  opt.dispose();
  assert.equal(liveTensorCount(), live);
  p.dispose();
});

test('clipGradNorm: returns the total norm, scales only when above maxNorm, inf norm', () => {
  const a = param([3, 0]);
  const b = param([4]);
  tidy(() => a.mul(a).sum().div(2).add(b.mul(b).sum().div(2)).backward()); // grads = a, b
  assert.equal(optim.clipGradNorm([a, b], 10), 5);
  assert.deepEqual([...a.grad!.toArray()], [3, 0]); // coefficient clamped to 1
  const n = optim.clipGradNorm([a, b], 1);
  assert.equal(n, 5);
  const ga = a.grad!.toArray() as Float64Array;
  assert.ok(Math.abs(ga[0]! - 3 / (5 + 1e-6)) < 1e-15);
  assert.ok(Math.abs(optim.clipGradNorm([a, b], 1, Infinity) - 4 / (5 + 1e-6)) < 1e-12);
  const c = param([1]);
  assert.equal(optim.clipGradNorm([c], 1), 0); // no gradients
  c.dispose();
  assert.throws(() => optim.clipGradNorm([a], -1), /clipGradNorm: 'maxNorm' must be a number >= 0, got -1/);
  a.dispose();
  b.dispose();
});
