// Per-class bootstrap metrics (`f1:CLASS`, `auroc:CLASS`): their estimate on all records equals the
// per-class figure of evaluate(), and the CI brackets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMetric, checkMetricName, evaluate } from './evaluate.js';

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

test('a metric name that is no metric is an error naming it, not a CI of NaN', () => {
  assert.throws(() => bootstrapMetric('single-label', labels, targets, probs, classes, 'bogus', 1, 10), /bootstrapMetric: 'bogus' is not a metric; expected one of accuracy, macroF1, macroAuroc, .*, or f1:CLASS \/ auroc:CLASS/);
  // a name that exists, but not for these classes or this task
  assert.throws(() => bootstrapMetric('single-label', labels, targets, probs, classes, 'cinc2017F1', 1, 10), /metric 'cinc2017F1' is not defined for a single-label model of classes NORM, ABNORMAL/);
  assert.throws(() => bootstrapMetric('multi-label', labels, targets, probs, classes, 'balancedAccuracy', 1, 10), /'balancedAccuracy' is not defined for a multi-label model/);
  assert.equal(bootstrapMetric('single-label', labels, targets, probs, classes, 'balancedAccuracy', 1, 10).estimate, evaluate('single-label', labels, targets, probs, classes).balancedAccuracy);
  assert.throws(() => checkMetricName('f1:MI', classes, 'eval: --ci'), /^ArgumentError: eval: --ci: metric 'f1:MI' names no class/);
  checkMetricName('f1:ANYTHING'); // without the classes, only the form is checked
});
