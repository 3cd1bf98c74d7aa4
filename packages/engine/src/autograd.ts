// Autograd entry points over libtorch's engine: grad(), grad-mode scopes. backward() is a Tensor method.
import { call, type Handle } from './native.js';
import { TorchError } from './errors.js';
import { Tensor, handleOf } from './tensor.js';

export { tidy, keep, liveTensorCount } from './scope.js';

export interface GradOptions {
  /** Cotangents for non-scalar outputs (null entries: implicit ones for scalars). */
  gradOutputs?: (Tensor | null)[];
  /** Keep the graph for another backward pass (default: createGraph). */
  retainGraph?: boolean;
  /** Make the result differentiable (double backprop, e.g. gradient penalties). */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/**
 * PyTorch's `torch.autograd.grad`: gradients of `outputs` with respect to `inputs`, without touching `.grad`.
 * @example const [dx] = grad(y.sum(), [x], { createGraph: true }); const penalty = dx!.pow(2).sum();
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  if (outs.length === 0 || ins.length === 0) {
    throw new TorchError('ARGUMENT', `grad: 'outputs' and 'inputs' must be non-empty, got ${outs.length} and ${ins.length}`);
  }
  const gos = opts.gradOutputs;
  if (gos !== undefined && gos.length !== outs.length) {
    throw new TorchError('ARGUMENT', `grad: 'gradOutputs' must have one entry per output (${outs.length}), got ${gos.length}`);
  }
  const res = call(
    'grad',
    outs.map((t, i) => handleOf(t, 'grad', `outputs[${i}]`)),
    ins.map((t, i) => handleOf(t, 'grad', `inputs[${i}]`)),
    gos?.map((g, i) => (g === null ? null : handleOf(g, 'grad', `gradOutputs[${i}]`))),
    opts.retainGraph,
    opts.createGraph ?? false,
    opts.allowUnused ?? false,
  ) as (Handle | null)[];
  return res.map((h) => (h === null ? null : new Tensor(h)));
}

export function isGradEnabled(): boolean {
  return call('isGradEnabled') as boolean;
}

function withGradMode<T>(enabled: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new TorchError('ARGUMENT', `${name}: 'fn' must be a function, got ${typeof fn}`);
  // Grad mode is per thread inside libtorch; a synchronous scope restores it in `finally`.
  const prev = isGradEnabled();
  call('setGradEnabled', enabled);
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new TorchError('ARGUMENT', `${name}: 'fn' must be synchronous (grad mode cannot span an await)`);
    }
    return r;
  } finally {
    call('setGradEnabled', prev);
  }
}

/** Runs `fn` with gradient recording off (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/** Runs `fn` with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn, 'enableGrad');
}

/** Sets grad mode for the rest of this thread (prefer noGrad/enableGrad scopes). */
export function setGradEnabled(enabled: boolean): void {
  call('setGradEnabled', enabled);
}
