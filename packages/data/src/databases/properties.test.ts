import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCsv } from './csv.js';
import { iterativeStratification, stratifiedKFold } from './stratify.js';

test('CSV: fields written with RFC 4180 quoting parse back unchanged', () => {
  const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', "'", '{', ':') , maxLength: 8 });
  fc.assert(
    fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (rows) => {
      const text = rows.map((r) => r.map((f) => `"${f.replaceAll('"', '""')}"`).join(',')).join('\r\n') + '\n';
      assert.deepEqual(parseCsv(text).map((r) => r.fields), rows);
    }),
  );
});

test('stratifiedKFold: every class within ±1 of n_c/k in every fold, for any labels', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 10, maxLength: 300 }), fc.integer({ min: 2, max: 10 }), fc.integer(), (labels, k, seed) => {
      fc.pre(k <= labels.length);
      const f = stratifiedKFold(labels, k, seed);
      for (const c of new Set(labels)) {
        const tot = labels.filter((l) => l === c).length;
        for (let j = 0; j < k; j++) assert.ok(Math.abs(labels.filter((l, i) => l === c && f[i] === j).length - tot / k) < 1);
      }
    }),
  );
});

test('iterativeStratification assigns every sample to one fold in range, deterministically', () => {
  fc.assert(
    fc.property(fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), { minLength: 5, maxLength: 200 }), fc.integer({ min: 2, max: 5 }), fc.integer(), (labels, k, seed) => {
      fc.pre(k <= labels.length);
      const f = iterativeStratification(labels, k, seed);
      assert.ok(f.every((v) => v >= 0 && v < k));
      assert.deepEqual(f, iterativeStratification(labels, k, seed));
    }),
  );
});
