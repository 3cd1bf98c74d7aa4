// Creation, read-back, dtypes, conversions, seeds and the autograd API surface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import {
  Tensor, zeros, ones, full, randn, rand, arange, tensor, fromArray, zerosLike, onesLike, randnLike, cat, stack,
  grad, noGrad, enableGrad, isGradEnabled, tidy, manualSeed, setNumThreads, getNumThreads, cudaIsAvailable, F, where,
} from './index.js';

test('creators honour shape, dtype and requiresGrad; read-back gives the dtype\'s typed array', () => {
  tidy(() => {
    const z = zeros([2, 3]);
    assert.deepEqual(z.shape, [2, 3]);
    assert.equal(z.dtype, 'float32');
    assert.equal(z.device, 'cpu');
    assert.equal(z.ndim, 2);
    assert.equal(z.numel, 6);
    assert.ok(z.toArray() instanceof Float32Array);
    assert.deepEqual(ones([3], { dtype: 'float64' }).tolist(), [1, 1, 1]);
    assert.ok(ones([2], { dtype: 'float64' }).toArray() instanceof Float64Array);
    assert.deepEqual(full([2], 7, { dtype: 'int64' }).toArray(), BigInt64Array.from([7n, 7n]));
    assert.deepEqual(full([2], 7, { dtype: 'int32' }).toArray(), Int32Array.from([7, 7]));
    assert.deepEqual(full([2], 7, { dtype: 'uint8' }).toArray(), Uint8Array.from([7, 7]));
    assert.deepEqual(tensor([true, false]).toArray(), Uint8Array.from([1, 0]));
    assert.equal(tensor([true, false]).dtype, 'bool');
    assert.deepEqual(tensor([[true], [false]]).tolist(), [[true], [false]]);
    assert.deepEqual(arange(5).tolist(), [0, 1, 2, 3, 4]);
    assert.deepEqual(arange(1, 2, 0.25, { dtype: 'float64' }).tolist(), [1, 1.25, 1.5, 1.75]);
    assert.equal(arange(3, undefined, 1, { dtype: 'int64' }).dtype, 'int64');
    assert.deepEqual(tensor([[1, 2], [3, 4]]).tolist(), [[1, 2], [3, 4]]);
    assert.equal(tensor(3.5).item(), 3.5);
    assert.deepEqual(tensor(3.5).shape, []);
    assert.deepEqual(zerosLike(ones([2], { dtype: 'float64' })).dtype, 'float64');
    assert.deepEqual(onesLike(zeros([2])).tolist(), [1, 1]);
    assert.deepEqual(randnLike(zeros([4, 2])).shape, [4, 2]);
    assert.equal(randn([2], { requiresGrad: true }).requiresGrad, true);
    assert.equal(rand([1000]).max().item() < 1 && rand([1000]).min().item() >= 0, true);
    assert.equal(ones([0, 3]).numel, 0);
    assert.equal(ones([0, 3]).toArray().length, 0);
  });
});

test('fromArray copies: later writes to the array do not reach the tensor', () => {
  tidy(() => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = fromArray(data, [2, 2]);
    data[0] = 100;
    assert.deepEqual(t.tolist(), [[1, 2], [3, 4]]);
    const sub = new Float64Array([9, 1, 2, 9]).subarray(1, 3);     // a view with a byte offset
    assert.deepEqual(fromArray(sub, [2]).tolist(), [1, 2]);
    assert.equal(fromArray(new BigInt64Array([5n]), [1]).dtype, 'int64');
    assert.equal(fromArray(new Int32Array([5]), [1]).dtype, 'int32');
    assert.equal(fromArray(new Uint8Array([1, 0]), [2], { dtype: 'bool' }).dtype, 'bool');
    assert.equal(fromArray(new Float32Array([1]), [1], { dtype: 'float64' }).dtype, 'float64');
  });
});

test('conversions and number operands follow PyTorch type promotion', () => {
  tidy(() => {
    const i = tensor([1, 2, 3], { dtype: 'int64' });
    assert.equal(i.mul(0.5).dtype, 'float32');              // int tensor × Python float → default float
    assert.equal(i.add(1).dtype, 'int64');
    assert.equal(i.float().dtype, 'float32');
    assert.equal(i.double().dtype, 'float64');
    assert.equal(ones([1]).long().dtype, 'int64');
    assert.equal(ones([1]).to({ dtype: 'float64', device: 'cpu' }).dtype, 'float64');
    assert.equal(ones([1]).to('cpu').device, 'cpu');
    assert.equal(ones([2]).gt(0).dtype, 'bool');
    // Numbers in where/maximum act as Python scalars too.
    assert.equal(where(ones([2]).gt(0), 1.5, 0).dtype, 'float32');
    assert.equal(i.maximum(2.5).dtype, 'float32');
    assert.equal(i.maximum(2).dtype, 'int64');
    assert.deepEqual(ones([2], { dtype: 'float64' }).where(tensor([true, false]), 7).tolist(), [1, 7]);
    assert.equal(ones([2], { dtype: 'float64' }).minimum(0.5).dtype, 'float64');
    assert.equal(cat([ones([2]), zeros([3])]).numel, 5);
    assert.deepEqual(stack([ones([2]), zeros([2])], 1).shape, [2, 2]);
    const c = ones([2], { requiresGrad: true }).mul(2);
    assert.equal(c.detach().requiresGrad, false);
    assert.equal(c.clone().requiresGrad, true);
  });
});

test('manualSeed makes random streams repeatable', () => {
  tidy(() => {
    manualSeed(123);
    const a = randn([5]).toArray();
    const b = rand([3]).toArray();
    const d = F.dropout(ones([20]), 0.5, true).toArray();
    manualSeed(123);
    assert.deepEqual(randn([5]).toArray(), a);
    assert.deepEqual(rand([3]).toArray(), b);
    assert.deepEqual(F.dropout(ones([20]), 0.5, true).toArray(), d);
    manualSeed(124);
    assert.notDeepEqual(randn([5]).toArray(), a);
  });
});

test('threads: set and read back; CUDA is not available here', () => {
  const n = getNumThreads();
  assert.ok(n >= 1);
  setNumThreads(1);
  assert.equal(getNumThreads(), 1);
  setNumThreads(n);
  assert.equal(getNumThreads(), n);
  assert.equal(cudaIsAvailable(), false);
});

test('backward accumulates .grad; retainGraph allows a second pass; gradient for non-scalars', () => {
  tidy(() => {
    const w = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const y = w.mul(w).sum();
    y.backward(undefined, { retainGraph: true });
    assert.deepEqual(w.grad!.tolist(), [2, 4, 6]);
    y.backward();
    assert.deepEqual(w.grad!.tolist(), [4, 8, 12]);
    assert.throws(() => y.backward(), /TORCH|second time|freed/);
    w.zeroGrad_();
    w.mul(3).backward(tensor([1, 0, 2], { dtype: 'float64' }));
    assert.deepEqual(w.grad!.tolist(), [3, 0, 6]);
    assert.equal(w.isLeaf, true);
  });
});

test('grad(): createGraph gives differentiable results; allowUnused gives null', () => {
  tidy(() => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const u = tensor([5], { dtype: 'float64', requiresGrad: true });
    const y = x.pow(3).sum();
    const [dx, du] = grad(y, [x, u], { createGraph: true, allowUnused: true });
    assert.deepEqual(dx!.tolist(), [3, 12]);        // 3x²
    assert.equal(du, null);
    const [ddx] = grad(dx!.sum(), [x]);
    assert.deepEqual(ddx!.tolist(), [6, 12]);       // 6x
    assert.equal(x.grad, null, 'grad() does not touch .grad');
    const [g] = grad(x.mul(2), [x], { gradOutputs: [tensor([1, 10], { dtype: 'float64' })] });
    assert.deepEqual(g!.tolist(), [2, 20]);
    assert.throws(() => grad(y, [u]), /TORCH|not have been used|appears to not/);
  });
});

test('noGrad/enableGrad scopes nest and restore the mode', () => {
  tidy(() => {
    const w = ones([2], { requiresGrad: true });
    assert.equal(noGrad(() => w.mul(2).requiresGrad), false);
    assert.equal(noGrad(() => enableGrad(() => w.mul(2).requiresGrad)), true);
    assert.equal(noGrad(() => isGradEnabled()), false);
    assert.equal(isGradEnabled(), true);
  });
});

test('in-place updates change the tensor itself (optimizer steps under noGrad)', () => {
  tidy(() => {
    const p = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    noGrad(() => {
      p.sub_(tensor([1, 1], { dtype: 'float64' }), 0.5).mul_(2).add_(1);
      p.addcmul_(tensor([1, 1], { dtype: 'float64' }), tensor([2, 3], { dtype: 'float64' }), 0.5);
    });
    assert.deepEqual(p.tolist(), [3, 5.5]);
    assert.equal(p.requiresGrad, true);
    const q = zeros([3]).fill_(2);
    assert.deepEqual(q.tolist(), [2, 2, 2]);
    q.copy_(ones([3]));
    assert.deepEqual(q.tolist(), [1, 1, 1]);
    q.zero_();
    assert.deepEqual(q.tolist(), [0, 0, 0]);
  });
});

test('toString and isDisposed', () => {
  const t = zeros([2, 3]);
  assert.equal(String(t), 'Tensor([2, 3], float32)');
  t.dispose();
  assert.equal(String(t), 'Tensor(disposed)');
  assert.ok(!(t instanceof Array) && t instanceof Tensor);
});

test('threads at load: all cores by default, ECGLAB_NUM_THREADS overrides', () => {
  const code = "import { getNumThreads } from '@ecglab/engine'; console.log(getNumThreads());";
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: new URL('..', import.meta.url), encoding: 'utf8', env: { ...process.env, ...env } }).stdout.trim();
  const { ECGLAB_NUM_THREADS: _drop, ...rest } = process.env;
  assert.equal(Number(spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: new URL('..', import.meta.url), encoding: 'utf8', env: rest }).stdout.trim()), availableParallelism());
  assert.equal(run({ ECGLAB_NUM_THREADS: '1' }), '1');
});
