import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim, zeros } from '@ecglab/engine';
import { buildSchedule } from './schedule.js';

/** The lr of each of `n` steps (the lr a step trains with, then scheduler.step()). */
function lrs(cfg: Parameters<typeof buildSchedule>[1], total: number, perEpoch: number, lr: number): number[] {
  const p = zeros([1]).requiresGrad_(true);
  const opt = new optim.Adam([p], { lr });
  const s = buildSchedule(opt, cfg, total, perEpoch, lr);
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    out.push(s.getLastLr()[0]!);
    s.step();
  }
  opt.dispose();
  p.dispose();
  return out;
}

test('schedule: linear warm-up over warmupEpochs, then cosine down to minLrFraction·lr (closed form)', () => {
  const got = lrs({ kind: 'cosine', warmupEpochs: 1, minLrFraction: 0.1 }, 50, 10, 1);
  // LinearLR from 1/10 to 1 over 10 steps, then CosineAnnealingLR(tMax 40, etaMin 0.1) restarted at 0
  for (let k = 0; k < 10; k++) assert.ok(Math.abs(got[k]! - (0.1 + (0.9 * k) / 10)) < 1e-12, `warm-up step ${k}: ${got[k]}`);
  for (let k = 10; k < 50; k++) {
    const want = 0.1 + (0.9 * (1 + Math.cos((Math.PI * (k - 10)) / 40))) / 2;
    assert.ok(Math.abs(got[k]! - want) < 1e-9, `cosine step ${k}: ${got[k]} vs ${want}`);
  }
});

test('schedule: constant without warm-up stays at lr; cosine without warm-up starts at lr', () => {
  assert.ok(lrs({ kind: 'constant', warmupEpochs: 0 }, 7, 7, 0.3).every((v) => v === 0.3));
  const c = lrs({ kind: 'cosine', warmupEpochs: 0, minLrFraction: 0 }, 20, 5, 2);
  assert.equal(c[0], 2);
  assert.ok(Math.abs(c[10]! - 1) < 1e-12);
});
