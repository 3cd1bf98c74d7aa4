// The robustness report on a tiny Ma & Liang net trained here on fixture CinC 2017 records: every number in it
// must be what a direct attack (or noise draw) of the same batches with the same seeds gives, scored by the
// metrics module; the files it writes must be there (JSON, Markdown tables, PNGs that decode), and no tensor
// may outlive it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { liveTensorCount, noGrad, tidy } from '@ecglab/engine';
import { parseRunConfig } from '../config/index.js';
import { openDataset } from '../datasets/dataset.js';
import { parseDatasetSpec } from '../datasets/spec.js';
import { openEvalDataset } from '../inference/evaluate.js';
import { Predictor } from '../inference/predictor.js';
import { argmaxRows, evaluate } from '../metrics/evaluate.js';
import { EcgClassifier } from '../models/classifier.js';
import { toTensorBatch } from '../pipeline/to-tensors.js';
import { attack } from '../robustness/attack.js';
import { PGD_DEFAULTS, type AttackConfig } from '../robustness/attack-config.js';
import { robustnessAuc } from '../robustness/auc.js';
import { nstdbNoise, uniformNoise } from '../robustness/noise.js';
import { loadNstdbNoise } from '@ecglab/data';
import { train } from '../train/trainer.js';
import { conditionRng, evaluateRobustness, type ReportAttack } from './robustness-eval.js';
import { writeRobustnessReport } from './robustness-write.js';
import { mergeRobustnessReports } from './robustness-merge.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cinc = join(root, 'fixtures/data/cinc2017/training2017');
const nstdbDir = join(root, 'fixtures/data/nstdb');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-robust-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A tiny net fitted to 16 fixture records; the report's data are all 16, so that the net gets most of them
 * right (the ones an attack can fool). What it learnt is beside the point here.
 */
let tiny: Promise<{ run: string; spec: string }> | undefined;
function tinyRun(): Promise<{ run: string; spec: string }> {
  tiny ??= trainTiny(); // trained once, shared by the tests
  return tiny;
}

async function trainTiny(): Promise<{ run: string; spec: string }> {
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
  const run = join(dir, 'tiny');
  await train(cfg, { out: run, quiet: true, bootstrapIterations: 20 });
  const { ids } = await openDataset(cfg.data, { inputLeads: [0], seed: cfg.seed }); // the 16 records, training and validation
  writeFileSync(join(dir, 'records.txt'), ids.join('\n'));
  return { run, spec: `cinc2017:${cinc}:${join(dir, 'records.txt')}` };
}

const ATTACK: ReportAttack = { ...PGD_DEFAULTS, steps: 8, stepRatio: 0.25, restarts: 2 };
const EPS = [0.01, 0.05, 0.3];
const WHITE = [0.1, 0.6];
const SNRS = [6, -6];

test('robustness report: clean, PGD, white and NSTDB scores equal a direct evaluation with the same seeds; files written', async () => {
  const { run, spec } = await tinyRun();
  const before = liveTensorCount();
  const progress: number[] = [];
  const report = await evaluateRobustness({
    data: spec,
    models: [{ path: run, label: 'tiny' }],
    attack: { config: ATTACK, eps: EPS },
    white: { levels: WHITE },
    nstdb: { dir: nstdbDir, kinds: ['bw'], snrs: SNRS },
    seed: 7,
    bootstrapIterations: 50,
    onProgress: (done, total) => progress.push(done / total),
  });
  assert.equal(liveTensorCount(), before, 'the report frees every tensor it made');
  assert.equal(progress.at(-1), 1);
  assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), 'progress only grows');

  // The same batches, attacked and noised directly with the seeds the report documents.
  using predictor = Predictor.load(run);
  const model = predictor.model as EcgClassifier;
  const data = await openEvalDataset(parseDatasetSpec(spec), predictor.spec);
  const pipe = await predictor.pipeline(data.source());
  const noise = await loadNstdbNoise(nstdbDir, 'bw');
  const n = data.ids.length;
  const rows = (k: number) => Array.from({ length: k }, () => new Array<number[]>(n));
  const clean = rows(1);
  const adv = rows(EPS.length);
  const wht = rows(WHITE.length);
  const nst = rows(SNRS.length);
  const put = (out: number[][], indices: number[], logits: import('@ecglab/engine').Tensor) => {
    const p = logits.softmax(1).toArray() as Float32Array;
    indices.forEach((i, j) => (out[i] = Array.from(p.subarray(j * 4, j * 4 + 4))));
  };
  let b = 0;
  for await (const batch of pipe.epoch(0)) {
    tidy(() => {
      const tb = toTensorBatch(batch, 'single-label');
      put(clean[0]!, batch.indices, noGrad(() => model.forward(tb.x, tb.mask)));
      EPS.forEach((eps, i) => put(adv[i]!, batch.indices, attack(model, tb, { ...ATTACK, eps } as AttackConfig, { rng: conditionRng(7, 'attack', i, b) }).advLogits));
      const xn = model.normalize(tb.x, tb.mask);
      WHITE.forEach((level, i) => put(wht[i]!, batch.indices, noGrad(() => model.classify(uniformNoise(xn, tb.mask, level, conditionRng(7, 'white', i, b)), tb.mask))));
      SNRS.forEach((snr, i) => put(nst[i]!, batch.indices, noGrad(() => model.forward(nstdbNoise(tb.x, tb.mask, 300, noise, snr, conditionRng(7, 'nstdb', i, b)), tb.mask))));
    });
    b++;
  }
  const score = (probs: number[][]) => evaluate('single-label', data.labels, [], probs, data.classes);
  const m = report.models[0]!;
  assert.equal(report.records, n);
  const c = score(clean[0]!);
  assert.deepEqual([m.clean.accuracy, m.clean.balancedAccuracy, m.clean.macroF1, m.clean.cinc2017F1], [c.accuracy, c.balancedAccuracy, c.macroF1, c.cinc2017F1]);
  for (const k of ['accuracy', 'balancedAccuracy', 'macroF1', 'cinc2017F1'] as const) {
    assert.ok(m.clean.ci[k]!.lower <= m.clean[k]! && m.clean[k]! <= m.clean.ci[k]!.upper, `${k} inside its CI`);
  }
  EPS.forEach((eps, i) => {
    const a = score(adv[i]!);
    assert.equal(m.attack![i]!.eps, eps);
    assert.deepEqual([m.attack![i]!.scores.accuracy, m.attack![i]!.scores.balancedAccuracy, m.attack![i]!.scores.macroF1], [a.accuracy, a.balancedAccuracy, a.macroF1], `ε ${eps}`);
    // Only right records are attacked and a fooled one turns wrong: accuracy = clean accuracy − fooled fraction.
    assert.ok(Math.abs(m.attack![i]!.scores.accuracy - (m.clean.accuracy - m.attack![i]!.fooled)) < 1e-12, `ε ${eps}: accuracy = clean − fooled`);
    assert.ok(Math.abs(m.attack![i]!.attacked - m.clean.accuracy) < 1e-12, `ε ${eps}: the right records are the attacked ones`);
    // An L∞ perturbation of ε in model units is at most ε times the lead's peak in mV, on average too.
    assert.ok(m.attack![i]!.meanLinfMv > 0);
  });
  assert.ok(m.attack![EPS.length - 1]!.fooled > 0, `the largest ε fools some record: ${JSON.stringify(m.attack)} clean ${JSON.stringify(m.clean)}`);
  WHITE.forEach((_, i) => assert.equal(m.white![i]!.scores.macroF1, score(wht[i]!).macroF1));
  SNRS.forEach((_, i) => assert.equal(m.nstdb![i]!.scores.balancedAccuracy, score(nst[i]!).balancedAccuracy));
  assert.equal(m.auc.attack!.balancedAccuracy, robustnessAuc([0, ...EPS], [m.clean.balancedAccuracy!, ...m.attack!.map((r) => r.scores.balancedAccuracy!)]));
  assert.equal(m.auc.white!.macroF1, robustnessAuc([0, ...WHITE], [m.clean.macroF1, ...m.white!.map((r) => r.scores.macroF1)]));
  assert.deepEqual(argmaxRows(clean[0]!).length, n);

  const out = join(dir, 'report');
  const written = writeRobustnessReport(report, out);
  const expected = ['robustness.json', 'robustness.md', ...['balanced-accuracy', 'macro-f1'].flatMap((s) => [`attack-${s}.png`, `white-${s}.png`, `nstdb-bw-${s}.png`])];
  assert.deepEqual(written.map((p) => p.slice(out.length + 1)).sort(), expected.sort());
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'robustness.json'), 'utf8')), JSON.parse(JSON.stringify(report)));
  const md = readFileSync(join(out, 'robustness.md'), 'utf8');
  const f3 = (v: number) => v.toFixed(3);
  assert.ok(md.includes(`| tiny | ${f3(m.clean.balancedAccuracy!)} | ${m.attack!.map((r) => f3(r.scores.balancedAccuracy!)).join(' | ')} | ${f3(m.auc.attack!.balancedAccuracy!)} |`), 'the ε table row');
  assert.ok(md.includes(`| tiny | ${f3(m.clean.macroF1)} | ${m.white!.map((r) => f3(r.scores.macroF1)).join(' | ')} | ${f3(m.auc.white!.macroF1)} |`), 'the white-noise table row');
  assert.match(md, /## PGD-8 L∞, steps of 0\.25ε, 2 random starts, loss ce/);
  for (const png of expected.filter((f) => f.endsWith('.png'))) {
    const meta = await sharp(join(out, png)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 900, 560], png);
  }
  assert.ok(!existsSync(join(out, 'robustness.json.tmp')));
});

test('robustness reports of one model each merge into the report of both: same rows, differences named', async () => {
  const { run, spec } = await tinyRun();
  const opts = { data: spec, attack: { config: ATTACK, eps: [0.01, 0.3] }, white: { levels: WHITE }, seed: 3, bootstrapIterations: 20 };
  const both = await evaluateRobustness({ ...opts, models: [{ path: run, label: 'a' }, { path: run, label: 'b' }] });
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-merge-'));
  const files: string[] = [];
  for (const label of ['a', 'b']) {
    writeRobustnessReport(await evaluateRobustness({ ...opts, models: [{ path: run, label }] }), join(dir, label));
    files.push(join(dir, label, 'robustness.json'));
  }
  const merged = mergeRobustnessReports(files);
  const rows = (r: typeof both) => r.models.map((m) => ({ ...m, seconds: undefined }));
  assert.deepEqual(JSON.parse(JSON.stringify(rows(merged))), JSON.parse(JSON.stringify(rows(both))));
  assert.throws(() => mergeRobustnessReports([files[0]!, files[0]!]), /model label 'a' appears in more than one report/);
  const other = JSON.parse(readFileSync(files[1]!, 'utf8'));
  writeFileSync(files[1]!, JSON.stringify({ ...other, seed: 4 }));
  assert.throws(() => mergeRobustnessReports(files), /b[\\/]robustness\.json: 'seed' differs/);
  rmSync(dir, { recursive: true, force: true });
});

test('robustness report: arguments are checked and named', async () => {
  await assert.rejects(evaluateRobustness({ data: `cinc2017:${cinc}`, models: [] }), /'models' must name at least one model/);
  await assert.rejects(evaluateRobustness({ data: `cinc2017:${cinc}`, models: [{ path: 'x' }], attack: { config: ATTACK, eps: [0.01, 0.005] } }), /'attack\.eps' must ascend, got 0\.01 then 0\.005/);
  await assert.rejects(evaluateRobustness({ data: `cinc2017:${cinc}`, models: [{ path: 'x' }], white: { levels: [0, 0.1] } }), /'white\.levels' must hold finite numbers > 0/);
});
