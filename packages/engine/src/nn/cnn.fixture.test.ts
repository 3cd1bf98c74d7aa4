// nn + optim against PyTorch: the float64 residual CNN of fixtures/nn/make_cnn_fixture.py, rebuilt here,
// loaded from PyTorch's weights, checked forward, loss, gradients, BatchNorm buffers, clipping and
// three steps of six optimizer configurations. On this machine every quantity matches PyTorch bit for bit;
// the tolerance (1e-10) leaves room for other thread counts or BLAS builds changing reduction order.
// Fixture: /usr/bin/python3 packages/engine/fixtures/nn/make_cnn_fixture.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { F, Tensor, tidy, liveTensorCount, setNumThreads, nn, optim, safetensors } from '../index.js';

setNumThreads(2);
const FIXTURE = fileURLToPath(new URL('../../fixtures/nn/cnn.safetensors', import.meta.url));
const { tensors: ref, metadata } = safetensors.load(FIXTURE);
const get = (name: string): Tensor => {
  const t = ref.get(name);
  if (t === undefined) throw new Error(`fixture has no tensor '${name}'`);
  return t;
};

/** Mirrors SmallCNN in make_cnn_fixture.py, field for field. */
class SmallCNN extends nn.Module {
  conv1 = new nn.Conv1d(3, 16, 7, { padding: 3, dtype: 'float64' });
  gn1 = new nn.GroupNorm(4, 16, { dtype: 'float64' });
  act = new nn.LeakyReLU(0.1);
  pool = new nn.MaxPool1d(2);
  conv2 = new nn.Conv1d(16, 16, 3, { padding: 1, bias: false, dtype: 'float64' });
  bn2 = new nn.BatchNorm1d(16, { dtype: 'float64' });
  conv3 = new nn.Conv1d(16, 32, 3, { stride: 2, padding: 1, dtype: 'float64' });
  head = new nn.Sequential(new nn.AdaptiveAvgPool1d(1), new nn.Flatten(), new nn.Linear(32, 5, { dtype: 'float64' }));

  forward(x: Tensor): Tensor {
    let h = this.pool.forward(this.act.forward(this.gn1.forward(this.conv1.forward(x)))); // [N, 16, 32]
    h = this.act.forward(this.bn2.forward(this.conv2.forward(h)).add(h));                  // residual
    h = this.act.forward(this.conv3.forward(h));                                           // [N, 32, 16]
    return this.head.forward(h);                                                           // [N, 5]
  }
}

function fromFixture(): SmallCNN {
  const m = new SmallCNN();
  const init = new Map([...ref].filter(([k]) => k.startsWith('init.')).map(([k, v]) => [k.slice(5), v]));
  m.loadStateDict(init);
  return m;
}

const lossOf = (m: nn.Module & { forward(x: Tensor): Tensor }) =>
  F.crossEntropy(m.forward(get('x')), get('y'), { weight: get('class_weight') });

/** max |a - b| <= atol + rtol·|b| elementwise, reporting the worst element. */
function assertClose(actual: Tensor, expected: Tensor, what: string, atol = 1e-10, rtol = 1e-9): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.double().toArray() as Float64Array;
  const b = expected.double().toArray() as Float64Array;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i]! - b[i]!) - (atol + rtol * Math.abs(b[i]!));
    if (!(excess <= worst)) { worst = excess; at = i; }
  }
  assert.ok(at < 0, `${what}: element ${at} is ${a[at]}, PyTorch has ${b[at]}`);
}

test('state dict: PyTorch names, order and parameter count', () => {
  const m = new SmallCNN();
  assert.deepEqual([...m.stateDict().keys()], JSON.parse(metadata!.state_keys!));
  assert.equal(m.parameters().reduce((n, p) => n + p.numel, 0), Number(metadata!.params));
  assert.deepEqual(m.namedParameters().map(([n]) => n).slice(0, 4), ['conv1.weight', 'conv1.bias', 'gn1.weight', 'gn1.bias']);
  m.dispose();
});

test('forward, class-weighted loss, gradients and BatchNorm buffers agree with PyTorch', () => {
  const m = fromFixture();
  tidy(() => {
    const out = m.forward(get('x'));
    assertClose(out, get('out'), 'train-mode logits');
    const loss = F.crossEntropy(out, get('y'), { weight: get('class_weight') });
    assertClose(loss, get('loss'), 'loss');
    loss.backward();
  });
  for (const [n, p] of m.namedParameters()) assertClose(p.grad!, get(`grad.${n}`), `grad of ${n}`);
  for (const [n, b] of m.namedBuffers()) assertClose(b, get(`after_fwd.${n}`), `buffer ${n} after one forward`);
  m.eval();
  tidy(() => assertClose(m.forward(get('x')), get('out_eval'), 'eval-mode logits'));
  m.train();
  const total = optim.clipGradNorm(m.parameters(), 0.5);
  assert.ok(Math.abs(total - get('clip.total_norm').item()) <= 1e-12 * total, `clip total norm ${total}`);
  for (const [n, p] of m.namedParameters()) assertClose(p.grad!, get(`clip.grad.${n}`), `clipped grad of ${n}`);
  m.dispose();
});

const OPTIMIZERS: Record<string, (p: Tensor[]) => optim.Optimizer> = {
  adam: (p) => new optim.Adam(p, { lr: 1e-2, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 1e-3 }),
  adam_amsgrad: (p) => new optim.Adam(p, { lr: 1e-2, amsgrad: true }),
  adamw: (p) => new optim.AdamW(p, { lr: 1e-2, weightDecay: 0.05 }),
  sgd_nesterov: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-2 }),
  sgd_dampening: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1 }),
  sgd_plain: (p) => new optim.SGD(p, { lr: 0.05 }),
};

function trainStep(m: SmallCNN, opt: optim.Optimizer): void {
  opt.zeroGrad();
  tidy(() => lossOf(m).backward());
  opt.step();
}

for (const [name, make] of Object.entries(OPTIMIZERS)) {
  test(`${name}: parameters after 1 and 3 steps agree with torch.optim`, () => {
    const m = fromFixture();
    const opt = make(m.parameters());
    for (let step = 1; step <= 3; step++) {
      trainStep(m, opt);
      if (step === 1 || step === 3) {
        for (const [n, p] of m.namedParameters()) assertClose(p, get(`${name}.step${step}.${n}`), `${name} step ${step}: ${n}`);
      }
    }
    opt.dispose();
    m.dispose();
  });
}

test('a run resumed from a safetensors checkpoint continues bit-exactly (Adam, BatchNorm buffers)', () => {
  const straight = fromFixture();
  const optA = new optim.Adam(straight.parameters(), { lr: 1e-2, amsgrad: true });
  for (let i = 0; i < 3; i++) trainStep(straight, optA);

  const first = fromFixture();
  const optB = new optim.Adam(first.parameters(), { lr: 1e-2, amsgrad: true });
  trainStep(first, optB);
  // Checkpoint through a real file: model state + optimizer state in one safetensors file.
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-resume-'));
  const file = join(dir, 'ckpt.safetensors');
  const flat = optim.flattenState(optB.stateDict());
  safetensors.save(file, new Map([...first.stateDict(), ...flat.tensors]), flat.metadata);
  first.dispose();
  optB.dispose();

  const { tensors: loaded, metadata: meta } = safetensors.load(file);
  rmSync(dir, { recursive: true });
  const resumed = new SmallCNN();
  resumed.loadStateDict(loaded, { strict: false });
  const optC = new optim.Adam(resumed.parameters(), { lr: 1 });
  optC.loadStateDict(optim.unflattenState(loaded, meta));
  for (const t of loaded.values()) t.dispose();
  assert.equal(optC.paramGroups[0]!.lr, 1e-2);
  for (let i = 0; i < 2; i++) trainStep(resumed, optC);

  const a = straight.stateDict();
  for (const [n, t] of resumed.stateDict()) assert.deepEqual(t.toArray(), a.get(n)!.toArray(), `${n} differs after resuming`);
  for (const m of [straight, resumed]) m.dispose();
  optA.dispose();
  optC.dispose();
});

test('memory: forward under tidy leaves the live tensor count unchanged (train and eval)', () => {
  const m = fromFixture();
  const before = liveTensorCount();
  tidy(() => { m.forward(get('x')); });
  m.eval();
  tidy(() => { m.forward(get('x')); });
  assert.equal(liveTensorCount(), before);
  const opt = new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
  m.train();
  trainStep(m, opt);
  const afterFirst = liveTensorCount();
  trainStep(m, opt);
  assert.equal(liveTensorCount(), afterFirst, 'a second step allocates no new live tensors');
  opt.dispose();
  m.dispose();
});
