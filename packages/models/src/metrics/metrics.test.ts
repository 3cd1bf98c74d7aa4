// Checks every metric against scikit-learn / numpy values from
// packages/models/fixtures/make_metrics_fixture.py (run: /usr/bin/python3 <that file>).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  confusionMatrix, perClassF1, macroF1, microF1, accuracy, balancedAccuracy, cinc2017F1, cpsc2018Score,
  multiLabelF1, auroc, averagePrecision, macroRanking, tuneThresholds, applyThresholds, percentile, bootstrapCI, pick,
} from './index.js';

const fx = JSON.parse(readFileSync(new URL('../../fixtures/metrics.json', import.meta.url), 'utf8'));

function close(actual: number, expected: number, what: string, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, sklearn ${expected}`);
}
function closeAll(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => close(a, expected[i] as number, `${what}[${i}]`));
}

for (const name of ['single4', 'single9']) {
  test(`single-label metrics match sklearn (${name})`, () => {
    const c = fx[name];
    assert.deepEqual(confusionMatrix(c.yTrue, c.yPred, c.k), c.confusion);
    closeAll(perClassF1(c.yTrue, c.yPred, c.k), c.perClassF1, 'perClassF1');
    close(macroF1(c.yTrue, c.yPred, c.k), c.macroF1, 'macroF1');
    close(microF1(c.yTrue, c.yPred, c.k), c.microF1, 'microF1');
    close(accuracy(c.yTrue, c.yPred), c.accuracy, 'accuracy');
    close(balancedAccuracy(c.yTrue, c.yPred, c.k), c.balancedAccuracy, 'balancedAccuracy');
  });
}

test('CinC 2017 F1 is the mean of the N, A, O F1s', () => {
  const c = fx.single4;
  close(cinc2017F1(c.yTrue, c.yPred).score, c.cinc2017F1, 'cinc2017F1');
  // A noisy record called N is a false positive for N: F1_N = 2/3, and ~ is not averaged.
  close(cinc2017F1([0, 1, 2, 3], [0, 1, 2, 0]).score, (2 / 3 + 1 + 1) / 3, 'toy');
});

test('CPSC 2018 score and sub-scores match the challenge definition', () => {
  const c = fx.cpsc2018;
  const s = cpsc2018Score(c.labels, c.pred);
  assert.deepEqual(s.matrix, c.matrix);
  closeAll(s.perClass, c.perClass, 'perClass');
  for (const k of ['f1', 'fAF', 'fBlock', 'fPC', 'fST'] as const) close(s[k], c[k], k);
});

test('multi-label F1 matches sklearn', () => {
  const c = fx.multilabel;
  const r = multiLabelF1(c.yTrue, c.yPred05);
  closeAll(r.perClass, c.f1PerClass05, 'perClass');
  close(r.macro, c.f1Macro05, 'macro');
  close(r.micro, c.f1Micro05, 'micro');
});

test('AUROC and average precision match sklearn, ties included', () => {
  const c = fx.multilabel;
  const roc = macroRanking(c.yTrue, c.scores, 'auroc');
  closeAll(roc.perClass, c.aurocPerClass, 'auroc');
  close(roc.macro, c.aurocMacro, 'auroc macro');
  const pr = macroRanking(c.yTrue, c.scores, 'auprc');
  closeAll(pr.perClass, c.auprcPerClass, 'auprc');
  close(pr.macro, c.auprcMacro, 'auprc macro');
  close(auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75, 'sklearn docstring example');
  assert.ok(Number.isNaN(auroc([1, 1], [0.2, 0.3])), 'one class present → NaN');
  assert.ok(Number.isNaN(averagePrecision([0, 0], [0.2, 0.3])), 'no positives → NaN');
});

test('per-class threshold tuning matches a brute-force sweep', () => {
  const c = fx.multilabel;
  const r = tuneThresholds(c.yTrue, c.scores);
  closeAll(r.thresholds, c.tunedThresholds, 'thresholds');
  closeAll(r.f1, c.tunedF1, 'tuned F1');
  const tuned = multiLabelF1(c.yTrue, applyThresholds(c.scores, r.thresholds));
  closeAll(tuned.perClass, c.tunedF1, 'F1 after applying');
});

test('percentile matches numpy; bootstrap CI is seeded and brackets the estimate', () => {
  const p = fx.percentile;
  p.q.forEach((q: number, i: number) => close(percentile(p.values, q), p.expected[i], `percentile ${q}`));
  const c = fx.single4;
  const stat = (idx: Int32Array) => cinc2017F1(pick(c.yTrue as number[], idx), pick(c.yPred as number[], idx)).score;
  const a = bootstrapCI(c.yTrue.length, stat, { seed: 7, iterations: 300 });
  const b = bootstrapCI(c.yTrue.length, stat, { seed: 7, iterations: 300 });
  assert.deepEqual(a, b);
  close(a.estimate, c.cinc2017F1, 'estimate');
  assert.ok(a.lower < a.estimate && a.estimate < a.upper, JSON.stringify(a));
  // For a mean the percentile CI approaches ±1.96·σ/√n.
  const xs = p.values as number[];
  const mean = (idx: Int32Array) => pick(xs, idx).reduce((s, v) => s + v, 0) / idx.length;
  const m = mean(Int32Array.from(xs.keys()));
  const sd = Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / xs.length);
  const ci = bootstrapCI(xs.length, mean, { seed: 3, iterations: 2000 });
  const half = (ci.upper - ci.lower) / 2;
  assert.ok(Math.abs(half / ((1.96 * sd) / Math.sqrt(xs.length)) - 1) < 0.15, `half width ${half}`);
  // A statistic undefined on every resample (AUROC with one class present) has NaN bounds, not an error.
  const oneClass = bootstrapCI(4, (idx) => auroc(pick([0, 0, 0, 0], idx), pick([0.1, 0.4, 0.3, 0.9], idx)), { seed: 1, iterations: 50 });
  assert.ok(Number.isNaN(oneClass.estimate) && Number.isNaN(oneClass.lower) && Number.isNaN(oneClass.upper), JSON.stringify(oneClass));
});

test('bad arguments are named', () => {
  assert.throws(() => confusionMatrix([0, 1], [0], 2), /confusionMatrix: 'yTrue' and 'yPred' must have the same length, got 2 and 1/);
  assert.throws(() => macroF1([0, 5], [0, 1], 4), /'yTrue\[1\]' must be an integer class in \[0, 4\), got 5/);
});
