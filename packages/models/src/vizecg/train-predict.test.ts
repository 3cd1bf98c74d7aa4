// VizECGNet end to end on fixture records: a run config builds it, the trainer trains it on pages drawn in a
// worker thread paired with the signals, the saved model carries its page settings, and the Predictor classifies
// PNG files through the image path alone: the tensor it reads from a PNG of a training page is that page's
// training tensor, and the signal side's weights are never read (NaN there changes nothing).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveTensorCount, safetensors } from '@ecglab/engine';
import { readRecord } from '@ecglab/data';
import { encodeImage, readPageImage, renderPage, renderToTensor } from '@ecglab/render';
import { parseRunConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { readSpec } from '../inference/model-file.js';
import { Predictor } from '../inference/predictor.js';
import { train } from '../train/trainer.js';
import { pageOptions } from './pages.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecglab-vizecg-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const record = join(root, 'fixtures/data/ptbxl/records100/00000/00017_lr');
const twelve = Array.from({ length: 12 }, (_, i) => i);

const raw = {
  name: 'viz-tiny',
  seed: 3,
  data: { kind: 'ptbxl', path: join(root, 'fixtures/data/ptbxl'), fs: 100, labels: 'superclass' },
  input: { kind: 'max-abs', leads: twelve, maxSeconds: 10, maxShiftSeconds: 0 },
  model: {
    kind: 'vizecgnet',
    image: { patch: 4, stemWidth: 8, widths: [8, 16], blocks: [1, 1] },
    signal: { width: 8, depth: [1, 1], groups: 4 },
    attention: { heads: 2 },
  },
  // 20 DPI: a letter page is 220×170, small enough for a test.
  pages: { dpi: 20, width: 220, height: 170, layouts: ['3x4+II'], workers: 1 },
  train: { epochs: 2, batchSize: 6, valFraction: 0.25 },
};

test('run configs: VizECGNet kinds fill their pages and objective; mismatches are named', () => {
  const cfg = parseRunConfig(raw, 'viz.yaml');
  assert.equal(cfg.train.objective.kind, 'vizecg');
  assert.deepEqual(cfg.pages!.artefacts.names, ['thickness', 'creases', 'rotation', 'crop', 'padding', 'temperature', 'contrast', 'noise', 'saltpepper']);
  assert.equal(cfg.model.kind === 'vizecgnet' && cfg.model.kd?.temperature, 2);
  const noKd = parseRunConfig({ ...raw, model: { ...raw.model, kd: null } }, 'nokd.yaml');
  assert.equal(noKd.model.kind === 'vizecgnet' && noKd.model.kd, null);
  const imageOnly = parseRunConfig({ ...raw, model: { kind: 'vizecg-image-only' } }, 'img.yaml');
  assert.equal(imageOnly.train.objective.kind, 'vizecg');
  const bad = (over: object, re: RegExp) => assert.throws(() => parseRunConfig({ ...raw, ...over }, 'bad.yaml'), (e: unknown) => e instanceof ConfigError && re.test(e.message));
  bad({ model: { kind: 'ma-liang' } }, /bad\.yaml: \/pages: only VizECGNet models .* remove the section for 'ma-liang'/);
  bad({ pages: { ...raw.pages, channels: 3 } }, /\/model\/image\/channels \(1\) must equal \/pages\/channels \(3\)/);
  bad({ train: { ...raw.train, objective: { kind: 'ce' } } }, /\/train\/objective\/kind 'ce' trains only the image head; model 'vizecgnet' needs 'vizecg'/);
  bad({ pages: { ...raw.pages, layouts: ['strip'] } }, /\/pages\/layouts: none of strip can print 12 leads/);
  bad({ model: { ...raw.model, kd: { temperature: 0 } } }, /\/model\/kd/);
});

test('train on fixture pages paired with signals, then predict PNG files from the image alone', async () => {
  const cfg = parseRunConfig(raw, 'viz.yaml');
  const run = join(dir, 'run');
  const before = liveTensorCount();
  await train(cfg, { out: run, quiet: true, bootstrapIterations: 20 });
  assert.equal(liveTensorCount(), before, 'the trainer frees every tensor it made');
  const log = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const trainRecords = 16 - JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')).split.val.length;
  assert.equal(log.length, 2);
  for (const e of log) {
    assert.ok(Number.isFinite(e.trainLogs.cls_image) && Number.isFinite(e.trainLogs.cls_signal) && Number.isFinite(e.trainLogs.kd));
    assert.equal(e.pages.drawn, trainRecords, 'one page per training record and epoch');
    assert.equal(e.pages.workers, 1);
    assert.ok(e.dataWaitSeconds >= 0);
  }
  const spec = readSpec(run);
  assert.deepEqual(spec.pages, cfg.pages, 'the model file carries its page settings');

  // A training page of epoch 1, as the worker drew it, and the same page written as a PNG at its own size.
  const rec = await readRecord(record);
  const opts = pageOptions(spec.pages!, { kind: 'train', seed: cfg.seed, epoch: 1 }, rec.id, 12);
  const trained = await renderToTensor([rec], opts);
  const { width: _w, height: _h, fit: _f, channels: _c, seeds: _s, ...drawing } = opts;
  const png = join(dir, 'page.png');
  writeFileSync(png, await encodeImage(await renderPage(rec, drawing), { format: 'png' }));
  const read = await readPageImage(png, spec.pages!);
  assert.deepEqual(read.data, trained.data, 'the tensor read from the PNG is the training tensor');

  using p = Predictor.load(run);
  const [fromPng] = await p.predictImages([png]);
  assert.deepEqual(Object.values(fromPng!.probabilities), p.pageProbabilities(trained.data, trained.shape)[0]);
  assert.deepEqual(fromPng!.image, { width: 220, height: 170, format: 'png', orientation: 1, modelWidth: 220, modelHeight: 170 });
  assert.equal(Object.keys(fromPng!.probabilities).join(), 'NORM,MI,STTC,CD,HYP');

  // The signal side is never read at inference: garbage weights there (1e30, finite, so that the file loads;
  // non-finite weights are refused at load, naming one) leave the image predictions unchanged.
  const { tensors, metadata } = safetensors.load(join(run, 'model.safetensors'));
  const signalSide = (k: string, t: { dtype: string }) => /^(signal|signalSmam|cmam)\./.test(k) && t.dtype === 'float32';
  const garbage = new Map([...tensors].map(([k, t]) => [k, signalSide(k, t) ? t.mul(0).add(1e30) : t.clone()]));
  const nan = new Map([...tensors].map(([k, t]) => [k, signalSide(k, t) ? t.mul(Number.NaN) : t.clone()]));
  assert.ok([...garbage.keys()].some((k) => k.startsWith('cmam.')) && [...garbage.keys()].some((k) => k.startsWith('signal.')));
  const file = join(dir, 'garbage.safetensors');
  const nanFile = join(dir, 'nan.safetensors');
  safetensors.save(file, garbage, metadata!);
  safetensors.save(nanFile, nan, metadata!);
  for (const t of [...tensors.values(), ...garbage.values(), ...nan.values()]) t.dispose();
  assert.throws(() => Predictor.load(nanFile), /nan\.safetensors: weight '(signal|signalSmam|cmam)\.[^']+' is not finite/);
  using q = Predictor.load(file);
  assert.deepEqual((await q.predictImages([png]))[0]!.probabilities, fromPng!.probabilities);

  // Records drawn as pages first (`predict --as-image`): a clean page in the first layout.
  const [asImage] = await p.predictFiles([record]);
  const named = { ...rec, id: record }; // predictFiles names records by the path given, and the page header prints it
  const clean = await renderToTensor([named], pageOptions(spec.pages!, { kind: 'strength', strength: 0 }, record, 12));
  assert.deepEqual(Object.values(asImage!.probabilities), p.pageProbabilities(clean.data, clean.shape)[0]);

  const tiny = join(dir, 'tiny.png');
  writeFileSync(tiny, await encodeImage({ width: 60, height: 40, data: new Uint8Array(60 * 40 * 4).fill(255) }, { format: 'png' }));
  await assert.rejects(p.predictImages([png, tiny]), /tiny\.png: 60×40 px is too small for an ECG page/);
});

test('the image-only baseline trains through the trainer on pages alone and predicts PNG files', async () => {
  const cfg = parseRunConfig({ ...raw, name: 'viz-image-only', model: { kind: 'vizecg-image-only', image: raw.model.image, attention: raw.model.attention }, train: { ...raw.train, epochs: 1 } }, 'img.yaml');
  const run = join(dir, 'image-only');
  await train(cfg, { out: run, quiet: true, bootstrapIterations: 20 });
  const [e] = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(e.trainLogs).sort(), ['cls', 'cls_image', 'loss']);
  using p = Predictor.load(run);
  const [r] = await p.predictImages([join(dir, 'page.png')]);
  assert.equal(Object.keys(r!.probabilities).length, 5);
});
