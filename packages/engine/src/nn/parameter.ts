// nn.Parameter: a leaf tensor that a Module reports in parameters() and stateDict().
// PyTorch makes Parameter a Tensor subclass; here the tensor itself is returned and remembered in a
// WeakSet, so a Parameter is an ordinary Tensor for every op and `instanceof Parameter` still works.
import type { Tensor } from './core.js';

const PARAMETERS = new WeakSet<object>();

/** A Tensor registered as a module parameter (the interface merges Tensor's members into the class type). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Parameter extends Tensor {}

/**
 * Mark `data` (a leaf tensor, not the result of a differentiable op) as a parameter and turn on its
 * gradient. The tensor object is returned as is, so the Module owns it from then on.
 * @example this.weight = new nn.Parameter(zeros([4, 3]));
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Parameter {
  constructor(data: Tensor, requiresGrad = true) {
    data.requiresGrad_(requiresGrad);
    PARAMETERS.add(data);
    return data as Parameter;
  }

  static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && PARAMETERS.has(x);
  }
}

export function isParameter(x: unknown): x is Parameter {
  return typeof x === 'object' && x !== null && PARAMETERS.has(x);
}
