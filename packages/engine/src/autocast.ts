// Mixed precision on the CPU: libtorch's autocast, per thread like grad mode.
import { call } from './native.js';
import { TorchError } from './errors.js';

/** The lower precision autocast runs in; libtorch 1.13's CPU autocast has bfloat16 only. */
export type AutocastDType = 'bfloat16';

/**
 * Runs `fn` under CPU autocast: ops on libtorch's lower-precision list (convolutions, matmul, linear) compute in
 * bfloat16 and return bfloat16; ops on its float32 list (losses, norms of the list) compute in float32. Parameters
 * stay float32 (their bfloat16 copies are cached for the outermost scope), so gradients and optimizer state are
 * float32: no loss scaling is needed, as bfloat16 has float32's exponent range. Backward runs outside the scope,
 * as in PyTorch (`with torch.autocast('cpu'): loss = ...; loss.backward()`).
 * @example const loss = autocast('bfloat16', () => F.crossEntropy(model.forward(x), y)); loss.backward();
 */
export function autocast<T>(dtype: AutocastDType, fn: () => T): T {
  if (dtype !== 'bfloat16') throw new TorchError('ARGUMENT', `autocast: 'dtype' must be 'bfloat16', got ${String(dtype)}`);
  if (typeof fn !== 'function') throw new TorchError('ARGUMENT', `autocast: 'fn' must be a function, got ${typeof fn}`);
  const [prevEnabled, prevDType] = call('autocastEnter', dtype) as [boolean, string];
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new TorchError('ARGUMENT', `autocast: 'fn' must be synchronous (autocast state cannot span an await)`);
    }
    return r;
  } finally {
    call('autocastExit', prevEnabled, prevDType);
  }
}

/** Whether this thread is inside an autocast scope. */
export function isAutocastEnabled(): boolean {
  return call('autocastEnabled') as boolean;
}
