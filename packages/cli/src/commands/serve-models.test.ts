// `ecglab models`, `ecglab predict` choosing a bundled model, and `ecglab serve` until SIGTERM, in-process
// on the service's test models (a folder laid out as the repository's models/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { fixture, testModelsDir } from '@ecglab/service/testing';
import { register as models } from './models.js';
import { register as predict } from './predict.js';
import { register as serve } from './serve.js';

function program(): { program: Command; out: () => string; err: () => string } {
  let out = '', err = '';
  const io = { out: (s: string) => { out += s; }, err: (s: string) => { err += s; } };
  const p = new Command('ecglab').exitOverride().configureOutput({ writeErr: () => undefined });
  models(p, io);
  predict(p, io);
  serve(p, io);
  return { program: p, out: () => out, err: () => err };
}

async function run(args: string[]) {
  const p = program();
  await p.program.parseAsync(args, { from: 'user' });
  return { out: p.out(), err: p.err() };
}

test('ecglab models lists the folder, --check loads each model', async () => {
  const dir = await testModelsDir();
  const { out } = await run(['models', '--models', dir, '--check']);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^cinc2017-rhythm\trhythm\t1 lead\(s\) by position at 300 Hz\tN A O ~\tma-liang, \d+ kB float32\tCinC 2017 rhythm \(test model\)\tok$/);
  assert.match(lines[1]!, /^ptbxl-image\tsuperclass\tphotos as 220×170 pages\tNORM MI STTC CD HYP \(multi-label\)\tvizecgnet, \d+ kB float32\t.*\tok$/);
  assert.match(lines[2]!, /^ptbxl-superclass\tsuperclass\t12 leads at 100 Hz\tCD HYP MI NORM STTC \(multi-label\)\tma-liang/);
  const json = (await run(['models', '--models', dir, '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(json.map((m) => [m.name, m.modality]), [['cinc2017-rhythm', 'signal'], ['ptbxl-image', 'image'], ['ptbxl-superclass', 'signal']]);
});

test('ecglab models add copies a model as float16 with a card to complete', async () => {
  const dir = await testModelsDir();
  const to = mkdtempSync(join(tmpdir(), 'ecglab-models-add-'));
  const { out } = await run(['models', '--models', to, 'add', join(dir, 'cinc2017-rhythm', 'model.safetensors'), '--name', 'rhythm-half', '--task', 'rhythm', '--half', 'float16']);
  assert.match(out, /rhythm-half: model\.safetensors \(\d+ kB\) and MODEL\.md/);
  const card = readFileSync(join(to, 'rhythm-half', 'MODEL.md'), 'utf8');
  assert.match(card, /^---\ntitle: .*\ntask: rhythm\n/);
  assert.match(card, /Research use only\. Not a medical device/);
  assert.match(card, /Output: N, A, O, ~ \(single-label\)/);
  assert.match((await run(['models', '--models', to, '--check'])).out, /^rhythm-half\trhythm\t.*float16.*\tok\n$/);
  await assert.rejects(run(['models', '--models', to, 'add', join(dir, 'cinc2017-rhythm'), '--name', 'rhythm-half']), /rhythm-half\/model\.safetensors: exists; pass --force/);
  await assert.rejects(run(['models', '--models', to, 'add', join(dir, 'cinc2017-rhythm'), '--name', '../x']), /--name '\.\.\/x'/);
  rmSync(to, { recursive: true, force: true });
});

test('ecglab predict with no --model picks the bundled model per record by leads; --model NAME and --task choose', async () => {
  const dir = await testModelsDir();
  const cinc = fixture('cinc2017/training2017/A00067');
  const ptb = fixture('ptbxl/records100/00000/00001_lr');
  const cpsc = fixture('cpsc2018/TrainingSet1/A1980.mat');
  const lines = (await run(['predict', '--models', dir, '--json', cinc, ptb, cpsc])).out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.id, l.model]), [[cinc, 'cinc2017-rhythm'], [ptb, 'ptbxl-superclass'], [cpsc, 'ptbxl-superclass']]);
  const byName = JSON.parse((await run(['predict', '--models', dir, '--model', 'cinc2017-rhythm', '--json', ptb])).out);
  assert.equal(byName.model, 'cinc2017-rhythm');
  const byTask = JSON.parse((await run(['predict', '--models', dir, '--task', 'rhythm', '--json', ptb])).out);
  assert.equal(byTask.model, 'cinc2017-rhythm');
  await assert.rejects(run(['predict', '--models', dir, '--model', 'nope', cinc]), /no model named 'nope' \(models: cinc2017-rhythm, ptbxl-image, ptbxl-superclass\)/);
  await assert.rejects(run(['predict', '--models', dir, '--task', 'superclass', cinc]), /no model reads a record with leads ECG: ptbxl-superclass reads I,II,III/);
});

test('ecglab serve refuses bad flags before it loads anything, naming the flag', async () => {
  for (const [flag, value, message] of [
    ['--threads', '2.5', /--threads: expected an integer >= 1 <= 1024, got '2\.5'/],
    ['--port', '70000', /--port: expected an integer >= 0 <= 65535, got '70000'/],
    ['--max-queue', '0', /--max-queue: expected an integer >= 1, got '0'/],
    ['--timeout', 'soon', /--timeout: expected a number >= 0\.001, got 'soon'/],
    ['--max-upload-mb', '-1', /--max-upload-mb: expected a number >= 0\.001 <= 1024, got '-1'/],
  ] as const) {
    await assert.rejects(run(['serve', '--models', '/nonexistent/models', flag, value]), message);
  }
});

test('ecglab serve answers on its port and stops on SIGTERM', async () => {
  const dir = await testModelsDir();
  const p = program();
  const done = p.program.parseAsync(['serve', '--port', '0', '--models', dir, '--threads', '1'], { from: 'user' });
  let url: string | undefined;
  for (let i = 0; !url; i++) {
    assert.ok(i < 6000, `serve did not start: ${p.err()}`);
    await new Promise((r) => setTimeout(r, 10));
    url = /listening on (http:\/\/\S+)/.exec(p.err())?.[1];
  }
  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  process.emit('SIGTERM');
  await done;
  assert.match(p.err(), /SIGTERM: finishing in-flight requests[\s\S]*stopped/);
  await assert.rejects(fetch(`${url}/health`), 'the port is closed');
});
