// Ma & Liang's CPSC 2018 protocol: the single-label mode (First_label, records with a Second_label dropped), their
// per-class split on the real class counts of the full label table (REFERENCE-full.csv, read here independently),
// their 8 leads and 30,720-sample cut, and the challenge score in `eval` on the fixture sample.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputPipeline, readRecord } from '@ecglab/data';
import { loadRunConfig, parseRunConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { evaluateDataset } from '../inference/evaluate.js';
import { Predictor } from '../inference/predictor.js';
import { cpsc2018Score } from '../metrics/classification.js';
import { argmaxRows } from '../metrics/evaluate.js';
import { train } from '../train/trainer.js';
import { openDataset } from './dataset.js';
import { perClassSplit, splitDataset } from './split.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cpsc = join(root, 'fixtures/data/cpsc2018');
const tmp = mkdtempSync(join(tmpdir(), 'ecglab-cpsc-protocol-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const CLASSES = ['Normal', 'AF', 'I-AVB', 'LBBB', 'RBBB', 'PAC', 'PVC', 'STD', 'STE'];
const LEADS8 = ['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

/** A REFERENCE.csv read here: per record its codes 1..9 as class indices, in the file's order. */
function reference(file: string): Map<string, number[]> {
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1);
  return new Map(lines.map((l) => {
    const [id, ...codes] = l.split(',');
    return [id!, codes.filter((c) => c.trim() !== '').map((c) => Number(c) - 1)];
  }));
}

test("per-class split on the full CPSC 2018 label table: 6,400 single-label records, 5 val and 50 test per class, seeded", () => {
  const full = reference(join(cpsc, 'REFERENCE-full.csv'));
  assert.equal(full.size, 6877);
  const single = [...full.values()].filter((l) => l.length === 1).map((l) => l[0]!);
  assert.equal(single.length, 6400, "the issue's count: 6,400 of 6,877 records have one label");
  const counts = CLASSES.map((_, c) => single.filter((l) => l === c).length);
  assert.deepEqual(counts, [918, 976, 686, 179, 1533, 532, 607, 784, 185]);
  const s = perClassSplit(single, CLASSES, { val: 5, test: 50 }, 1);
  assert.deepEqual([s.val.length, s.test.length, s.train.length], [45, 450, 6400 - 495]);
  CLASSES.forEach((_, c) => {
    const of = (part: number[]) => part.filter((i) => single[i] === c).length;
    assert.deepEqual([of(s.val), of(s.test), of(s.train)], [5, 50, counts[c]! - 55], CLASSES[c]);
  });
  const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
  assert.deepEqual(all, single.map((_, i) => i), 'every record in exactly one part');
  assert.deepEqual(perClassSplit(single, CLASSES, { val: 5, test: 50 }, 1), s, 'the same seed, the same split');
  assert.notDeepEqual(perClassSplit(single, CLASSES, { val: 5, test: 50 }, 2).test, s.test, 'another seed, another split');
  assert.throws(() => perClassSplit(single, CLASSES, { val: 100, test: 100 }, 1), /class LBBB has 179 records, needs at least 201/);
});

test("labelMode 'first' on the fixture sample: First_label only, A0079 (RBBB then AF) dropped; Ma & Liang's 8 leads by name", async () => {
  const ref = reference(join(cpsc, 'REFERENCE.csv'));
  const ds = await openDataset({ kind: 'cpsc2018', path: cpsc, limit: 0, labelMode: 'first', leads: LEADS8 }, { inputLeads: [0, 1, 2, 3, 4, 5, 6, 7] });
  assert.equal(ds.task, 'single-label');
  const kept = [...ref.entries()].filter(([, l]) => l.length === 1);
  assert.deepEqual(ds.ids, kept.map(([id]) => id).sort());
  assert.equal(ds.ids.length, 10);
  assert.ok(!ds.ids.includes('A0079'));
  ds.ids.forEach((id, i) => {
    assert.equal(ds.labels[i], ref.get(id)![0], id);
    assert.deepEqual(Array.from(ds.targets[i]!), CLASSES.map((_, c) => (c === ref.get(id)![0] ? 1 : 0)), id);
  });
  assert.deepEqual(ds.labelLists, ds.ids.map((id) => ref.get(id)));
  assert.deepEqual(ds.conform.leads, LEADS8);
  // The 8 leads are the record's leads of those names, in that order.
  const pipe = await InputPipeline.create({ source: ds.source(), conform: ds.conform, batchSize: 2, seed: 0 });
  const conformed = await pipe.conformed(ds.ids.indexOf('A0003'));
  const raw = await readRecord(join(cpsc, 'Training_WFDB', 'A0003'));
  LEADS8.forEach((name, c) => assert.deepEqual(conformed.signals[c], raw.signals[raw.leadNames.indexOf(name)], name));
  // Multi-label mode keeps A0079 with both labels, REFERENCE.csv's order kept for the challenge score.
  const multi = await openDataset({ kind: 'cpsc2018', path: cpsc, limit: 0 }, { inputLeads: [0] });
  assert.equal(multi.task, 'multi-label');
  assert.deepEqual(multi.labelLists![multi.ids.indexOf('A0079')], [4, 1]);
});

test('configs: cpsc2018-maliang.yaml is the protocol; perClassSplit needs labelMode first; a class too small for it is named', async () => {
  const cfg = loadRunConfig(join(root, 'configs/cpsc2018-maliang.yaml'));
  assert.equal(cfg.data.kind, 'cpsc2018');
  if (cfg.data.kind !== 'cpsc2018') return;
  assert.equal(cfg.data.labelMode, 'first');
  assert.deepEqual(cfg.data.perClassSplit, { val: 5, test: 50 });
  assert.deepEqual(cfg.data.leads, LEADS8);
  assert.equal(Math.round(cfg.input.maxSeconds * cfg.data.fs!), 30720, 'records cut at 30,720 samples');
  assert.throws(() => parseRunConfig({ name: 'x', data: { kind: 'cpsc2018', path: cpsc, perClassSplit: { val: 5, test: 50 } } }, 'x.yaml'), (e: unknown) => e instanceof ConfigError && /perClassSplit .* needs \/data\/labelMode 'first', got 'all'/.test(e.message));
  const small = parseRunConfig({ name: 'x', data: { kind: 'cpsc2018', path: cpsc, labelMode: 'first', perClassSplit: { val: 1, test: 1 } } }, 'x.yaml');
  const ds = await openDataset(small.data, { inputLeads: [0] });
  assert.throws(() => splitDataset(ds, { data: small.data, seed: 1, valFraction: 0.2 }), /perClassSplit: class Normal has 1 record, needs at least 3/);
});

/** A tiny model trained on the fixture sample (100 Hz, 10 s) in one label mode; two records validate. */
async function tinyCpscRun(labelMode: 'first' | 'all'): Promise<string> {
  const split = join(tmp, 'val.txt');
  writeFileSync(split, 'A0003\nA0137\n');
  const cfg = parseRunConfig(
    {
      name: `cpsc-${labelMode}`,
      seed: 1,
      threads: 1,
      data: { kind: 'cpsc2018', path: cpsc, fs: 100, leads: LEADS8, labelMode },
      input: { kind: 'max-abs', leads: [0, 1, 2, 3, 4, 5, 6, 7], maxSeconds: 10, maxShiftSeconds: 0 },
      model: { kind: 'ma-liang', width: 8, depth: [1, 1, 1, 1], groups: 4 },
      optimizer: { kind: 'adam', lr: 0.003 },
      schedule: { kind: 'constant' },
      train: { epochs: 3, batchSize: 4, monitor: 'macroF1', valSplit: split, classWeights: 'none' },
    },
    'cpsc.yaml',
  );
  const run = join(tmp, labelMode);
  await train(cfg, { out: run, quiet: true, bootstrapIterations: 10 });
  return run;
}

test('eval: the CPSC 2018 challenge score of the argmax decisions, for a single-label (First_label) and a multi-label model', async () => {
  const ref = reference(join(cpsc, 'REFERENCE.csv'));
  for (const mode of ['first', 'all'] as const) {
    const run = await tinyCpscRun(mode);
    const r = await evaluateDataset(run, `cpsc2018:${cpsc}`, 20);
    assert.ok(r.cpsc2018, `${mode}: the score is reported`);
    // Independently: the same records' probabilities from the Predictor, scored against REFERENCE.csv's labels.
    using p = Predictor.load(run);
    const ds = await openDataset({ kind: 'cpsc2018', path: cpsc, limit: 0, fs: 100, leads: LEADS8, labelMode: mode }, { inputLeads: [0, 1, 2, 3, 4, 5, 6, 7] });
    const probs = await p.probabilities(await p.pipeline(ds.source()));
    const expected = cpsc2018Score(ds.ids.map((id) => ref.get(id)!), argmaxRows(probs));
    assert.deepEqual(r.cpsc2018, expected, mode);
    assert.equal(r.n, mode === 'first' ? 10 : 11, `${mode}: A0079 ${mode === 'first' ? 'dropped' : 'kept'}`);
  }
});
