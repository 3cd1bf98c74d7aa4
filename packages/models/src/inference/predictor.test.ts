// The Predictor on a model saved here with seeded random weights (no training needed to test loading and
// prediction): it loads once for many calls, reads records in any unit, rate and lead order as the model needs
// them, reads model files written before inference specs existed, and refuses what it cannot answer for.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromArray, liveTensorCount, manualSeed, noGrad, safetensors, tidy } from '@ecglab/engine';
import { readRecord, wrsampSync } from '@ecglab/data';
import { buildModel, MA_LIANG_DEFAULTS } from '../models/index.js';
import { saveModel } from './model-file.js';
import { Predictor } from './predictor.js';
import { SPEC_FORMAT, SPEC_VERSION, type InferenceSpec } from './spec.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const A = join(root, 'fixtures/data/cinc2017/training2017/A00067');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-predictor-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tiny = { ...MA_LIANG_DEFAULTS, width: 8, depth: [1, 1, 1, 1], groups: 4 };
const spec: InferenceSpec = {
  format: SPEC_FORMAT, version: SPEC_VERSION, task: 'single-label', classes: ['N', 'A', 'O', '~'],
  conform: { leadIndices: [0], fs: 300 }, input: { norm: 'max-abs', maxSeconds: 60 }, model: tiny, threshold: 0.5, batchSize: 4,
};

/** A model file with seeded random weights; returns its path. */
function saveRandom(name: string, s: InferenceSpec = spec, seed = 3): string {
  manualSeed(seed);
  const model = buildModel(s.model, 1, s.classes.length, s.conform.fs, s.input.norm);
  const file = join(dir, `${name}.safetensors`);
  saveModel(file, model, s);
  model.dispose();
  return file;
}

/** The logits' softmax of one record through the model directly: padded by hand to a multiple of the stride. */
function direct(file: string, signal: Float32Array): number[] {
  const { tensors } = safetensors.load(file);
  const model = buildModel(tiny, 1, 4, 300, 'max-abs');
  model.loadStateDict(tensors);
  for (const t of tensors.values()) t.dispose();
  model.eval();
  const len = Math.max(3 * model.padMultiple, Math.ceil(signal.length / model.padMultiple) * model.padMultiple);
  const x = new Float32Array(len);
  x.set(signal);
  const mask = new Float32Array(len).fill(1, 0, signal.length);
  const p = noGrad(() => tidy(() => Array.from(model.call(fromArray(x, [1, 1, len]), fromArray(mask, [1, 1, len])).softmax(1).toArray() as Float32Array)));
  model.dispose();
  return p;
}

test('Predictor loads once: many calls after the file is gone, each equal to the model run by hand', async () => {
  const file = saveRandom('once');
  const want = direct(file, (await readRecord(A)).signals[0]!);
  const before = liveTensorCount();
  const p = Predictor.load(file);
  renameSync(file, `${file}.moved`); // nothing may read the file again
  for (let k = 0; k < 3; k++) {
    const [pred] = await p.predictFiles([A]);
    const got = Object.values(pred!.probabilities);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `call ${k}, class ${i}: ${v} vs ${want[i]}`));
    assert.equal(pred!.prediction, spec.classes[want.indexOf(Math.max(...want))]);
    assert.deepEqual(pred!.record, { fs: 300, samples: 9000, leads: ['ECG'], modelLeads: ['ECG'] });
  }
  p.dispose();
  assert.equal(liveTensorCount(), before, 'the Predictor frees what it made');
});

test('a record stored in µV and the same record in mV give the same prediction; another rate is resampled and said so', async () => {
  const file = saveRandom('units');
  const rec = await readRecord(A);
  const mv = rec.signals.map((l) => Float64Array.from(l));
  wrsampSync(join(dir, 'mv'), { fs: 300, sigName: ['ECG'], physical: mv, fmt: 16, adcGain: [1000] });
  wrsampSync(join(dir, 'uv'), { fs: 300, sigName: ['ECG'], units: ['uV'], physical: mv.map((l) => l.map((v) => v * 1000)), fmt: 16, adcGain: [1] });
  const header = readFileSync(join(dir, 'uv.hea'), 'utf8');
  assert.match(header, /\/uV/, 'the record really is stored in µV');
  using p = Predictor.load(file);
  const [a, b] = await p.predictFiles([join(dir, 'mv'), join(dir, 'uv')]);
  for (const c of spec.classes) assert.ok(Math.abs(a!.probabilities[c]! - b!.probabilities[c]!) < 1e-5, `${c}: ${a!.probabilities[c]} vs ${b!.probabilities[c]}`);
  wrsampSync(join(dir, 'fast'), { fs: 600, sigName: ['ECG'], physical: [Float64Array.from({ length: 18000 }, (_, i) => mv[0]![i >> 1]!)], fmt: 16, adcGain: [1000] });
  const [f] = await p.predictFiles([join(dir, 'fast')]);
  assert.equal(f!.record.resampledFrom, 600);
  assert.equal(f!.record.fs, 600);
});

test('a model file written before inference specs (metadata `ecglab` with the run config) loads and predicts the same', async () => {
  const file = saveRandom('new');
  const { tensors } = safetensors.load(file);
  const legacy = join(dir, 'legacy.safetensors');
  const info = {
    config: { name: 'old', seed: 1, data: { kind: 'cinc2017', path: '/x', limit: 0 }, input: { kind: 'max-abs', leads: [0], maxSeconds: 60, maxShiftSeconds: 10 }, model: tiny, train: { batchSize: 4, monitor: 'cinc2017F1' } },
    classes: ['N', 'A', 'O', '~'], task: 'single-label', leads: 1, fs: 300,
  };
  safetensors.save(legacy, tensors, { ecglab: JSON.stringify(info), epoch: '3' });
  for (const t of tensors.values()) t.dispose();
  using a = Predictor.load(file);
  using b = Predictor.load(legacy);
  assert.deepEqual(b.spec.conform, { leadIndices: [0], fs: 300 });
  assert.deepEqual((await b.predictFiles([A]))[0]!.probabilities, (await a.predictFiles([A]))[0]!.probabilities);
});

test('bad model files and garbage records: one line naming the file, never a confident answer', async () => {
  const file = saveRandom('base');
  const { tensors } = safetensors.load(file);
  const write = (name: string, meta: Record<string, string>, ts = tensors) => {
    const p = join(dir, `${name}.safetensors`);
    safetensors.save(p, ts, meta);
    return p;
  };
  assert.throws(() => Predictor.load(write('nometa', {})), /nometa\.safetensors: has no 'ecglab\.spec' metadata: not a model written by ecglab train/);
  assert.throws(() => Predictor.load(write('badjson', { 'ecglab.spec': '{"format": ' })), /badjson\.safetensors: its 'ecglab\.spec' metadata is not valid JSON/);
  assert.throws(() => Predictor.load(write('badspec', { 'ecglab.spec': JSON.stringify({ ...spec, classes: [] }) })), /badspec\.safetensors: its 'ecglab\.spec' metadata has no class list/);
  const wide = { ...spec, model: { ...tiny, width: 16 } };
  assert.throws(() => Predictor.load(write('shape', { 'ecglab.spec': JSON.stringify(wide) })), /shape\.safetensors: the weights do not fit the model its spec describes \(ma-liang, 1 leads, 4 classes\)/);
  const nan = new Map([...tensors].map(([k, t]) => [k, k.endsWith('weight') ? t.mul(Number.NaN) : t.clone()]));
  const nanFile = write('nan', { 'ecglab.spec': JSON.stringify(spec) }, nan);
  for (const t of nan.values()) t.dispose();
  // Finite weights so large that the outputs overflow: caught where the probabilities are made.
  const huge = new Map([...tensors].map(([k, t]) => [k, k.endsWith('weight') ? t.mul(1e30) : t.clone()]));
  const hugeFile = write('huge', { 'ecglab.spec': JSON.stringify(spec) }, huge);
  for (const t of huge.values()) t.dispose();
  for (const t of tensors.values()) t.dispose();
  const before = liveTensorCount();
  assert.throws(() => Predictor.load(nanFile), /nan\.safetensors: weight '[\w.]+weight' is not finite \(\d+ of \d+ elements non-finite.*\); the model file is damaged/);
  assert.equal(liveTensorCount(), before, 'a refused model frees its tensors');
  using h = Predictor.load(hugeFile);
  await assert.rejects(h.predictFiles([A]), /huge\.safetensors: the model gave non-finite outputs for record .*A00067/);
  assert.throws(() => Predictor.load(dir), /model\.safetensors: no trained model here/);
  // A model path that is a folder: said so, not `EISDIR ... read`.
  mkdirSync(join(dir, 'run-with-folder', 'model.safetensors'), { recursive: true });
  assert.throws(() => Predictor.load(join(dir, 'run-with-folder')), /run-with-folder\/model\.safetensors: not a readable safetensors model file \(.*is a directory, expected a safetensors file\)/);
  assert.throws(() => Predictor.load(join(dir, 'run-with-folder', 'model.safetensors')), /is a directory, expected a safetensors file/);
  // A record whose samples are mostly WFDB's invalid value is refused; one with a few is answered, the share said.
  const bad = Float64Array.from({ length: 9000 }, (_, i) => (i % 4 === 0 ? 0.1 : Number.NaN));
  wrsampSync(join(dir, 'invalid'), { fs: 300, sigName: ['ECG'], physical: [bad], fmt: 16, adcGain: [1000] });
  const few = Float64Array.from({ length: 9000 }, (_, i) => (i % 8 === 0 ? Number.NaN : Math.sin(i / 20)));
  wrsampSync(join(dir, 'few'), { fs: 300, sigName: ['ECG'], physical: [few], fmt: 16, adcGain: [1000] });
  using good = Predictor.load(file);
  await assert.rejects(good.predictFiles([join(dir, 'invalid')]), /record .*invalid: 75\.0 % of its samples are marked invalid, more than the 50 % allowed; a prediction from it would be a guess/);
  const [f] = await good.predictFiles([join(dir, 'few')]);
  assert.deepEqual([f!.record.invalidSamples, f!.record.invalidFraction], [1125, 0.125]);
});
