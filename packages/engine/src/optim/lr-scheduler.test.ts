// lr schedules against torch.optim.lr_scheduler's sequences (two param groups, base lrs 0.1 and 0.01).
// Fixture: /usr/bin/python3 packages/engine/fixtures/nn/make_cnn_fixture.py (schedules())
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zeros, nn, optim, type Tensor } from '../index.js';

const S = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/nn/schedules.json', import.meta.url)), 'utf8')) as
  Record<string, { opt: 'sgd' | 'adam'; args: never; lr: number[][]; beta1?: number[][] }>;
const { lrScheduler: L } = optim;

function twoGroups(kind: 'sgd' | 'adam'): { opt: optim.SGD | optim.Adam; params: Tensor[] } {
  const params = [new nn.Parameter(zeros([1])), new nn.Parameter(zeros([1]))];
  const groups = [{ params: [params[0]!] }, { params: [params[1]!], lr: 0.01 }];
  return { opt: kind === 'sgd' ? new optim.SGD(groups, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(groups, { lr: 0.1 }), params };
}

/** lrs (and beta1s) after construction and after each step, as the fixture records them. */
function run(name: string, make: (opt: optim.Optimizer) => optim.lrScheduler.LRScheduler): void {
  const f = S[name]!;
  const { opt, params } = twoGroups(f.opt);
  const sched = make(opt);
  const lrs = [opt.paramGroups.map((g) => g.lr)];
  const betas = [opt.paramGroups.map((g) => (g as optim.AdamGroup).betas?.[0])];
  for (let i = 1; i < f.lr.length; i++) {
    sched.step();
    lrs.push(opt.paramGroups.map((g) => g.lr));
    betas.push(opt.paramGroups.map((g) => (g as optim.AdamGroup).betas?.[0]));
  }
  const close = (a: number[][], b: number[][], what: string) => a.forEach((row, i) => row.forEach((v, j) => {
    assert.ok(Math.abs(v - b[i]![j]!) <= 1e-15 + 1e-13 * Math.abs(b[i]![j]!), `${name} ${what}[${i}][${j}] = ${v}, PyTorch ${b[i]![j]}`);
  }));
  close(lrs, f.lr, 'lr');
  if (f.beta1) close(betas as number[][], f.beta1, 'beta1');
  assert.deepEqual(sched.getLastLr(), lrs.at(-1));
  for (const p of params) p.dispose();
}

test('StepLR', () => run('step_lr', (o) => new L.StepLR(o, S.step_lr!.args)));
test('CosineAnnealingLR (past tMax it rises again, as PyTorch)', () => run('cosine', (o) => new L.CosineAnnealingLR(o, S.cosine!.args)));
test('OneCycleLR with Adam: cosine annealing and beta1 cycling', () => run('one_cycle_adam', (o) => new L.OneCycleLR(o, S.one_cycle_adam!.args)));
test('OneCycleLR linear with SGD momentum cycling', () => run('one_cycle_sgd_linear', (o) => new L.OneCycleLR(o, S.one_cycle_sgd_linear!.args)));
test('LinearWarmup then cosine = SequentialLR(LinearLR, CosineAnnealingLR)', () => run('warmup_cosine', (o) => {
  const a = S.warmup_cosine!.args as { tMax: number; etaMin: number; warmupSteps: number; startFactor: number };
  const cos = new L.CosineAnnealingLR(o, { tMax: a.tMax, etaMin: a.etaMin });
  return new L.LinearWarmup(o, { warmupSteps: a.warmupSteps, startFactor: a.startFactor }, cos);
}));
test('LinearWarmup alone = LinearLR', () => run('warmup_alone', (o) => new L.LinearWarmup(o, S.warmup_alone!.args)));

test('OneCycleLR: stepping past totalSteps and bad options are clear errors', () => {
  const { opt, params } = twoGroups('sgd');
  const s = new L.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 2 });
  s.step(); s.step();
  assert.throws(() => s.step(), /OneCycleLR: tried to step 4 times; the schedule has 2 total steps/);
  assert.throws(() => new L.OneCycleLR(opt, { maxLr: [0.1], totalSteps: 5 }), /expected 2 values for 'maxLr', got 1/);
  assert.throws(() => new L.StepLR(opt, { stepSize: 0 }), /StepLR: 'stepSize' must be a positive integer, got 0/);
  for (const p of params) p.dispose();
});

test('scheduler state round-trips through JSON', () => {
  const a = twoGroups('sgd');
  const s1 = new L.CosineAnnealingLR(a.opt, { tMax: 10 });
  for (let i = 0; i < 4; i++) s1.step();
  const saved = JSON.parse(JSON.stringify(s1.stateDict()));
  const lrsSaved = a.opt.paramGroups.map((g) => g.lr);
  const b = twoGroups('sgd');
  const s2 = new L.CosineAnnealingLR(b.opt, { tMax: 10 });
  s2.loadStateDict(saved);
  b.opt.paramGroups.forEach((g, i) => { g.lr = lrsSaved[i]!; }); // the optimizer's own state dict carries lr
  s1.step(); s2.step();
  assert.deepEqual(b.opt.paramGroups.map((g) => g.lr), a.opt.paramGroups.map((g) => g.lr));
  for (const p of [...a.params, ...b.params]) p.dispose();
});
