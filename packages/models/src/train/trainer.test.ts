// The trainer on real fixture records, in-process: it must fit a handful of CinC 2017 records
// (training loss falls far below chance), and run the multi-label (sigmoid) path on PTB-XL records.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveTensorCount } from '@ecglab/engine';
import { parseRunConfig } from '../config/index.js';
import type { Objective } from '../objectives/index.js';
import { train } from './trainer.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecglab-trainer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const readLog = (run: string) => readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
// A tiny Ma & Liang net on 12 CinC 2017 records, whole and unshifted: the same inputs every epoch.
const TINY_CINC = {
  seed: 5,
  data: { kind: 'cinc2017', path: join(root, 'fixtures/data/cinc2017/training2017'), limit: 12 },
  input: { kind: 'max-abs', leads: [0], maxSeconds: 60, maxShiftSeconds: 0 },
  model: { kind: 'ma-liang', width: 8, depth: [1, 1, 1, 1], groups: 4 },
  optimizer: { kind: 'adam', lr: 0.001 },
  schedule: { kind: 'constant' },
};

test('single-label: a tiny Ma & Liang net fits 8 CinC 2017 records (epoch loss below half of chance, ln 4 ≈ 1.39)', async () => {
  const cfg = parseRunConfig(
    // Whole records, no shift: the same inputs every epoch, so the net can fit them.
    { ...TINY_CINC, name: 'fit', train: { epochs: 24, batchSize: 4, valFraction: 0.25, classWeights: 'none' } },
    'fit.yaml',
  );
  const before = liveTensorCount();
  const r = await train(cfg, { out: join(dir, 'fit'), quiet: true, bootstrapIterations: 50 });
  assert.equal(liveTensorCount(), before, 'the trainer frees every tensor it made');
  const log = readLog(join(dir, 'fit'));
  assert.equal(log.length, 24);
  assert.ok(log[0].trainLoss > 1.2, `first epoch loss ${log[0].trainLoss}`);
  assert.ok(log[23].trainLoss < 0.7, `last epoch loss ${log[23].trainLoss}`);
  for (const e of log) assert.ok(Number.isFinite(e.trainLoss) && e.lr > 0 && e.trainRecordsPerSecond > 0);
  for (const e of log) {
    const t = e.timing!;
    assert.ok(t.forward > 0 && t.backward > 0 && t.optimizer > 0 && t.validation > 0 && t.data >= 0 && t.pageFaults >= 0, JSON.stringify(t));
    assert.ok(t.data + t.forward + t.backward + t.optimizer + t.validation <= e.seconds + 0.01, `phases ${JSON.stringify(t)} within the epoch's ${e.seconds} s`);
  }
  const metrics = JSON.parse(readFileSync(join(dir, 'fit', 'metrics.json'), 'utf8'));
  assert.equal(metrics.split.val.length, 4);
  assert.equal(metrics.n, 4);
  assert.deepEqual(metrics.classes, ['N', 'A', 'O', '~']);
  assert.ok(metrics.ci.lower <= metrics.cinc2017F1 && metrics.cinc2017F1 <= metrics.ci.upper);
  assert.equal(r.metrics.cinc2017F1, metrics.cinc2017F1);
});

test('multi-label: PTB-XL superclasses train with sigmoid outputs and are scored by AUROC', async () => {
  const cfg = parseRunConfig(
    {
      name: 'ptb',
      seed: 1,
      data: { kind: 'ptbxl', path: join(root, 'fixtures/data/ptbxl'), fs: 100, labels: 'superclass' },
      input: { kind: 'mv-zscore', leads: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], maxSeconds: 10, maxShiftSeconds: 0 },
      model: { kind: 'xresnet1d', widths: [8, 8], depth: [1, 1] },
      train: { epochs: 2, batchSize: 4, monitor: 'macroAuroc', valFraction: 0.25 },
    },
    'ptb.yaml',
  );
  const r = await train(cfg, { out: join(dir, 'ptb'), quiet: true, bootstrapIterations: 20 });
  assert.equal(r.metrics.task, 'multi-label');
  assert.deepEqual(Object.keys(r.metrics.perClassAuroc!), ['NORM', 'MI', 'STTC', 'CD', 'HYP']);
  assert.equal(r.metrics.tunedThresholds!.length, 5);
  const log = readLog(join(dir, 'ptb'));
  assert.equal(log.length, 2);
  assert.ok(Number.isFinite(log[1].trainLoss));
});

test('official folds: PTB-XL strat_fold 1-8 train, 9 validates, the test fold is never read', async () => {
  const cfg = parseRunConfig(
    {
      name: 'folds',
      seed: 1,
      data: { kind: 'ptbxl', path: join(root, 'fixtures/data/ptbxl'), fs: 100, labels: 'norm-vs-abnormal', folds: { train: [1, 2, 3, 4, 5, 6, 7, 8], val: [9], test: [10] } },
      input: { kind: 'mv-zscore', leads: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], maxSeconds: 10, maxShiftSeconds: 0 },
      model: { kind: 'xresnet1d', widths: [8, 8], depth: [1, 1] },
      // Accuracy: AUROC is undefined on these two validation records if they share one class.
      train: { epochs: 1, batchSize: 4, monitor: 'accuracy' },
    },
    'folds.yaml',
  );
  await train(cfg, { out: join(dir, 'folds'), quiet: true, bootstrapIterations: 10 });
  const metrics = JSON.parse(readFileSync(join(dir, 'folds', 'metrics.json'), 'utf8'));
  // Fold 9 of fixtures/data/ptbxl/ptbxl_database.csv is ecg_ids 17, 26, 39; 17 has no diagnostic statement,
  // so NORM vs abnormal leaves it out.
  assert.deepEqual(metrics.split, { kind: 'strat_fold', folds: { train: [1, 2, 3, 4, 5, 6, 7, 8], val: [9], test: [10] }, val: ['26', '39'] });
  assert.equal(metrics.n, 2);
  // A val fold with no records here is an error naming it.
  const empty = parseRunConfig({ ...structuredClone(cfg), data: { ...cfg.data, folds: { train: [1, 2], val: [4] } }, train: { epochs: 1, batchSize: 4, monitor: 'accuracy' } }, 'e.yaml');
  await assert.rejects(train(empty, { out: join(dir, 'empty'), quiet: true }), /\/data\/folds\/val: no ptbxl-norm-vs-abnormal records in strat_fold 4/);
});

// 8 records through a net whose learning rate is too small to change its weights: the validation metric is the
// same every epoch, so no epoch after the first eligible one improves on it.
const FROZEN_CINC = {
  seed: 2,
  data: { kind: 'cinc2017', path: join(root, 'fixtures/data/cinc2017/training2017'), limit: 8 },
  input: { kind: 'max-abs', leads: [0], maxSeconds: 10, maxShiftSeconds: 0 },
  model: { kind: 'ma-liang', width: 8, depth: [1, 1, 1, 1], groups: 4 },
  optimizer: { kind: 'adam', lr: 1e-12 },
  schedule: { kind: 'constant' },
};

test('early stopping: with no improvement for `patience` epochs the run stops and says so', async () => {
  const cfg = parseRunConfig({ ...FROZEN_CINC, name: 'stop', train: { epochs: 10, batchSize: 4, valFraction: 0.5, patience: 2 } }, 'stop.yaml');
  const r = await train(cfg, { out: join(dir, 'stop'), quiet: true, bootstrapIterations: 10 });
  assert.equal(r.epochsRun, 3, 'the first epoch sets the best, two more without improvement stop the run');
  assert.equal(r.bestEpoch, 0);
  assert.equal(readLog(join(dir, 'stop')).length, 3);
});

test('train.selectFrom: the kept model is the best of the eligible epochs, and patience counts from there', async () => {
  const raw = { ...FROZEN_CINC, name: 'select-from', train: { epochs: 5, batchSize: 4, valFraction: 0.5, patience: 2, selectFrom: 2 } };
  const r = await train(parseRunConfig(raw, 'select.yaml'), { out: join(dir, 'select-from'), quiet: true, bootstrapIterations: 10 });
  assert.equal(r.bestEpoch, 2, 'epochs 0 and 1 are not eligible, epoch 2 is the first that is');
  assert.equal(r.epochsRun, 5, 'patience counts epochs 3 and 4 only');
  assert.equal(JSON.parse(readFileSync(join(dir, 'select-from', 'metrics.json'), 'utf8')).bestEpoch, 2);
  assert.throws(() => parseRunConfig({ ...raw, train: { ...raw.train, selectFrom: 5 } }, 'select.yaml'), /select.yaml: \/train\/selectFrom must be < \/train\/epochs \(5\), got 5/);
});

test('a monitored metric undefined on the validation split (AUROC with one class) still leaves a model', async () => {
  const cfg = parseRunConfig(
    {
      name: 'nan-monitor',
      seed: 1,
      // Fold 9 of the fixture holds two records for NORM vs abnormal (ecg_ids 26 and 39), one class only.
      data: { kind: 'ptbxl', path: join(root, 'fixtures/data/ptbxl'), fs: 100, labels: 'norm-vs-abnormal', folds: { train: [1, 2, 3, 4, 5, 6, 7, 8], val: [9] } },
      input: { kind: 'mv-zscore', leads: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], maxSeconds: 10, maxShiftSeconds: 0 },
      model: { kind: 'xresnet1d', widths: [8, 8], depth: [1, 1] },
      train: { epochs: 2, batchSize: 4, monitor: 'macroAuroc' },
    },
    'nan-monitor.yaml',
  );
  await train(cfg, { out: join(dir, 'nan-monitor'), quiet: true, bootstrapIterations: 10 });
  const log = readFileSync(join(dir, 'nan-monitor', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(log.length, 2);
  assert.ok(log.every((r) => r.val.macroAuroc === null), JSON.stringify(log.map((r) => r.val)));
  assert.ok(existsSync(join(dir, 'nan-monitor', 'model.safetensors')));
  assert.equal(JSON.parse(readFileSync(join(dir, 'nan-monitor', 'metrics.json'), 'utf8')).n, 2);
});

test('a new objective written here, without touching the trainer, trains (label-smoothed cross-entropy) and logs its terms', async () => {
  // Label smoothing as its own loss: −Σ_k q_k log p_k with q = 0.9·onehot + 0.1/K.
  const smoothed: Objective = {
    name: 'ce-smooth',
    compute(model, batch, ctx) {
      const logp = model.logits(batch).logSoftmax(1); // [N, K]
      const q = batch.targets!.mul(0.9).add(0.1 / ctx.classes); // [N, K]
      const loss = logp.mul(q).sum(1).mean().neg();
      return { loss, logs: { epochSeen: ctx.epoch, lr: ctx.lr } };
    },
  };
  const cfg = parseRunConfig(
    {
      name: 'smooth', seed: 5,
      data: { kind: 'cinc2017', path: join(root, 'fixtures/data/cinc2017/training2017'), limit: 12 },
      input: { kind: 'max-abs', leads: [0], maxSeconds: 60, maxShiftSeconds: 0 },
      model: { kind: 'ma-liang', width: 8, depth: [1, 1, 1, 1], groups: 4 },
      optimizer: { kind: 'adam', lr: 0.001 },
      schedule: { kind: 'constant' },
      train: { epochs: 12, batchSize: 4, valFraction: 0.25, classWeights: 'none' },
    },
    'smooth.yaml',
  );
  await train(cfg, { out: join(dir, 'smooth'), quiet: true, bootstrapIterations: 10, objective: smoothed });
  const log = readLog(join(dir, 'smooth'));
  assert.equal(log.length, 12);
  // Smoothing keeps the loss above its floor −Σ q log q ≈ 0.39 for K = 4, and it still falls well below chance.
  assert.ok(log[11].trainLoss < log[0].trainLoss - 0.4, `loss ${log[0].trainLoss} → ${log[11].trainLoss}`);
  assert.ok(log[11].trainLoss > 0.39);
  assert.deepEqual(log.map((e: { trainLogs: { epochSeen: number } }) => e.trainLogs.epochSeen), log.map((_: unknown, i: number) => i));
  assert.ok(existsSync(join(dir, 'smooth', 'model.safetensors')));
});

test('train.precision bf16: the step runs under autocast (loss within 3 % of float32, not equal), the saved model stays float32', async () => {
  const losses: Record<string, number> = {};
  for (const precision of ['fp32', 'bf16'] as const) {
    const cfg = parseRunConfig({ ...TINY_CINC, name: precision, train: { epochs: 1, batchSize: 4, valFraction: 0.25, classWeights: 'none', precision } }, `${precision}.yaml`);
    await train(cfg, { out: join(dir, precision), quiet: true, bootstrapIterations: 20 });
    losses[precision] = readLog(join(dir, precision))[0].trainLoss;
    // safetensors: an 8-byte little-endian header length, then the JSON header naming every tensor's dtype
    const bytes = readFileSync(join(dir, precision, 'model.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { dtype?: string }>;
    const dtypes = new Set(Object.entries(header).filter(([k]) => k !== '__metadata__').map(([, v]) => v.dtype));
    assert.deepEqual([...dtypes], ['F32'], `${precision}: saved dtypes ${[...dtypes]}`);
  }
  const rel = Math.abs(losses.bf16! - losses.fp32!) / losses.fp32!;
  assert.ok(rel > 0 && rel < 0.03, `epoch loss fp32 ${losses.fp32} vs bf16 ${losses.bf16} (relative difference ${rel})`);
});
