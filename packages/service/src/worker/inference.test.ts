// The inference worker's functions, called in this thread: the saliency is the gradient of the predicted
// class's logit w.r.t. the input in mV (checked against central finite differences through the model), and
// the white-noise check reaches the SNR it names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromArray, liveTensorCount, noGrad, tidy } from '@ecglab/engine';
import { readRecord } from '@ecglab/data';
import { Predictor } from '@ecglab/models';
import { fixture, testModelsDir } from '../testing/models.js';
import { explain, load, unload, whiteNoise } from './inference.js';

let dir: string;
before(async () => {
  dir = await testModelsDir();
  load([{ name: 'ptbxl', file: `${dir}/ptbxl-superclass/model.safetensors` }, { name: 'cinc', file: `${dir}/cinc2017-rhythm/model.safetensors` }]);
});
after(() => unload());

test('saliency = d logit[predicted] / d x (mV), by central differences, and no tensors leak', async () => {
  const rec = await readRecord(fixture('ptbxl/records100/00000/00001_lr'));
  const live = liveTensorCount();
  const e = await explain('ptbxl', rec);
  assert.equal(liveTensorCount(), live, 'explain frees what it makes');
  assert.equal(e.fs, 100);
  assert.equal(e.signals.length, 12);
  using p = Predictor.load(`${dir}/ptbxl-superclass`);
  const model = p.model as unknown as { padMultiple: number; minLength: number; forward(x: unknown, m: unknown): { select(d: number, i: number): { item(): number } } };
  const n = e.signals[0]!.length;
  const len = Math.max(model.minLength, Math.ceil(n / model.padMultiple) * model.padMultiple);
  const logit = (lead: number, at: number, dx: number) => noGrad(() => tidy(() => {
    const x = new Float32Array(12 * len);
    e.signals.forEach((s, l) => x.set(s, l * len));
    x[lead * len + at]! += dx;
    const mask = new Float32Array(len).fill(1, 0, n);
    return model.forward(fromArray(x, [1, 12, len]), fromArray(mask, [1, 1, len])).select(1, e.classIndex).item();
  }));
  // The three samples with the largest attribution, and their central differences.
  const ranked = e.saliency.flatMap((s, l) => Array.from(s, (v, i) => ({ l, i, v }))).sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, 3);
  const h = 1e-4; // the random-weight model has kinks within 1e-3 mV of these samples
  for (const { l, i, v } of ranked) {
    const fd = (logit(l, i, h) - logit(l, i, -h)) / (2 * h);
    assert.ok(Math.abs(fd - v) <= 0.05 * Math.abs(v) + 1e-4, `lead ${l} sample ${i}: gradient ${v}, finite difference ${fd}`);
  }
});

test('white noise: levels in order, seeded copies, the example at the SNR it names', async () => {
  const rec = await readRecord(fixture('cinc2017/training2017/A00067'));
  const r = await whiteNoise('cinc', rec, [20, 0], 2, 5, true);
  assert.equal(r.levels.length, 2);
  const clean = await explain('cinc', rec);
  for (const level of r.levels) {
    const noisy = level.example![0]!;
    const s = clean.signals[0]!;
    let ps = 0, pn = 0;
    for (let i = 0; i < s.length; i++) { ps += s[i]! ** 2; pn += (noisy[i]! - s[i]!) ** 2; }
    const snr = 10 * Math.log10(ps / pn);
    assert.ok(Math.abs(snr - level.snrDb) < 0.01, `SNR ${snr} for level ${level.snrDb}`);
  }
  const again = await whiteNoise('cinc', rec, [20, 0], 2, 5, false);
  assert.deepEqual(again.levels.map((l) => l.probabilities), r.levels.map((l) => l.probabilities));
  assert.equal(again.levels[0]!.example, undefined);
});
