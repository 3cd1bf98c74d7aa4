// Dataset loading on the PTB-XL fixture records (16 rows of ptbxl_database.csv with their strat_fold)
// and the CLI's dataset specs, including the strat_fold selector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadDataset, parseDatasetSpec } from './datasets.js';
import { DataSpecError } from '../errors.js';

const ptbxl = fileURLToPath(new URL('../../../../fixtures/data/ptbxl', import.meta.url));
const cinc = fileURLToPath(new URL('../../../../fixtures/data/cinc2017/training2017', import.meta.url));

test('PTB-XL records carry their official strat_fold; a fold set keeps only those folds', async () => {
  const all = await loadDataset({ kind: 'ptbxl', path: ptbxl, limit: 0, fs: 100, labels: 'superclass' });
  assert.equal(all.records.length, 16);
  const byFold = Object.fromEntries(all.records.map((r) => [r.id, r.fold]));
  // As in fixtures/data/ptbxl/ptbxl_database.csv.
  assert.deepEqual([byFold['1'], byFold['17'], byFold['63'], byFold['162'], byFold['500']], [3, 9, 10, 10, 8]);
  const test10 = await loadDataset({ kind: 'ptbxl', path: ptbxl, limit: 0, fs: 100, labels: 'superclass' }, 0, null, new Set([10]));
  assert.deepEqual(test10.records.map((r) => r.id), ['63', '162']);
  await assert.rejects(loadDataset({ kind: 'cinc2017', path: cinc, limit: 0 }, 0, null, new Set([1])), /only PTB-XL has official folds/);
});

test('dataset specs: fold=N[,N] selects PTB-XL strat_folds; other kinds and bad numbers are refused', () => {
  const s = parseDatasetSpec(`ptbxl100:${ptbxl}:fold=10`);
  assert.deepEqual([...s.folds!], [10]);
  assert.equal(s.only, null);
  assert.deepEqual(s.config, { kind: 'ptbxl', path: ptbxl, limit: 0, fs: 100, labels: 'superclass' });
  assert.deepEqual([...parseDatasetSpec(`ptbxl100-normal:${ptbxl}:fold=9,10`).folds!], [9, 10]);
  assert.equal(parseDatasetSpec(`ptbxl100:${ptbxl}`).folds, null);
  const refuses = (spec: string, pattern: RegExp) =>
    assert.throws(() => parseDatasetSpec(spec), (err: unknown) => err instanceof DataSpecError && pattern.test(err.message));
  refuses(`ptbxl100:${ptbxl}:fold=11`, /'fold=' takes strat_fold numbers 1\.\.10 separated by commas, got '11'/);
  refuses(`ptbxl100:${ptbxl}:fold=`, /'fold=' takes strat_fold numbers/);
  refuses(`cinc2017:${cinc}:fold=1`, /cinc2017 has no official folds \(use a split file\)/);
  refuses(`ptbxl100:${ptbxl}:fold=10:x`, /expected at most KIND:PATH:SELECTOR/);
  refuses(`ptbxl100:${join(ptbxl, 'nope')}`, /folder '.*nope' not found/);
});
