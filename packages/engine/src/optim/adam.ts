// Adam (optionally AMSGrad) and AdamW: torch.optim's single-tensor updates, op for op, so float64 runs
// agree with PyTorch to the last bit or so and a resumed run continues exactly.
import { zeros, type Tensor } from './core.js';
import { Optimizer, checkNumber, type BaseGroup, type ParamState, type ParamsArg } from './optimizer.js';

export interface AdamGroup extends BaseGroup {
  betas: [number, number];  // default [0.9, 0.999]
  eps: number;              // default 1e-8
  weightDecay: number;      // Adam: L2 added to the gradient; AdamW: decoupled decay. Defaults 0 / 0.01
  amsgrad: boolean;         // default false
}

export type AdamOptions = Partial<Omit<AdamGroup, 'params'>>;

abstract class AdamBase extends Optimizer<AdamGroup> {
  protected abstract readonly decoupled: boolean;

  protected checkGroup(g: AdamGroup, i: number): void {
    checkNumber(this.name, i, 'lr', g.lr);
    checkNumber(this.name, i, 'eps', g.eps);
    checkNumber(this.name, i, 'weightDecay', g.weightDecay);
    checkNumber(this.name, i, 'betas[0]', g.betas?.[0], 0, 1 - Number.EPSILON);
    checkNumber(this.name, i, 'betas[1]', g.betas?.[1], 0, 1 - Number.EPSILON);
  }

  protected update(p: Tensor, grad: Tensor, g: AdamGroup, state: ParamState): void {
    const [beta1, beta2] = g.betas;
    if (state.step === undefined) {
      state.step = 0;
      state.expAvg = this.keep(zeros(p.shape, { dtype: p.dtype }));
      state.expAvgSq = this.keep(zeros(p.shape, { dtype: p.dtype }));
      if (g.amsgrad) state.maxExpAvgSq = this.keep(zeros(p.shape, { dtype: p.dtype }));
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const expAvg = state.expAvg as Tensor;
    const expAvgSq = state.expAvgSq as Tensor;

    let gr = grad;
    if (this.decoupled) p.mul_(1 - g.lr * g.weightDecay);
    else if (g.weightDecay !== 0) gr = grad.clone().add_(p, g.weightDecay);

    expAvg.mul_(beta1).add_(gr, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(gr, gr, 1 - beta2);
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = g.lr / biasCorrection1;
    const bc2Sqrt = Math.sqrt(biasCorrection2);
    let second = expAvgSq;
    if (g.amsgrad) {
      let max = state.maxExpAvgSq as Tensor | undefined;
      if (max === undefined) { // amsgrad switched on after the first step
        max = this.keep(zeros(p.shape, { dtype: p.dtype }));
        state.maxExpAvgSq = max;
      }
      second = max.maximum_(expAvgSq);
    }
    const denom = second.sqrt().div(bc2Sqrt).add_(g.eps);
    p.addcdiv_(expAvg, denom, -stepSize);
  }
}

/**
 * @example const opt = new optim.Adam(model.parameters(), { lr: 3e-4 });
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsArg<AdamGroup>, options: AdamOptions = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...options });
  }
}

/** Adam with decoupled weight decay (p ← p·(1 − lr·wd) before the Adam step); default weightDecay 0.01. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsArg<AdamGroup>, options: AdamOptions = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, ...options });
  }
}
