// Forward pass of MaLiangNet against its PyTorch twin (fixtures/ma_liang_torch.py) on a padded
// variable-length batch, float64. Fixtures: /usr/bin/python3 packages/models/fixtures/make_model_fixture.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { liveTensorCount, noGrad, safetensors, tidy, fromArray, randn, manualSeed } from '@ecglab/engine';
import { MaLiangNet } from './ma-liang.js';
import { MA_LIANG_DEFAULTS, type MaLiangConfig } from './config.js';

function fixture(pooling: 'avg' | 'max') {
  const path = fileURLToPath(new URL(`../../fixtures/ma-liang-${pooling}.safetensors`, import.meta.url));
  const { tensors, metadata } = safetensors.load(path);
  const c = JSON.parse(metadata!.config!) as { leads: number; classes: number; width: number; depth: number[]; groups: number; stem_kernel: number; slope: number; mask_threshold: number };
  const config: MaLiangConfig = { kind: 'ma-liang', pooling, width: c.width, depth: c.depth, groups: c.groups, stemKernel: c.stem_kernel, slope: c.slope, maskThreshold: c.mask_threshold };
  return { tensors, config, leads: c.leads, classes: c.classes };
}

for (const pooling of ['avg', 'max'] as const) {
  test(`MaLiangNet (${pooling} pooling) matches PyTorch on a padded variable-length batch`, () => {
    const { tensors, config, leads, classes } = fixture(pooling);
    const net = new MaLiangNet(config, leads, classes).to('float64');
    const own = [...net.stateDict().keys()];
    const theirs = [...tensors.keys()].filter((k) => !k.startsWith('input.') && !k.startsWith('output.'));
    assert.deepEqual(own, theirs, 'parameter names and order equal the PyTorch state dict');
    net.loadStateDict(new Map(theirs.map((k) => [k, tensors.get(k)!])));
    net.eval();
    const before = liveTensorCount();
    const got = tidy(() => noGrad(() => net.classify(tensors.get('input.x')!, tensors.get('input.mask')!).toArray() as Float64Array));
    assert.equal(liveTensorCount(), before, 'no tensor leaks from a tidy forward');
    const want = tensors.get('output.logits')!.toArray() as Float64Array;
    assert.equal(got.length, want.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-9, `logit ${i}: ${v} vs PyTorch ${want[i]}`));
    for (const t of tensors.values()) t.dispose();
    net.dispose();
  });
}

test('ResNet-18 defaults: total stride 1024, any length ≥ 3072 accepted, bad inputs rejected by name', () => {
  manualSeed(0);
  const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS, width: 8, groups: 4 }, 1, 4);
  assert.equal(net.stride, 1024);
  assert.equal(net.stateDict().has('layer4.2.weight'), true, 'the final k3 conv sits in layer4 as in Ma & Liang');
  assert.equal(net.stateDict().has('layer5.weight'), true, 'the head is layer5');
  net.eval();
  const before = liveTensorCount();
  tidy(() =>
    noGrad(() => {
      const out = net.call(randn([2, 1, 4000]), fromArray(new Float32Array(8000).fill(1).fill(0, 7000), [2, 1, 4000]));
      assert.deepEqual(out.shape, [2, 4]);
    }),
  );
  assert.equal(liveTensorCount(), before);
  assert.throws(() => tidy(() => net.call(randn([1, 1, 2000]), fromArray(new Float32Array(2000).fill(1), [1, 1, 2000]))), /MaLiangNet: inputs must be at least 3072 samples/);
  assert.throws(() => tidy(() => net.call(randn([1, 1, 3072]), randn([1, 2, 3072]))), /'mask' \[N, 1, L\]/);
  const short = new Float32Array(2 * 3072).fill(1, 0, 3072).fill(1, 3072, 3072 + 1000); // record 1: 1000 real samples
  assert.throws(() => tidy(() => net.call(randn([2, 1, 3072]), fromArray(short, [2, 1, 3072]))), /a record has no position with mask coverage >= 0\.5/);
  net.dispose();
});
