// The models folder: listing from file headers and cards, choosing a model for a record's leads, and
// half-precision files that load back to float32 with the prediction change measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safetensors } from '@ecglab/engine';
import { Predictor } from '@ecglab/models';
import { fixture, testModelsDir } from '../testing/models.js';
import { halveModelFile, toBfloat16Bits, toFloat16Bits } from './half.js';
import { findModel, leadFit, listModels, matchModel } from './registry.js';

const TWELVE = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

test('listModels reads specs and cards from headers; matchModel picks by leads and task', async () => {
  const models = listModels(await testModelsDir());
  assert.deepEqual(models.map((m) => [m.name, m.modality, m.meta.task, m.dtype]), [['cinc2017-rhythm', 'signal', 'rhythm', 'float32'], ['ptbxl-image', 'image', 'superclass', 'float32'], ['ptbxl-superclass', 'signal', 'superclass', 'float32']]);
  assert.equal(matchModel(models, TWELVE).name, 'ptbxl-superclass', 'twelve named leads: the 12-lead signal model, never the image model');
  assert.equal(matchModel(models, TWELVE.map((l) => l.toUpperCase())).name, 'ptbxl-superclass', 'lead names match case-insensitively');
  assert.equal(matchModel(models, TWELVE, 'rhythm').name, 'cinc2017-rhythm', 'the task narrows the choice');
  assert.equal(matchModel(models, ['ECG']).name, 'cinc2017-rhythm');
  assert.equal(matchModel(models, ['I', 'II']).name, 'cinc2017-rhythm', 'a 2-lead record: only the by-position model fits');
  assert.throws(() => matchModel(models, ['ECG'], 'superclass'), /no model reads a record with leads ECG: ptbxl-superclass reads I,II,III,aVR/);
  assert.throws(() => matchModel(models, TWELVE, 'sleep'), /no signal model for task 'sleep' \(tasks: rhythm, superclass\)/);
  assert.deepEqual(leadFit(models[2]!.spec, ['I', 'II']).missing, TWELVE.slice(2));
  assert.throws(() => findModel(models, 'x'), /no model named 'x' \(models: cinc2017-rhythm, ptbxl-image, ptbxl-superclass\)/);
  assert.deepEqual(listModels(join(tmpdir(), 'no-such-models-folder')), []);
});

test('a damaged model folder is one line naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-models-bad-'));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'model.safetensors'), Buffer.from([255, 255, 255, 255, 0, 0, 0, 0, 1, 2]));
  assert.throws(() => listModels(dir), /broken\/model\.safetensors: header length \d+ is past the end of the file: not a safetensors file/);
  const t = new Map([['w', { dtype: 'float32' as const, shape: [1], data: new Float32Array([1]) }]]);
  writeFileSync(join(dir, 'broken', 'model.safetensors'), safetensors.encode(Object.fromEntries(t), { other: 'x' }));
  assert.throws(() => listModels(dir), /broken\/model\.safetensors: has no 'ecglab\.spec' metadata/);
  writeFileSync(join(dir, 'broken', 'model.safetensors'), safetensors.encode(Object.fromEntries(t), { 'ecglab.spec': '{"format":"ecglab.model","version":1}' }));
  assert.throws(() => listModels(dir), /broken\/model\.safetensors: its 'ecglab\.spec' metadata has task undefined/);
  rmSync(dir, { recursive: true, force: true });
});

test('float16 and bfloat16 bits round to nearest even, with IEEE special values', () => {
  assert.equal(toFloat16Bits(1), 0x3c00);
  assert.equal(toFloat16Bits(-2), 0xc000);
  assert.equal(toFloat16Bits(65504), 0x7bff);
  assert.equal(toFloat16Bits(65520), 0x7c00, 'rounds up to infinity');
  assert.equal(toFloat16Bits(0.1), 0x2e66);
  assert.equal(toFloat16Bits(2 ** -24), 0x0001, 'the smallest subnormal');
  assert.equal(toFloat16Bits(2 ** -26), 0x0000, 'underflows to zero');
  assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
  assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02, 'a tie rounds to even (up)');
  assert.equal(toFloat16Bits(Number.NaN) & 0x7e00, 0x7e00);
  assert.equal(toBfloat16Bits(1), 0x3f80);
  assert.equal(toBfloat16Bits(0.1), 0x3dcd);
  assert.equal(toBfloat16Bits(-Infinity), 0xff80);
});

test('a model stored as float16/bfloat16 loads to float32: half the bytes, predictions measured against float32', async (t) => {
  const src = join(await testModelsDir(), 'cinc2017-rhythm', 'model.safetensors');
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-half-'));
  const records = readdirSync(fixture('cinc2017/training2017')).filter((f) => f.endsWith('.hea')).slice(0, 40).map((f) => fixture('cinc2017/training2017', f.slice(0, -4)));
  using full = Predictor.load(src);
  const want = await full.predictFiles(records);
  for (const dtype of ['F16', 'BF16'] as const) {
    mkdirSync(join(dir, dtype));
    const dst = join(dir, dtype, 'model.safetensors');
    const { before, after } = halveModelFile(src, dst, dtype);
    assert.ok(after < 0.55 * before, `${dtype}: ${after} of ${before} bytes`);
    cpSync(join(src, '..', 'MODEL.md'), join(dir, dtype, 'MODEL.md'));
    assert.equal(listModels(dir).find((m) => m.name === dtype)!.dtype, dtype === 'F16' ? 'float16' : 'bfloat16');
    using half = Predictor.load(dst);
    const got = await half.predictFiles(records);
    let maxDiff = 0;
    let changed = 0;
    got.forEach((g, i) => {
      for (const c of Object.keys(g.probabilities)) maxDiff = Math.max(maxDiff, Math.abs(g.probabilities[c]! - want[i]!.probabilities[c]!));
      if (g.prediction !== want[i]!.prediction) changed++;
    });
    t.diagnostic(`${dtype}: ${before} → ${after} bytes; max |Δp| over ${records.length} records ${maxDiff.toExponential(2)}; ${changed} predictions changed`);
    assert.ok(maxDiff < (dtype === 'F16' ? 2e-3 : 2e-2), `${dtype}: max probability change ${maxDiff}`);
  }
  rmSync(dir, { recursive: true, force: true });
});
