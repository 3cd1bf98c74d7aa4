// `ecglab robustness`, `ecglab attack` and `ecglab plot`, run in-process on a tiny model trained here on fixture
// CinC 2017 records: the report's files, adversarial WFDB records that read back within format 16's quantisation
// and inside the ε-ball in mV, PNGs that decode, and arguments named when they are wrong.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import sharp from 'sharp';
import { rdheader, rdrecord, readRecord } from '@ecglab/data';
import { attackRecords, openDataset, parseRunConfig, PGD_DEFAULTS, Predictor, train } from '@ecglab/models';
import { register as robustness } from './robustness.js';
import { register as attackCommand } from './attack.js';
import { register as plot } from './plot.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cinc = join(root, 'fixtures/data/cinc2017/training2017');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-cli-robust-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('ecglab').exitOverride().configureOutput({ writeErr: () => undefined });
  let out = '';
  let err = '';
  const io = { out: (s: string) => { out += s; }, err: (s: string) => { err += s; } };
  robustness(program, io);
  attackCommand(program, io);
  plot(program, io);
  await program.parseAsync(args, { from: 'user' });
  return { out, err };
}

/** A tiny net fitted to 16 fixture records (so that it gets most of them right), and a split file listing them. */
const fitted = (async () => {
  const cfg = parseRunConfig(
    {
      name: 'tiny',
      seed: 3,
      threads: 1,
      data: { kind: 'cinc2017', path: cinc, limit: 16 },
      input: { kind: 'max-abs', leads: [0], maxSeconds: 10, maxShiftSeconds: 0 },
      model: { kind: 'ma-liang', width: 8, depth: [1, 1, 1, 1], groups: 4 },
      optimizer: { kind: 'adam', lr: 0.002 },
      schedule: { kind: 'constant' },
      train: { epochs: 16, batchSize: 4, valFraction: 0.25, classWeights: 'none' },
    },
    'tiny.yaml',
  );
  const runDir = join(dir, 'tiny');
  await train(cfg, { out: runDir, quiet: true, bootstrapIterations: 20 });
  const { ids } = await openDataset(cfg.data, { inputLeads: [0], seed: cfg.seed });
  writeFileSync(join(dir, 'records.txt'), ids.join('\n'));
  return { runDir, ids, spec: `cinc2017:${cinc}:${join(dir, 'records.txt')}` };
})();

test('plot: the trainer leaves curves.png; plot redraws one run or several (one PNG of three panels)', async () => {
  const { runDir } = await fitted;
  const meta = async (p: string) => sharp(p).metadata().then((m) => [m.format, m.width, m.height]);
  assert.deepEqual(await meta(join(runDir, 'curves.png')), ['png', 1860, 480], 'written at the end of train()');
  const one = await run(['plot', runDir]);
  assert.match(one.out, /curves\.png \(cinc2017F1\)/);
  const two = join(dir, 'two.png');
  await run(['plot', runDir, runDir, '-o', two, '--metric', 'accuracy']);
  assert.deepEqual(await meta(two), ['png', 1860, 480]);
  await assert.rejects(run(['plot', runDir, runDir]), /plot: with 2 runs, name the PNG to write with -o FILE/);
  await assert.rejects(run(['plot', join(dir, 'nothere')]), /nothere\/log\.jsonl: not found/);
});

test('robustness: writes JSON, Markdown and plots for the sections asked for, and prints the AUCs', async () => {
  const { runDir, spec, ids } = await fitted;
  const out = join(dir, 'report');
  const r = await run(['robustness', '-m', runDir, '--label', 'tiny', '-d', spec, '--eps', '0.05,0.3', '--steps', '4', '--restarts', '1',
    '--white', '0.2', '--nstdb', 'bw:6', '--nstdb-dir', join(root, 'fixtures/data/nstdb'), '--bootstrap', '20', '--no-progress', '-o', out]);
  assert.match(r.out, /^tiny: clean balancedAccuracy \d\.\d{4}, macro F1 \d\.\d{4}, attack AUC \d\.\d{4}, white-noise AUC \d\.\d{4}\n/);
  assert.match(r.out, /wrote 8 files to /);
  const report = JSON.parse(readFileSync(join(out, 'robustness.json'), 'utf8'));
  assert.equal(report.records, ids.length);
  assert.deepEqual(report.attack.eps, [0.05, 0.3]);
  assert.deepEqual([report.attack.config.kind, report.attack.config.steps, report.attack.config.restarts, report.attack.config.stepRatio], ['pgd', 4, 1, PGD_DEFAULTS.stepRatio]);
  assert.deepEqual(report.nstdb.snrs, [6]);
  for (const f of ['robustness.md', 'attack-balanced-accuracy.png', 'attack-macro-f1.png', 'white-balanced-accuracy.png', 'nstdb-bw-macro-f1.png']) assert.ok(existsSync(join(out, f)), f);
  assert.match(readFileSync(join(out, 'robustness.md'), 'utf8'), /## PGD-4 L∞, steps of 0\.1ε, 1 random start, loss ce/);
  await assert.rejects(run(['robustness', '-m', runDir, '-d', spec, '--eps', '0.01,x', '-o', out]), /--eps: expected comma-separated numbers, got 'x' in '0\.01,x'/);
  await assert.rejects(run(['robustness', '-m', runDir, '-d', spec, '--nstdb', 'em:6', '-o', out]), /--nstdb: noise kinds are 'bw' \(baseline wander\) and 'ma' \(muscle artefact\), got 'em'/);
  await assert.rejects(run(['robustness', '-m', runDir, '-m', runDir, '--label', 'a', '-d', spec, '--white', '0.1', '-o', out]), /--label: give one per --model \(2\), got 1/);
  await assert.rejects(run(['robustness', '-m', runDir, '-d', spec, '--white', '0.1', '--steps', '0', '-o', out]), /--steps: expected an integer >= 1, got '0'/);
});

test('attack: WFDB records read back within format 16 quantisation of the adversarial signal, inside the ε-ball in mV; PNGs', async () => {
  const { runDir, ids } = await fitted;
  const out = join(dir, 'adv');
  const records = ids.slice(0, 3).map((id) => join(cinc, id));
  const eps = 0.2;
  const r = await run(['attack', '-m', runDir, '--eps', String(eps), '--steps', '10', '--seed', '5', '-o', out, '--json', ...records]);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  // The adversarial signals again, from the library with the same seed (the attack is deterministic).
  using predictor = Predictor.load(runDir);
  const loaded = await Promise.all(records.map((p) => readRecord(p, { id: p })));
  const expected = await attackRecords(predictor, loaded, { ...PGD_DEFAULTS, eps, steps: 10 }, 5);
  for (const [i, line] of lines.entries()) {
    const path = line.record as string;
    assert.equal(path, join(out, `${ids[i]}-adv`));
    const h = await rdheader(path);
    const back = await rdrecord(path);
    const gain = h.signals[0]!.adcGain;
    assert.deepEqual([back.fs, back.fmt[0], h.signals[0]!.units], [300, 16, 'mV']);
    const adv = expected[i]!.adversarial[0]!;
    const readBack = back.physical![0]!;
    assert.equal(readBack.length, adv.length);
    // Within half a digital step of format 16 (plus float32 rounding of the signal itself).
    let worst = 0;
    adv.forEach((v, t) => (worst = Math.max(worst, Math.abs(readBack[t]! - v))));
    assert.ok(worst <= 0.5 / gain + 1e-6, `${path}: read back within ${0.5 / gain} mV, worst ${worst}`);
    // Inside the ε-ball in mV: |adversarial − clean| ≤ ε·(the lead's peak |x|) over the record's first 10 s.
    const clean = loaded[i]!.signals[0]!.subarray(0, adv.length);
    let peak = 0;
    clean.forEach((v) => (peak = Math.max(peak, Math.abs(v))));
    let dev = 0;
    clean.forEach((v, t) => (dev = Math.max(dev, Math.abs(readBack[t]! - v))));
    assert.ok(dev <= eps * peak + 0.5 / gain + 1e-6, `${path}: |δ| ${dev} mV, ε·peak ${eps * peak} mV`);
    assert.equal(line.cleanPrediction, expected[i]!.cleanPrediction);
    assert.equal(line.fooled, expected[i]!.fooled);
    const png = await sharp(`${path}.png`).metadata();
    assert.deepEqual([png.format, png.width, png.height], ['png', 1400, 600], 'one panel for the lead, one for δ');
  }
  assert.ok(lines.some((l) => l.fooled), `ε ${eps} fools at least one of the fitted records`);
  await assert.rejects(run(['attack', '-m', runDir, '--eps', '-1', '-o', out, records[0]!]), /--eps: expected a number >= 0, got '-1'/);
});
