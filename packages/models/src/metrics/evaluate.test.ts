// Per-class bootstrap metrics (`f1:CLASS`, `auroc:CLASS`): their estimate on all records equals the
// per-class figure of evaluate(), and the CI brackets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMetric, evaluate } from './evaluate.js';

const classes = ['NORM', 'ABNORMAL'];
const labels = [0, 0, 0, 1, 1, 1, 1, 0, 1, 1];
const pAbn = [0.1, 0.3, 0.6, 0.7, 0.4, 0.9, 0.8, 0.2, 0.55, 0.35];
const probs = pAbn.map((p) => [1 - p, p]);
const targets = labels.map((y) => (y === 0 ? [1, 0] : [0, 1]));

test('single-label: f1:CLASS is the F1 of the argmax for that class; auroc:CLASS its one-vs-rest AUROC', () => {
  const m = evaluate('single-label', labels, targets, probs, classes);
  const f1 = bootstrapMetric('single-label', labels, targets, probs, classes, 'f1:ABNORMAL', 1, 200);
  assert.equal(f1.estimate, m.perClassF1.ABNORMAL);
  // predicted abnormal (p > 0.5): records 2, 3, 5, 6, 8 → TP 4, FP 1, FN 2 → F1 8/11
  assert.ok(Math.abs(f1.estimate - 8 / 11) < 1e-12);
  assert.ok(f1.lower <= f1.estimate && f1.estimate <= f1.upper);
  const roc = bootstrapMetric('single-label', labels, targets, probs, classes, 'auroc:ABNORMAL', 1, 200);
  assert.ok(Math.abs(roc.estimate - m.macroAuroc) < 1e-12, 'with two classes both one-vs-rest AUROCs equal the macro');
  assert.throws(() => bootstrapMetric('single-label', labels, targets, probs, classes, 'f1:MI', 1, 10), /metric 'f1:MI' names no class \(classes: NORM, ABNORMAL\)/);
});

test('multi-label: auroc:CLASS equals perClassAuroc, f1:CLASS the F1 at 0.5', () => {
  const names = ['A', 'B'];
  const t = [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1]];
  const p = [[0.9, 0.2], [0.3, 0.7], [0.6, 0.4], [0.2, 0.1], [0.4, 0.3], [0.1, 0.8]];
  const y = t.map((r) => r.indexOf(1));
  const m = evaluate('multi-label', y, t, p, names);
  assert.equal(bootstrapMetric('multi-label', y, t, p, names, 'auroc:B', 3, 50).estimate, m.perClassAuroc!.B);
  assert.equal(bootstrapMetric('multi-label', y, t, p, names, 'f1:A', 3, 50).estimate, m.perClassF1.A);
});
