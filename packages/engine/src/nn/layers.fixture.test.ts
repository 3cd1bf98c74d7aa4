// Each layer against PyTorch in float64: state-dict names, forward, gradients of sum(out · cotangent)
// w.r.t. input and parameters, and buffers after the call.
// Fixture: /usr/bin/python3 packages/engine/fixtures/nn/make_layers_fixture.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { tidy, nn, safetensors, setNumThreads, type Tensor } from '../index.js';

setNumThreads(2);
const { tensors: ref, metadata } = safetensors.load(fileURLToPath(new URL('../../fixtures/nn/layers.safetensors', import.meta.url)));
const get = (name: string): Tensor => {
  const t = ref.get(name);
  if (t === undefined) throw new Error(`fixture has no tensor '${name}'`);
  return t;
};

function assertClose(actual: Tensor, expected: Tensor, what: string, atol = 1e-10, rtol = 1e-9): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.double().toArray() as Float64Array;
  const b = expected.double().toArray() as Float64Array;
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i]! - b[i]!) <= atol + rtol * Math.abs(b[i]!) || (a[i] === b[i]);
    assert.ok(ok, `${what}: element ${i} is ${a[i]}, PyTorch has ${b[i]}`);
  }
}

type AnyModule = nn.Module & { forward(...xs: Tensor[]): Tensor | [Tensor, Tensor | null] };

function check(name: string, m: AnyModule, opts: { train?: boolean; grad?: boolean; nInputs?: number } = {}): void {
  const keys = JSON.parse(metadata![`${name}.keys`]!) as string[];
  assert.deepEqual([...m.stateDict().keys()], keys, `${name}: state dict names`);
  m.loadStateDict(new Map(keys.map((k) => [k, get(`${name}.state.${k}`)])));
  m.train(opts.train ?? true);
  const inputs = Array.from({ length: opts.nInputs ?? 1 }, (_, i) => {
    const x = get(`${name}.in${i}`).clone();
    return opts.grad === false ? x : x.requiresGrad_(true);
  });
  tidy(() => {
    let y = m.forward(...inputs);
    if (Array.isArray(y)) {
      assertClose(y[1]!, get(`${name}.weights`), `${name}: attention weights`);
      y = y[0];
    }
    assertClose(y, get(`${name}.out`), `${name}: output`);
    if (opts.grad === false) return;
    y.mul(get(`${name}.cot`)).sum().backward();
  });
  if (opts.grad !== false) {
    inputs.forEach((x, i) => assertClose(x.grad!, get(`${name}.grad.in${i}`), `${name}: grad of input ${i}`));
    for (const [n, p] of m.namedParameters()) assertClose(p.grad!, get(`${name}.grad.${n}`), `${name}: grad of ${n}`);
  }
  for (const [n, b] of m.namedBuffers()) assertClose(b, get(`${name}.after.${n}`), `${name}: buffer ${n}`);
  for (const x of inputs) x.dispose();
  m.dispose();
}

const f64 = { dtype: 'float64' as const };

test('Conv2d (tuple kernel, stride, padding, dilation)', () =>
  check('conv2d', new nn.Conv2d(3, 4, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], ...f64 })));
test("Conv1d with groups and padding 'same'", () =>
  check('conv1d_groups', new nn.Conv1d(4, 6, 5, { padding: 'same', groups: 2, bias: false, ...f64 })));
test('BatchNorm2d with momentum null (cumulative average)', () => check('bn2d', new nn.BatchNorm2d(3, { momentum: null, ...f64 })));
test('BatchNorm1d on [N, C]', () => check('bn1d_2d_input', new nn.BatchNorm1d(5, f64)));
test('LayerNorm over two trailing dims', () => check('layernorm', new nn.LayerNorm([4, 6], f64)));
test('GroupNorm without affine', () => check('groupnorm_noaffine', new nn.GroupNorm(2, 6, { affine: false, ...f64 })));
test('GELU tanh approximation', () => check('gelu_tanh', new nn.GELU('tanh')));
test('Sequential of Linear and activations', () => check('seq_acts', new nn.Sequential(
  new nn.Linear(5, 6, f64), new nn.Sigmoid(), new nn.Linear(6, 4, f64), new nn.Tanh(), new nn.ReLU(), new nn.GELU())));
test('MaxPool2d with ceilMode', () => check('maxpool2d', new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true })));
test('AvgPool1d without counting padding', () => check('avgpool1d', new nn.AvgPool1d(4, { stride: 3, padding: 2, countIncludePad: false })));
test('AvgPool2d', () => check('avgpool2d', new nn.AvgPool2d(2)));
test('AdaptiveMaxPool1d', () => check('adaptive_max1d', new nn.AdaptiveMaxPool1d(4)));
test('AdaptiveAvgPool1d', () => check('adaptive_avg1d', new nn.AdaptiveAvgPool1d(5)));
test('Dropout in eval mode is the identity', () => check('dropout_eval', new nn.Dropout(0.5), { train: false }));

class SelfAttn extends nn.Module {
  m = new nn.MultiheadAttention(8, 2, f64);
  forward(x: Tensor): [Tensor, Tensor | null] {
    return this.m.forward(x, x, x, { keyPaddingMask: get('mha_self.pad') });
  }
}

class CrossAttn extends nn.Module {
  m = new nn.MultiheadAttention(8, 4, f64);
  forward(q: Tensor, kv: Tensor): [Tensor, Tensor | null] {
    return this.m.forward(q, kv, kv, { attnMask: get('mha_cross.amask'), averageAttnWeights: false });
  }
}

test('MultiheadAttention: self-attention with key padding mask, PyTorch weight names', () => check('mha_self', new SelfAttn()));
test('MultiheadAttention: cross-attention with a float mask, per-head weights', () => check('mha_cross', new CrossAttn(), { nInputs: 2 }));
