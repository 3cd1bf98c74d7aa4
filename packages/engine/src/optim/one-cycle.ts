// OneCycleLR: torch.optim.lr_scheduler.OneCycleLR (1.13), including its momentum cycling (on by default:
// SGD's momentum, or Adam's beta1, runs from maxMomentum down to baseMomentum and back).
import { TorchError } from './core.js';
import type { BaseGroup, Optimizer } from './optimizer.js';
import { LRScheduler, type SchedulerState } from './lr-scheduler.js';

export interface OneCycleOptions {
  maxLr: number | number[];                  // peak lr, per group or one for all
  totalSteps?: number;                       // or epochs × stepsPerEpoch
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;                         // share of steps spent rising; default 0.3
  annealStrategy?: 'cos' | 'linear';         // default 'cos'
  cycleMomentum?: boolean;                   // default true
  baseMomentum?: number;                     // default 0.85
  maxMomentum?: number;                      // default 0.95
  divFactor?: number;                        // initial lr = maxLr / divFactor; default 25
  finalDivFactor?: number;                   // min lr = initial lr / finalDivFactor; default 1e4
  threePhase?: boolean;                      // default false
}

interface Phase { endStep: number; startLr: 'initial' | 'max' | 'min'; endLr: 'initial' | 'max' | 'min'; startM: 'max' | 'base'; endM: 'max' | 'base' }

type MomentumGroup = BaseGroup & { momentum?: number; betas?: [number, number] };

/**
 * @example const sched = new OneCycleLR(opt, { maxLr: 1e-3, totalSteps: epochs * batches }); // step() per batch
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly phases: Phase[];
  readonly anneal: (start: number, end: number, pct: number) => number;
  readonly lrs: { initial: number; max: number; min: number }[];
  readonly momenta: { max: number; base: number }[];
  readonly useBeta1: boolean;

  constructor(optimizer: Optimizer<BaseGroup>, o: OneCycleOptions) {
    super(optimizer);
    const fn = 'OneCycleLR';
    const n = optimizer.paramGroups.length;
    if (o.totalSteps !== undefined) this.totalSteps = posInt(fn, 'totalSteps', o.totalSteps);
    else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      this.totalSteps = posInt(fn, 'epochs', o.epochs) * posInt(fn, 'stepsPerEpoch', o.stepsPerEpoch);
    } else throw new TorchError('ARGUMENT', `${fn}: give 'totalSteps', or 'epochs' and 'stepsPerEpoch'`);
    const pct = o.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new TorchError('ARGUMENT', `${fn}: 'pctStart' must be in [0, 1], got ${pct}`);
    const T = this.totalSteps;
    this.phases = o.threePhase
      ? [
          { endStep: pct * T - 1, startLr: 'initial', endLr: 'max', startM: 'max', endM: 'base' },
          { endStep: 2 * pct * T - 2, startLr: 'max', endLr: 'initial', startM: 'base', endM: 'max' },
          { endStep: T - 1, startLr: 'initial', endLr: 'min', startM: 'max', endM: 'max' },
        ]
      : [
          { endStep: pct * T - 1, startLr: 'initial', endLr: 'max', startM: 'max', endM: 'base' },
          { endStep: T - 1, startLr: 'max', endLr: 'min', startM: 'base', endM: 'max' },
        ];
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new TorchError('ARGUMENT', `${fn}: 'annealStrategy' must be 'cos' or 'linear', got ${JSON.stringify(strategy)}`);
    this.anneal = strategy === 'cos'
      ? (start, end, p) => end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1)
      : (start, end, p) => (end - start) * p + start;
    const perGroup = (name: string, v: number | number[]): number[] => {
      const arr = Array.isArray(v) ? v : Array<number>(n).fill(v);
      if (arr.length !== n) throw new TorchError('ARGUMENT', `${fn}: expected ${n} values for '${name}', got ${arr.length}`);
      return arr;
    };
    const div = o.divFactor ?? 25;
    const finalDiv = o.finalDivFactor ?? 1e4;
    this.lrs = perGroup('maxLr', o.maxLr).map((max) => ({ initial: max / div, max, min: max / div / finalDiv }));
    // PyTorch overwrites initial_lr with maxLr / divFactor, so base lrs are those.
    optimizer.paramGroups.forEach((g, i) => { g.initialLr = this.lrs[i]!.initial; });
    this.baseLrs = this.lrs.map((l) => l.initial);

    this.cycleMomentum = o.cycleMomentum ?? true;
    const groups = optimizer.paramGroups as MomentumGroup[];
    this.useBeta1 = groups[0]?.betas !== undefined;
    const maxM = perGroup('maxMomentum', o.maxMomentum ?? 0.95);
    const baseM = perGroup('baseMomentum', o.baseMomentum ?? 0.85);
    this.momenta = maxM.map((max, i) => ({ max, base: baseM[i]! }));
    if (this.cycleMomentum) {
      if (!this.useBeta1 && groups[0]?.momentum === undefined) {
        throw new TorchError('ARGUMENT', `${fn}: cycleMomentum needs an optimizer with momentum or betas (${optimizer.name} has neither); pass cycleMomentum: false`);
      }
      groups.forEach((g, i) => this.setMomentum(g, this.momenta[i]!.max));
    }
    this.initialStep();
  }

  private setMomentum(g: MomentumGroup, m: number): void {
    if (this.useBeta1) g.betas = [m, g.betas![1]];
    else g.momentum = m;
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new TorchError('ARGUMENT', `OneCycleLR: tried to step ${step + 1} times; the schedule has ${this.totalSteps} total steps`);
    }
    return (this.optimizer.paramGroups as MomentumGroup[]).map((g, i) => {
      let start = 0;
      const lr = this.lrs[i]!;
      const mom = this.momenta[i]!;
      for (let k = 0; k < this.phases.length; k++) {
        const ph = this.phases[k]!;
        if (step <= ph.endStep || k === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          if (this.cycleMomentum) this.setMomentum(g, this.anneal(mom[ph.startM], mom[ph.endM], pct));
          return this.anneal(lr[ph.startLr], lr[ph.endLr], pct);
        }
        start = ph.endStep;
      }
      return g.lr; // unreachable: the last phase always matches
    });
  }

  override stateDict(): SchedulerState {
    return { ...super.stateDict(), totalSteps: this.totalSteps };
  }
}

function posInt(fn: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new TorchError('ARGUMENT', `${fn}: '${name}' must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}
