// clipGradNorm: torch.nn.utils.clip_grad_norm_, op for op.
import { Tensor, TorchError, noGrad, tidy, stack } from './core.js';

/**
 * Scale the gradients of `params` in place so their joint p-norm is at most `maxNorm`; returns the norm
 * before clipping (a number; Infinity/NaN pass through, as in PyTorch without error_if_nonfinite).
 * @example loss.backward(); const norm = optim.clipGradNorm(model.parameters(), 1.0); opt.step();
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new TorchError('ARGUMENT', `clipGradNorm: 'maxNorm' must be a number >= 0, got ${JSON.stringify(maxNorm)}`);
  }
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new TorchError('ARGUMENT', `clipGradNorm: 'normType' must be a positive number or Infinity, got ${JSON.stringify(normType)}`);
  }
  const grads: Tensor[] = [];
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new TorchError('ARGUMENT', `clipGradNorm: 'params' must hold tensors`);
    const g = p.grad;
    if (g !== null) grads.push(g);
  }
  if (grads.length === 0) return 0;
  return noGrad(() => tidy(() => {
    const total = normType === Infinity
      ? stack(grads.map((g) => g.abs().max()), 0).max()
      : stack(grads.map((g) => g.norm(normType)), 0).norm(normType);
    // PyTorch computes max_norm / (total + 1e-6) as a tensor op (reciprocal, then multiply), clamped at 1.
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(undefined, 1);
    for (const g of grads) g.mul_(coef);
    return total.item();
  }));
}
