// The whole VizECGNet against its PyTorch twin (fixtures/vizecg_torch.py) on 3 pages and 3 variable-length
// records, float64: eval-mode logits of both streams for the full model, without CMAM and image-only; for the
// full model the train-mode objective (single-label, class weights, KD at T = 2), every parameter's gradient and
// the BatchNorm running statistics after the step. Then the properties of image-only inference.
// Fixtures: /usr/bin/python3 packages/models/src/vizecg/fixtures/make_vizecg_fixtures.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromArray, liveTensorCount, manualSeed, noGrad, ones, rand, randn, tidy } from '@ecglab/engine';
import { MaLiangNet } from '../models/ma-liang.js';
import type { MaLiangConfig } from '../models/config.js';
import type { TensorBatch } from '../pipeline/tensor-batch.js';
import { assertClose, loadFixture, stepContext, withPrefix } from './test-helpers.js';
import { ATTENTION_DEFAULTS, PAGE_NET_DEFAULTS, VIZECGNET_DEFAULTS, type PageNetConfig, type VizEcgConfig } from './config.js';
import { VizECGNet } from './vizecgnet.js';
import { vizEcgObjective } from './objective.js';

type Variant = 'full' | 'nocmam' | 'imageonly';

function fixtureModel(variant: Variant) {
  const f = loadFixture(`vizecgnet-${variant}.safetensors`);
  const img = JSON.parse(f.meta.image!) as { channels: 1; patch: number; stem_width: number; widths: number[]; blocks: number[] };
  const sig = JSON.parse(f.meta.signal!) as { width: number; depth: number[]; groups: number; stem_kernel: number; slope: number; mask_threshold: number };
  const image: PageNetConfig = { channels: img.channels, patch: img.patch, stemWidth: img.stem_width, widths: img.widths, blocks: img.blocks };
  const signal: MaLiangConfig = { kind: 'ma-liang', pooling: 'avg', width: sig.width, depth: sig.depth, groups: sig.groups, stemKernel: sig.stem_kernel, slope: sig.slope, maskThreshold: sig.mask_threshold };
  const attention = { heads: Number(f.meta.heads), mlpRatio: Number(f.meta.mlp_ratio), dropout: 0 };
  const config: VizEcgConfig = variant === 'imageonly'
    ? { kind: 'vizecg-image-only', image, attention, smam: true }
    : { kind: 'vizecgnet', image, signal, attention, smam: true, cmam: variant === 'full', kd: { temperature: 2, direction: 'signal-to-image' } };
  const net = new VizECGNet(config, Number(f.meta.leads), Number(f.meta.classes)).to('float64');
  const theirs = new Map([...f.tensors].filter(([k]) => !k.includes('.') || !/^(input|eval|train)\./.test(k)));
  assert.deepEqual([...net.stateDict().keys()], [...theirs.keys()], `${variant}: parameter and buffer names and order equal the PyTorch state dict`);
  net.loadStateDict(theirs);
  const batch: TensorBatch = {
    ids: ['a', 'b', 'c'], x: f.t('input.x'), mask: f.t('input.mask'), labels: f.t('input.labels'), targets: null,
    extras: { page: f.t('input.page') },
  };
  return { f, net, batch };
}

for (const variant of ['full', 'nocmam', 'imageonly'] as const) {
  test(`VizECGNet (${variant}) in eval mode equals its PyTorch twin: image-only logits and both streams' logits`, () => {
    const { f, net, batch } = fixtureModel(variant);
    net.eval();
    const before = liveTensorCount();
    tidy(() => noGrad(() => {
      assertClose(net.logits(batch), f.t('eval.logits'), 'logits (image only)');
      const out = net.streamLogits(batch);
      assertClose(out.image, f.t('eval.image'), 'stream logits: image');
      if (variant === 'imageonly') assert.equal(out.signal, null);
      else assertClose(out.signal!, f.t('eval.signal'), 'stream logits: signal');
    }));
    assert.equal(liveTensorCount(), before, 'no tensor leaks from tidy forwards');
    net.dispose();
    for (const v of f.tensors.values()) v.dispose();
  });
}

test('VizECGNet training step equals PyTorch: loss λ1·(CE_image + CE_signal) + λ2·KD, every gradient, BatchNorm running stats', () => {
  const { f, net, batch } = fixtureModel('full');
  net.train();
  const ctx = stepContext('single-label', 3, f.t('input.class_weights'), net.parameters());
  const before = liveTensorCount();
  tidy(() => {
    const out = net.streamLogits(batch);
    assertClose(out.image, f.t('train.image'), 'train-mode image logits');
    assertClose(out.signal!, f.t('train.signal'), 'train-mode signal logits');
  });
  // the forward above moved the running statistics once; reload them so the objective's forward is PyTorch's only one
  net.loadStateDict(new Map([...net.stateDict().keys()].filter((k) => k.includes('running')).map((k) => [k, f.t(k)])), { strict: false });
  tidy(() => {
    const { loss, logs } = vizEcgObjective({ kind: 'vizecg', lambdaCls: 1, lambdaKd: 1 }).compute(net, batch, ctx);
    assertClose(loss.reshape([1]), f.t('train.loss'), 'loss');
    assert.ok(Math.abs(logs!.cls_image! + logs!.cls_signal! - logs!.cls!) < 1e-12 && Math.abs(logs!.cls! + logs!.kd! - logs!.loss!) < 1e-12, 'logged terms add up');
    loss.backward();
  });
  for (const [name, p] of net.namedParameters()) assertClose(p.grad!, f.t(`train.grad.${name}`), `grad of ${name}`);
  for (const [name, b] of net.namedBuffers()) if (name.includes('running')) assertClose(b, f.t(`train.after.${name}`), `${name} after the step`);
  net.zeroGrad();
  assert.equal(liveTensorCount(), before, 'no tensor leaks from the objective');
  ctx.dispose();
  net.dispose();
  for (const v of f.tensors.values()) v.dispose();
});

/** A small float32 model with the default structure, for the property tests. */
function smallNet(over: Partial<Extract<VizEcgConfig, { kind: 'vizecgnet' }>> = {}) {
  manualSeed(7);
  const config: VizEcgConfig = {
    ...VIZECGNET_DEFAULTS,
    image: { ...PAGE_NET_DEFAULTS, stemWidth: 8, widths: [8, 16, 32] },
    signal: { ...VIZECGNET_DEFAULTS.signal, width: 4, groups: 2 },
    attention: { ...ATTENTION_DEFAULTS, heads: 2 },
    ...over,
  };
  return new VizECGNet(config, 2, 4);
}

test('image-only inference reads only the page: no signal in the batch, signal modules never called and without gradients', () => {
  const net = smallNet();
  const signalSide = [net.signal!, net.signalSmam!, net.cmam!];
  const calls: string[] = [];
  for (const m of [...signalSide.flatMap((s) => s.modules())]) {
    const original = m.forward.bind(m) as (...a: unknown[]) => unknown;
    (m as unknown as { forward: (...a: unknown[]) => unknown }).forward = (...a: unknown[]) => { calls.push(m.constructor.name); return original(...a); };
  }
  const before = liveTensorCount();
  tidy(() => {
    const page = rand([2, 1, 96, 128]);
    for (const mode of ['train', 'eval'] as const) {
      net.train(mode === 'train');
      const z = net.logits({ extras: { page } }); // no ids, x, mask, labels: the page alone
      assert.deepEqual(z.shape, [2, 4]);
      z.sum().backward();
    }
  });
  assert.equal(calls.length, 0, `no signal-side module runs, got ${calls.join(', ')}`);
  tidy(() => {
    for (const [name, p] of net.namedParameters()) {
      const signalSide = /^(signal|signal_smam|cmam)\./.test(name);
      if (signalSide) assert.equal(p.grad, null, `${name} got a gradient`);
      else assert.ok(p.grad && p.grad.abs().sum().item() > 0, `${name} got no gradient`);
    }
  });
  net.zeroGrad();
  assert.equal(liveTensorCount(), before);
  // and the same calls do run during a training forward
  tidy(() => {
    net.streamLogits({ extras: { page: rand([2, 1, 96, 128]) }, x: randn([2, 2, 640]), mask: ones([2, 1, 640]) });
  });
  for (const name of ['InputNorm', 'Conv1d', 'GroupNorm', 'SelfModalityAttention', 'CrossModalAttention', 'CrossAttentionBlock']) assert.ok(calls.includes(name), `${name} runs in a training forward`);
  net.dispose();
});

test('image logits of a training forward equal logits() for the same page (the student is the inference path)', () => {
  const net = smallNet();
  net.eval();
  tidy(() => noGrad(() => {
    const page = rand([3, 1, 96, 128]);
    const a = net.logits({ extras: { page } });
    const b = net.streamLogits({ extras: { page }, x: randn([3, 2, 700]), mask: ones([3, 1, 700]) }).image;
    assert.ok(a.equal(b), 'bit-identical');
  }));
  net.dispose();
});

test('without SMAM and CMAM the signal side is exactly Ma & Liang\'s CNN with masked average pooling', () => {
  const net = smallNet({ smam: false, cmam: false });
  assert.equal(net.signalSmam, null);
  assert.equal(net.cmam, null);
  const ref = new MaLiangNet({ ...net.config.kind === 'vizecgnet' ? net.config.signal : VIZECGNET_DEFAULTS.signal, pooling: 'avg' }, 2, 4);
  ref.loadStateDict(withPrefix(net.stateDict(), 'signal.'));
  net.eval();
  ref.eval();
  tidy(() => noGrad(() => {
    const m = new Float32Array(3 * 1000).fill(1);
    m.fill(0, 600, 1000).fill(0, 2000 + 300, 3000); // lengths 600, 1000, 300
    const mask = fromArray(m, [3, 1, 1000]);
    const x = randn([3, 2, 1000]).mul(mask);
    const got = net.streamLogits({ extras: { page: rand([3, 1, 64, 64]) }, x, mask }).signal!;
    assertClose(got, ref.call(x, mask), 'signal logits vs MaLiangNet', 1e-6, 1e-5);
  }));
  ref.dispose();
  net.dispose();
});

test('attentionMap: one map per page over the token grid, each a distribution over positions', () => {
  const net = smallNet();
  net.eval();
  const before = liveTensorCount();
  tidy(() => noGrad(() => {
    const { map, grid } = net.attentionMap(rand([2, 1, 96, 128]));
    assert.deepEqual(grid, [3, 4]);
    assert.deepEqual(map.shape, [2, 3, 4]);
    const sums = map.sum([1, 2]).toArray() as Float32Array;
    sums.forEach((v) => assert.ok(Math.abs(v - 1) < 1e-5, `sums to 1, got ${v}`));
    assert.ok(map.min().item() >= 0);
  }));
  assert.equal(liveTensorCount(), before);
  net.dispose();
  const plain = smallNet({ smam: false });
  assert.throws(() => tidy(() => plain.attentionMap(rand([1, 1, 64, 64]))), /VizECGNet.attentionMap: the model has no image SMAM/);
  plain.dispose();
});

test('config and input errors name the argument, the expectation and what came', () => {
  assert.throws(() => smallNet({ signal: { ...VIZECGNET_DEFAULTS.signal, width: 8 } }),
    /the signal stream's last channel count \(signal.width·2\^\(stages−1\) = 8·2\^3 = 64\) must equal the image stream's token width \(image.widths' last = 32\)/);
  assert.throws(() => smallNet({ image: { ...PAGE_NET_DEFAULTS, blocks: [1, 1] } }), /PageNet: 'blocks' must list a positive block count for each of the 3 stages, got \[1,1\]/);
  assert.throws(() => smallNet({ kd: { temperature: 0, direction: 'mutual' } }), /VizECGNet: 'kd.temperature' must be > 0, got 0/);
  assert.throws(() => smallNet({ attention: { heads: 2, mlpRatio: 2, dropout: 1 } }), /VizECGNet: 'attention.dropout' must be in \[0, 1\), got 1/);
  const withSignal = smallNet();
  assert.deepEqual([withSignal.padMultiple, withSignal.minLength], [64, 192], 'the signal CNN\'s stride and minimum, for the pipeline');
  withSignal.dispose();
  const net = smallNet();
  tidy(() => {
    assert.throws(() => net.logits({ extras: {} }), /VizECGNet.logits: 'batch.extras.page' is missing/);
    assert.throws(() => net.logits({ extras: { page: rand([2, 3, 64, 64]) } }), /PageNet: 'page' must be \[N, 1, H, W\], got \[2, 3, 64, 64\]/);
    assert.throws(() => net.logits({ extras: { page: rand([2, 1, 3, 64]) } }), /PageNet: 'page' must be at least 4×4 pixels \(one stem patch\), got 64×3/);
    const page = rand([2, 1, 64, 64]);
    assert.throws(() => net.streamLogits({ extras: { page }, x: randn([3, 2, 640]), mask: ones([3, 1, 640]) }), /'extras.page' has 2 pages but 'x' has 3 records/);
    assert.throws(() => net.streamLogits({ extras: { page } } as unknown as TensorBatch), /the batch has no signal \(x and mask\)/);
  });
  net.dispose();
});
