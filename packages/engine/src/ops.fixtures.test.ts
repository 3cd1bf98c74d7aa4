// Forward values of the core ops against PyTorch 1.13 in float64.
// Fixture: fixtures/core/core_ops.json, made by `/usr/bin/python3 packages/engine/fixtures/core/make_core_fixtures.py`,
// which also stores the inputs so both sides compute on identical values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor, fromArray, cat, stack, where, F, tidy, liveTensorCount } from './index.js';
import type { DType } from './dtype.js';

interface Enc { shape: number[]; dtype: DType; data: (number | string)[] }
interface Case { name: string; op: string; params: Record<string, unknown>; inputs: Record<string, Enc>; outputs: Enc[] }

const fixture = JSON.parse(readFileSync(new URL('../fixtures/core/core_ops.json', import.meta.url), 'utf8')) as { cases: Case[] };

function decode(e: Enc): Tensor {
  const nums = e.data.map((v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v));
  if (e.dtype === 'int64') return fromArray(BigInt64Array.from(nums, (v) => BigInt(v)), e.shape);
  if (e.dtype === 'bool') return fromArray(Uint8Array.from(nums), e.shape, { dtype: 'bool' });
  return fromArray(Float64Array.from(nums), e.shape, { dtype: e.dtype });
}

type P = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type T = Record<string, Tensor>;
type Out = Tensor | Tensor[];

// One engine call per fixture op; parameter names are the TS API's.
const ops: Record<string, (t: T, p: P) => Out> = {
  add: (t) => t.a!.add(t.b!), sub: (t) => t.a!.sub(t.b!), mul: (t) => t.a!.mul(t.b!), div: (t) => t.a!.div(t.b!),
  maximum: (t) => t.a!.maximum(t.b!), minimum: (t) => t.a!.minimum(t.b!), pow: (t) => t.a!.pow(t.b!),
  mulScalar: (t, p) => t.a!.mul(p.s), powScalar: (t, p) => t.a!.pow(p.s),
  neg: (t) => t.a!.neg(), abs: (t) => t.a!.abs(), exp: (t) => t.a!.exp(), sin: (t) => t.a!.sin(), cos: (t) => t.a!.cos(),
  sign: (t) => t.a!.sign(), tanh: (t) => F.tanh(t.a!), sigmoid: (t) => F.sigmoid(t.a!), relu: (t) => F.relu(t.a!),
  log: (t) => t.a!.log(), log1p: (t) => t.a!.log1p(), sqrt: (t) => t.a!.sqrt(), rsqrt: (t) => t.a!.rsqrt(),
  clamp: (t, p) => t.a!.clamp(p.min, p.max),
  where: (t) => where(t.cond!, t.a!, t.b!),
  eq: (t) => t.a!.eq(t.b!), ne: (t) => t.a!.ne(t.b!), lt: (t) => t.a!.lt(t.b!), le: (t) => t.a!.le(t.b!),
  gt: (t) => t.a!.gt(t.b!), ge: (t) => t.a!.ge(t.b!),
  gelu: (t, p) => F.gelu(t.a!, p.approximate), leakyRelu: (t, p) => F.leakyRelu(t.a!, p.slope), silu: (t) => F.silu(t.a!),
  softmax: (t, p) => F.softmax(t.a!, p.dim), logSoftmax: (t, p) => F.logSoftmax(t.a!, p.dim),
  sum: (t, p) => t.a!.sum(p.dim, p.keepdim), mean: (t, p) => t.a!.mean(p.dim), std: (t, p) => t.a!.std(p.dim, p.unbiased),
  var: (t, p) => t.a!.var(p.dim, p.unbiased), max: (t, p) => t.a!.max(p.dim), min: (t, p) => t.a!.min(p.dim),
  maxWithIndices: (t, p) => { const r = t.a!.maxWithIndices(p.dim); return [r.values, r.indices]; },
  argmax: (t, p) => t.a!.argmax(p.dim), argmin: (t, p) => t.a!.argmin(p.dim), norm: (t, p) => t.a!.norm(p.p, p.dim),
  logsumexp: (t, p) => t.a!.logsumexp(p.dim), cumsum: (t, p) => t.a!.cumsum(p.dim),
  matmul: (t) => t.a!.matmul(t.b!), bmm: (t) => t.a!.bmm(t.b!), linear: (t) => F.linear(t.x!, t.w!, t.b),
  permute: (t, p) => t.a!.permute(...(p.dims as number[])), transpose: (t, p) => t.a!.transpose(p.d0, p.d1),
  flatten: (t, p) => t.a!.flatten(p.start, p.end), slice: (t, p) => t.a!.slice(p.dim, p.start, p.end, p.step),
  narrow: (t, p) => t.a!.narrow(p.dim, p.start, p.length), select: (t, p) => t.a!.select(p.dim, p.index),
  indexSelect: (t, p) => t.a!.indexSelect(p.dim, t.index!), gather: (t, p) => t.a!.gather(p.dim, t.index!),
  cat: (t, p) => cat([t.a!, t.b!], p.dim), stack: (t, p) => stack([t.a!, t.b!], p.dim),
  chunk: (t, p) => t.a!.chunk(p.n, p.dim), split: (t, p) => t.a!.split(p.size, p.dim),
  unsqueezeExpand: (t) => t.a!.unsqueeze(0).expand([3, 4]), tril: (t, p) => t.a!.tril(p.diagonal),
  flip: (t, p) => t.a!.flip(p.dims),
  conv1d: (t, p) => F.conv1d(t.x!, t.w!, t.b, p), conv2d: (t, p) => F.conv2d(t.x!, t.w!, t.b, p),
  maxPool1d: (t, p) => F.maxPool1d(t.x!, p as never), avgPool1d: (t, p) => F.avgPool1d(t.x!, p as never),
  maxPool2d: (t, p) => F.maxPool2d(t.x!, p as never), avgPool2d: (t, p) => F.avgPool2d(t.x!, p as never),
  adaptiveAvgPool1d: (t, p) => F.adaptiveAvgPool1d(t.x!, p.size), adaptiveMaxPool1d: (t, p) => F.adaptiveMaxPool1d(t.x!, p.size),
  adaptiveAvgPool2d: (t, p) => F.adaptiveAvgPool2d(t.x!, p.size),
  groupNorm: (t, p) => F.groupNorm(t.x!, p.groups, t.w, t.b, p.eps),
  layerNorm: (t, p) => F.layerNorm(t.x!, p.shape, t.w, t.b, p.eps),
  // Running stats are updated in place in training: the case's outputs include them.
  batchNorm: (t, p) => [F.batchNorm(t.x!, t.rm, t.rv, t.w, t.b, p.training, p.momentum, p.eps), t.rm!, t.rv!],
  pad: (t, p) => F.pad(t.x!, p.pads, p.mode, p.value),
  crossEntropy: (t, p) => F.crossEntropy(t.logits!, t.target!, { ...p, weight: t.weight }),
  bceWithLogits: (t) => F.binaryCrossEntropyWithLogits(t.logits!, t.target!, { weight: t.weight, posWeight: t.posWeight }),
  klDiv: (t, p) => F.klDiv(t.input!, t.target!, p),
  mseLoss: (t, p) => F.mseLoss(t.a!, t.b!, p), l1Loss: (t, p) => F.l1Loss(t.a!, t.b!, p),
  nllLoss: (t) => F.nllLoss(t.input!, t.target!, { weight: t.weight }),
  sdpa: (t, p) => F.scaledDotProductAttention(t.q!, t.k!, t.v!, { attnMask: t.mask, isCausal: p.isCausal }),
  mha: (t, p) => {
    const r = F.multiHeadAttention(t.q!, t.k!, t.v!, {
      numHeads: p.numHeads, inProjWeight: t.ipw!, inProjBias: t.ipb, outProjWeight: t.opw!, outProjBias: t.opb,
      keyPaddingMask: t.kpm, attnMask: t.am, averageAttnWeights: p.averageAttnWeights, training: false,
    });
    return [r.output, r.weights!];
  },
  encoderLayerFused: (t, p) => F.transformerEncoderLayerFused(t.x!, {
    numHeads: p.numHeads, activation: p.activation, normFirst: p.normFirst, inProjWeight: t.ipw!, inProjBias: t.ipb!,
    outProjWeight: t.opw!, outProjBias: t.opb!, norm1Weight: t.n1w!, norm1Bias: t.n1b!, norm2Weight: t.n2w!, norm2Bias: t.n2b!,
    linear1Weight: t.l1w!, linear1Bias: t.l1b!, linear2Weight: t.l2w!, linear2Bias: t.l2b!,
  }),
};

test('every fixture op has an engine mapping', () => {
  const missing = [...new Set(fixture.cases.map((c) => c.op))].filter((op) => !(op in ops));
  assert.deepEqual(missing, []);
  assert.ok(fixture.cases.length >= 100);
});

for (const c of fixture.cases) {
  test(`forward matches PyTorch: ${c.name}`, () => {
    const before = liveTensorCount();
    tidy(() => {
      const inputs: T = {};
      for (const [k, e] of Object.entries(c.inputs)) inputs[k] = decode(e);
      const got = ops[c.op]!(inputs, c.params);
      const outs = Array.isArray(got) ? got : [got];
      assert.equal(outs.length, c.outputs.length, 'number of outputs');
      outs.forEach((o, i) => {
        const want = c.outputs[i]!;
        assert.deepEqual(o.shape, want.shape, `output ${i} shape`);
        assert.equal(o.dtype, want.dtype, `output ${i} dtype`);
        const a = Array.from(o.toArray(), Number);
        const b = want.data.map((v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v));
        for (let j = 0; j < b.length; j++) {
          const ok = a[j] === b[j] || Math.abs(a[j]! - b[j]!) <= 1e-10 + 1e-9 * Math.abs(b[j]!);
          assert.ok(ok, `output ${i} element ${j}: engine ${a[j]} vs PyTorch ${b[j]}`);
        }
      });
    });
    assert.equal(liveTensorCount(), before, 'tidy released every tensor');
  });
}
