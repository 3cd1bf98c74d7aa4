// Learning-rate schedules, following torch.optim.lr_scheduler (1.13) formula for formula, including its
// recursive ("chainable") forms, so the sequences agree with PyTorch's to rounding.
// Call step() after optimizer.step(), once per epoch or per batch as the schedule is sized.
import { TorchError } from './core.js';
import type { BaseGroup, Optimizer } from './optimizer.js';

// Python's % (result has the divisor's sign); JS's % keeps the dividend's sign.
const pyMod = (a: number, b: number) => ((a % b) + b) % b;

/** State of a schedule as plain JSON (save it beside the optimizer's). */
export type SchedulerState = Record<string, unknown>;

export abstract class LRScheduler {
  baseLrs: number[];
  lastEpoch = -1;
  protected lastLr: number[] = [];

  protected constructor(readonly optimizer: Optimizer<BaseGroup>) {
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** PyTorch's _initial_step: subclasses call it at the end of their constructor, once their fields are set. */
  protected initialStep(): void {
    this.step();
  }

  /** The lrs for `lastEpoch`, from the groups' current lrs (chainable form). */
  protected abstract getLr(): number[];

  /** The lrs for `lastEpoch` from the base lrs alone, where PyTorch has one; used on a restart at 0. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advance one epoch (or batch) and set each group's lr. */
  step(): void {
    this.lastEpoch++;
    this.apply(this.getLr());
  }

  /** PyTorch's step(0) as SequentialLR issues it: jump to epoch 0 using the closed form when there is one. */
  restart(): void {
    this.lastEpoch = 0;
    this.apply(this.closedFormLr() ?? this.getLr());
  }

  protected apply(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]!; });
    this.lastLr = lrs;
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  loadStateDict(s: SchedulerState): void {
    if (typeof s?.lastEpoch !== 'number' || !Array.isArray(s.baseLrs)) {
      throw new TorchError('ARGUMENT', `${this.constructor.name}.loadStateDict: expected { lastEpoch, baseLrs, ... } from stateDict()`);
    }
    this.lastEpoch = s.lastEpoch;
    this.baseLrs = [...(s.baseLrs as number[])];
    this.lastLr = [...((s.lastLr as number[] | undefined) ?? [])];
  }
}

function positive(fn: string, name: string, v: unknown, integer = true): number {
  if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) {
    throw new TorchError('ARGUMENT', `${fn}: '${name}' must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Multiply the lr by `gamma` every `stepSize` steps. @example new StepLR(opt, { stepSize: 30, gamma: 0.1 }) */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseGroup>, o: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = positive('StepLR', 'stepSize', o.stepSize);
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Cosine from the base lr down to `etaMin` over `tMax` steps (then back up, as PyTorch's does).
 * @example new CosineAnnealingLR(opt, { tMax: epochs * batchesPerEpoch }) // step() per batch
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer<BaseGroup>, o: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = positive('CosineAnnealingLR', 'tMax', o.tMax);
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Scale the lr linearly from startFactor to endFactor over totalIters steps (PyTorch's LinearLR). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer<BaseGroup>, o: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    this.startFactor = o.startFactor ?? 1 / 3;
    this.endFactor = o.endFactor ?? 1;
    this.totalIters = positive('LinearLR', 'totalIters', o.totalIters ?? 5);
    for (const [n, v] of [['startFactor', this.startFactor], ['endFactor', this.endFactor]] as const) {
      if (!(v > 0 && v <= 1)) throw new TorchError('ARGUMENT', `LinearLR: '${n}' must be in (0, 1], got ${v}`);
    }
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return groups.map((g) => g.lr * s);
    if (e > n) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, this.lastEpoch)) / n));
  }
}

/**
 * Run `schedulers` one after another, switching at `milestones` (PyTorch's SequentialLR): at a milestone
 * the next schedule restarts from its epoch 0.
 */
export class SequentialLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseGroup>, readonly schedulers: LRScheduler[], readonly milestones: number[]) {
    super(optimizer);
    if (schedulers.length === 0 || milestones.length !== schedulers.length - 1) {
      throw new TorchError('ARGUMENT', `SequentialLR: needs one more scheduler than milestones, got ${schedulers.length} schedulers and ${milestones.length} milestones`);
    }
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new TorchError('ARGUMENT', `SequentialLR: scheduler ${i} belongs to another optimizer`);
    });
    // As PyTorch: reset lrs, undo the schedulers' own initial steps, and take the first one's.
    this.lastEpoch = 0;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0]!.step();
    this.lastLr = schedulers[0]!.getLastLr();
  }

  protected getLr(): number[] {
    return this.lastLr;
  }

  override step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= this.lastEpoch) idx++;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.restart();
    else s.step();
    this.lastLr = s.getLastLr();
  }

  override stateDict(): SchedulerState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(s: SchedulerState): void {
    super.loadStateDict(s);
    const inner = s.schedulers as SchedulerState[] | undefined;
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length) {
      throw new TorchError('ARGUMENT', `SequentialLR.loadStateDict: expected ${this.schedulers.length} scheduler states`);
    }
    this.schedulers.forEach((sch, i) => sch.loadStateDict(inner[i]!));
  }
}

export interface LinearWarmupOptions {
  warmupSteps: number;   // steps of linear warm-up
  startFactor?: number;  // lr factor at step 0; default 1/3 like LinearLR
}

/**
 * Linear warm-up from startFactor·lr to lr over warmupSteps, then hand over to `after` (restarted at its
 * epoch 0), exactly as SequentialLR([LinearLR(...), after], [warmupSteps]) in PyTorch. Build `after` on
 * the same optimizer first.
 * @example const sched = new LinearWarmup(opt, { warmupSteps: 500, startFactor: 0.01 }, new CosineAnnealingLR(opt, { tMax: total - 500 }));
 */
export class LinearWarmup extends SequentialLR {
  constructor(optimizer: Optimizer<BaseGroup>, o: LinearWarmupOptions, after?: LRScheduler) {
    const warm = new LinearLR(optimizer, { startFactor: o.startFactor, endFactor: 1, totalIters: positive('LinearWarmup', 'warmupSteps', o.warmupSteps) });
    super(optimizer, after ? [warm, after] : [warm], after ? [o.warmupSteps] : []);
  }
}
