// SGD with momentum, dampening, Nesterov and L2 weight decay: torch.optim.SGD's single-tensor update.
import { TorchError, type Tensor } from './core.js';
import { Optimizer, checkNumber, type BaseGroup, type ParamState, type ParamsArg } from './optimizer.js';

export interface SGDGroup extends BaseGroup {
  momentum: number;     // default 0
  dampening: number;    // default 0
  weightDecay: number;  // L2 penalty added to the gradient; default 0
  nesterov: boolean;    // default false; needs momentum > 0 and dampening 0
}

export type SGDOptions = Partial<Omit<SGDGroup, 'params'>> & { lr: number };

/**
 * @example const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
 */
export class SGD extends Optimizer<SGDGroup> {
  constructor(params: ParamsArg<SGDGroup>, options: SGDOptions) {
    super('SGD', params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...options });
  }

  protected checkGroup(g: SGDGroup, i: number): void {
    checkNumber('SGD', i, 'lr', g.lr);
    checkNumber('SGD', i, 'momentum', g.momentum);
    checkNumber('SGD', i, 'dampening', g.dampening);
    checkNumber('SGD', i, 'weightDecay', g.weightDecay);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new TorchError('ARGUMENT', `SGD: param group ${i}: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${g.momentum}, dampening ${g.dampening}`);
    }
  }

  protected update(p: Tensor, grad: Tensor, g: SGDGroup, state: ParamState): void {
    // d_p = grad (+ wd * p); the in-place add with alpha is PyTorch's kernel, so results match bit for bit.
    let d = grad;
    if (g.weightDecay !== 0) d = grad.clone().add_(p, g.weightDecay);
    if (g.momentum !== 0) {
      let buf = state.momentumBuffer as Tensor | undefined;
      if (buf === undefined) {
        buf = this.keep(d.clone());
        state.momentumBuffer = buf;
      } else {
        buf.mul_(g.momentum).add_(d, 1 - g.dampening);
      }
      d = g.nesterov ? d.clone().add_(buf, g.momentum) : buf;
    }
    p.add_(d, -g.lr);
  }
}
