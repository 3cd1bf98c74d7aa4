// SMAM, CMAM and the position encodings against their PyTorch twins (fixtures/vizecg_torch.py; SMAM against
// torch's own nn.TransformerEncoderLayer), float64, forward and gradients for the same weights and inputs.
// Fixtures: /usr/bin/python3 packages/models/src/vizecg/fixtures/make_vizecg_fixtures.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, liveTensorCount, noGrad, randn, tidy, zeros } from '@ecglab/engine';
import { assertClose, loadFixture, withPrefix } from './test-helpers.js';
import { positionalEncoding1d, positionalEncoding2d } from './positional.js';
import { SelfModalityAttention } from './smam.js';
import { CrossModalAttention } from './cmam.js';

const CFG = { heads: 2, mlpRatio: 2, dropout: 0 };

test('1-D and 2-D sin-cos position encodings equal the PyTorch twin', () => {
  const f = loadFixture('positional.safetensors');
  const before = liveTensorCount();
  tidy(() => {
    assertClose(positionalEncoding1d(9, 16, 'float64').squeeze(0), f.t('pe1d'), 'pe1d', 1e-12);
    assertClose(positionalEncoding2d(3, 5, 16, 'float64').squeeze(0), f.t('pe2d'), 'pe2d', 1e-12);
  });
  assert.equal(liveTensorCount(), before);
  assert.throws(() => positionalEncoding2d(2, 2, 6), /'dim' must be a positive multiple of 4, got 6/);
  for (const v of f.tensors.values()) v.dispose();
});

test('SMAM equals torch.nn.TransformerEncoderLayer(norm_first, GELU) with a key padding mask: output and gradients', () => {
  const f = loadFixture('smam.safetensors');
  const smam = new SelfModalityAttention(16, CFG).to('float64');
  const theirs = withPrefix(f.tensors, 'param.');
  assert.deepEqual([...smam.stateDict().keys()], [...theirs.keys()], 'parameter names and order equal PyTorch');
  smam.loadStateDict(theirs);
  const before = liveTensorCount();
  tidy(() => {
    const x = f.t('input.x').clone().requiresGrad_();
    const y = smam.call(x, f.t('input.padding').gt(0.5));
    assertClose(y, f.t('output.y'), 'output');
    y.mul(f.t('cotangent')).sum().backward();
    assertClose(x.grad!, f.t('grad.input.x'), 'grad of the input');
    for (const [name, p] of smam.namedParameters()) assertClose(p.grad!, f.t(`grad.${name}`), `grad of ${name}`);
    x.dispose();
  });
  smam.zeroGrad();
  assert.equal(liveTensorCount(), before, 'no tensor leaks from a tidy forward and backward');
  assert.throws(() => tidy(() => smam.call(zeros([2, 3, 8], { dtype: 'float64' }))), /SelfModalityAttention: 'x' must be \[N, L, 16\], got \[2, 3, 8\]/);
  assert.throws(() => tidy(() => smam.call(randn([2, 3, 16], { dtype: 'float64' }), zeros([2, 4], { dtype: 'bool' }))), /'padding' must be bool \[2, 3\], got bool \[2, 4\]/);
  smam.dispose();
  for (const v of f.tensors.values()) v.dispose();
});

test('SMAM in eval mode without grad runs PyTorch\'s fused encoder-layer kernel, with the composed layer\'s values', () => {
  // The fixture's weights in eval mode: noGrad takes the fused path (as torch.nn.TransformerEncoderLayer's fast path),
  // asking for the attention weights takes the composed one. Float64, so they agree far below the model's tolerance.
  const f = loadFixture('smam.safetensors');
  const smam = new SelfModalityAttention(16, CFG).to('float64');
  smam.loadStateDict(withPrefix(f.tensors, 'param.'));
  smam.eval();
  const before = liveTensorCount();
  tidy(() => noGrad(() => {
    const x = f.t('input.x');
    const fused = smam.call(x);
    const composed = smam.attend(x, null, true).out;
    assertClose(fused, composed, 'fused vs composed', 1e-12);
  }));
  assert.equal(liveTensorCount(), before);
  assert.throws(() => tidy(() => F.transformerEncoderLayerFused(f.t('input.x').requiresGrad_(), smam.encoderWeights())), /the fused kernel has no backward; call it under noGrad\(\)/);
  smam.dispose();
  for (const v of f.tensors.values()) v.dispose();
});

test('CMAM (image ← signal masked, signal ← image) equals the PyTorch twin: outputs and gradients', () => {
  const f = loadFixture('cmam.safetensors');
  const cmam = new CrossModalAttention(16, CFG).to('float64');
  const theirs = withPrefix(f.tensors, 'param.');
  assert.deepEqual([...cmam.stateDict().keys()], [...theirs.keys()], 'parameter names and order equal PyTorch');
  cmam.loadStateDict(theirs);
  const before = liveTensorCount();
  tidy(() => {
    const img = f.t('input.image').clone().requiresGrad_();
    const sig = f.t('input.signal').clone().requiresGrad_();
    const out = cmam.call(img, sig, f.t('input.padding').gt(0.5));
    assertClose(out.image, f.t('output.image'), 'image tokens');
    assertClose(out.signal, f.t('output.signal'), 'signal tokens');
    out.image.mul(f.t('cotangent.image')).sum().add(out.signal.mul(f.t('cotangent.signal')).sum()).backward();
    assertClose(img.grad!, f.t('grad.input.image'), 'grad of the image tokens');
    assertClose(sig.grad!, f.t('grad.input.signal'), 'grad of the signal tokens');
    for (const [name, p] of cmam.namedParameters()) assertClose(p.grad!, f.t(`grad.${name}`), `grad of ${name}`);
    img.dispose();
    sig.dispose();
  });
  cmam.zeroGrad();
  assert.equal(liveTensorCount(), before, 'no tensor leaks from a tidy forward and backward');
  cmam.dispose();
  for (const v of f.tensors.values()) v.dispose();
});
