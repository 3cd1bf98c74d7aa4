// Bad input never crashes the process: it raises TorchError with a stable code and a message naming the
// function and argument (or libtorch's own message, without its C++ backtrace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TorchError, Tensor, zeros, ones, randn, tensor, fromArray, full, arange, grad, F, assertFinite, tidy, noGrad, isGradEnabled } from './index.js';

function throwsCode(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TorchError, `expected TorchError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

test('conv1d with a 2-D input names the function, argument, expected layout and found shape', () => {
  tidy(() => throwsCode(() => F.conv1d(zeros([12, 500]), zeros([4, 12, 3])), 'SHAPE',
    /^conv1d: 'input' must have shape \[N, C, L\] \(3 dims\), got \[12, 500\]$/));
  tidy(() => throwsCode(() => F.conv1d(zeros([1, 12, 50]), zeros([4, 3])), 'SHAPE', /conv1d: 'weight' .* got \[4, 3\]/));
  tidy(() => throwsCode(() => F.conv1d(zeros([1, 5, 50]), zeros([4, 3, 3])), 'SHAPE', /conv1d: 'input' has 5 channels/));
});

test("libtorch's own message reaches JS (matmul mismatch) without a C++ backtrace, and the process lives", () => {
  tidy(() => {
    throwsCode(() => ones([2, 3]).matmul(ones([2, 3])), 'TORCH', /^matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)$/);
    throwsCode(() => ones([2, 3]).add(ones([4])), 'TORCH', /size of tensor a \(3\) must match/);
    throwsCode(() => ones([2, 3]).view([5]), 'TORCH', /shape '\[5\]' is invalid/);
    throwsCode(() => ones([2]).to('cuda'), 'TORCH', /CUDA|cuda/);
    const msg = (() => { try { ones([2, 3]).reshape([7]); } catch (e) { return (e as Error).message; } return ''; })();
    assert.doesNotMatch(msg, /Exception raised from|frame #/);
  });
  // Still alive and computing.
  assert.equal(tidy(() => ones([2]).add(1).sum().item()), 4);
});

test('a libtorch error inside a child process does not abort it', () => {
  const code = "import { ones } from '@ecglab/engine'; try { ones([2, 3]).matmul(ones([4, 5])); } catch { process.exit(7); }";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  assert.equal(r.status, 7, r.stderr);
});

test('wrong dtypes are rejected with DTYPE', () => {
  tidy(() => {
    throwsCode(() => F.conv1d(zeros([1, 2, 8], { dtype: 'int64' }), zeros([3, 2, 3])), 'DTYPE', /conv1d: 'input' must be float32 or float64, got int64/);
    throwsCode(() => F.crossEntropy(randn([3, 4]), zeros([3], { dtype: 'int32' })), 'DTYPE', /crossEntropy: 'target' must be int64/);
    throwsCode(() => zeros([2], { dtype: 'int64', requiresGrad: true }), 'DTYPE', /only floating-point tensors can require gradients/);
    throwsCode(() => zeros([2], { dtype: 'float16' as never }), 'DTYPE', /zeros: 'dtype' must be one of/);
    throwsCode(() => fromArray([1, 2] as never, [2]), 'DTYPE', /fromArray: 'data' must be a Float32Array/);
  });
});

test('other bad arguments are rejected with ARGUMENT or SHAPE', () => {
  tidy(() => {
    throwsCode(() => zeros([2, -1]), 'SHAPE', /zeros: 'shape' must be an array of non-negative integers/);
    throwsCode(() => F.crossEntropy(randn([3, 4]), zeros([4], { dtype: 'int64' })), 'SHAPE', /class-index 'target' must have shape \[3\]/);
    throwsCode(() => F.dropout(randn([3]), 1.5), 'ARGUMENT', /dropout: 'p' must be a probability in \[0, 1\], got 1.5/);
    throwsCode(() => F.groupNorm(randn([2, 6, 4]), 4), 'SHAPE', /divisible by groups=4/);
    throwsCode(() => F.maxPool1d(randn([1, 2, 8]), { kernelSize: 0 }), 'ARGUMENT', /maxPool1d: 'kernelSize' must be an integer >= 1/);
    throwsCode(() => ones([2]).add('x' as never), 'ARGUMENT', /add: 'other' must be a Tensor, got string/);
    throwsCode(() => arange(0, 5, 0), 'ARGUMENT', /arange: 'step' must be non-zero/);
    throwsCode(() => tensor([[1, 2], [3]]), 'SHAPE', /tensor: 'data\[1\]' must be an array of length 2/);
    throwsCode(() => full([2], 'a' as never), 'ARGUMENT', /full: 'value' must be a number/);
    throwsCode(() => grad(ones([2]).sum(), [ones([2])]), 'TORCH', /does not require grad/);
    const layer = (e: number) => ({
      numHeads: 2, inProjWeight: randn([3 * e, e]), inProjBias: zeros([3 * e]), outProjWeight: randn([e, e]), outProjBias: zeros([e]),
      norm1Weight: ones([e]), norm1Bias: zeros([e]), norm2Weight: ones([e]), norm2Bias: zeros([e]),
      linear1Weight: randn([8, e]), linear1Bias: zeros([8]), linear2Weight: randn([e, 8]), linear2Bias: zeros([e]), activation: 'gelu' as const, normFirst: true,
    });
    throwsCode(() => noGrad(() => F.transformerEncoderLayerFused(randn([2, 3]), layer(4))), 'SHAPE', /transformerEncoderLayerFused: 'x' must have shape \[N, L, E\] \(3 dims\), got \[2, 3\]/);
    throwsCode(() => noGrad(() => F.transformerEncoderLayerFused(randn([1, 3, 6]), { ...layer(6), numHeads: 4 })), 'SHAPE', /the embedding size 6 of 'x' must be divisible by numHeads=4/);
    throwsCode(() => noGrad(() => F.transformerEncoderLayerFused(randn([1, 3, 4]), layer(6))), 'SHAPE', /'inProjWeight' must be \[12, 4\] for 'x' \[1, 3, 4\], got \[18, 6\]/);
  });
});

test('fromArray with a length/shape mismatch', () => {
  throwsCode(() => fromArray(new Float32Array(5), [2, 3]), 'SHAPE', /^fromArray: 'data' has 5 elements but shape \[2, 3\] needs 6$/);
});

test('disposed tensors raise DISPOSED, naming the operation', () => {
  const t = ones([2]);
  t.dispose();
  assert.equal(t.isDisposed, true);
  throwsCode(() => t.add(1), 'DISPOSED', /add: tensor is disposed/);
  throwsCode(() => t.toArray(), 'DISPOSED', /toArray/);
  throwsCode(() => t.shape, 'DISPOSED', /shape/);
  tidy(() => throwsCode(() => ones([2]).mul(t), 'DISPOSED', /mul: 'other' is a disposed tensor/));
  t.dispose(); // idempotent
});

test('assertFinite catches a NaN loss (NONFINITE)', () => {
  tidy(() => {
    const loss = F.mseLoss(tensor([0, NaN]), tensor([1, 1]));
    throwsCode(() => assertFinite(loss, 'loss'), 'NONFINITE', /^'loss' is not finite \(value NaN, shape \[\]\)$/);
    throwsCode(() => assertFinite(tensor([1, Infinity, -Infinity]), 'logits'), 'NONFINITE', /'logits' is not finite \(2 of 3 elements/);
    assertFinite(tensor([1, 2]), 'ok');
  });
});

test('noGrad restores grad mode even when its callback throws', () => {
  assert.equal(isGradEnabled(), true);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(isGradEnabled(), true);
  const r = tidy(() => noGrad(() => randn([2], { requiresGrad: true }).mul(2).requiresGrad));
  assert.equal(r, false);
});

test('tidy disposes its tensors when its callback throws', () => {
  let inner: Tensor | undefined;
  assert.throws(() => tidy(() => { inner = ones([3]); throw new Error('boom'); }), /boom/);
  assert.equal(inner!.isDisposed, true);
});
