// The service in-process (app.request, no port): every endpoint with every record form, and every class of bad
// input answered with a 4xx JSON error naming the problem, the service still up after each. Models: the test
// models of testing/models.ts (a CinC 2017 CNN trained on fixtures, a 12-lead random-weight one, a VizECGNet
// image model trained on fixture pages).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import sharp from 'sharp';
import { tidy } from '@ecglab/engine';
import { memorySource, readRecord, Rng } from '@ecglab/data';
import { attack, EcgClassifier, Predictor, toTensorBatch } from '@ecglab/models';
import { Service, buildApp } from './app.js';
import { LimitsSchema } from './limits.js';
import { loadPage } from './page/assets.js';
import { fixture, testModelsDir } from './testing/models.js';
import { formOf, type Part } from './testing/http.js';
import { makeZip } from './testing/zip.js';

const CINC = fixture('cinc2017/training2017/A00067');
const PTB = fixture('ptbxl/records100/00000/00001_lr');
const CPSC = fixture('cpsc2018/TrainingSet1/A1980.mat');
const logLines: Record<string, unknown>[] = [];
let svc: Service;
let modelsDir: string;

before(async () => {
  modelsDir = await testModelsDir();
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(l)); cb(); } });
  svc = await Service.create({ modelsDir, logger: pino({ level: 'info' }, sink), numThreads: 1 });
});

after(async () => {
  await svc?.close();
});

async function post(path: string, parts: Part[], fields: Record<string, string> = {}, app = svc.app) {
  const res = await app.request(path, { method: 'POST', body: formOf(parts, fields) });
  const type = res.headers.get('content-type') ?? '';
  return { res, status: res.status, body: type.includes('json') ? await res.json() as any : await res.arrayBuffer() }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A 4xx JSON error with this code and a message matching `msg`; the service answers /health after it. */
async function refused(path: string, parts: Part[], fields: Record<string, string>, status: number, code: string, msg: RegExp, app = svc.app) {
  const r = await post(path, parts, fields, app);
  assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error.code, code);
  assert.match(r.body.error.message, msg);
  assert.equal(r.body.requestId, r.res.headers.get('x-request-id'), 'the error carries the request id');
  assert.equal((await svc.app.request('/health')).status, 200, 'still serving');
}

test('GET /health, /models, a model card, /openapi.json and the page', async () => {
  const h = await (await svc.app.request('/health')).json() as { status: string; models: number };
  assert.equal(h.status, 'ok');
  assert.equal(h.models, 3);
  const { models } = await (await svc.app.request('/models')).json() as { models: { name: string; modality: string; leads: string[]; multiLabel: boolean; dtype: string; card: string }[] };
  assert.deepEqual(models.map((m) => [m.name, m.modality]), [['cinc2017-rhythm', 'signal'], ['ptbxl-image', 'image'], ['ptbxl-superclass', 'signal']]);
  assert.deepEqual(models[0]!.leads, ['#0']);
  assert.equal(models[2]!.leads.length, 12);
  assert.equal(models[2]!.multiLabel, true);
  assert.equal(models[0]!.dtype, 'float32');
  const card = await svc.app.request(models[0]!.card);
  assert.equal(card.status, 200);
  assert.match(await card.text(), /research use only/i);
  const none = await svc.app.request('/models/nope/card');
  assert.equal(none.status, 404);
  assert.match(((await none.json()) as { error: { message: string } }).error.message, /no model named 'nope' \(models: cinc2017-rhythm, ptbxl-image, ptbxl-superclass\)/);
  const doc = await (await svc.app.request('/openapi.json')).json() as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, { format?: string; enum?: string[] }> }> } };
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.paths).sort(), ['/health', '/models', '/models/{name}/card', '/predict', '/render', '/robustness']);
  // The document comes from the schemas that validate: the form's fields and enums are there.
  assert.deepEqual(Object.keys(doc.components.schemas.PredictForm!.properties).sort(), ['explain', 'file', 'fs', 'model', 'task', 'units']);
  assert.deepEqual(doc.components.schemas.RenderForm!.properties.layout!.enum, ['3x4+II', '6x2', '12x1', 'strip']);
  // The PGD caps are stated where a client reads the fields.
  const rob = doc.components.schemas.RobustnessForm!.properties as Record<string, { description?: string }>;
  assert.match(rob.eps!.description!, /at most limits\.robustness\.maxEps, default 8/);
  assert.match(rob.steps!.description!, /at most limits\.robustness\.maxSteps, default 100/);
  assert.match(rob.restarts!.description!, /at most limits\.robustness\.maxRestarts, default 4.*maxPgdMs from the arrival of the request \(default 20,000 ms/);
  const page = await svc.app.request('/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await page.text(), /<script src="\/app.js">/);
  const js = await svc.app.request('/app.js');
  assert.equal(js.status, 200);
  assert.ok(!/https?:\/\/(?!www\.w3\.org)[a-z]/i.test((await js.text()).replace(/github\.com\/leeoniya\/uPlot/g, '')), 'the bundle fetches nothing from elsewhere');
  assert.equal((await svc.app.request('/nope')).status, 404);
});

test('POST /predict: CinC .hea + .mat goes to the rhythm model and matches the Predictor run directly', async () => {
  const r = await post('/predict', [`${CINC}.hea`, `${CINC}.mat`]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.model.name, 'cinc2017-rhythm');
  const [p] = r.body.predictions;
  assert.equal(p.id, 'A00067');
  assert.deepEqual(p.record, { fs: 300, samples: 9000, leads: ['ECG'], modelLeads: ['ECG'] });
  using direct = Predictor.load(`${modelsDir}/cinc2017-rhythm`);
  const [want] = await direct.predictFiles([CINC]);
  for (const [c, v] of Object.entries(want!.probabilities)) assert.ok(Math.abs(p.probabilities[c] - v) < 1e-6, `${c}: ${p.probabilities[c]} vs ${v}`);
  assert.equal(p.prediction, want!.prediction);
});

test('POST /predict: WFDB .hea + .dat (12 leads), CPSC .mat, a zip, CSVs; explain returns the saliency', async () => {
  const wfdb = await post('/predict', [`${PTB}.hea`, `${PTB}.dat`], { explain: 'true' });
  assert.equal(wfdb.status, 200, JSON.stringify(wfdb.body));
  assert.equal(wfdb.body.model.name, 'ptbxl-superclass', 'a 12-lead record goes to the 12-lead model');
  const e = wfdb.body.explanation;
  assert.equal(e.leads.length, 12);
  assert.equal(e.signals.length, 12);
  assert.equal(e.signals[0].length, 1000);
  assert.equal(e.saliency[0].length, 1000);
  assert.ok(e.saliency.flat().some((v: number) => v !== 0), 'the gradient is not all zero');
  assert.ok(Object.keys(wfdb.body.predictions[0].probabilities).length === 5);

  const cpsc = await post('/predict', [CPSC]);
  assert.equal(cpsc.status, 200, JSON.stringify(cpsc.body));
  assert.equal(cpsc.body.predictions[0].record.resampledFrom, 500);
  assert.equal(cpsc.body.model.name, 'ptbxl-superclass');

  const zip = makeZip([
    { name: 'rec/A00067.hea', data: readFileSync(`${CINC}.hea`) },
    { name: 'rec/A00067.mat', data: readFileSync(`${CINC}.mat`) },
    { name: '00001_lr.hea', data: readFileSync(`${PTB}.hea`) },
    { name: '00001_lr.dat', data: readFileSync(`${PTB}.dat`), method: 0 },
    { name: '__MACOSX/._A00067.hea', data: new Uint8Array(10) },
  ]);
  const z = await post('/predict', [{ name: 'records.zip', data: zip }], { model: 'cinc2017-rhythm' });
  assert.equal(z.status, 200, JSON.stringify(z.body));
  assert.deepEqual(z.body.predictions.map((p: { id: string }) => p.id).sort(), ['00001_lr', 'A00067']);

  // A CSV of 12 named leads at 500 Hz (from the WFDB record), and one unnamed lead with a time column.
  const { readRecord } = await import('@ecglab/data');
  const rec = await readRecord(PTB);
  const rows = [rec.leadNames.join(',')];
  for (let i = 0; i < 1000; i++) rows.push(rec.signals.map((s) => s[i]!.toFixed(4)).join(','));
  const csv = await post('/predict', [{ name: 'leads.csv', data: rows.join('\n') }], { fs: '100' });
  assert.equal(csv.status, 200, JSON.stringify(csv.body));
  assert.equal(csv.body.model.name, 'ptbxl-superclass');
  for (const [c, v] of Object.entries(wfdb.body.predictions[0].probabilities)) assert.ok(Math.abs(csv.body.predictions[0].probabilities[c] - (v as number)) < 1e-3, 'CSV and WFDB of one record agree');
  const uv = await post('/predict', [{ name: 'one.csv', data: `time,ECG\n${Array.from({ length: 3000 }, (_, i) => `${i / 300},${Math.round(1000 * Math.sin(i / 20))}`).join('\n')}` }], { fs: '300', units: 'uV' });
  assert.equal(uv.status, 200, JSON.stringify(uv.body));
  assert.equal(uv.body.model.name, 'cinc2017-rhythm');
  assert.deepEqual(uv.body.predictions[0].record.leads, ['ECG']);
  assert.deepEqual(readdirSync(svc.ctx.tmpRoot), [], 'every upload folder was deleted');
});

test('POST /render draws the record as a PNG page; POST /robustness checks white noise', async () => {
  const r = await post('/render', [`${PTB}.hea`, `${PTB}.dat`]);
  assert.equal(r.status, 200);
  assert.equal(r.res.headers.get('content-type'), 'image/png');
  const meta = await sharp(Buffer.from(r.body as ArrayBuffer)).metadata();
  assert.deepEqual([meta.width, meta.height], [1100, 850], 'US letter landscape at 100 DPI');
  const strip = await post('/render', [`${CINC}.hea`, `${CINC}.mat`], { format: 'jpeg', dpi: '50' });
  assert.equal(strip.res.headers.get('content-type'), 'image/jpeg');

  const rob = await post('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { snrDb: '20,0,-10', repeats: '3', examples: 'true' });
  assert.equal(rob.status, 200, JSON.stringify(rob.body));
  assert.equal(rob.body.check, 'white-noise');
  assert.deepEqual(rob.body.levels.map((l: { snrDb: number }) => l.snrDb), [20, 0, -10]);
  for (const l of rob.body.levels) {
    assert.equal(l.predictions.length, 3);
    assert.ok(l.agreement >= 0 && l.agreement <= 1);
    assert.equal(l.example.length, 1);
    assert.equal(l.example[0].length, 9000, 'the example is the model view: 30 s at 300 Hz');
    assert.ok(Math.abs(Object.values(l.probabilities as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  }
  const again = await post('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { snrDb: '20,0,-10', repeats: '3' });
  assert.deepEqual(again.body.levels.map((l: { probabilities: unknown }) => l.probabilities), rob.body.levels.map((l: { probabilities: unknown }) => l.probabilities), 'seeded: same answer twice');
  assert.equal(rob.body.clean.prediction, (await post('/predict', [`${CINC}.hea`, `${CINC}.mat`])).body.predictions[0].prediction);
});

test('bad input: fields, types, headers, signal files, names, CSVs, models, leads: a 4xx naming the problem', async () => {
  const hea = readFileSync(`${CINC}.hea`, 'utf8');
  await refused('/predict', [], {}, 400, 'BAD_REQUEST', /field 'file'/);
  const json = await svc.app.request('/predict', { method: 'POST', body: '{"file": 1}', headers: { 'content-type': 'application/json' } });
  assert.equal(json.status, 415);
  assert.match(((await json.json()) as { error: { message: string } }).error.message, /\/predict takes multipart\/form-data with the record under the field 'file'; got content-type 'application\/json'/);
  const broken = await svc.app.request('/predict', { method: 'POST', body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.hea"\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=x' } });
  assert.equal(broken.status, 400, 'a truncated multipart body');
  await refused('/predict', [{ name: 'notes.docx', data: 'hello' }], {}, 415, 'UNSUPPORTED_TYPE', /notes\.docx: unsupported file type/);
  await refused('/predict', [{ name: 'fake.png', data: 'not a png' }], {}, 415, 'UNSUPPORTED_TYPE', /fake\.png: its bytes are not a PNG file/);
  await refused('/predict', [{ name: 'A00067.hea', data: hea.replace('/mV', 'x/mV').replace(' 1000', ' abc') }, `${CINC}.mat`], {}, 422, 'BAD_RECORD', /A00067\.hea line 2: /);
  await refused('/predict', [{ name: 'A00067.hea', data: hea }], {}, 422, 'BAD_RECORD', /A00067\.hea: names signal file 'A00067\.mat', which was not uploaded/);
  await refused('/predict', [{ name: 'A00067.hea', data: hea.replace(/A00067\.mat/g, '../../etc/passwd') }], {}, 422, 'BAD_RECORD', /signal file '\.\.\/\.\.\/etc\/passwd' is not a plain name/);
  await refused('/predict', [`${PTB}.dat`], {}, 422, 'BAD_RECORD', /00001_lr\.dat: a signal file without its header; upload 00001_lr\.hea too/);
  await refused('/predict', [{ name: '../x.hea', data: hea }], {}, 400, 'BAD_REQUEST', /file name '\.\.\/x\.hea' must be a plain name/);
  await refused('/predict', [{ name: 'empty.mat', data: '' }], {}, 422, 'BAD_RECORD', /empty\.mat: is empty/);
  await refused('/predict', [{ name: 'junk.mat', data: 'MATLAB 5.0 but not really' }], {}, 422, 'BAD_RECORD', /junk\.mat/);
  await refused('/predict', [{ name: 'a.csv', data: 'I,II\n1,2\n' }], {}, 400, 'BAD_REQUEST', /a\.csv: a CSV of samples needs the form field 'fs'/);
  await refused('/predict', [{ name: 'a.csv', data: 'I,II\n1,2\n3,x\n' }], { fs: '500' }, 422, 'BAD_RECORD', /a\.csv line 3: column 2 \(II\) 'x' is not a number/);
  await refused('/predict', [{ name: 'a.csv', data: 'I,II\n1,2\n3\n' }], { fs: '500' }, 422, 'BAD_RECORD', /a\.csv line 3: has 1 fields, the first line has 2/);
  await refused('/predict', [{ name: 'a.csv', data: 'I\n1\n2\n' }], { fs: 'fast' }, 400, 'BAD_REQUEST', /field 'fs'/);
  await refused('/predict', [`${CINC}.hea`, `${CINC}.mat`], { model: 'nope' }, 404, 'NO_MODEL', /no model named 'nope'/);
  await refused('/predict', [`${CINC}.hea`, `${CINC}.mat`], { model: 'ptbxl-superclass' }, 422, 'WRONG_LEADS', /A00067: model 'ptbxl-superclass' reads leads I,II,III.*the record has 1 lead\(s\) \(ECG\), missing I,II,III/);
  await refused('/predict', [`${CINC}.hea`, `${CINC}.mat`], { task: 'superclass' }, 422, 'WRONG_LEADS', /no model reads a record with leads ECG: ptbxl-superclass reads I,II/);
});

test('bad zips: .. and absolute entry names, bombs, lying sizes, nested zips, garbage', async () => {
  const hea = readFileSync(`${CINC}.hea`);
  const zip = (entries: Parameters<typeof makeZip>[0]) => [{ name: 'up.zip', data: makeZip(entries) }];
  await refused('/predict', zip([{ name: '../A00067.hea', data: hea }]), {}, 422, 'BAD_ZIP', /up\.zip: invalid relative path: \.\.\/A00067\.hea: entries with '\.\.', '\\' or absolute paths are refused/);
  await refused('/predict', zip([{ name: '/etc/A00067.hea', data: hea }]), {}, 422, 'BAD_ZIP', /up\.zip: absolute path: \/etc\/A00067\.hea/);
  const zeros = new Uint8Array(8 * 1024 * 1024); // deflates about 1000 times
  await refused('/predict', zip([{ name: 'big.dat', data: zeros }]), {}, 413, 'ZIP_BOMB', /up\.zip: entry 'big\.dat' inflates \d+ times \(limit 200\); refused as a zip bomb/);
  await refused('/predict', zip([{ name: 'liar.dat', data: new Uint8Array(4000).fill(7), declaredSize: 100 }]), {}, 413, 'ZIP_BOMB', /liar\.dat/);
  await refused('/predict', zip([{ name: 'inner.zip', data: makeZip([{ name: 'a.hea', data: hea }]) }]), {}, 415, 'UNSUPPORTED_TYPE', /a zip inside the zip/);
  await refused('/predict', [{ name: 'bad.zip', data: new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]) }], {}, 422, 'BAD_ZIP', /bad\.zip: not a readable zip/);
  await refused('/predict', zip(Array.from({ length: 70 }, (_, i) => ({ name: `f${i}.dat`, data: new Uint8Array(1) }))), {}, 413, 'ZIP_BOMB', /up\.zip: has more than 64 files/);
  assert.deepEqual(readdirSync(svc.ctx.tmpRoot), []);
});

test('photos: too small, not page-shaped, no image model installed, a signal model named for a photo', async () => {
  const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#fff' } }).png().toBuffer();
  await refused('/predict', [{ name: 'tiny.png', data: new Uint8Array(await png(120, 80)) }], {}, 422, 'BAD_IMAGE', /tiny\.png: 120×80 pixels is too small for a printout; at least 800×400/);
  await refused('/predict', [{ name: 'strip.png', data: new Uint8Array(await png(3000, 400)) }], {}, 422, 'BAD_IMAGE', /strip\.png: 3000×400 is not ECG-page shaped/);
  // Past the service's aspect check (5:1) but not the image reader's (3:1): the reader's refusal, without the temp path.
  await refused('/predict', [{ name: 'wide.png', data: new Uint8Array(await png(1600, 400)) }], {}, 422, 'BAD_IMAGE', /^wide\.png: 1600×400 px \(4\.0:1\) is not shaped like an ECG page/);
  const page = await post('/render', [`${PTB}.hea`, `${PTB}.dat`], { format: 'jpeg', artefacts: 'rotation=0.3,blur=0.2' });
  assert.equal(page.status, 200);
  const photo = { name: 'photo.jpg', data: new Uint8Array(page.body as ArrayBuffer) };
  const signalOnly = buildApp({ ...svc.ctx, models: svc.ctx.models.filter((m) => m.modality === 'signal') }, await loadPage());
  await refused('/predict', [photo], {}, 422, 'NO_IMAGE_MODEL', /photo\.jpg: no image model installed/, signalOnly);
  await refused('/predict', [photo], { model: 'cinc2017-rhythm' }, 400, 'BAD_REQUEST', /field 'model': 'cinc2017-rhythm' reads records, not photos \(photo\.jpg\); image models: ptbxl-image/);
  await refused('/predict', [photo], { task: 'rhythm' }, 404, 'NO_MODEL', /field 'task': no image model for task 'rhythm' \(image models: ptbxl-image \(superclass\)\)/);
  await refused('/predict', [`${PTB}.hea`, `${PTB}.dat`], { model: 'ptbxl-image' }, 400, 'BAD_REQUEST', /model 'ptbxl-image' reads images, not records/);
  await refused('/predict', [photo, `${PTB}.hea`], {}, 400, 'BAD_REQUEST', /send one photo per request, alone/);
  await refused('/render', [photo], {}, 415, 'UNSUPPORTED_TYPE', /\/render takes a record, not a photo/);
  assert.deepEqual(readdirSync(svc.ctx.tmpRoot), [], 'the photos were deleted with their request folders');
});

test('POST /predict with a photo: the image model, as Predictor.predictImages, with the image summary and saliency', async () => {
  const page = await post('/render', [`${PTB}.hea`, `${PTB}.dat`], { format: 'jpeg', artefacts: 'rotation=0.3,perspective=0.3,blur=0.2' });
  const bytes = new Uint8Array(page.body as ArrayBuffer);
  const r = await post('/predict', [{ name: 'photo.jpg', data: bytes }], { explain: 'true' });
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  assert.equal(r.body.model.name, 'ptbxl-image', 'a photo goes to the image model');
  const [p] = r.body.predictions;
  assert.equal(p.id, 'photo.jpg');
  assert.deepEqual(p.image, { width: 1100, height: 850, format: 'jpeg', orientation: 1, modelWidth: 220, modelHeight: 170 });
  assert.deepEqual(Object.keys(p.probabilities).sort(), ['CD', 'HYP', 'MI', 'NORM', 'STTC']);
  const file = `${svc.ctx.tmpRoot}-direct.jpg`;
  const { writeFileSync, rmSync } = await import('node:fs');
  writeFileSync(file, bytes);
  try {
    using direct = Predictor.load(`${modelsDir}/ptbxl-image`);
    const [want] = await direct.predictImages([file]);
    for (const [c, v] of Object.entries(want!.probabilities)) assert.ok(Math.abs(p.probabilities[c] - v) < 1e-6, `${c}: ${p.probabilities[c]} vs ${v}`);
    assert.equal(p.prediction, want!.prediction);
  } finally {
    rmSync(file);
  }
  const e = r.body.explanation;
  assert.equal(e.kind, 'image');
  assert.deepEqual([e.width, e.height, e.saliency.length, e.saliency[0].length], [220, 170, 170, 220]);
  assert.deepEqual(e.region, { left: 0, top: 0, width: 220, height: 170 });
  assert.ok(e.saliency.flat().some((v: number) => v !== 0));
  const plain = await post('/predict', [{ name: 'photo.jpg', data: bytes }]);
  assert.equal(plain.body.explanation, undefined);
  assert.deepEqual(plain.body.predictions, r.body.predictions);
  assert.deepEqual(readdirSync(svc.ctx.tmpRoot), []);
});

test('render and robustness refuse what they cannot do, naming the field', async () => {
  await refused('/render', [`${PTB}.hea`, `${PTB}.dat`], { artefacts: 'sparkle=0.5' }, 400, 'BAD_REQUEST', /field 'artefacts': .*sparkle/);
  await refused('/render', [`${PTB}.hea`, `${PTB}.dat`], { dpi: '5000' }, 400, 'BAD_REQUEST', /field 'dpi'/);
  await refused('/render', [`${PTB}.hea`, `${PTB}.dat`, `${CINC}.hea`, `${CINC}.mat`], {}, 400, 'BAD_REQUEST', /\/render takes one record; the upload holds 2/);
  await refused('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { snrDb: '10,abc' }, 400, 'BAD_REQUEST', /field 'snrDb': '10,abc' must be comma-separated numbers/);
  await refused('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { snrDb: '1,2,3,4,5,6,7,8,9' }, 400, 'BAD_REQUEST', /field 'snrDb': 9 values, more than the limit of 8/);
  await refused('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { repeats: '50' }, 400, 'BAD_REQUEST', /field 'repeats': 50 is more than the limit of 8/);
  // PGD: each new field's bad values, named; fields of the other check refused.
  const pgd = (fields: Record<string, string>, status: number, msg: RegExp) => refused('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { check: 'pgd', ...fields }, status, 'BAD_REQUEST', msg);
  await pgd({ check: 'fgsm' }, 400, /field 'check'/);
  await pgd({ eps: '0.01,x' }, 400, /field 'eps': '0\.01,x' must be comma-separated numbers in \(0, 1\] \(model units\)/);
  await pgd({ eps: '0' }, 400, /field 'eps': '0' must be comma-separated numbers in \(0, 1\]/);
  await pgd({ eps: '2' }, 400, /field 'eps': '2' must be/);
  await pgd({ eps: ',' }, 400, /field 'eps'/);
  await pgd({ eps: '0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9' }, 400, /field 'eps': 9 values, more than the limit of 8/);
  await pgd({ steps: '0' }, 400, /field 'steps'/);
  await pgd({ steps: '2.5' }, 400, /field 'steps'/);
  await pgd({ steps: '101' }, 400, /field 'steps': 101 is more than the limit of 100/);
  await pgd({ restarts: 'many' }, 400, /field 'restarts'/);
  await pgd({ restarts: '5' }, 400, /field 'restarts': 5 is more than the limit of 4/);
  await pgd({ seed: '-1' }, 400, /field 'seed'/);
  await pgd({ examples: 'maybe' }, 400, /field 'examples'/);
  await pgd({ snrDb: '10' }, 400, /field 'snrDb': applies to check=white-noise, not check=pgd/);
  await refused('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { eps: '0.01' }, 400, 'BAD_REQUEST', /field 'eps': applies to check=pgd, not check=white-noise/);
});

test('POST /robustness check=pgd: the sweep is the robustness module\'s attack with the same seed; δ within ε, zero on the padding', async () => {
  const eps = [0.002, 0.02, 0.2];
  const r = await post('/robustness', [`${PTB}.hea`, `${PTB}.dat`], { check: 'pgd', eps: eps.join(','), steps: '5', restarts: '2', seed: '9', examples: 'true' });
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  const b = r.body;
  assert.equal(b.check, 'pgd');
  assert.equal(b.model.name, 'ptbxl-superclass');
  assert.deepEqual(b.attack, { kind: 'pgd', norm: 'inf', loss: 'bce', steps: 5, stepRatio: 0.1, restarts: 2, seed: 9 });
  assert.deepEqual(b.skipped, []);
  assert.deepEqual(b.levels.map((l: { eps: number }) => l.eps), eps);
  assert.equal(b.samples, 1000);
  assert.ok(b.paddedSamples > b.samples, `the record is padded (${b.samples} → ${b.paddedSamples}), so the padding is checked`);

  // The same record through the model's pipeline, attacked by @ecglab/models' attack with Rng.derive(seed, i).
  using p = Predictor.load(`${modelsDir}/ptbxl-superclass`);
  const model = p.model as EcgClassifier;
  model.eval();
  const pipe = await p.pipeline(memorySource([await readRecord(PTB)]));
  for await (const batch of pipe.epoch(0)) {
    tidy(() => {
      const tb = toTensorBatch(batch, p.spec.task);
      const z = model.forward(tb.x, tb.mask);
      const targets = z.sigmoid().ge(p.spec.threshold).float();
      const scale = Array.from(model.inputNorm.stats(tb.x, tb.mask).scale.toArray() as Float32Array);
      b.levels.forEach((level: { eps: number; epsMv: number[]; delta: number[][]; example: number[][]; probabilities: Record<string, number>; linf: number; fooled: boolean }, i: number) => {
        const want = attack(model, { x: tb.x, mask: tb.mask, labels: null, targets }, { kind: 'pgd', norm: 'inf', loss: 'bce', eps: eps[i]!, steps: 5, stepRatio: 0.1, restarts: 2, randomStart: true, thresholds: p.spec.classes.map(() => p.spec.threshold) }, { rng: Rng.derive(9, i) });
        const delta = want.delta.toArray() as Float32Array; // [1, 12, L]
        const L = b.paddedSamples;
        let worst = 0;
        level.delta.forEach((row, l) => {
          assert.equal(row.length, L);
          row.forEach((v, t) => {
            worst = Math.max(worst, Math.abs(v - delta[l * L + t]!));
            assert.ok(Math.abs(v) <= eps[i]! + 1e-7, `ε ${eps[i]}: |δ| ${v} at lead ${l} sample ${t}`);
            if (t >= b.samples) assert.equal(v, 0, `ε ${eps[i]}: δ is zero on the padding (lead ${l} sample ${t})`);
          });
        });
        assert.ok(worst <= 1e-7, `ε ${eps[i]}: the answer's δ is the attack's (worst difference ${worst})`);
        const probs = Array.from(want.advLogits.sigmoid().toArray() as Float32Array);
        p.spec.classes.forEach((c, k) => assert.ok(Math.abs(level.probabilities[c]! - probs[k]!) < 1e-6, `ε ${eps[i]} ${c}`));
        assert.equal(level.fooled, (want.fooled.toArray() as Uint8Array)[0] === 1);
        assert.ok(level.linf <= eps[i]! + 1e-7);
        level.epsMv.forEach((v, l) => assert.ok(Math.abs(v - eps[i]! * scale[l]!) < 1e-9, 'ε in mV is ε × the lead\'s scale'));
        // The perturbed record is the clean one plus δ in mV, over its real samples.
        assert.equal(level.example[0]!.length, b.samples);
        const x = tb.x.toArray() as Float32Array;
        for (const t of [0, 500, 999]) assert.ok(Math.abs(level.example[3]![t]! - (x[3 * L + t]! + delta[3 * L + t]! * scale[3]!)) < 1e-4);
      });
    });
  }
  assert.equal(b.clean.prediction, (await post('/predict', [`${PTB}.hea`, `${PTB}.dat`])).body.predictions[0].prediction);
  const again = await post('/robustness', [`${PTB}.hea`, `${PTB}.dat`], { check: 'pgd', eps: eps.join(','), steps: '5', restarts: '2', seed: '9' });
  assert.deepEqual(again.body.levels.map((l: { probabilities: unknown }) => l.probabilities), b.levels.map((l: { probabilities: unknown }) => l.probabilities), 'seeded: the same answer twice');
  assert.equal(again.body.levels[0].delta, undefined, 'no examples unless asked');

  assert.ok(b.passMs > 0, 'the pace the wall-time limit is kept by');

  // The wall-time cap: with 1 ms no attack can finish in time, so none is started; the answer says which.
  const hurried = buildApp({ ...svc.ctx, limits: LimitsSchema.parse({ robustness: { maxPgdMs: 1 } }) }, await loadPage());
  const cut = await post('/robustness', [`${CINC}.hea`, `${CINC}.mat`], { check: 'pgd', eps: '0.01,0.02,0.05' }, hurried);
  assert.equal(cut.status, 200);
  assert.deepEqual(cut.body.levels, []);
  assert.deepEqual(cut.body.skipped, [0.01, 0.02, 0.05]);
  assert.equal(cut.body.attack.loss, 'ce', 'single-label models are attacked with cross-entropy');
});

test('limits: body size, a full queue, draining; JSON logs carry request ids', async () => {
  const page = await loadPage();
  const small = buildApp({ ...svc.ctx, limits: LimitsSchema.parse({ maxUploadBytes: 4096 }) }, page);
  await refused('/predict', [`${CINC}.hea`, `${CINC}.mat`], {}, 413, 'TOO_LARGE', /larger than the limit of 4096 bytes/, small);
  // Hold the worker with a gated call, fill the queue, and ask once more.
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const q = svc.ctx.inference.queue;
  await q.idle();
  const held = [q.submit({ kind: 'call', run: () => gate }, 60_000)];
  try {
    for (let i = 0; i < svc.ctx.limits.maxQueue; i++) held.push(q.submit({ kind: 'call', run: async () => undefined }, 60_000));
    const full = await post('/predict', [`${CINC}.hea`, `${CINC}.mat`]);
    assert.equal(full.status, 503);
    assert.equal(full.body.error.code, 'QUEUE_FULL');
    assert.match(full.body.error.message, /the inference queue is full \(64 requests waiting\)/);
  } finally {
    open();
    await Promise.allSettled(held);
  }
  const draining = buildApp({ ...svc.ctx, draining: true }, page);
  const d = await draining.request('/predict', { method: 'POST', body: formOf([`${CINC}.hea`]) });
  assert.equal(d.status, 503);
  assert.equal(((await d.json()) as { error: { code: string } }).error.code, 'SHUTTING_DOWN');
  assert.equal((await draining.request('/health')).status, 503);
  const res = await svc.app.request('/health');
  const id = res.headers.get('x-request-id');
  assert.ok(id);
  const line = logLines.find((l) => l.reqId === id);
  assert.deepEqual({ msg: line?.msg, path: line?.path, status: line?.status, method: line?.method }, { msg: 'request', path: '/health', status: 200, method: 'GET' });
  assert.ok(logLines.some((l) => l.msg === 'refused' && l.code === 'ZIP_BOMB'), 'refusals are logged with their code');
});

test('concurrent predictions queued behind a busy worker run as one batch, each answer its own', async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const q = svc.ctx.inference.queue;
  await q.idle();
  const held = q.submit({ kind: 'call', run: () => gate }, 60_000);
  const uploads: Part[][] = [[`${CINC}.hea`, `${CINC}.mat`], [fixture('cinc2017/training2017/A00073.hea'), fixture('cinc2017/training2017/A00073.mat')], [`${CINC}.hea`, `${CINC}.mat`]];
  const pending = uploads.map((u) => post('/predict', u, { model: 'cinc2017-rhythm' }));
  const before = q.batchSizes.length;
  try {
    // Wait until the three uploads are parsed and queued behind the gate.
    for (let i = 0; q.waiting < uploads.length; i++) {
      assert.ok(i < 10_000, `only ${q.waiting} of ${uploads.length} requests reached the queue`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    open();
    await held;
  }
  const answers = await Promise.all(pending);
  assert.deepEqual(q.batchSizes.slice(before), [3], 'the three waiting requests ran as one batch of 3 records');
  const alone = await Promise.all(uploads.map((u) => post('/predict', u, { model: 'cinc2017-rhythm' })));
  answers.forEach((a, i) => {
    assert.equal(a.status, 200);
    assert.equal(a.body.predictions[0].id, alone[i]!.body.predictions[0].id);
    for (const [c, v] of Object.entries(alone[i]!.body.predictions[0].probabilities)) assert.ok(Math.abs(a.body.predictions[0].probabilities[c] - (v as number)) < 1e-5);
  });
});

test('a dead inference thread is restarted: that request gets 503 WORKER_RESTARTED, the next one an answer', async () => {
  await svc.ctx.inference.queue.idle();
  await (svc.ctx.inference as unknown as { worker: { terminate(): Promise<void> } }).worker.terminate();
  const r = await post('/predict', [`${CINC}.hea`, `${CINC}.mat`]);
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'WORKER_RESTARTED');
  assert.match(r.body.error.message, /the inference worker stopped \(TorchWorker: terminated\) and was restarted; retry the request/);
  assert.equal(svc.ctx.inference.restarts, 1);
  const again = await post('/predict', [`${CINC}.hea`, `${CINC}.mat`]);
  assert.equal(again.status, 200);
});
