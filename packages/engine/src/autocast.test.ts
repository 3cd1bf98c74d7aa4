// CPU autocast: which ops drop to bfloat16, how far from float32 they land, and that the scope restores state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autocast, isAutocastEnabled, randn, tidy, liveTensorCount, setNumThreads, manualSeed, F, fromArray, TorchError } from './index.js';

setNumThreads(1);

// bfloat16 keeps 8 significant bits: each rounding is within 2^-9 relative. A conv output of K products summed
// from rounded inputs is within about 3·2^-9 of the float32 result relative to Σ|w·x|; 0.02 of the output's
// scale leaves room for the output's own rounding and the sum's length (K = 3·5 = 15 here).
const TOL = 0.02;

test('autocast runs conv1d and linear in bfloat16 and losses in float32, close to float32', () => {
  manualSeed(1);
  const before = liveTensorCount();
  tidy(() => {
    const x = randn([2, 3, 64]);
    const w = randn([4, 3, 5], { requiresGrad: true });
    const ref = F.conv1d(x, w);
    const { y, loss } = autocast('bfloat16', () => {
      assert.equal(isAutocastEnabled(), true);
      const y = F.conv1d(x, w);                                           // [2, 4, 60]
      const logits = F.linear(y.mean([2]), randn([4, 4]));                  // [2, 4]
      const loss = F.crossEntropy(logits, fromArray(new BigInt64Array([0n, 3n]), [2]));
      return { y, loss };
    });
    assert.equal(y.dtype, 'bfloat16');
    assert.equal(loss.dtype, 'float32');
    assert.equal(w.dtype, 'float32');
    const scale = ref.abs().max().item();
    const err = y.float().sub(ref).abs().max().item();
    assert.ok(err <= TOL * scale, `max |bf16 - fp32| = ${err}, scale ${scale}`);
    loss.backward();                                                        // outside the scope, as in PyTorch
    assert.equal(w.grad!.dtype, 'float32');
    assert.ok(Number.isFinite(w.grad!.abs().sum().item()));
    w.grad!.dispose();
  });
  assert.equal(liveTensorCount(), before);
});

test('autocast restores the previous state after nesting and after a throw', () => {
  assert.equal(isAutocastEnabled(), false);
  autocast('bfloat16', () => {
    autocast('bfloat16', () => assert.equal(isAutocastEnabled(), true));
    assert.equal(isAutocastEnabled(), true);
  });
  assert.equal(isAutocastEnabled(), false);
  assert.throws(() => autocast('bfloat16', () => { throw new Error('inside'); }), /inside/);
  assert.equal(isAutocastEnabled(), false);
  tidy(() => assert.equal(F.conv1d(randn([1, 1, 8]), randn([1, 1, 3])).dtype, 'float32'));
});

test('autocast refuses other dtypes and asynchronous functions, naming the argument', () => {
  assert.throws(() => autocast('float16' as 'bfloat16', () => 0), (e: unknown) => e instanceof TorchError && /'dtype' must be 'bfloat16', got float16/.test(e.message));
  assert.throws(() => autocast('bfloat16', (async () => 0) as unknown as () => number), /'fn' must be synchronous/);
  assert.equal(isAutocastEnabled(), false);
});
