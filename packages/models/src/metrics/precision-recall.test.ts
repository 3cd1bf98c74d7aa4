import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancedAccuracy } from './classification.js';
import { macroPrecisionRecall } from './precision-recall.js';

test('macroPrecisionRecall: per-class counts, zero division gives 0, single-label macro recall is the balanced accuracy', () => {
  // Counts by hand: class 0 predicted 3× (1 right) of 2 present; class 1 predicted 2× (1 right) of 2; class 2 never predicted.
  const t = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]];
  const p = [[1, 0, 0], [0, 1, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0]];
  const r = macroPrecisionRecall(t, p);
  assert.deepEqual(r.precision, [1 / 3, 1 / 2, 0]);
  assert.deepEqual(r.recall, [1 / 2, 1 / 2, 0]);
  assert.equal(r.macroPrecision, (1 / 3 + 1 / 2) / 3);
  assert.equal(r.macroRecall, balancedAccuracy([0, 0, 1, 1, 2], [0, 1, 1, 0, 0], 3));
  // Multi-label rows: several positives per record.
  assert.deepEqual(macroPrecisionRecall([[1, 1], [0, 1]], [[1, 0], [1, 1]]), { precision: [0.5, 1], recall: [1, 0.5], macroPrecision: 0.75, macroRecall: 0.75 });
  assert.throws(() => macroPrecisionRecall(t, p.slice(1)), /'yTrue' and 'yPred' must have the same length, got 5 and 4/);
});
