// The distillation loss against PyTorch (fixtures/vizecg_torch.py: F.kl_div for single-label, the Bernoulli KL
// written with F.logsigmoid for multi-label), values and gradients for both logits, two temperatures, both
// directions; and the multi-label form against central finite differences.
// Fixtures: /usr/bin/python3 packages/models/src/vizecg/fixtures/make_vizecg_fixtures.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromArray, liveTensorCount, tidy } from '@ecglab/engine';
import { gradcheck } from '@ecglab/engine/testing';
import type { Task } from '../task.js';
import { assertClose, loadFixture } from './test-helpers.js';
import { distillationLoss, softKl } from './kd.js';

test('distillationLoss equals PyTorch for single- and multi-label, T = 1 and 2.5, signal → image and mutual', () => {
  const f = loadFixture('kd.safetensors');
  const cases = JSON.parse(f.meta.cases!) as { key: string; task: Task; temperature: number; direction: 'signal-to-image' | 'mutual' }[];
  assert.equal(cases.length, 8);
  const before = liveTensorCount();
  for (const { key, task, temperature, direction } of cases) {
    tidy(() => {
      const image = f.t('input.image').clone().requiresGrad_();
      const signal = f.t('input.signal').clone().requiresGrad_();
      const loss = distillationLoss(image, signal, { temperature, direction }, task);
      assertClose(loss.reshape([1]), f.t(`${key}.loss`), `${key}: loss`);
      loss.backward();
      assertClose(image.grad!, f.t(`${key}.grad.image`), `${key}: grad of the image logits`);
      // signal → image stops the teacher's gradient: PyTorch's is None, stored as zeros
      if (direction === 'signal-to-image') assert.equal(signal.grad, null, `${key}: the teacher gets no gradient`);
      else assertClose(signal.grad!, f.t(`${key}.grad.signal`), `${key}: grad of the signal logits`);
      image.dispose();
      signal.dispose();
    });
  }
  assert.equal(liveTensorCount(), before, 'no tensor leaks');
  for (const v of f.tensors.values()) v.dispose();
});

test('the Bernoulli KL and the softmax KL pass gradcheck in the student, are zero when the logits agree, and reject bad arguments', () => {
  const s = [0.3, -1.2, 2.0, 0.1, -0.4, 1.5];
  const t = [1.1, 0.2, -0.7, 0.9, -2.2, 0.4];
  tidy(() => {
    const teacher = fromArray(Float64Array.from(t), [2, 3]);
    for (const task of ['single-label', 'multi-label'] as const) {
      gradcheck((x) => softKl(teacher, x, 1.7, task), [fromArray(Float64Array.from(s), [2, 3], { requiresGrad: true })]);
      assert.ok(Math.abs(softKl(teacher, teacher, 2, task).item()) < 1e-15, `${task}: KL(p ‖ p) = 0`);
      assert.ok(softKl(teacher, fromArray(Float64Array.from(s), [2, 3]), 2, task).item() > 0, `${task}: KL > 0 when they differ`);
    }
    assert.throws(() => softKl(teacher, fromArray(Float64Array.from(s), [3, 2]), 2, 'single-label'), /softKl: 'teacher' and 'student' must be the same \[N, K\], got \[2, 3\] and \[3, 2\]/);
    assert.throws(() => softKl(teacher, teacher, 0, 'single-label'), /'temperature' must be > 0, got 0/);
    assert.throws(() => distillationLoss(teacher, teacher, { temperature: 2, direction: 'both' as 'mutual' }, 'single-label'), /'direction' must be 'signal-to-image' or 'mutual', got "both"/);
  });
});
