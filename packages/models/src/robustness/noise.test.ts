// White, Gaussian-SNR and NSTDB noise on batches, and the robustness AUC, against closed forms and the
// data package's SNR measures (nstSnrDb, meanSquare).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { liveTensorCount, tidy } from '@ecglab/engine';
import { Rng, loadNstdbNoise, meanSquare, nstSnrDb } from '@ecglab/data';
import { gaussianNoiseAtSnr, nstdbNoise, uniformNoise, WHITE_NOISE_LEVELS } from './noise.js';
import { robustnessAuc } from './auc.js';
import { paddedBatch } from './test-batches.js';

const NSTDB = fileURLToPath(new URL('../../../../fixtures/data/nstdb', import.meta.url));
const LENGTHS = [3000, 2200, 2600];

test("uniform white noise: |noise| ≤ level, clipped to [−1, 1], on the padding too unless masked (Ma & Liang's test_rand), seeded", () => {
  const before = liveTensorCount();
  tidy(() => {
    const { x, mask } = paddedBatch(LENGTHS, 2, 1, 'float64');
    const xn = x.div(x.abs().max().item()); // within [−1, 1], as after max-abs
    const clean = xn.toArray() as Float64Array;
    for (const level of WHITE_NOISE_LEVELS) {
      for (const masked of [false, true]) {
        const noisy = uniformNoise(xn, mask, level, new Rng(5), { masked }).toArray() as Float64Array;
        let paddingTouched = 0;
        noisy.forEach((v, j) => {
          assert.ok(v >= -1 && v <= 1, `clipped: ${v}`);
          assert.ok(Math.abs(v - clean[j]!) <= level + 1e-12, `|noise| ${Math.abs(v - clean[j]!)} > ${level}`);
          const i = Math.floor(j / (2 * 3000));
          if (j % 3000 >= LENGTHS[i]! && v !== 0) paddingTouched++;
        });
        assert.equal(paddingTouched > 0, !masked, `masked=${masked}: ${paddingTouched} padding samples changed`);
      }
    }
    const a = uniformNoise(xn, mask, 0.1, new Rng(9)).toArray();
    assert.deepEqual(a, uniformNoise(xn, mask, 0.1, new Rng(9)).toArray());
    // Without clipping the noise is uniform on [−level, level]: mean 0, variance level²/3.
    const d = (uniformNoise(xn, mask, 0.3, new Rng(2), { range: null }).sub(xn).toArray() as Float64Array);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const variance = d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length;
    assert.ok(Math.abs(mean) < 0.005 && Math.abs(variance - 0.09 / 3) < 0.001, `mean ${mean}, variance ${variance}`);
  });
  assert.equal(liveTensorCount(), before);
});

test('Gaussian noise at a given SNR: each lead of each record has exactly that SNR over its real samples, padding untouched', () => {
  tidy(() => {
    const { x, mask } = paddedBatch(LENGTHS, 2, 2, 'float64');
    const clean = x.toArray() as Float64Array;
    for (const snr of [20, 6, -3]) {
      const noisy = gaussianNoiseAtSnr(x, mask, snr, new Rng(3)).toArray() as Float64Array;
      LENGTHS.forEach((l, i) => {
        for (let c = 0; c < 2; c++) {
          const at = (i * 2 + c) * 3000;
          const s = clean.subarray(at, at + l);
          const e = Float64Array.from(noisy.subarray(at, at + l), (v, t) => v - s[t]!);
          const got = 10 * Math.log10(meanSquare(s) / meanSquare(e));
          assert.ok(Math.abs(got - snr) < 1e-9, `record ${i} lead ${c}: SNR ${got} dB, wanted ${snr}`);
          assert.ok(noisy.subarray(at + l, at + 3000).every((v) => v === 0), 'padding stays zero');
        }
      });
    }
  });
});

test('NSTDB baseline wander and muscle artefact at 24 … −6 dB: the realised SNR (nst convention) equals the target', async () => {
  for (const kind of ['bw', 'ma'] as const) {
    const noise = await loadNstdbNoise(NSTDB, kind);
    tidy(() => {
      const { x, mask } = paddedBatch(LENGTHS, 2, 4, 'float64');
      const clean = x.toArray() as Float64Array;
      for (const snr of [24, 6, -6]) {
        const noisy = nstdbNoise(x, mask, 300, noise, snr, new Rng(6)).toArray() as Float64Array;
        LENGTHS.forEach((l, i) => {
          const at = i * 2 * 3000;
          const s = clean.slice(at, at + l);
          const e = Float64Array.from(noisy.subarray(at, at + l), (v, t) => v - s[t]!);
          const got = nstSnrDb(s, e, 300);
          assert.ok(Math.abs(got - snr) < 1e-6, `${kind} record ${i}: ${got} dB, wanted ${snr}`);
        });
        assert.deepEqual(noisy, nstdbNoise(x, mask, 300, noise, snr, new Rng(6)).toArray(), 'seeded');
      }
    });
  }
});

test("robustness AUC is Ma & Liang's trapezoid over the largest level", () => {
  assert.equal(robustnessAuc([0, 0.1, 0.3], [0.8, 0.8, 0.8]), 0.8);
  assert.ok(Math.abs(robustnessAuc([0, 0.5, 1], [1, 0.5, 0]) - 0.5) < 1e-15);
  assert.ok(Math.abs(robustnessAuc([0, 0.01, 0.03], [0.9, 0.6, 0.2]) - (0.75 * 0.01 + 0.4 * 0.02) / 0.03) < 1e-15);
  assert.throws(() => robustnessAuc([0.01, 0.03], [0.5, 0.4]), /must start at 0/);
  assert.throws(() => robustnessAuc([0, 0.03, 0.01], [1, 0.5, 0.4]), /'levels' must ascend, got 0.03 then 0.01/);
  assert.throws(() => robustnessAuc([0, 0.1], [1]), /same length >= 2, got 2 and 1/);
});
