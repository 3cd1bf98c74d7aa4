// CPU autocast: which ops drop to bfloat16, how far from float32 they land, and that the scope restores state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autocast, isAutocastEnabled, randn, ones, zeros, tidy, liveTensorCount, setNumThreads, manualSeed, F, fromArray, TorchError } from './index.js';

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

test("groupNorm takes autocast's bfloat16 with float32 parameters (normalised in float32, returned as bfloat16)", () => {
  manualSeed(2);
  tidy(() => {
    const x = randn([2, 4, 64]).mul(3).add(1);
    const w = randn([4]);
    const b = randn([4]);
    const ref = F.groupNorm(x, 2, w, b);
    const y = F.groupNorm(x.to('bfloat16'), 2, w, b);                      // as a conv's output under autocast
    assert.equal(y.dtype, 'bfloat16');
    // input rounded once and output rounded once, each within 2^-9 relative: 0.02 of the output's scale
    const err = y.float().sub(ref).abs().max().item();
    assert.ok(err <= TOL * ref.abs().max().item(), `max |bf16 - fp32| = ${err}`);
    assert.equal(F.groupNorm(x, 2, ones([4]), zeros([4])).dtype, 'float32');
  });
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
