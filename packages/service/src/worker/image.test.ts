// Photos through the image model, in this thread: the prediction is Predictor.predictImages's, and the saliency
// is the gradient of the predicted class's logit w.r.t. the page's pixel brightness, checked against central
// finite differences through the model's image stream; no tensors leak.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArray, liveTensorCount, noGrad, tidy } from '@ecglab/engine';
import { readRecord } from '@ecglab/data';
import { encodeImage, readPageImage, renderPage } from '@ecglab/render';
import { Predictor, VizECGNet } from '@ecglab/models';
import { fixture, testModelsDir } from '../testing/models.js';
import { load, predictImage, unload } from './inference.js';

let dir: string;
const work = mkdtempSync(join(tmpdir(), 'ecglab-service-image-test-'));
let photo: string;

before(async () => {
  dir = await testModelsDir();
  load([{ name: 'img', file: `${dir}/ptbxl-image/model.safetensors` }]);
  // A page at 100 DPI (1100×850) with photo artefacts, as a phone would see a printout.
  const page = await renderPage(await readRecord(fixture('ptbxl/records500/00000/00017_hr')), { layout: '3x4+II', dpi: 100, artefacts: { rotation: 0.3, blur: 0.2 }, seed: 1 });
  photo = join(work, 'photo.jpg');
  writeFileSync(photo, await encodeImage(page, { format: 'jpeg' }));
});

after(() => {
  unload();
  rmSync(work, { recursive: true, force: true });
});

test('a photo: the prediction of Predictor.predictImages, the image summary, a saliency by finite differences', async () => {
  const live = liveTensorCount();
  const r = await predictImage('img', photo, true);
  assert.equal(liveTensorCount(), live, 'predictImage frees what it makes');
  using p = Predictor.load(`${dir}/ptbxl-image`);
  const [want] = await p.predictImages([photo]);
  assert.deepEqual(r.prediction, want);
  assert.deepEqual(r.prediction.image, { width: 1100, height: 850, format: 'jpeg', orientation: 1, modelWidth: 220, modelHeight: 170 });
  const e = r.explanation!;
  assert.equal(e.saliency.length, 220 * 170);
  // 1100×850 has the page's own aspect, so `contain` fills it: the photo covers the whole page.
  assert.deepEqual(e.region, { left: 0, top: 0, width: 220, height: 170 });
  const probs = Object.values(want!.probabilities);
  assert.equal(e.className, p.spec.classes[probs.indexOf(Math.max(...probs))]);

  const pages = p.spec.pages!;
  const img = await readPageImage(photo, { width: pages.width, height: pages.height, fit: pages.fit, channels: pages.channels });
  const model = p.model as VizECGNet;
  model.eval();
  const logit = (at: number, dx: number) => noGrad(() => tidy(() => {
    const x = Float32Array.from(img.data);
    x[at]! += dx;
    return model.forward(fromArray(x, [1, ...img.shape])).select(1, e.classIndex).item();
  }));
  const ranked = Array.from(e.saliency, (v, i) => ({ i, v })).sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, 3);
  assert.ok(Math.abs(ranked[0]!.v) > 0, 'the gradient is not all zero');
  const h = 1e-3;
  for (const { i, v } of ranked) {
    const fd = (logit(i, h) - logit(i, -h)) / (2 * h);
    assert.ok(Math.abs(fd - v) <= 0.05 * Math.abs(v) + 1e-4, `pixel ${i}: gradient ${v}, finite difference ${fd}`);
  }
});

test('a letterboxed photo: the region is where contain puts it; without explain, no saliency', async () => {
  // A 1100×600 crop: wider than the page, so it is letterboxed top and bottom.
  const wide = join(work, 'wide.png');
  const sharp = (await import('sharp')).default;
  await sharp(photo).extract({ left: 0, top: 100, width: 1100, height: 600 }).png().toFile(wide);
  const r = await predictImage('img', wide, true);
  assert.deepEqual(r.explanation!.region, { left: 0, top: 25, width: 220, height: 120 });
  // The reader's letterbox agrees: white paper outside the region's rows, the photo's ink inside.
  const { data } = await readPageImage(wide, { width: 220, height: 170, fit: 'contain', channels: 1 });
  const row = (y: number) => data.subarray(y * 220, (y + 1) * 220);
  for (const y of [0, 24, 145, 169]) assert.ok(row(y).every((v) => v === 1), `row ${y} is paper`);
  for (const y of [25, 144]) assert.ok(row(y).some((v) => v < 1), `row ${y} is photo`);
  const plain = await predictImage('img', wide, false);
  assert.equal(plain.explanation, undefined);
  assert.deepEqual(plain.prediction, r.prediction);
});
