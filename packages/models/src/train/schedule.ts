import { optim } from '@ecglab/engine';
import type { ScheduleConfig } from '../config/types.js';

/**
 * The engine's learning-rate schedule for a config, stepped once per batch: a linear warm-up over
 * `warmupEpochs`, then constant or cosine down to `minLrFraction·lr` at the last step.
 *
 * @example const sched = buildSchedule(opt, { kind: 'cosine', warmupEpochs: 1, minLrFraction: 0 }, 25 * 107, 107, 3e-4);
 */
export function buildSchedule(opt: optim.Optimizer, cfg: ScheduleConfig, totalSteps: number, stepsPerEpoch: number, lr: number): optim.lrScheduler.LRScheduler {
  const { CosineAnnealingLR, LinearLR, LinearWarmup } = optim.lrScheduler;
  const warmup = Math.min(Math.round(cfg.warmupEpochs * stepsPerEpoch), totalSteps - 1);
  const after =
    cfg.kind === 'cosine'
      ? new CosineAnnealingLR(opt, { tMax: Math.max(1, totalSteps - warmup), etaMin: lr * cfg.minLrFraction })
      : new LinearLR(opt, { startFactor: 1, endFactor: 1, totalIters: 1 }); // constant
  // Warm-up from lr/warmup: PyTorch's LinearLR needs a start factor > 0.
  return warmup > 0 ? new LinearWarmup(opt, { warmupSteps: warmup, startFactor: 1 / warmup }, after) : after;
}
