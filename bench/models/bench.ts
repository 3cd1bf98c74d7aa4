// Training and inference throughput (records/s) of Ma & Liang's CNN on CinC 2017 records: ecglab
// (TypeScript over libtorch) against the same model and pipeline in Python PyTorch, measured in the
// same run on the same records, as a ratio.
//
//   node --import tsx bench/models/bench.ts [--data DIR] [--records 96] [--batch 32] [--steps 6]
//        [--threads 2] [--width 64] [--depth 2,2,2,2] [--rounds 3] [--warmup 2] [--json]
//
// Both sides: records read once up front; timed: per batch zero-padding to a
// multiple of the total stride with a mask and random offsets (training), max-abs scaling (the model's first
// stage, in libtorch on both sides), forward, class-weighted
// cross-entropy, backward, gradient clipping at 5, an Adam step; inference on length-sorted batches
// with softmax. The training plan (record order and every random offset) is drawn once here and handed
// to the peer, so both sides train on identical batches.
//
// The machine is shared, so the two sides are interleaved step by step, as bench/engine/run.ts does: the
// peer (bench_torch.py) is a child process that runs one train step or one inference batch per stdin
// command; ecglab and the peer alternate who goes first, and each pair sees the same load. --warmup
// untimed pairs of a train step and an inference batch, then --rounds passes of --steps train steps and of every inference
// batch. Reported: each side's records/s over all its timed steps, and the speed ratio ecglab/PyTorch as
// the median of the per-pair ratios (PyTorch seconds / ecglab seconds for the same step).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { F, fromArray, getNumThreads, manualSeed, noGrad, optim, setNumThreads, tidy } from '@ecglab/engine';
import { collate, InputPipeline, Rng, type EcgRecord } from '@ecglab/data';
import { MA_LIANG_DEFAULTS, MaLiangNet, openDataset, toTensorBatch } from '@ecglab/models';

/** A record as the bench uses it: conformed float32 mV leads and its class. */
type LabeledRecord = EcgRecord & { label: number };

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
function opt(name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}
const dataDir = opt('data', join(root, 'fixtures/data/cinc2017/training2017'));
const nRecords = Number(opt('records', '96'));
const batch = Number(opt('batch', '32'));
const steps = Number(opt('steps', '6'));
const threads = Number(opt('threads', '2'));
const width = Number(opt('width', '64'));
const depth = opt('depth', '2,2,2,2').split(',').map(Number);
const rounds = Number(opt('rounds', '3'));
const warmup = Number(opt('warmup', '2'));
const json = args.includes('--json');
const log = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };
const SHIFT = 3000;
const oneHot = (c: number) => Float32Array.from({ length: 4 }, (_, k) => (k === c ? 1 : 0));
const MAX_SECONDS = 60;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Record order and, per training step (warm-up first), each record's random offset. */
type Plan = { order: number[]; offsets: number[][] };

function makePlan(n: number): Plan {
  const rng = new Rng(0);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const offsets = Array.from({ length: steps + 1 }, () => Array.from({ length: batch }, () => rng.int(SHIFT)));
  return { order, offsets };
}

/** Step k of the plan (0 = warm-up): the records' indices and offsets. */
const trainIdx = (plan: Plan, k: number) => Array.from({ length: batch }, (_, j) => plan.order[(Math.max(0, k - 1) * batch + j) % plan.order.length]!);

/** One timed step: wall seconds and the minor page faults it took (fresh memory from the kernel). */
type Step = { s: number; faults: number };
const faults = () => process.resourceUsage().minorPageFault;

/** ecglab's side: `train(k)` / `infer(b)` run plan step k / inference batch b. */
function ecglabSide(records: LabeledRecord[], plan: Plan, byLen: number[]) {
  const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS, width, depth }, 1, 4, 'max-abs');
  const adam = new optim.Adam(net.parameters(), { lr: 3e-4 });
  const weight = fromArray(new Float32Array(4).fill(1), [4]);

  // The input pipeline's collate (zero-padding with a mask at the plan's offsets) and tensors, as the trainer does.
  const makeBatch = (idx: number[], offsets: number[] | null) => {
    const items = idx.map((i, j) => ({ id: records[i]!.id, index: i, signals: records[i]!.signals, offset: offsets?.[j] ?? 0, targets: oneHot(records[i]!.label) }));
    return toTensorBatch(collate(items, net.padMultiple, net.minLength), 'single-label');
  };
  const train = (k: number): Step => {
    const f0 = faults();
    const t0 = performance.now();
    net.train();
    tidy(() => {
      const b = makeBatch(trainIdx(plan, k), plan.offsets[k]!);
      const loss = F.crossEntropy(net.logits(b), b.labels!, { weight });
      adam.zeroGrad();
      loss.backward();
      optim.clipGradNorm(net.parameters(), 5);
      adam.step();
      return loss.item();
    });
    return { s: (performance.now() - t0) / 1000, faults: faults() - f0 };
  };
  const infer = (b: number): Step => {
    const f0 = faults();
    const t0 = performance.now();
    net.eval();
    const idx = byLen.slice(b * batch, (b + 1) * batch);
    tidy(() => noGrad(() => net.logits(makeBatch(idx, null)).softmax(1).toArray()));
    return { s: (performance.now() - t0) / 1000, faults: faults() - f0 };
  };
  const dispose = () => { net.dispose(); adam.dispose(); weight.dispose(); };
  return { train, infer, dispose };
}

/** The PyTorch peer: a child process answering "train k" / "infer b" with the seconds and page faults of the step. */
async function pytorchSide(records: LabeledRecord[], plan: Plan) {
  const proc = spawn('/usr/bin/python3', [
    join(root, 'bench/models/bench_torch.py'), '--dir', dataDir, '--ids', records.map((r) => r.id).join(','),
    '--labels', records.map((r) => r.label).join(','), '--batch', String(batch),
    '--threads', String(threads), '--width', String(width), '--depth', depth.join(','),
    '--max-len', String(Math.round(MAX_SECONDS * records[0]!.fs)),
    '--order', plan.order.join(','), '--offsets', plan.offsets.map((o) => o.join(',')).join(';'),
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
    if (typeof r.s !== 'number' || typeof r.faults !== 'number') throw new Error(`bench_torch.py answered ${JSON.stringify(r)} to '${cmd}'`);
    return { s: r.s, faults: r.faults };
  };
  const ready = await line();
  return {
    ready: ready as { torch: string; threads: number },
    train: (k: number) => ask(`train ${k}`),
    infer: (b: number) => ask(`infer ${b}`),
    quit: () => { proc.stdin.write('quit\n'); },
  };
}

type Pairs = { ecglab: number[]; pytorch: number[]; faults: { ecglab: number[]; pytorch: number[] } };

async function main(): Promise<void> {
  setNumThreads(threads);
  manualSeed(0);
  const loadStart = loadavg()[0]!;
  const started = new Date().toISOString();
  const data = await openDataset({ kind: 'cinc2017', path: dataDir, limit: nRecords }, { inputLeads: [0] });
  const pipe = await InputPipeline.create({ source: data.source(), conform: data.conform, batchSize: batch, seed: 0, maxSamples: Math.round(MAX_SECONDS * 300) });
  const records: LabeledRecord[] = await Promise.all(pipe.ids.map(async (_, i) => ({ ...(await pipe.conformed(i)), label: data.labels[i]! })));
  const plan = makePlan(records.length);
  const byLen = records.map((_, i) => i).sort((a, b) => records[a]!.signals[0]!.length - records[b]!.signals[0]!.length);
  const inferBatches = Math.ceil(records.length / batch);
  const ours = ecglabSide(records, plan, byLen);
  const peer = await pytorchSide(records, plan);

  let turn = 0;
  const pair = async (out: Pairs | null, a: () => Step, b: () => Promise<Step>) => {
    let x: Step;
    let y: Step;
    if (turn++ % 2 === 0) { x = a(); y = await b(); } else { y = await b(); x = a(); }
    if (out) { out.ecglab.push(x.s); out.pytorch.push(y.s); out.faults.ecglab.push(x.faults); out.faults.pytorch.push(y.faults); }
  };
  const train: Pairs = { ecglab: [], pytorch: [], faults: { ecglab: [], pytorch: [] } };
  const infer: Pairs = { ecglab: [], pytorch: [], faults: { ecglab: [], pytorch: [] } };
  for (let w = 0; w < warmup; w++) { // the allocator settles over the first steps on both sides (see BENCHMARKS.md, Models)
    await pair(null, () => ours.train(0), () => peer.train(0));
    await pair(null, () => ours.infer(0), () => peer.infer(0));
  }
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}: training`);
    for (let k = 1; k <= steps; k++) await pair(train, () => ours.train(k), () => peer.train(k));
    log(`round ${r + 1}/${rounds}: inference`);
    for (let b = 0; b < inferBatches; b++) await pair(infer, () => ours.infer(b), () => peer.infer(b));
  }
  peer.quit();
  ours.dispose();

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const side = (p: number[], perStep: number[], f: number[]) =>
    ({ seconds: sum(p), recordsPerSecond: sum(perStep) / sum(p), medianStepSeconds: median(p), medianPageFaults: median(f) });
  const trainRecs = train.ecglab.map(() => batch);
  const inferRecs = infer.ecglab.map((_, i) => Math.min(batch, records.length - (i % inferBatches) * batch));
  const speedRatio = (p: Pairs) => median(p.ecglab.map((v, i) => p.pytorch[i]! / v));
  const result = {
    bench: 'models/ma-liang-cinc2017',
    started,
    setup: { records: records.length, batch, steps, threads: { ecglab: getNumThreads(), pytorch: peer.ready.threads }, width, depth, rounds, warmup, data: dataDir },
    peer: `PyTorch ${peer.ready.torch}`,
    method: 'interleaved per step, alternating who goes first; ratio = median over pairs of PyTorch s / ecglab s (speed, >1 = ecglab faster)',
    load_average_1m: { start: loadStart, end: loadavg()[0]! },
    ecglab: { train: side(train.ecglab, trainRecs, train.faults.ecglab), infer: side(infer.ecglab, inferRecs, infer.faults.ecglab) },
    pytorch: { train: side(train.pytorch, trainRecs, train.faults.pytorch), infer: side(infer.pytorch, inferRecs, infer.faults.pytorch) },
    ratio: { train: speedRatio(train), infer: speedRatio(infer) },
    samples: { train, infer },
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else {
    const e = result.ecglab;
    const t = result.pytorch;
    process.stdout.write(
      `Ma & Liang CNN (width ${width}, depth ${depth.join('/')}), ${records.length} CinC 2017 records, batch ${batch}, ${threads} threads, ` +
        `${rounds} interleaved rounds\n` +
        `train  records/s: ecglab ${e.train.recordsPerSecond.toFixed(1)}  PyTorch ${t.train.recordsPerSecond.toFixed(1)}  speed ratio ${result.ratio.train.toFixed(2)}\n` +
        `infer  records/s: ecglab ${e.infer.recordsPerSecond.toFixed(1)}  PyTorch ${t.infer.recordsPerSecond.toFixed(1)}  speed ratio ${result.ratio.infer.toFixed(2)}\n` +
        `median minor page faults per step: train ecglab ${e.train.medianPageFaults} PyTorch ${t.train.medianPageFaults}, ` +
        `infer ecglab ${e.infer.medianPageFaults} PyTorch ${t.infer.medianPageFaults}\n` +
        `speed ratio = median of per-step PyTorch s / ecglab s; load average (1 min) ${loadStart.toFixed(1)} → ${result.load_average_1m.end.toFixed(1)}\n`,
    );
  }
}

await main();
