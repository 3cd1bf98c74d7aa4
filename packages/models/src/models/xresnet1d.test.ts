// XResNet1d (crop-and-aggregate baseline) against its PyTorch twin (fixtures/xresnet1d_torch.py),
// float64, eval mode with non-trivial BatchNorm statistics, on a padded batch with one record
// shorter than a crop. Fixtures: /usr/bin/python3 packages/models/fixtures/make_model_fixture.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { liveTensorCount, noGrad, safetensors, tidy } from '@ecglab/engine';
import { XResNet1d } from './xresnet1d.js';

test('XResNet1d matches PyTorch, crop-and-aggregate included', () => {
  const path = fileURLToPath(new URL('../../fixtures/xresnet1d.safetensors', import.meta.url));
  const { tensors, metadata } = safetensors.load(path);
  const c = JSON.parse(metadata!.config!);
  const net = new XResNet1d(
    { kind: 'xresnet1d', widths: c.widths, depth: c.depth, kernel: c.kernel, cropSeconds: c.crop_seconds, cropStrideSeconds: c.crop_stride_seconds },
    c.leads, c.classes, c.fs,
  ).to('float64');
  const theirs = [...tensors.keys()].filter((k) => !k.startsWith('input.') && !k.startsWith('output.'));
  assert.deepEqual([...net.stateDict().keys()], theirs, 'state-dict names and order equal PyTorch');
  net.loadStateDict(new Map(theirs.map((k) => [k, tensors.get(k)!])));
  net.eval();
  const before = liveTensorCount();
  const got = tidy(() => noGrad(() => net.classify(tensors.get('input.x')!, tensors.get('input.mask')!).toArray() as Float64Array));
  assert.equal(liveTensorCount(), before);
  const want = tensors.get('output.logits')!.toArray() as Float64Array;
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-9, `logit ${i}: ${v} vs PyTorch ${want[i]}`));
  assert.equal(net.crop, 250);
  for (const t of tensors.values()) t.dispose();
  net.dispose();
});
