// Test helpers: load a fixture written by fixtures/make_vizecg_fixtures.py and compare tensors with it.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { optim, safetensors, type Tensor } from '@ecglab/engine';
import { Rng } from '@ecglab/data';
import type { StepContext } from '../objectives/objective.js';
import type { Task } from '../task.js';

/** The tensors and metadata of `fixtures/<name>`; dispose the tensors with `disposeAll`. */
export function loadFixture(name: string): { t: (key: string) => Tensor; tensors: Map<string, Tensor>; meta: Record<string, string> } {
  const { tensors, metadata } = safetensors.load(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
  const t = (key: string) => {
    const v = tensors.get(key);
    if (!v) throw new Error(`fixture ${name} has no tensor '${key}'`);
    return v;
  };
  return { t, tensors, meta: metadata ?? {} };
}

/** The entries of `tensors` whose key starts with `prefix`, with the prefix removed (a state dict). */
export function withPrefix(tensors: Map<string, Tensor>, prefix: string): Map<string, Tensor> {
  return new Map([...tensors].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** Asserts same shape and |got − want| ≤ atol + rtol·|want| elementwise, naming `what` and the worst element. */
export function assertClose(got: Tensor, want: Tensor, what: string, atol = 1e-10, rtol = 1e-8): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.toArray() as Float64Array | Float32Array;
  const w = want.toArray() as Float64Array | Float32Array;
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < w.length; i++) {
    const e = Math.abs(g[i]! - w[i]!) - (atol + rtol * Math.abs(w[i]!));
    if (!(e <= excess)) {
      excess = Number.isNaN(e) ? Infinity : e;
      worst = i;
    }
  }
  assert.ok(worst < 0, `${what}: element ${worst} is ${g[worst]}, PyTorch ${w[worst]}`);
}

/**
 * A real StepContext for calling an objective outside the trainer: the optimiser and scheduler exist only
 * because the context carries them; objectives must not step them.
 */
export function stepContext(task: Task, classes: number, classWeights: Tensor | null, params: Tensor[]): StepContext & { dispose(): void } {
  const opt = new optim.SGD(params, { lr: 0.1 });
  return {
    task, classes, epoch: 0, epochs: 1, step: 0, stepsPerEpoch: 1, rng: new Rng(0), lr: 0.1,
    scheduler: new optim.lrScheduler.StepLR(opt, { stepSize: 1 }), classWeights,
    dispose: () => opt.dispose(),
  };
}
