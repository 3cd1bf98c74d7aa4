// VizECGNet throughput: training pairs/s (page + signal, both streams, SMAM, CMAM, KD) and image-only inferences/s,
// ecglab (TypeScript over libtorch) against the same model in Python PyTorch, measured in the same run as a
// ratio; and how long @ecglab/render's renderToTensor takes per batch at the training size, measured in the same
// run, so one can tell whether rendering pages on the fly can hide behind the training step.
//
//   node --import tsx bench/vizecg/bench.ts [--data DIR] [--batch 16] [--batches 2] [--steps 4] [--rounds 2]
//        [--warmup 1] [--threads 2] [--dpi 40] [--json]
//
// Data: the WFDB records in --data (default: the 16 PTB-XL 100 Hz records in fixtures/data/ptbxl/records100),
// 12 leads × 1000 samples, each batch drawn as 3×4+II pages at --dpi (40: 440×340 px, VizECGNet's training size)
// with every artefact at strength 0.3, one seed per page; 5 classes with random multi-hot targets. The model is
// VIZECGNET_DEFAULTS. Both sides: forward of both streams, BCE on both heads + KD (T = 2, signal → image),
// backward, gradient clipping at 5, an Adam step; inference: eval mode, no grad, image stream only, sigmoid.
//
// Before timing, ecglab loads the peer's initial weights by name (strict) and compares eval-mode logits on batch 0
// (reported as max |difference|), so both sides time the same network. The machine is shared, so the two sides
// are interleaved step by step as bench/models does (the peer is a child process answering one command per
// line; who goes first alternates). Each timed training pair is preceded by one timed renderToTensor call of a
// batch with the training artefacts, so rendering is measured under the same load. Reported: each side's
// pairs/s and pages/s over its timed steps (and CPU seconds per item), the speed ratio as the median over pairs of PyTorch s / ecglab s
// (> 1: ecglab faster), render wall and CPU ms per page (clean and with artefacts), and the share of a serial
// render-then-train step spent rendering.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { fromArray, getNumThreads, manualSeed, noGrad, optim, safetensors, setNumThreads, tidy, type Tensor } from '@ecglab/engine';
import { Rng } from '@ecglab/data';
import { ARTEFACT_NAMES, listRecords, readPageRecord, renderToTensor, type ArtefactStrengths, type EcgRecord } from '@ecglab/render';
import { pageNetMacs, VizECGNet, VIZECGNET_DEFAULTS, vizEcgObjective, VIZECG_OBJECTIVE_DEFAULTS } from '../../packages/models/src/vizecg/index.js';
import type { StepContext } from '../../packages/models/src/objectives/objective.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({ options: {
  data: { type: 'string', default: join(root, 'fixtures/data/ptbxl/records100') }, batch: { type: 'string', default: '16' },
  batches: { type: 'string', default: '2' }, steps: { type: 'string', default: '4' }, rounds: { type: 'string', default: '2' },
  warmup: { type: 'string', default: '1' }, threads: { type: 'string', default: '2' }, dpi: { type: 'string', default: '40' },
  json: { type: 'boolean', default: false },
} });
const dataDir = args.data;
const N = Number(args.batch);
const B = Number(args.batches);
const steps = Number(args.steps);
const rounds = Number(args.rounds);
const warmup = Number(args.warmup);
const threads = Number(args.threads);
const dpi = Number(args.dpi);
const json = args.json;
const K = 5;
const log = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const TRAIN_ARTEFACTS: ArtefactStrengths = Object.fromEntries(ARTEFACT_NAMES.map((n) => [n, 0.3]));

/** One timed step: wall seconds, CPU seconds of the process (all its threads) and minor page faults. */
type Step = { s: number; cpu: number; faults: number };
const faults = () => process.resourceUsage().minorPageFault;
const cpuSeconds = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
/** Runs `fn` and measures it as a Step. */
function timed(fn: () => void): Step {
  const f0 = faults();
  const c0 = cpuSeconds();
  const t0 = performance.now();
  fn();
  return { s: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0, faults: faults() - f0 };
}

/** Batch k's records, pages rendered with the training artefacts, signals and targets as typed arrays. */
interface HostBatch { recs: EcgRecord[]; seeds: number[]; page: Float32Array; x: Float32Array; mask: Float32Array; targets: Float32Array }

async function main(): Promise<void> {
  setNumThreads(threads);
  manualSeed(0);
  const loadStart = loadavg()[0]!;
  const started = new Date().toISOString();
  const all = await Promise.all((await listRecords(dataDir)).map((p) => readPageRecord(p)));
  const leads = all[0]!.signals.length;
  const L = Math.max(...all.map((r) => r.signals[0]!.length));

  // The page size at this DPI: a clean page's own size, forced for every page (crop and padding change it).
  const probe = await renderToTensor([all[0]!], { layout: '3x4+II', dpi, channels: 1 });
  const [, C, H, W] = probe.shape;
  const flops = pageNetMacs(VIZECGNET_DEFAULTS.image, H, W);
  log(`${all.length} records, ${leads} leads × ${L} samples; pages ${W}×${H} at ${dpi} DPI; PageNet ${(2 * flops.macs / 1e9).toFixed(3)} GFLOP/page, grid ${flops.grid.join('×')}`);

  const rng = new Rng(1);
  const batches: HostBatch[] = [];
  const renderClean: number[] = [];
  const renderCleanCpu: number[] = [];
  for (let k = 0; k < B; k++) {
    const recs = Array.from({ length: N }, (_, j) => all[(k * N + j) % all.length]!);
    const seeds = recs.map((_, j) => 1000 * k + j);
    const c0 = cpuSeconds();
    const t0 = performance.now();
    await renderToTensor(recs, { layout: '3x4+II', dpi, width: W, height: H, channels: 1, seeds });
    renderClean.push((performance.now() - t0) / 1000);
    renderCleanCpu.push(cpuSeconds() - c0);
    const { data: page } = await renderToTensor(recs, { layout: '3x4+II', dpi, width: W, height: H, channels: 1, artefacts: TRAIN_ARTEFACTS, seeds });
    const x = new Float32Array(N * leads * L);
    const mask = new Float32Array(N * L);
    recs.forEach((r, i) => {
      r.signals.forEach((s, l) => { for (let t = 0; t < s.length; t++) x[(i * leads + l) * L + t] = s[t]!; });
      mask.fill(1, i * L, i * L + r.signals[0]!.length);
    });
    const targets = Float32Array.from({ length: N * K }, () => (rng.next() < 0.3 ? 1 : 0));
    batches.push({ recs, seeds, page, x, mask, targets });
  }

  // The peer reads the same batches from raw files.
  const dir = mkdtempSync(join(tmpdir(), 'vizecg-bench-'));
  const cat = (f: (b: HostBatch) => Float32Array) => Buffer.concat(batches.map((b) => Buffer.from(f(b).buffer)));
  writeFileSync(join(dir, 'pages.f32'), cat((b) => b.page));
  writeFileSync(join(dir, 'x.f32'), cat((b) => b.x));
  writeFileSync(join(dir, 'mask.f32'), cat((b) => b.mask));
  writeFileSync(join(dir, 'targets.f32'), cat((b) => b.targets));
  const proc = spawn('/usr/bin/python3', [
    join(root, 'bench/vizecg/bench_torch.py'), '--dir', dir, '--shape', [B, N, C, H, W, leads, L, K].join(','),
    '--config', JSON.stringify(VIZECGNET_DEFAULTS), '--threads', String(threads),
  ], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const line = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done) throw new Error(`bench_torch.py exited (code ${proc.exitCode}) before answering`);
    return JSON.parse(r.value as string) as Record<string, unknown>;
  };
  const ask = async (cmd: string): Promise<Step> => {
    proc.stdin.write(`${cmd}\n`);
    const r = await line();
    if (typeof r.s !== 'number' || typeof r.cpu !== 'number' || typeof r.faults !== 'number') throw new Error(`bench_torch.py answered ${JSON.stringify(r)} to '${cmd}'`);
    return { s: r.s, cpu: r.cpu, faults: r.faults };
  };
  const ready = (await line()) as { torch: string; threads: number };

  // ecglab's side, from the peer's initial weights.
  const net = new VizECGNet(VIZECGNET_DEFAULTS, leads, K);
  const init = safetensors.load(join(dir, 'init.safetensors'));
  net.loadStateDict(init.tensors);
  for (const t of init.tensors.values()) t.dispose();
  const adam = new optim.Adam(net.parameters(), { lr: 1e-3 });
  const objective = vizEcgObjective(VIZECG_OBJECTIVE_DEFAULTS);
  const ctx = { task: 'multi-label', classes: K, epoch: 0, epochs: 1, step: 0, stepsPerEpoch: 1, rng, lr: 1e-3, classWeights: null,
    scheduler: new optim.lrScheduler.StepLR(adam, { stepSize: 1000 }) } satisfies StepContext;
  const tensors = (b: HostBatch) => ({
    ids: b.recs.map((r) => r.id),
    x: fromArray(b.x, [N, leads, L]), mask: fromArray(b.mask, [N, 1, L]), labels: null as Tensor | null, targets: fromArray(b.targets, [N, K]),
    extras: { page: fromArray(b.page, [N, C, H, W]) },
  });
  const train = (k: number): Step => timed(() => {
    net.train();
    tidy(() => {
      const { loss } = objective.compute(net, tensors(batches[k % B]!), ctx);
      adam.zeroGrad();
      loss.backward();
      optim.clipGradNorm(net.parameters(), 5);
      adam.step();
    });
  });
  const infer = (k: number): Step => timed(() => {
    net.eval();
    tidy(() => noGrad(() => net.logits({ extras: { page: fromArray(batches[k % B]!.page, [N, C, H, W]) } }).sigmoid().toArray()));
  });

  // Same network: eval-mode image logits on batch 0, both sides.
  await ask('logits 0');
  const raw = readFileSync(join(dir, 'logits.f32')); // small files share Node's buffer pool: copy out its bytes
  const theirs = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  net.eval();
  const ours = tidy(() => noGrad(() => net.logits({ extras: { page: fromArray(batches[0]!.page, [N, C, H, W]) } }).toArray() as Float32Array));
  const maxDiff = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i]!)));
  log(`same weights: max |logit difference| on batch 0 = ${maxDiff.toExponential(2)}`);

  let turn = 0;
  type Pairs = { ecglab: number[]; pytorch: number[]; cpu: { ecglab: number[]; pytorch: number[] }; faults: { ecglab: number[]; pytorch: number[] } };
  const pair = async (out: Pairs | null, a: () => Step, b: () => Promise<Step>) => {
    let x: Step;
    let y: Step;
    if (turn++ % 2 === 0) { x = a(); y = await b(); } else { y = await b(); x = a(); }
    if (out) {
      out.ecglab.push(x.s); out.pytorch.push(y.s);
      out.cpu.ecglab.push(x.cpu); out.cpu.pytorch.push(y.cpu);
      out.faults.ecglab.push(x.faults); out.faults.pytorch.push(y.faults);
    }
  };
  const newPairs = (): Pairs => ({ ecglab: [], pytorch: [], cpu: { ecglab: [], pytorch: [] }, faults: { ecglab: [], pytorch: [] } });
  const trainPairs = newPairs();
  const inferPairs = newPairs();
  const renderTrain: number[] = [];
  const renderTrainCpu: number[] = [];
  for (let w = 0; w < warmup; w++) {
    await pair(null, () => train(0), () => ask('train 0'));
    await pair(null, () => infer(0), () => ask('infer 0'));
  }
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}: render + training`);
    for (let k = 1; k <= steps; k++) {
      const b = batches[k % B]!;
      const c0 = cpuSeconds();
      const t0 = performance.now();
      await renderToTensor(b.recs, { layout: '3x4+II', dpi, width: W, height: H, channels: 1, artefacts: TRAIN_ARTEFACTS, seeds: b.seeds.map((s) => s + 7 * (r + 1)) });
      renderTrain.push((performance.now() - t0) / 1000);
      renderTrainCpu.push(cpuSeconds() - c0);
      await pair(trainPairs, () => train(k), () => ask(`train ${k}`));
    }
    log(`round ${r + 1}/${rounds}: inference`);
    for (let k = 0; k < steps; k++) await pair(inferPairs, () => infer(k), () => ask(`infer ${k}`));
  }
  proc.stdin.write('quit\n');
  net.dispose();
  adam.dispose();
  rmSync(dir, { recursive: true, force: true });

  const side = (p: number[], cpu: number[], f: number[]) =>
    ({ seconds: sum(p), perSecond: (N * p.length) / sum(p), medianStepSeconds: median(p), cpuSecondsPerItem: sum(cpu) / (N * cpu.length), medianPageFaults: median(f) });
  const ratio = (p: Pairs) => median(p.ecglab.map((v, i) => p.pytorch[i]! / v));
  const renderPage = { clean: sum(renderClean) / (N * renderClean.length), artefacts: sum(renderTrain) / (N * renderTrain.length) };
  const trainStep = median(trainPairs.ecglab);
  const renderBatch = median(renderTrain);
  const result = {
    bench: 'vizecg/ptbxl-3x4',
    started,
    setup: {
      records: all.length, leads, samples: L, batch: N, batches: B, steps, rounds, warmup, dpi, page: [H, W],
      threads: { ecglab: getNumThreads(), pytorch: ready.threads }, data: relative(root, dataDir),
      model: VIZECGNET_DEFAULTS, pageNetGflopPerPage: (2 * flops.macs) / 1e9, grid: flops.grid, artefacts: 'every artefact at 0.3',
    },
    peer: `PyTorch ${ready.torch}`,
    sameWeightsMaxLogitDiff: maxDiff,
    method: 'interleaved per step, alternating who goes first; ratio = median over pairs of PyTorch s / ecglab s (speed, >1 = ecglab faster)',
    load_average_1m: { start: loadStart, end: loadavg()[0]! },
    ecglab: { trainPairs: side(trainPairs.ecglab, trainPairs.cpu.ecglab, trainPairs.faults.ecglab), inferPages: side(inferPairs.ecglab, inferPairs.cpu.ecglab, inferPairs.faults.ecglab) },
    pytorch: { trainPairs: side(trainPairs.pytorch, trainPairs.cpu.pytorch, trainPairs.faults.pytorch), inferPages: side(inferPairs.pytorch, inferPairs.cpu.pytorch, inferPairs.faults.pytorch) },
    ratio: { train: ratio(trainPairs), infer: ratio(inferPairs) },
    render: {
      msPerPage: { clean: 1000 * renderPage.clean, artefacts: 1000 * renderPage.artefacts },
      cpuMsPerPage: { clean: (1000 * sum(renderCleanCpu)) / (N * B), artefacts: (1000 * sum(renderTrainCpu)) / (N * renderTrainCpu.length) },
      medianBatchSeconds: renderBatch,
      // rendering then training one batch on the same cores: the share of the step spent rendering
      serialShare: renderBatch / (renderBatch + trainStep),
    },
    samples: { train: trainPairs, infer: inferPairs, renderClean, renderTrain, renderTrainCpu },
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else {
    const e = result.ecglab;
    const t = result.pytorch;
    process.stdout.write(
      `VizECGNet (defaults), ${N} PTB-XL pairs per batch, ${W}×${H} pages at ${dpi} DPI, ${threads} threads, ${rounds} interleaved rounds\n` +
        `train  pairs/s: ecglab ${e.trainPairs.perSecond.toFixed(2)}  PyTorch ${t.trainPairs.perSecond.toFixed(2)}  speed ratio ${result.ratio.train.toFixed(2)}  ` +
        `(CPU s/pair ${e.trainPairs.cpuSecondsPerItem.toFixed(2)} vs ${t.trainPairs.cpuSecondsPerItem.toFixed(2)})\n` +
        `infer  pages/s: ecglab ${e.inferPages.perSecond.toFixed(2)}  PyTorch ${t.inferPages.perSecond.toFixed(2)}  speed ratio ${result.ratio.infer.toFixed(2)}\n` +
        `render ms/page: clean ${result.render.msPerPage.clean.toFixed(0)}, artefacts ${result.render.msPerPage.artefacts.toFixed(0)} ` +
        `(CPU ${result.render.cpuMsPerPage.clean.toFixed(0)} / ${result.render.cpuMsPerPage.artefacts.toFixed(0)}); ` +
        `a batch renders in ${renderBatch.toFixed(2)} s vs a ${trainStep.toFixed(2)} s train step (serial share ${(100 * result.render.serialShare).toFixed(0)} %)\n` +
        `same weights: max |logit diff| ${maxDiff.toExponential(2)}; load average (1 min) ${loadStart.toFixed(1)} → ${result.load_average_1m.end.toFixed(1)}\n`,
    );
  }
}

await main();
