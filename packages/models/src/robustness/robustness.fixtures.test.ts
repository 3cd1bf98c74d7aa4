// Attacks and defence losses against their PyTorch twins (fixtures/robustness_torch.py) through Ma & Liang's
// CNN in float64, and the defences' weight gradients (double backprop) against finite differences.
// Fixtures: /usr/bin/python3 packages/models/fixtures/make_robustness_fixtures.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { grad, liveTensorCount, noGrad, safetensors, tidy, type Tensor } from '@ecglab/engine';
import { Rng } from '@ecglab/data';
import { MaLiangNet } from '../models/ma-liang.js';
import type { StepContext } from '../objectives/objective.js';
import type { TensorBatch } from '../pipeline/tensor-batch.js';
import { attack } from './attack.js';
import type { AttackConfig } from './attack-config.js';
import { advlsObjective, jacobianObjective, jacobianPenalty, multiLabelNsrTerms, nsrObjective, nsrTerms, projectedJacobianPenalty, ADVLS_DEFAULTS, JACOBIAN_DEFAULTS, NSR_DEFAULTS } from './defences/index.js';

const path = fileURLToPath(new URL('../../fixtures/robustness.safetensors', import.meta.url));
const { tensors: fx, metadata } = safetensors.load(path);
const c = JSON.parse(metadata!.config!) as { leads: number; classes: number; width: number; depth: number[]; groups: number; stem_kernel: number; slope: number; mask_threshold: number };
const get = (name: string): Tensor => {
  const t = fx.get(name);
  if (!t) throw new Error(`fixture has no '${name}'`);
  return t;
};
const vals = (t: Tensor) => t.double().toArray() as Float64Array;

function net(prefix: 'net' | 'maxnet'): MaLiangNet {
  const m = new MaLiangNet({ kind: 'ma-liang', pooling: prefix === 'net' ? 'avg' : 'max', width: c.width, depth: c.depth, groups: c.groups, stemKernel: c.stem_kernel, slope: c.slope, maskThreshold: c.mask_threshold }, c.leads, c.classes).to('float64');
  m.loadStateDict(new Map([...m.stateDict().keys()].map((k) => [k, get(`${prefix}.${k}`)])));
  return m;
}

function close(got: Float64Array, want: Float64Array, what: string, tol = 1e-9): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= tol * Math.max(1, scale), `${what}[${i}]: ${v} vs PyTorch ${want[i]}`));
}

const x = get('input.x');
const mask = get('input.mask');
const cases = JSON.parse(metadata!.cases!) as Record<string, { eps: number; norm: 'inf' | '2'; loss: 'ce' | 'margin' | 'bce'; steps: number; step_ratio: number; runs: number; random_start: boolean; smoothing: unknown; seed: number | null }>;

function configOf(name: string): AttackConfig {
  const k = cases[name]!;
  const base = { eps: k.eps, loss: k.loss, steps: k.steps, stepRatio: k.step_ratio, ...(k.loss === 'bce' ? { attack: 'all' as const } : {}) };
  if (k.smoothing) return { ...base, kind: 'smooth', restarts: k.runs, kernelSizes: [5, 7, 11, 15, 19], kernelSigmas: [1, 3, 5, 7, 10] };
  if (!k.random_start) return { ...base, kind: 'ifgsm', norm: k.norm };
  return { ...base, kind: 'pgd', norm: k.norm, restarts: k.runs, randomStart: true };
}

for (const name of Object.keys(cases)) {
  test(`attack '${name}' matches its PyTorch twin: δ, δ in mV, adversarial logits, attacked and fooled records`, () => {
    const m = net('net');
    m.eval();
    const before = liveTensorCount();
    tidy(() => {
      const seed = cases[name]!.seed;
      const r = attack(m, { x, mask, labels: get('input.labels'), targets: get('input.targets') }, configOf(name), seed === null ? {} : { rng: new Rng(seed) });
      close(vals(r.delta), vals(get(`attack.${name}.delta`)), `${name} delta`);
      close(vals(r.deltaMv), vals(get(`attack.${name}.delta_mv`)), `${name} delta mV`);
      close(vals(r.advLogits), vals(get(`attack.${name}.adv_logits`)), `${name} logits`);
      assert.deepEqual([...vals(r.fooled.double())], [...vals(get(`attack.${name}.fooled`))], `${name} fooled`);
      assert.deepEqual([...vals(r.attacked.double())], [...vals(get(`attack.${name}.attacked`))], `${name} attacked`);
    });
    assert.equal(liveTensorCount(), before);
    m.dispose();
  });
}

function context(rngSeed: number, task: 'single-label' | 'multi-label' = 'single-label'): StepContext {
  return { task, classes: c.classes, epoch: 20, epochs: 30, step: 0, stepsPerEpoch: 1, rng: new Rng(rngSeed), lr: 1e-3, scheduler: undefined as unknown as StepContext['scheduler'], classWeights: null };
}

function batchOf(labels: Tensor | null, targets: Tensor | null): TensorBatch {
  return { ids: [], x, mask, labels, targets, extras: {} };
}

/** Checks a loss's gradient with respect to every weight against the fixture's `<prefix>.grad.*`. */
function checkGrads(m: MaLiangNet, loss: Tensor, prefix: string): void {
  const named = [...m.namedParameters()];
  const gs = grad(loss, named.map(([, p]) => p), { allowUnused: true });
  named.forEach(([k, p], i) => close(gs[i] ? vals(gs[i]!) : new Float64Array(p.numel), vals(get(`${prefix}.grad.${k}`)), `${prefix} ∂/∂${k}`, 1e-8));
}

function modelInput(m: MaLiangNet): Tensor {
  return noGrad(() => m.normalize(x, mask)).detach().requiresGrad_(true);
}

for (const [prefix, which] of [['jacobian.exact', 'net'], ['jacobian.exact_max', 'maxnet']] as const) {
  test(`Jacobian penalty (exact) and its weight gradients match PyTorch (${which === 'net' ? 'masked average' : 'masked max'} pooling)`, () => {
    const m = net(which);
    m.train();
    const before = liveTensorCount();
    tidy(() => {
      const xn = modelInput(m);
      const pen = jacobianPenalty(m.classify(xn, mask), xn);
      close(vals(pen), vals(get(`${prefix}.value`)), 'penalty');
      checkGrads(m, pen, prefix);
    });
    assert.equal(liveTensorCount(), before);
    m.dispose();
  });
}

test('Jacobian penalty (random projections, seeded) and its weight gradients match PyTorch; the objective adds β·penalty to CE', () => {
  const m = net('net');
  m.train();
  tidy(() => {
    const xn = modelInput(m);
    const pen = projectedJacobianPenalty(m.classify(xn, mask), xn, 2, new Rng(9));
    close(vals(pen), vals(get('jacobian.projection.value')), 'penalty');
    checkGrads(m, pen, 'jacobian.projection');
    const batch = batchOf(get('input.y'), null);
    const { loss, logs } = jacobianObjective({ ...JACOBIAN_DEFAULTS }).compute(m, batch, context(1));
    assert.ok(Math.abs(loss.item() - (logs!.ce! + 44 * vals(get('jacobian.exact.value'))[0]!)) < 1e-9);
  });
  m.dispose();
});

for (const [prefix, which] of [['nsr', 'net'], ['nsr_max', 'maxnet']] as const) {
  test(`NSR terms (MSE, margin, log noise-to-signal) and the loss's weight gradients match PyTorch (${which === 'net' ? 'avg' : 'max'} pooling)`, () => {
    const m = net(which);
    m.train();
    const before = liveTensorCount();
    tidy(() => {
      const xn = modelInput(m);
      const t = nsrTerms(m.classify(xn, mask), xn, get('input.y'), 1);
      close(Float64Array.from([t.mse.item(), t.margin.item(), t.nsr.item()]), vals(get(`${prefix}.terms`)), 'terms');
      const { loss } = nsrObjective(NSR_DEFAULTS).compute(m, batchOf(get('input.y'), null), context(1));
      close(vals(loss), vals(get(`${prefix}.value`)), 'loss');
      checkGrads(m, loss, prefix);
    });
    assert.equal(liveTensorCount(), before);
    m.dispose();
  });
}

test('multi-label NSR terms and gradients match the PyTorch twin of their documented form', () => {
  const m = net('net');
  m.train();
  tidy(() => {
    const xn = modelInput(m);
    const t = multiLabelNsrTerms(m.classify(xn, mask), xn, get('input.targets'), 1);
    close(Float64Array.from([t.mse.item(), t.margin.item(), t.nsr.item()]), vals(get('nsr_ml.terms')), 'terms');
    checkGrads(m, t.mse.add(t.margin).add(t.nsr), 'nsr_ml');
  });
  m.dispose();
});

test('advls: (1−β)·CE + β·Σ CE(x_adv)/N with a seeded PGD on the correct records, and its weight gradients, match PyTorch', () => {
  const m = net('net');
  m.train();
  const before = liveTensorCount();
  tidy(() => {
    const objective = advlsObjective({ ...ADVLS_DEFAULTS, eps: 0.05, ramp: false, steps: 3, stepRatio: 0.2, loss: 'margin' });
    const { loss, logs } = objective.compute(m, batchOf(get('input.y'), null), context(10));
    assert.equal(m.training, true, 'the objective leaves the model in training mode');
    close(Float64Array.from([logs!.clean!, logs!.adv!]), vals(get('advls.terms')), 'terms');
    close(vals(loss), vals(get('advls.value')), 'loss');
    checkGrads(m, loss, 'advls');
  });
  assert.equal(liveTensorCount(), before);
  m.dispose();
});

test('double backprop through the CNN agrees with central finite differences on the weights (Jacobian and NSR losses)', () => {
  const m = net('maxnet');
  m.train();
  const losses: [string, () => Tensor][] = [
    ['jacobian', () => {
      const xn = modelInput(m);
      return jacobianPenalty(m.classify(xn, mask), xn);
    }],
    ['nsr', () => nsrObjective(NSR_DEFAULTS).compute(m, batchOf(get('input.y'), null), context(1)).loss],
  ];
  const params = new Map(m.namedParameters());
  for (const [name, lossFn] of losses) {
    for (const pname of ['layer0.0.weight', 'layer0.1.weight', 'layer2.1.conv2.weight', 'layer3.weight']) {
      const p = params.get(pname)!;
      const analytic = tidy(() => vals(grad(lossFn(), [p])[0]!));
      for (const j of [0, 7, Math.floor(p.numel / 2), p.numel - 1]) {
        const h = 1e-6;
        const at = (delta: number) => tidy(() => {
          noGrad(() => {
            const flat = p.reshape([-1]);
            flat.narrow(0, j, 1).add_(delta);
          });
          return lossFn().item();
        });
        const plus = at(h);
        const minus = at(-2 * h);
        at(h); // restore
        const numeric = (plus - minus) / (2 * h);
        assert.ok(Math.abs(numeric - analytic[j]!) <= 1e-5 + 1e-4 * Math.abs(numeric), `${name}: ∂/∂${pname}[${j}] autograd ${analytic[j]} vs finite difference ${numeric}`);
      }
    }
  }
  m.dispose();
});
