// Gradients of every differentiable op the core exposes, checked against central finite differences in
// float64 (testing/gradcheck.ts), plus second-order checks through grad(..., { createGraph: true }).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, randn, rand, tensor, fromArray, cat, stack, where, grad, F, manualSeed, tidy, liveTensorCount, setNumThreads } from './index.js';
import { gradcheck, gradgradcheck } from './testing/gradcheck.js';

// Tiny ops on a shared 2-core machine: an OpenMP team of 2 waits on descheduled threads when other processes
// load the cores (measured 27 ms vs 1.6 ms per training step at load 11), so these tests use one thread.
setNumThreads(1);

const f64 = { dtype: 'float64' as const, requiresGrad: true };
const x = (...shape: number[]) => randn(shape, f64);
const positive = (...shape: number[]) => rand(shape, { dtype: 'float64' }).add(0.5).requiresGrad_();
const idx = (values: number[], shape = [values.length]) => fromArray(BigInt64Array.from(values, BigInt), shape);

// [name, fn, inputs]; inputs are built lazily after seeding.
type Case = [string, (...xs: Tensor[]) => Tensor, () => Tensor[]];
const cases: Case[] = [
  // elementwise (binary ops broadcast [3, 4] with [4])
  ['add', (a, b) => a!.add(b!), () => [x(3, 4), x(4)]],
  ['sub', (a, b) => a!.sub(b!), () => [x(3, 4), x(3, 4)]],
  ['mul', (a, b) => a!.mul(b!), () => [x(3, 4), x(4)]],
  ['div', (a, b) => a!.div(b!), () => [x(3, 4), positive(3, 4)]],
  ['pow', (a, b) => a!.pow(b!), () => [positive(3, 4), x(3, 4)]],
  ['pow scalar', (a) => a!.pow(3), () => [x(3, 4)]],
  ['maximum/minimum', (a, b) => a!.maximum(b!).add(a!.minimum(b!).mul(2)), () => [x(3, 4), x(3, 4)]],
  ['where', (a, b) => where(a!.gt(0), a!, b!), () => [x(3, 4), x(3, 4)]],
  ['neg/abs/sign', (a) => a!.neg().add(a!.abs()).add(a!.sign()), () => [x(3, 4)]],
  ['exp', (a) => a!.exp(), () => [x(3, 4)]],
  ['expm1', (a) => a!.expm1(), () => [x(3, 4)]],
  ['log', (a) => a!.log(), () => [positive(3, 4)]],
  ['log1p', (a) => a!.log1p(), () => [positive(3, 4)]],
  ['sqrt', (a) => a!.sqrt(), () => [positive(3, 4)]],
  ['rsqrt', (a) => a!.rsqrt(), () => [positive(3, 4)]],
  ['sin/cos', (a) => a!.sin().mul(a!.cos()), () => [x(3, 4)]],
  ['square/reciprocal', (a) => a!.square().add(a!.reciprocal()), () => [positive(3, 4)]],
  ['clamp', (a) => a!.clamp(-0.5, 0.5), () => [x(3, 4)]],
  // activations
  ['relu', (a) => F.relu(a!), () => [x(3, 4)]],
  ['leakyRelu', (a) => F.leakyRelu(a!, 0.2), () => [x(3, 4)]],
  ['gelu', (a) => F.gelu(a!), () => [x(3, 4)]],
  ['gelu tanh', (a) => F.gelu(a!, 'tanh'), () => [x(3, 4)]],
  ['sigmoid', (a) => F.sigmoid(a!), () => [x(3, 4)]],
  ['tanh', (a) => F.tanh(a!), () => [x(3, 4)]],
  ['silu/softplus/elu/logSigmoid', (a) => F.silu(a!).add(F.softplus(a!)).add(F.elu(a!)).add(F.logSigmoid(a!)), () => [x(3, 4)]],
  ['softmax', (a) => F.softmax(a!, 1), () => [x(3, 4)]],
  ['logSoftmax', (a) => F.logSoftmax(a!, 0), () => [x(3, 4)]],
  // reductions
  ['sum', (a) => a!.sum([0, 2], true), () => [x(2, 3, 4)]],
  ['mean', (a) => a!.mean(1), () => [x(2, 3, 4)]],
  ['std', (a) => a!.std(2), () => [x(2, 3, 4)]],
  ['var', (a) => a!.var([1, 2], false), () => [x(2, 3, 4)]],
  ['max/min', (a) => a!.max(1).add(a!.min(1)), () => [x(2, 3, 4)]],
  ['maxWithIndices', (a) => a!.maxWithIndices(2).values, () => [x(2, 3, 4)]],
  ['norm', (a) => a!.norm(2, 1), () => [x(3, 4)]],
  ['logsumexp', (a) => a!.logsumexp(1), () => [x(3, 4)]],
  ['prod/cumsum', (a) => a!.prod(1).sum().add(a!.cumsum(0).sum()), () => [x(3, 4)]],
  // linear algebra
  ['matmul', (a, b) => a!.matmul(b!), () => [x(2, 3, 4), x(4, 2)]],
  ['mm', (a, b) => a!.mm(b!), () => [x(3, 4), x(4, 2)]],
  ['bmm', (a, b) => a!.bmm(b!), () => [x(2, 3, 4), x(2, 4, 2)]],
  ['dot/outer', (a, b) => a!.outer(b!).sum().add(a!.dot(b!)), () => [x(4), x(4)]],
  ['linear', (a, w, b) => F.linear(a!, w!, b), () => [x(2, 4), x(3, 4), x(3)]],
  // views and indexing
  ['reshape/view/flatten', (a) => a!.reshape([4, 6]).view([2, 12]).flatten().mul(tensor([...Array(24).keys()], { dtype: 'float64' })), () => [x(2, 3, 4)]],
  ['permute/transpose/t', (a) => a!.permute(2, 0, 1).transpose(0, 2).contiguous().flatten(0, 1).t(), () => [x(2, 3, 4)]],
  ['squeeze/unsqueeze/expand/repeat', (a) => a!.unsqueeze(0).expand([3, 4]).repeat([2, 1]).squeeze(), () => [x(4)]],
  ['slice/narrow/select', (a) => a!.slice(2, 1, 4, 2).add(a!.narrow(2, 0, 2)).add(a!.select(2, 1).unsqueeze(2)), () => [x(2, 3, 4)]],
  ['indexSelect/gather', (a) => a!.indexSelect(1, idx([2, 0, 2])).gather(1, idx([0, 1, 2, 2, 1, 0], [2, 3, 1]).expand([2, 3, 4])), () => [x(2, 3, 4)]],
  ['cat/stack', (a, b) => stack([cat([a!, b!], 1), cat([b!, a!], 1)], 0), () => [x(2, 3), x(2, 3)]],
  ['chunk/split', (a) => { const [p, q] = a!.chunk(2, 1) as [Tensor, Tensor]; const [r, s] = a!.split([1, 3], 1) as [Tensor, Tensor]; return p.mul(q).sum().add(r.sum()).add(s.square().sum()); }, () => [x(3, 4)]],
  ['maskedFill/tril/flip/roll', (a) => a!.maskedFill(a!.gt(0.5), 0).tril().flip([0]).roll(1, 1), () => [x(4, 4)]],
  ['pad constant/reflect/replicate/circular', (a) => cat([F.pad(a!, [2, 1], 'constant', 0.5), F.pad(a!, [2, 1], 'reflect'), F.pad(a!, [2, 1], 'replicate'), F.pad(a!, [2, 1], 'circular')], 2), () => [x(2, 2, 5)]],
  // convolution and pooling
  ['conv1d stride/padding/dilation/groups', (a, w, b) => F.conv1d(a!, w!, b, { stride: 2, padding: 2, dilation: 2, groups: 2 }), () => [x(2, 4, 9), x(6, 2, 3), x(6)]],
  ['conv1d same', (a, w) => F.conv1d(a!, w!, null, { padding: 'same' }), () => [x(1, 2, 7), x(3, 2, 4)]],
  ['conv2d', (a, w, b) => F.conv2d(a!, w!, b, { stride: [2, 1], padding: 1 }), () => [x(1, 2, 5, 4), x(3, 2, 3, 2), x(3)]],
  ['maxPool1d', (a) => F.maxPool1d(a!, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }), () => [x(2, 2, 9)]],
  ['maxPool2d', (a) => F.maxPool2d(a!, { kernelSize: 2, dilation: 1 }), () => [x(1, 2, 4, 4)]],
  ['avgPool1d', (a) => F.avgPool1d(a!, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }), () => [x(2, 2, 9)]],
  ['avgPool2d', (a) => F.avgPool2d(a!, { kernelSize: 2 }), () => [x(1, 2, 4, 4)]],
  ['adaptive pools', (a) => F.adaptiveAvgPool1d(a!, 4).add(F.adaptiveMaxPool1d(a!, 4)), () => [x(2, 2, 9)]],
  ['adaptive pools 2d', (a) => F.adaptiveAvgPool2d(a!, [2, 3]).add(F.adaptiveMaxPool2d(a!, [2, 3])), () => [x(1, 2, 5, 5)]],
  // normalisation
  ['batchNorm training', (a, w, b) => F.batchNorm(a!, null, null, w, b, true, 0.1, 1e-5), () => [x(4, 3, 5), x(3), x(3)]],
  ['batchNorm eval', (a, w, b, rm, rv) => F.batchNorm(a!, rm, rv, w, b, false, 0.1, 1e-5), () => [x(4, 3, 5), x(3), x(3), randn([3], { dtype: 'float64' }), positive(3).detach()]],
  ['groupNorm', (a, w, b) => F.groupNorm(a!, 2, w, b, 1e-5), () => [x(2, 4, 5), x(4), x(4)]],
  ['layerNorm', (a, w, b) => F.layerNorm(a!, [5], w, b, 1e-5), () => [x(2, 4, 5), x(5), x(5)]],
  ['dropout (reseeded)', (a) => { manualSeed(3); return F.dropout(a!, 0.4, true); }, () => [x(3, 4)]],
  // losses
  // Class weights and posWeight are constants in libtorch (not differentiable), so they are not checked inputs.
  ['crossEntropy weight + smoothing', (l, w) => F.crossEntropy(l!, idx([0, 3, 1, 2, 2]), { weight: w!, labelSmoothing: 0.1 }), () => [x(5, 4), positive(4).detach()]],
  ['crossEntropy probabilities', (l, p) => F.crossEntropy(l!, F.softmax(p!, 1), { reduction: 'sum' }), () => [x(5, 4), x(5, 4)]],
  ['crossEntropy none + ignoreIndex', (l) => F.crossEntropy(l!, idx([0, -100, 1, 2, 2]), { reduction: 'none' }), () => [x(5, 4)]],
  ['nllLoss', (l) => F.nllLoss(F.logSoftmax(l!, 1), idx([0, 3, 1, 2, 2])), () => [x(5, 4)]],
  ['bceWithLogits posWeight', (l, t, pw) => F.binaryCrossEntropyWithLogits(l!, F.sigmoid(t!), { posWeight: pw! }), () => [x(5, 4), x(5, 4), positive(4).detach()]],
  ['binaryCrossEntropy', (p, t) => F.binaryCrossEntropy(F.sigmoid(p!), F.sigmoid(t!)), () => [x(5, 4), x(5, 4)]],
  ['klDiv batchmean', (a, b) => F.klDiv(F.logSoftmax(a!, 1), F.softmax(b!, 1), { reduction: 'batchmean' }), () => [x(3, 4), x(3, 4)]],
  ['klDiv logTarget', (a, b) => F.klDiv(F.logSoftmax(a!, 1), F.logSoftmax(b!, 1), { reduction: 'sum', logTarget: true }), () => [x(3, 4), x(3, 4)]],
  ['mseLoss', (a, b) => F.mseLoss(a!, b!), () => [x(3, 4), x(3, 4)]],
  ['l1Loss/smoothL1Loss', (a, b) => F.l1Loss(a!, b!).add(F.smoothL1Loss(a!, b!, { beta: 0.5 })), () => [x(3, 4), x(3, 4)]],
  // attention
  ['scaledDotProductAttention causal', (q, k, v) => F.scaledDotProductAttention(q!, k!, v!, { isCausal: true }), () => [x(1, 2, 3, 4), x(1, 2, 3, 4), x(1, 2, 3, 2)]],
  ['multiHeadAttention', (q, k, v, ipw, opw) => F.multiHeadAttention(q!, k!, v!, { numHeads: 2, inProjWeight: ipw!, outProjWeight: opw!, keyPaddingMask: tensor([[false, false, true]]) }).output,
    () => [x(1, 2, 4), x(1, 3, 4), x(1, 3, 4), x(12, 4), x(4, 4)]],
];

for (const [name, fn, make] of cases) {
  test(`gradcheck: ${name}`, () => {
    manualSeed(7);
    const before = liveTensorCount();
    tidy(() => {
      const r = gradcheck(fn, make());
      assert.ok(r.checked > 0);
    });
    assert.equal(liveTensorCount(), before);
  });
}

// Second order: the gradient of the gradient, as gradient penalties need.
const secondOrder: Case[] = [
  ['conv1d', (a, w) => F.conv1d(a!, w!, null, { padding: 1, groups: 1 }), () => [x(1, 2, 6), x(2, 2, 3)]],
  ['softmax', (a) => F.softmax(a!, 1), () => [x(2, 4)]],
  ['groupNorm', (a, w, b) => F.groupNorm(a!, 2, w, b, 1e-5), () => [x(2, 4, 3), x(4), x(4)]],
  ['tanh', (a) => F.tanh(a!), () => [x(3, 4)]],
  ['matmul', (a, b) => a!.matmul(b!), () => [x(2, 3), x(3, 2)]],
  ['crossEntropy', (l) => F.crossEntropy(l!, idx([0, 2, 1])), () => [x(3, 3)]],
  ['maxPool1d + gelu', (a) => F.gelu(F.maxPool1d(a!, { kernelSize: 2 })), () => [x(1, 2, 6)]],
];

for (const [name, fn, make] of secondOrder) {
  test(`gradgradcheck: ${name}`, () => {
    manualSeed(11);
    tidy(() => {
      assert.ok(gradgradcheck(fn, make()).checked > 0);
    });
  });
}

test('input-gradient-norm penalty (Jacobian regulariser) is differentiable in weights and inputs', () => {
  manualSeed(5);
  tidy(() => {
    // penalty(x, w) = ‖∂ loss / ∂x‖², loss = CE(linear(tanh(conv1d(x, w)))), the use case of gradient penalties.
    const target = idx([1, 0]);
    const penalty = (xin: Tensor, w: Tensor, lw: Tensor): Tensor => {
      const h = F.tanh(F.conv1d(xin, w, null, { padding: 1 })).flatten(1);        // [N, C·L]
      const loss = F.crossEntropy(F.linear(h, lw), target);
      const [dx] = grad(loss, [xin], { createGraph: true });
      return dx!.square().sum();
    };
    const r = gradcheck(penalty, [x(2, 2, 4), x(3, 2, 3), x(2, 12)]);
    assert.ok(r.checked === 16 + 18 + 24);
  });
});

test('gradcheck detects a wrong gradient', () => {
  tidy(() => {
    // x·detach(x) has true derivative 2x but autograd sees only x: the checker must refuse it.
    assert.throws(() => gradcheck((a) => a!.mul(a!.detach()), [x(3)]), /analytic .* vs numeric/);
  });
});
