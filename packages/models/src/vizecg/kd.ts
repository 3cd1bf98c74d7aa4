import { F, tidy, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import type { Task } from '../task.js';
import type { KdConfig } from './config.js';

/**
 * KL(teacher ‖ student) between softened predictions, times T², with the teacher taken as given (the caller
 * detaches it). Single-label: softmax over classes, summed over classes and averaged over records (PyTorch's
 * `kl_div(..., reduction='batchmean')`, the scale of cross-entropy). Multi-label: each class is its own
 * Bernoulli, KL(Ber(σ(t/T)) ‖ Ber(σ(s/T))), averaged over records and classes (the scale of the per-class
 * binary cross-entropy the heads are trained with), written with log-sigmoids so large logits stay finite.
 *
 * @example const loss = softKl(teacherLogits.detach(), studentLogits, 2, 'single-label'); // scalar
 */
export function softKl(teacher: Tensor, student: Tensor, temperature: number, task: Task): Tensor {
  if (teacher.ndim !== 2 || student.ndim !== 2 || teacher.shape[0] !== student.shape[0] || teacher.shape[1] !== student.shape[1]) {
    throw new ArgumentError(`softKl: 'teacher' and 'student' must be the same [N, K], got [${teacher.shape.join(', ')}] and [${student.shape.join(', ')}]`);
  }
  if (!(temperature > 0)) throw new ArgumentError(`softKl: 'temperature' must be > 0, got ${temperature}`);
  const t2 = temperature * temperature;
  return tidy(() => {
    const a = teacher.div(temperature); // [N, K]
    const b = student.div(temperature); // [N, K]
    if (task === 'single-label') {
      return F.klDiv(b.logSoftmax(1), a.logSoftmax(1), { reduction: 'batchmean', logTarget: true }).mul(t2);
    }
    // p·(log p − log q) + (1 − p)·(log(1 − p) − log(1 − q)), with log σ(z) and log(1 − σ(z)) = log σ(−z)
    const p = a.sigmoid();
    const pos = p.mul(F.logSigmoid(a).sub(F.logSigmoid(b)));
    const neg = p.neg().add(1).mul(F.logSigmoid(a.neg()).sub(F.logSigmoid(b.neg())));
    return pos.add(neg).mean().mul(t2);
  });
}

/**
 * VizECGNet's distillation term between the image stream's logits and the signal side's logits `[N, K]`:
 * - `signal-to-image`: `softKl(signal.detach(), image)`: the signal side teaches, the image stream learns;
 * - `mutual`: `softKl(signal.detach(), image) + softKl(image.detach(), signal)`: each learns from the other.
 * The stop-gradients mean the KD term never pulls a stream toward the other through the other's own weights.
 *
 * @example const kd = distillationLoss(out.image, out.signal, { temperature: 2, direction: 'signal-to-image' }, 'single-label');
 */
export function distillationLoss(image: Tensor, signal: Tensor, cfg: KdConfig, task: Task): Tensor {
  if (cfg.direction !== 'signal-to-image' && cfg.direction !== 'mutual') {
    throw new ArgumentError(`distillationLoss: 'direction' must be 'signal-to-image' or 'mutual', got ${JSON.stringify(cfg.direction)}`);
  }
  return tidy(() => {
    const toImage = softKl(signal.detach(), image, cfg.temperature, task);
    if (cfg.direction === 'signal-to-image') return toImage;
    return toImage.add(softKl(image.detach(), signal, cfg.temperature, task));
  });
}
