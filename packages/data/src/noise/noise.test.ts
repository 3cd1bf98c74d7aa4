import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../errors.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng } from '../random/rng.js';
import { addWhiteNoise, addNstdbNoise, loadNstdbNoise, meanSquare, noiseRms, nstSignalPower, nstSnrDb, qrsPeakToPeak } from './index.js';

const NSTDB = fileURLToPath(new URL('../../../../fixtures/data/nstdb', import.meta.url));
// 2 s of PTB-XL 00005 lead II at 500 Hz (the DSP fixtures' real snippet)
const fx = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/dsp/dsp_fixtures.json', import.meta.url)), 'utf8')) as { ecg: number[] };
const ecg = Float64Array.from(fx.ecg);
const snrDb = (s: number, noise: Float64Array): number => 10 * Math.log10(s / meanSquare(noise));
const diff = (a: Float64Array, b: Float64Array): Float64Array => a.map((v, i) => v - b[i]!);

test('white noise at a target SNR: measured 10·log10(Ps/Pn) per lead equals the target (1e-9 dB)', () => {
  const lead2 = ecg.map((v) => v * 0.3);
  for (const kind of ['gaussian', 'uniform'] as const) {
    for (const target of [-3, 0, 6, 20]) {
      const out = addWhiteNoise([ecg, lead2], { kind, snrDb: target }, new Rng(9));
      assert.ok(Math.abs(snrDb(meanSquare(ecg), diff(out[0]!, ecg)) - target) < 1e-9);
      assert.ok(Math.abs(snrDb(meanSquare(lead2), diff(out[1]!, lead2)) - target) < 1e-9);
    }
  }
});

test('white noise by amplitude: Gaussian sd and uniform range as asked; seeded', () => {
  const zero = new Float64Array(100000);
  const g = addWhiteNoise([zero], { kind: 'gaussian', amplitude: 0.2 }, new Rng(1))[0]!;
  assert.ok(Math.abs(Math.sqrt(meanSquare(g)) - 0.2) < 0.002);
  const u = addWhiteNoise([zero], { kind: 'uniform', amplitude: 0.5 }, new Rng(1))[0]!;
  assert.ok(Math.max(...u) <= 0.5 && Math.min(...u) >= -0.5 && Math.max(...u) > 0.499);
  assert.ok(Math.abs(meanSquare(u) - 0.25 / 3) < 0.002); // variance of U(-a, a) is a²/3
  assert.deepEqual(addWhiteNoise([ecg], { kind: 'gaussian', amplitude: 0.1 }, new Rng(77)), addWhiteNoise([ecg], { kind: 'gaussian', amplitude: 0.1 }, new Rng(77)));
  assert.throws(() => addWhiteNoise([ecg], { kind: 'gaussian' }, new Rng(1)), /needs exactly one of amplitude or snrDb/);
});

test('sigamp-style measures: 5 %-trimmed means over beats or 1-s windows', () => {
  // 40 beats of known peak-to-peak amplitude 1..40 mV at 1 s spacing: trimmed mean drops 2 each side
  const fs = 100;
  const x = new Float64Array(4100);
  const beats: number[] = [];
  for (let k = 0; k < 40; k++) {
    const t = 50 + k * 100;
    x[t] = (k + 1) / 2;
    x[t + 3] = -(k + 1) / 2;
    beats.push(t);
  }
  const want = Array.from({ length: 36 }, (_, j) => j + 3).reduce((s, v) => s + v, 0) / 36;
  assert.ok(Math.abs(qrsPeakToPeak(x, fs, beats) - want) < 1e-12);
  // a window that misses the beat by more than 0.05 s sees nothing: the ±5-sample window of fs = 100
  assert.equal(qrsPeakToPeak(x, fs, [20]), 0);
  // noise RMS: 1-s windows about their own mean, so a DC offset does not count
  const n = Float64Array.from({ length: 1000 }, (_, i) => 5 + (i % 2 === 0 ? 0.3 : -0.3));
  assert.ok(Math.abs(noiseRms(n, 100) - 0.3) < 1e-12);
});

test('nst signal power: a sine of amplitude A has S = pp²/8 = A²/2, its mean power', () => {
  const fs = 360;
  const sine = Float64Array.from({ length: 3600 }, (_, i) => 1.5 * Math.sin((2 * Math.PI * 1.3 * i) / fs));
  assert.ok(Math.abs(qrsPeakToPeak(sine, fs) - 3) < 1e-3);
  assert.ok(Math.abs(nstSignalPower(sine, fs) - meanSquare(sine)) / meanSquare(sine) < 1e-3);
});

test('NSTDB bw/ma noise at a target SNR (nst convention) on a real ECG, resampled 360 → 500 Hz', async () => {
  for (const kind of ['bw', 'ma'] as const) {
    const noise = await loadNstdbNoise(NSTDB, kind);
    assert.equal(noise.fs, 360);
    assert.equal(noise.channels.length, 2);
    assert.equal(noise.channels[0]!.length, 21600);
    for (const target of [0, 6, 12, 24]) {
      const out = addNstdbNoise([ecg], 500, noise, target, new Rng(3));
      const added = diff(out[0]!, ecg);
      assert.ok(Math.abs(nstSnrDb(ecg, added, 500) - target) < 1e-9, `${kind} at ${target} dB`);
      assert.ok(meanSquare(added) > 0);
    }
    const a = addNstdbNoise([ecg, ecg], 500, noise, 6, new Rng(42));
    assert.deepEqual(a, addNstdbNoise([ecg, ecg], 500, noise, 6, new Rng(42)));
    assert.notDeepEqual(a, addNstdbNoise([ecg, ecg], 500, noise, 6, new Rng(43)));
  }
});

test('NSTDB noise segments are real noise: ma crosses zero far more often than bw', async () => {
  // zero-crossing rate of the noise (mean removed) as a crude spectral check, at 360 Hz
  const zcr = (x: Float64Array): number => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    let z = 0;
    for (let i = 1; i < x.length; i++) if ((x[i - 1]! - m) * (x[i]! - m) < 0) z++;
    return z / (x.length / 360); // crossings per second
  };
  const bw = await loadNstdbNoise(NSTDB, 'bw');
  const ma = await loadNstdbNoise(NSTDB, 'ma');
  const zb = zcr(bw.channels[0]!);
  const zm = zcr(ma.channels[0]!);
  assert.ok(zb * 4 < zm, `bw ${zb} vs ma ${zm} zero crossings/s`);
  assert.ok(zm > 10, `ma zero crossings/s ${zm}`);
});

test('em noise is missing and says so; a wrong directory names the file', async () => {
  await assert.rejects(loadNstdbNoise(NSTDB, 'em'), (e: unknown) => e instanceof DataError && e.code === 'E_NOISE_MISSING' && /'em' \(electrode motion\) noise is not available/.test(e.message));
  await assert.rejects(loadNstdbNoise('/nonexistent', 'bw'), /\/nonexistent\/bw\.hea not found/);
});
