// The Optimizer base: param groups with their own hyper-parameters, per-parameter state, and a state dict
// that resumes a run exactly (state tensors are copied back bit for bit).
import { Tensor, TorchError, noGrad, tidy, keep } from './core.js';

/** Hyper-parameters every group has; optimizers add their own. `initialLr` is set by lr schedulers. */
export interface BaseGroup {
  params: Tensor[];
  lr: number;
  initialLr?: number;
}

/** Per-parameter state: tensors (moment estimates, momentum buffers) and numbers (step counts). */
export type ParamState = Record<string, Tensor | number>;

/**
 * PyTorch's optimizer state_dict shape: `state` keyed by the parameter's index across all groups,
 * `paramGroups` with hyper-parameters and the indices of their parameters.
 * Tensors are the optimizer's own (not copies): save them before the next step.
 */
export interface OptimizerStateDict {
  state: Map<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

export type ParamsArg<G extends BaseGroup> = Tensor[] | (Partial<Omit<G, 'params'>> & { params: Tensor[] })[];

export abstract class Optimizer<G extends BaseGroup = BaseGroup> {
  readonly paramGroups: G[] = [];
  readonly state = new Map<Tensor, ParamState>();

  protected constructor(readonly name: string, params: ParamsArg<G>, readonly defaults: Omit<G, 'params'>) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new TorchError('ARGUMENT', `${name}: 'params' must be a non-empty array of tensors or of param groups`);
    }
    const groups = params[0] instanceof Tensor ? [{ params: params as Tensor[] }] : (params as { params: Tensor[] }[]);
    const seen = new Set<Tensor>();
    groups.forEach((g, i) => {
      if (g === null || typeof g !== 'object' || !Array.isArray(g.params)) {
        throw new TorchError('ARGUMENT', `${name}: param group ${i} must be { params: Tensor[], ... }`);
      }
      g.params.forEach((p, j) => {
        if (!(p instanceof Tensor)) throw new TorchError('ARGUMENT', `${name}: param group ${i}, params[${j}] is not a Tensor`);
        if (!p.requiresGrad) throw new TorchError('ARGUMENT', `${name}: param group ${i}, params[${j}] does not require grad`);
        if (seen.has(p)) throw new TorchError('ARGUMENT', `${name}: a parameter appears in more than one place (group ${i}, params[${j}])`);
        seen.add(p);
      });
      const group = { ...defaults, ...g, params: [...g.params] } as unknown as G;
      this.checkGroup(group, i);
      this.paramGroups.push(group);
    });
  }

  /** Validates a group's hyper-parameters; throws naming the optimizer, group and value. */
  protected abstract checkGroup(group: G, index: number): void;

  /** Updates one parameter that has a gradient; runs inside noGrad and tidy (keep() new state tensors). */
  protected abstract update(p: Tensor, grad: Tensor, group: G, state: ParamState): void;

  /**
   * One optimisation step over every parameter with a gradient, in place and without recording graph.
   * @example loss.backward(); opt.step(); opt.zeroGrad();
   */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let state = this.state.get(p);
          if (state === undefined) {
            state = {};
            this.state.set(p, state);
          }
          const s = state;
          tidy(() => this.update(p, grad, group, s));
        }
      }
    });
  }

  /** Drop every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** Keep a tensor created inside update() past its tidy scope. */
  protected keep<T extends Tensor>(t: T): T {
    return keep(t);
  }

  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...structuredClone(hyper), params: params.map((p) => { index.set(p, index.size); return index.size - 1; }) };
    });
    const state = new Map<number, ParamState>();
    for (const [p, s] of this.state) state.set(index.get(p)!, { ...s });
    return { state, paramGroups };
  }

  /**
   * Restore hyper-parameters and state saved by stateDict() from an optimizer over parameters of the same
   * shapes in the same order. State tensors are copied, so the source may be disposed afterwards.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const fn = `${this.name}.loadStateDict`;
    if (!sd || !(sd.state instanceof Map) || !Array.isArray(sd.paramGroups)) {
      throw new TorchError('ARGUMENT', `${fn}: expected { state: Map, paramGroups: [] } from stateDict()`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new TorchError('ARGUMENT', `${fn}: state has ${sd.paramGroups.length} param groups, the optimizer has ${this.paramGroups.length}`);
    }
    const params: Tensor[] = [];
    sd.paramGroups.forEach((g, i) => {
      const own = this.paramGroups[i]!;
      if (!Array.isArray(g.params) || g.params.length !== own.params.length) {
        throw new TorchError('ARGUMENT', `${fn}: param group ${i} has ${g.params?.length} params in the state, ${own.params.length} in the optimizer`);
      }
      params.push(...own.params);
    });
    for (const [i, s] of sd.state) {
      const p = params[i];
      if (p === undefined) throw new TorchError('ARGUMENT', `${fn}: state for parameter ${i}, but there are ${params.length}`);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor && v.shape.join(',') !== p.shape.join(',') && v.numel !== 1) {
          throw new TorchError('ARGUMENT', `${fn}: state '${k}' of parameter ${i} has shape [${v.shape.join(', ')}], the parameter is [${p.shape.join(', ')}]`);
        }
      }
    }
    // Validated: now replace.
    sd.paramGroups.forEach((g, i) => {
      const { params: _ignored, ...hyper } = g;
      Object.assign(this.paramGroups[i]!, structuredClone(hyper));
    });
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    noGrad(() => {
      for (const [i, s] of sd.state) {
        const copy: ParamState = {};
        for (const [k, v] of Object.entries(s)) copy[k] = v instanceof Tensor ? keep(v.clone()) : v;
        this.state.set(params[i]!, copy);
      }
    });
  }

  /** Free the state tensors. */
  dispose(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }
}

export function checkNumber(fn: string, group: number, name: string, v: unknown, min = 0, max = Infinity): void {
  if (typeof v !== 'number' || !(v >= min && v <= max)) {
    throw new TorchError('ARGUMENT', `${fn}: param group ${group}: '${name}' must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
}
