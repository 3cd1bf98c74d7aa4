// Training and `ecglab eval` on the adapter-backed datasets, with the real fixture records:
// CPSC 2018 (10 WFDB + 1 .mat), CinC 2021 (6 records) and a WFDB folder built in a temp dir. A tiny
// Ma & Liang net, one or two epochs: the run must finish with the right classes and task, and eval on
// the same data must see every record. Bad input must reach the user as one line naming the file.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunConfig } from '../config/index.js';
import { readRecord, wrsampSync } from '@ecglab/data';
import { evaluateDataset } from '../inference/evaluate.js';
import { readSpec } from '../inference/model-file.js';
import { Predictor } from '../inference/predictor.js';
import { train } from './trainer.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(root, 'packages/cli/bin/ecglab.mjs');
const cpsc = join(root, 'fixtures/data/cpsc2018');
const cinc21 = join(root, 'fixtures/data/cinc2021');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-adapters-train-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tiny = { kind: 'ma-liang', width: 8, depth: [1, 1, 1, 1], groups: 4 };
const input = { kind: 'max-abs', leads: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], maxSeconds: 10, maxShiftSeconds: 0 };

function ecglab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
}
function evalJson(run: string, spec: string): { n: number; classes: string[] } {
  const r = ecglab(['eval', '--model', run, '--data', spec, '--bootstrap', '10', '--json']);
  assert.equal(r.status, 0, `ecglab eval ${spec} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('cpsc2018: both forms train a 9-class multi-label net; eval sees all 11 records', async () => {
  const cfg = parseRunConfig(
    {
      name: 'cpsc', seed: 1, data: { kind: 'cpsc2018', path: cpsc, fs: 250 }, input, model: tiny,
      train: { epochs: 1, batchSize: 4, monitor: 'macroAuroc', valFraction: 0.34 },
    },
    'cpsc.yaml',
  );
  const run = join(dir, 'cpsc');
  const r = await train(cfg, { out: run, quiet: true, bootstrapIterations: 10 });
  assert.equal(r.epochsRun, 1);
  const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
  assert.deepEqual(metrics.classes, ['Normal', 'AF', 'I-AVB', 'LBBB', 'RBBB', 'PAC', 'PVC', 'STD', 'STE']);
  assert.equal(metrics.dataset, 'cpsc2018');
  assert.ok([3, 4].includes(metrics.split.val.length), 'iterative stratification into 3 folds of 11 records, fold 0 held out');
  const spec = readSpec(run);
  assert.equal(spec.task, 'multi-label');
  assert.equal(spec.conform.fs, 250);
  assert.deepEqual(spec.conform.leads, ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
  assert.equal(evalJson(run, `cpsc2018:${cpsc}`).n, 11);
  const split = join(dir, 'cpsc-split.txt');
  writeFileSync(split, 'A0079\nA1980\n');
  assert.equal((await evaluateDataset(run, `cpsc2018:${cpsc}:${split}`, 10)).n, 2);
});

test('cinc2021: the 26 scored classes, multi-label; eval sees all 6 records', async () => {
  const cfg = parseRunConfig(
    {
      name: 'c21', seed: 2, data: { kind: 'cinc2021', path: cinc21, fs: 250 }, input, model: tiny,
      train: { epochs: 2, batchSize: 3, monitor: 'macroAuroc', valFraction: 0.34 },
    },
    'c21.yaml',
  );
  const run = join(dir, 'c21');
  const r = await train(cfg, { out: run, quiet: true, bootstrapIterations: 10 });
  assert.equal(r.epochsRun, 2);
  const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
  assert.equal(metrics.classes.length, 26);
  assert.ok(metrics.classes.includes('CRBBB|RBBB'));
  const e = evalJson(run, `cinc2021:${cinc21}`);
  assert.equal(e.n, 6);
  assert.deepEqual(e.classes, metrics.classes);
});

test('wfdb-folder: single-label from a one-label-per-record CSV, leads by name; eval with labels=FILE sees every record', async () => {
  const recs = join(dir, 'recs');
  mkdirSync(recs);
  const sources: [string, string][] = [
    [join(cpsc, 'Training_WFDB'), 'A0003'], [join(cpsc, 'Training_WFDB'), 'A0029'], [join(cpsc, 'Training_WFDB'), 'A0079'],
    [join(cpsc, 'Training_WFDB'), 'A0044'], [join(cinc21, 'training_data'), 'HR19293'], [join(cinc21, 'training_data'), 'E09657'],
  ];
  for (const [src, id] of sources) for (const ext of ['.hea', '.mat']) copyFileSync(join(src, `${id}${ext}`), join(recs, `${id}${ext}`));
  const labels = join(dir, 'my-labels.csv');
  writeFileSync(labels, 'record,labels\nA0003,AF\nA0029,normal\nA0079,AF\nA0044,other\nHR19293,normal\nE09657,AF\n');
  const cfg = parseRunConfig(
    {
      name: 'folder', seed: 3, data: { kind: 'wfdb-folder', path: recs, labels: 'my-labels.csv', leads: ['II', 'V1'] },
      input: { ...input, leads: [0, 1] }, model: tiny, train: { epochs: 1, batchSize: 3, monitor: 'macroF1', valFraction: 0.34 },
    },
    'folder.yaml',
    dir,
  );
  const run = join(dir, 'folder');
  await train(cfg, { out: run, quiet: true, bootstrapIterations: 10 });
  const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
  assert.deepEqual(metrics.classes, ['AF', 'normal', 'other']);
  assert.ok(metrics.confusion, 'single-label metrics have a confusion matrix');
  const spec = readSpec(run);
  assert.equal(spec.task, 'single-label');
  assert.deepEqual(spec.conform.leads, ['II', 'V1']);
  assert.equal(evalJson(run, `wfdb-folder:${recs}:labels=${labels}`).n, 6);
  // Evaluation on a label file missing a class keeps the model's classes.
  const fewer = join(dir, 'fewer.csv');
  writeFileSync(fewer, 'record,labels\nA0003,AF\nHR19293,normal\n');
  const few = await evaluateDataset(run, `wfdb-folder:${recs}:labels=${fewer}`, 10);
  assert.deepEqual([few.n, few.classes], [2, ['AF', 'normal', 'other']]);

  // predict picks the leads by name too: a copy of A0003 with its leads in reverse order predicts the same.
  const orig = await readRecord(join(recs, 'A0003'));
  wrsampSync(join(dir, 'REV'), { fs: orig.fs, sigName: [...orig.leadNames].reverse().map((n) => n.toLowerCase()), physical: orig.signals.map((l) => Float64Array.from(l)).reverse(), fmt: 16 });
  using predictor = Predictor.load(run);
  const [p1, p2] = await predictor.predictFiles([join(recs, 'A0003'), join(dir, 'REV')]);
  for (const c of metrics.classes) assert.ok(Math.abs(p1!.probabilities[c]! - p2!.probabilities[c]!) < 1e-3, `${c}: ${p1!.probabilities[c]} vs ${p2!.probabilities[c]}`);

  // Bad input: one line on stderr naming the file, no stack trace.
  const absent = join(dir, 'absent.csv');
  writeFileSync(absent, 'record,labels\nA0003,AF\nB9999,AF\n');
  const bad = ecglab(['eval', '--model', run, '--data', `wfdb-folder:${recs}:labels=${absent}`]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, new RegExp(`${absent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: names 1 record not found in .*'B9999' \\(line 3\\)`));
  assert.doesNotMatch(bad.stderr, /\n\s+at .+:\d+:\d+/);
  const unknownClass = join(dir, 'unknown.csv');
  writeFileSync(unknownClass, 'record,labels\nA0003,PVC\n');
  await assert.rejects(evaluateDataset(run, `wfdb-folder:${recs}:labels=${unknownClass}`, 10), /unknown\.csv: labels PVC are not among the given classes \(AF, normal, other\)/);
  await assert.rejects(evaluateDataset(run, `cpsc2019:${recs}`, 10), /unknown kind 'cpsc2019'/);
});
