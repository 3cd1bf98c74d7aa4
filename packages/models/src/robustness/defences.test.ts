// Each defence trains real models a few steps in a small loop of our own (the trainer calls objective.compute
// the same way): the loss falls on a batch it can memorise, memory stays flat, and it runs on the xresnet1d
// baseline and on multi-label (sigmoid) models too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertFinite, fromArray, liveTensorCount, manualSeed, optim, tidy } from '@ecglab/engine';
import { Rng } from '@ecglab/data';
import type { EcgClassifier } from '../models/classifier.js';
import { MaLiangNet } from '../models/ma-liang.js';
import { XResNet1d } from '../models/xresnet1d.js';
import type { Objective, StepContext } from '../objectives/objective.js';
import { crossEntropyObjective } from '../objectives/cross-entropy.js';
import type { TensorBatch } from '../pipeline/tensor-batch.js';
import type { Task } from '../task.js';
import { ADVLS_DEFAULTS, JACOBIAN_DEFAULTS, NSR_DEFAULTS, advlsEps, defenceObjective, type DefenceConfig } from './defences/index.js';
import { paddedBatch } from './test-batches.js';

const LENGTHS = [256, 200, 160, 256, 230, 180];
const LABELS = [0, 1, 2, 0, 1, 2];
const TARGETS = [[1, 0, 1], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 0], [0, 1, 1]];

function batchFor(task: Task, dtype: 'float32' | 'float64' = 'float32'): TensorBatch {
  const { x, mask } = paddedBatch(LENGTHS, 2, 21, dtype);
  const labels = task === 'single-label' ? fromArray(BigInt64Array.from(LABELS, BigInt), [LABELS.length]) : null;
  const rows = task === 'single-label' ? LABELS.map((y) => [0, 1, 2].map((k) => (k === y ? 1 : 0))) : TARGETS;
  return { ids: LENGTHS.map(String), x, mask, labels, targets: fromArray(Float32Array.from(rows.flat()), [rows.length, 3]), extras: {} };
}

function ctx(task: Task, epoch: number, step: number): StepContext {
  return { task, classes: 3, epoch, epochs: 4, step, stepsPerEpoch: 10, rng: new Rng(1000 + step), lr: 1e-2, scheduler: undefined as unknown as StepContext['scheduler'], classWeights: null };
}

const tinyMaLiang = () => new MaLiangNet({ kind: 'ma-liang', pooling: 'avg', width: 8, depth: [1, 2], groups: 4, stemKernel: 11, slope: 0.01, maskThreshold: 0.5 }, 2, 3);
const tinyXResNet = () => new XResNet1d({ kind: 'xresnet1d', widths: [8, 8], depth: [1, 1], kernel: 5, cropSeconds: 1, cropStrideSeconds: 0.5 }, 2, 3, 100, 'max-abs');

/** Runs `steps` optimiser steps of `objective`; returns the losses, checking the live tensor count after each. */
function trainSteps(model: EcgClassifier, objective: Objective<EcgClassifier>, batch: TensorBatch, task: Task, steps: number, epoch: number): number[] {
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  model.train();
  const losses: number[] = [];
  let before = 0;
  for (let s = 0; s < steps; s++) {
    tidy(() => {
      const { loss } = objective.compute(model, batch, ctx(task, epoch, s));
      assertFinite(loss, 'loss');
      losses.push(loss.item());
      loss.backward();
    });
    opt.step();
    opt.zeroGrad();
    if (s === 0) before = liveTensorCount(); // Adam's state exists from its first step on
    else assert.equal(liveTensorCount(), before, `step ${s}: tensors leaked`);
  }
  opt.zeroGrad();
  return losses;
}

const DEFENCES: [string, DefenceConfig][] = [
  ['advls (PGD-5)', { ...ADVLS_DEFAULTS, eps: 0.02, steps: 5, startEpoch: 1, ramp: false }],
  ['advls (FGSM with random start)', { ...ADVLS_DEFAULTS, eps: 0.02, steps: 1, stepRatio: 1.25, startEpoch: 1, ramp: false }],
  ['jacobian (exact)', { ...JACOBIAN_DEFAULTS, beta: 1 }],
  ['jacobian (projection)', { ...JACOBIAN_DEFAULTS, beta: 1, estimator: 'projection' }],
  ['nsr', { ...NSR_DEFAULTS, startEpoch: 1 }],
];

for (const [name, cfg] of DEFENCES) {
  test(`${name}: trains Ma & Liang's CNN (loss falls over 25 steps on a batch it can fit), memory flat`, () => {
    manualSeed(3);
    const model = tinyMaLiang();
    const batch = batchFor('single-label');
    const losses = trainSteps(model, defenceObjective(cfg), batch, 'single-label', 25, 2);
    assert.ok(losses[24]! < 0.7 * losses[0]!, `${name}: loss ${losses[0]} → ${losses[24]}`);
    for (const t of [batch.x, batch.mask, batch.labels!, batch.targets!]) t.dispose();
    model.dispose();
  });
}

test('every defence runs on the xresnet1d baseline (BatchNorm, crops) and on multi-label models, with gradients on every weight', () => {
  for (const task of ['single-label', 'multi-label'] as const) {
    for (const makeModel of [tinyMaLiang, tinyXResNet]) {
      for (const [name, cfg] of DEFENCES) {
        manualSeed(4);
        const model = makeModel();
        const batch = batchFor(task);
        model.train();
        const before = liveTensorCount();
        tidy(() => {
          const { loss, logs } = defenceObjective(cfg).compute(model, batch, ctx(task, 2, 0));
          assertFinite(loss, 'loss');
          loss.backward();
          for (const v of Object.values(logs ?? {})) assert.ok(Number.isFinite(v), `${name}: log ${v}`);
        });
        assert.equal(liveTensorCount(), before);
        const missing = [...model.namedParameters()].filter(([, p]) => !p.grad).map(([k]) => k);
        assert.deepEqual(missing, [], `${task} ${model.constructor.name} ${name}: weights without gradient`);
        model.zeroGrad();
        for (const t of [batch.x, batch.mask, batch.labels, batch.targets]) t?.dispose();
        model.dispose();
      }
    }
  }
});

test('before their start epoch the defences are their base loss: advls (1−β)·CE, Jacobian CE, NSR the MSE alone', () => {
  manualSeed(5);
  const model = tinyMaLiang();
  model.train();
  const batch = batchFor('single-label');
  tidy(() => {
    const ce = crossEntropyObjective({ kind: 'ce', labelSmoothing: 0 }).compute(model, batch, ctx('single-label', 0, 0)).loss.item();
    const advls = defenceObjective({ ...ADVLS_DEFAULTS }).compute(model, batch, ctx('single-label', 0, 0));
    assert.ok(Math.abs(advls.loss.item() - 0.5 * ce) < 1e-6, `${advls.loss.item()} vs ${0.5 * ce}`);
    assert.equal(advls.logs!.eps, 0);
    const jac = defenceObjective({ ...JACOBIAN_DEFAULTS, startEpoch: 1 }).compute(model, batch, ctx('single-label', 0, 0));
    assert.ok(Math.abs(jac.loss.item() - ce) < 1e-6);
    const nsr = defenceObjective(NSR_DEFAULTS).compute(model, batch, ctx('single-label', 0, 0));
    const z = model.call(batch.x, batch.mask).sub(batch.targets!);
    assert.ok(Math.abs(nsr.loss.item() - z.mul(z).sum(1).mean().item()) < 1e-6);
    assert.deepEqual([nsr.logs!.margin, nsr.logs!.nsr], [0, 0]);
  });
  for (const t of [batch.x, batch.mask, batch.labels!, batch.targets!]) t.dispose();
  model.dispose();
});

test('NSR with weightedMse: the MSE is the class-weighted mean of each record\'s squared error (single-label), pos_weight on positives (multi-label)', () => {
  manualSeed(6);
  const model = tinyMaLiang();
  model.train();
  const weights = [0.5, 2, 4];
  for (const task of ['single-label', 'multi-label'] as const) {
    const batch = batchFor(task);
    tidy(() => {
      const c = { ...ctx(task, 0, 0), classWeights: fromArray(Float32Array.from(weights), [3]) };
      const { loss } = defenceObjective({ ...NSR_DEFAULTS, weightedMse: true }).compute(model, batch, c);
      const z = model.call(batch.x, batch.mask).toArray() as Float32Array;
      let num = 0;
      let den = 0;
      LENGTHS.forEach((_, n) => {
        let e = 0;
        for (let k = 0; k < 3; k++) {
          const code = task === 'single-label' ? (LABELS[n] === k ? 1 : 0) : 2 * TARGETS[n]![k]! - 1;
          const w = task === 'multi-label' && code > 0 ? weights[k]! : 1;
          e += w * (z[n * 3 + k]! - code) ** 2;
        }
        const w = task === 'single-label' ? weights[LABELS[n]!]! : 1;
        num += w * e;
        den += w;
      });
      assert.ok(Math.abs(loss.item() - num / den) < 1e-5, `${task}: ${loss.item()} vs ${num / den}`);
      const unweighted = defenceObjective(NSR_DEFAULTS).compute(model, batch, c).loss.item();
      assert.ok(Math.abs(unweighted - num / den) > 1e-3, `${task}: the weights changed nothing`);
    });
    for (const t of [batch.x, batch.mask, batch.labels, batch.targets]) t?.dispose();
  }
  model.dispose();
});

test("advls ε ramp follows Ma & Liang's noise·(epoch − epoch_adv + 1)/(epoch_end − epoch_adv)", () => {
  const cfg = { ...ADVLS_DEFAULTS, eps: 0.06 };
  assert.equal(advlsEps(cfg, 9, 70), 0);
  assert.ok(Math.abs(advlsEps(cfg, 10, 70) - 0.001) < 1e-15);
  assert.ok(Math.abs(advlsEps(cfg, 39, 70) - 0.03) < 1e-15);
  assert.equal(advlsEps(cfg, 69, 70), 0.06);
  assert.equal(advlsEps({ ...cfg, ramp: false }, 10, 70), 0.06);
});

test('defence configs are checked field by field', () => {
  assert.throws(() => defenceObjective({ ...ADVLS_DEFAULTS, beta: 2 }), /defence 'advls': 'beta' must be in \[0, 1\], got 2/);
  assert.throws(() => defenceObjective({ ...ADVLS_DEFAULTS, steps: 0 }), /'steps' must be an integer >= 1, got 0/);
  assert.throws(() => defenceObjective({ ...JACOBIAN_DEFAULTS, estimator: 'fast' as 'exact' }), /'estimator' must be 'exact' or 'projection', got "fast"/);
  assert.throws(() => defenceObjective({ ...NSR_DEFAULTS, epsMax: -1 }), /defence 'nsr': 'epsMax' must be a number >= 0, got -1/);
  assert.throws(() => defenceObjective({ ...NSR_DEFAULTS, weightedMse: 1 as unknown as boolean }), /defence 'nsr': 'weightedMse' must be true or false, got 1/);
  assert.throws(() => defenceObjective({ kind: 'mixup' } as unknown as DefenceConfig), /'kind' must be 'advls', 'jacobian' or 'nsr', got "mixup"/);
});

