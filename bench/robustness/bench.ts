// One PGD step, and one training step of each defence (ce, advls with PGD-k, Jacobian exact and projected, NSR),
// on Ma & Liang's CNN: ecglab against the same in Python PyTorch (bench_torch.py with the twins in
// packages/models/fixtures/robustness_torch.py), measured in the same run on the same batch and initial weights.
//
//   node --import tsx bench/robustness/bench.ts [--batch 32] [--length 9000] [--threads 2] [--width 64]
//        [--depth 2,2,2,2] [--rounds 3] [--warmup 1] [--cases pgd-step,ce,...] [--json]
//
// Input: CinC-2017-like, one lead at 300 Hz, records of 0.67–1 × --length samples (30 s at the default),
// zero-padded to a multiple of the total stride with a mask, Gaussian "ECG" drawn once here (Rng(1)) and written
// with the weights to a safetensors file the peer reads; labels are the initial net's decisions (all correct). Timed per case: input scaling, the objective's loss, backward
// and an Adam step (train cases); scaling and one PGD iteration (forward, input gradient, update) for pgd-step.
// The two sides alternate who goes first at every pair, so both see the same load (the machine is shared).
// Reported per case: median seconds of each side, the time ratio (median over pairs of ecglab s / PyTorch s;
// target ≤ 1.05), each side's multiplier over its own CE step, and the median minor page faults per step.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fromArray, getNumThreads, manualSeed, noGrad, optim, safetensors, setNumThreads, tidy, type Tensor } from '@ecglab/engine';
import { Rng } from '@ecglab/data';
import { ADVLS_DEFAULTS, JACOBIAN_DEFAULTS, MA_LIANG_DEFAULTS, MaLiangNet, NSR_DEFAULTS, defenceObjective, perturb } from '@ecglab/models';
// Not yet exported by @ecglab/models (the objectives land with the trainer's rewrite).
import { crossEntropyObjective } from '../../packages/models/src/objectives/cross-entropy.js';
import type { StepContext } from '../../packages/models/src/objectives/objective.js';
import type { TensorBatch } from '../../packages/models/src/pipeline/tensor-batch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ALL = ['pgd-step', 'ce', 'advls-pgd1', 'advls-pgd5', 'advls-pgd20', 'jacobian-exact', 'jacobian-projection', 'nsr'];
const { values: args } = parseArgs({ options: {
  batch: { type: 'string', default: '32' }, length: { type: 'string', default: '9000' }, threads: { type: 'string', default: '2' },
  width: { type: 'string', default: '64' }, depth: { type: 'string', default: '2,2,2,2' }, rounds: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '1' }, cases: { type: 'string', default: ALL.join(',') }, json: { type: 'boolean', default: false },
} });
const batchSize = Number(args.batch);
const length = Number(args.length);
const threads = Number(args.threads);
const width = Number(args.width);
const depth = args.depth.split(',').map(Number);
const rounds = Number(args.rounds);
const warmup = Number(args.warmup);
const cases = args.cases.split(',');
const json = args.json;
const log = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };
const CLASSES = 4;
/** One timed step: wall seconds and the minor page faults it took (fresh memory from the kernel; see BENCHMARKS.md, Models). */
type Step = { s: number; faults: number };
const EPS = 0.01;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The batch: lengths spread over [2/3, 1] × length, padded to the net's stride multiple, Gaussian × 0.5 mV. */
function makeBatch(stride: number): { x: Tensor; mask: Tensor; labels: Tensor } {
  // labels: i % 4 here, replaced by the initial net's decisions in main()
  const rng = new Rng(1);
  const padded = Math.ceil(length / stride) * stride;
  const x = new Float32Array(batchSize * padded);
  const mask = new Float32Array(batchSize * padded);
  for (let i = 0; i < batchSize; i++) {
    const l = Math.round(length * (2 / 3 + (i / Math.max(1, batchSize - 1)) / 3));
    for (let t = 0; t < l; t++) x[i * padded + t] = 0.5 * rng.gaussian();
    mask.fill(1, i * padded, i * padded + l);
  }
  return {
    x: fromArray(x, [batchSize, 1, padded]),
    mask: fromArray(mask, [batchSize, 1, padded]),
    labels: fromArray(BigInt64Array.from({ length: batchSize }, (_, i) => BigInt(i % CLASSES)), [batchSize]),
  };
}

function ecglabSide(net: MaLiangNet, data: { x: Tensor; mask: Tensor; labels: Tensor }) {
  const adam = new optim.Adam(net.parameters(), { lr: 1e-4 });
  const batch: TensorBatch = { ids: [], x: data.x, mask: data.mask, labels: data.labels, targets: null, extras: {} };
  let step = 0;
  const ctx = (): StepContext => ({ task: 'single-label', classes: CLASSES, epoch: 20, epochs: 30, step, stepsPerEpoch: 1, rng: new Rng(step++), lr: 1e-4, scheduler: undefined as unknown as StepContext['scheduler'], classWeights: null });
  const advls = (steps: number, stepRatio: number) => defenceObjective({ ...ADVLS_DEFAULTS, eps: EPS, startEpoch: 0, ramp: false, steps, stepRatio });
  const objectives = {
    ce: crossEntropyObjective({ kind: 'ce', labelSmoothing: 0 }),
    'advls-pgd1': advls(1, 1.25),
    'advls-pgd5': advls(5, 0.2),
    'advls-pgd20': advls(20, 0.2),
    'jacobian-exact': defenceObjective({ ...JACOBIAN_DEFAULTS }),
    'jacobian-projection': defenceObjective({ ...JACOBIAN_DEFAULTS, estimator: 'projection' }),
    nsr: defenceObjective({ ...NSR_DEFAULTS, startEpoch: 0 }),
  } as const;
  const run = (name: string): Step => {
    const f0 = process.resourceUsage().minorPageFault;
    const t0 = performance.now();
    if (name === 'pgd-step') {
      net.eval();
      tidy(() => {
        const xn = net.normalize(batch.x, batch.mask);
        perturb(net, xn, batch.mask, batch, { eps: EPS, norm: 'inf', loss: 'ce', steps: 1, stepSize: EPS / 10, randomStart: false, range: [-1, 1] });
      });
      net.train();
    } else {
      const objective = objectives[name as keyof typeof objectives];
      if (!objective) throw new Error(`unknown case '${name}'`);
      tidy(() => {
        const { loss } = objective.compute(net, batch, ctx());
        adam.zeroGrad();
        loss.backward();
      });
      adam.step();
    }
    return { s: (performance.now() - t0) / 1000, faults: process.resourceUsage().minorPageFault - f0 };
  };
  return { run, dispose: () => adam.dispose() };
}

async function pytorchSide(input: string) {
  const proc = spawn('/usr/bin/python3', [join(root, 'bench/robustness/bench_torch.py'), '--input', input, '--threads', String(threads), '--width', String(width), '--depth', depth.join(','), '--classes', String(CLASSES)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const line = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done) throw new Error(`bench_torch.py exited (code ${proc.exitCode}) before answering`);
    return JSON.parse(r.value as string) as Record<string, unknown>;
  };
  const ready = (await line()) as { torch: string; threads: number };
  return {
    ready,
    run: async (name: string): Promise<Step> => {
      proc.stdin.write(`${name}\n`);
      const r = await line();
      if (typeof r.s !== 'number' || typeof r.faults !== 'number') throw new Error(`bench_torch.py answered ${JSON.stringify(r)} to '${name}'`);
      return { s: r.s, faults: r.faults };
    },
    quit: () => proc.stdin.write('quit\n'),
  };
}

async function main(): Promise<void> {
  setNumThreads(threads);
  manualSeed(0);
  const started = new Date().toISOString();
  const loadStart = loadavg()[0]!;
  const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS, width, depth }, 1, CLASSES, 'max-abs');
  net.train();
  const data = makeBatch(net.stride);
  // Labels = the initial net's own decisions, so every record starts correctly classified, as most are in a
  // trained model: advls then attacks the whole batch and NSR's terms cover it (with i % 4 labels an untrained
  // net gets a quarter right, and the defences would look cheaper than they are).
  const initial = tidy(() => noGrad(() => net.call(data.x, data.mask).argmax(1)));
  data.labels.dispose();
  data.labels = initial;
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-bench-robustness-'));
  const input = join(dir, 'input.safetensors');
  safetensors.save(input, new Map<string, Tensor>([
    ['input.x', data.x], ['input.mask', data.mask], ['input.labels', data.labels],
    ...[...net.stateDict()].map(([k, v]) => [`net.${k}`, v] as [string, Tensor]),
  ]));
  const ours = ecglabSide(net, data);
  const peer = await pytorchSide(input);
  const samples: Record<string, { ecglab: number[]; pytorch: number[]; faults: { ecglab: number[]; pytorch: number[] } }> = {};
  // Who goes first alternates between the rounds of a case (not just from pair to pair: with an even number of
  // cases that would give each case the same order in every round).
  const pair = async (name: string, keep: boolean, ecglabFirst: boolean) => {
    let a: Step;
    let b: Step;
    if (ecglabFirst) { a = ours.run(name); b = await peer.run(name); } else { b = await peer.run(name); a = ours.run(name); }
    if (!keep) return;
    const s = (samples[name] ??= { ecglab: [], pytorch: [], faults: { ecglab: [], pytorch: [] } });
    s.ecglab.push(a.s);
    s.pytorch.push(b.s);
    s.faults.ecglab.push(a.faults);
    s.faults.pytorch.push(b.faults);
  };
  for (const name of cases) for (let w = 0; w < warmup; w++) await pair(name, false, w % 2 === 0);
  for (let r = 0; r < rounds; r++) {
    for (const [i, name] of cases.entries()) {
      log(`round ${r + 1}/${rounds}: ${name}`);
      await pair(name, true, (r + i) % 2 === 0);
    }
  }
  peer.quit();
  ours.dispose();
  rmSync(dir, { recursive: true, force: true });

  const ceMedian = samples.ce ? { ecglab: median(samples.ce.ecglab), pytorch: median(samples.ce.pytorch) } : null;
  const results = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
    ecglabSeconds: median(s.ecglab),
    pytorchSeconds: median(s.pytorch),
    timeRatio: median(s.ecglab.map((v, i) => v / s.pytorch[i]!)),
    overCe: ceMedian && name !== 'pgd-step' ? { ecglab: median(s.ecglab) / ceMedian.ecglab, pytorch: median(s.pytorch) / ceMedian.pytorch } : null,
    medianPageFaults: { ecglab: median(s.faults.ecglab), pytorch: median(s.faults.pytorch) },
    samples: s,
  }]));
  const result = {
    bench: 'robustness/ma-liang',
    started,
    setup: { batch: batchSize, length, padded: data.x.shape[2], leads: 1, classes: CLASSES, width, depth, eps: EPS, rounds, warmup, threads: { ecglab: getNumThreads(), pytorch: peer.ready.threads } },
    peer: `PyTorch ${peer.ready.torch}`,
    method: 'interleaved per step, alternating who goes first; timeRatio = median over pairs of ecglab s / PyTorch s (<1 = ecglab faster); overCe = median case s / median CE step s, per side',
    load_average_1m: { start: loadStart, end: loadavg()[0]! },
    results,
  };
  for (const t of Object.values(data)) t.dispose();
  net.dispose();
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  console.log(`Ma & Liang CNN, batch ${batchSize} × 1 lead × ${data.x.shape[2]} (records ${Math.round((2 / 3) * length)}–${length} samples), width ${width}, depth [${depth}], ${threads} threads, ${rounds} rounds; load ${loadStart.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  console.log('case                 ecglab s  PyTorch s  time ratio  ×CE ecglab  ×CE PyTorch');
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(20)} ${r.ecglabSeconds.toFixed(3).padStart(8)}  ${r.pytorchSeconds.toFixed(3).padStart(9)}  ${r.timeRatio.toFixed(3).padStart(10)}  ${(r.overCe ? r.overCe.ecglab.toFixed(2) : '-').padStart(10)}  ${(r.overCe ? r.overCe.pytorch.toFixed(2) : '-').padStart(11)}`);
  }
}

await main();
