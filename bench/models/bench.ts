// Training and inference throughput (records/s) of Ma & Liang's CNN on CinC 2017 records: ecglab
// (TypeScript over libtorch) against the same model and pipeline in Python PyTorch, measured in the
// same run on the same records, as a ratio.
//
//   node --import tsx bench/models/bench.ts [--data DIR] [--records 96] [--batch 32] [--steps 6]
//        [--threads 2] [--width 64] [--depth 2,2,2,2] [--rounds 3] [--warmup 2] [--precisions fp32,bf16] [--json]
//        [--peer-glibc default|ecglab|heap]
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
//
// --precisions fp32,bf16 times every step once per precision, each against the peer in the same precision: bf16
// is CPU autocast on both sides (ecglab's `autocast('bfloat16', ...)`, PyTorch's `torch.autocast('cpu')`), with
// float32 parameters, Adam state and loss; so bf16 vs fp32 is measured in the same run, step beside step.
//
// --peer-glibc runs the peer with other glibc thresholds (bench/peer-glibc.ts): how fast PyTorch is when it too
// reuses memory instead of faulting in fresh pages, which otherwise depends on its heap's history.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { autocast, cpuAllocatorStats, F, fromArray, getNumThreads, manualSeed, noGrad, optim, setNumThreads, tidy } from '@ecglab/engine';
import { collate, InputPipeline, Rng, type EcgRecord } from '@ecglab/data';
import { MA_LIANG_DEFAULTS, MaLiangNet, openDataset, toTensorBatch } from '@ecglab/models';
import { PEER_GLIBC, peerGlibcArg } from '../peer-glibc.js';

/** A record as the bench uses it: conformed float32 mV leads and its class. */
type LabeledRecord = EcgRecord & { label: number };

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({ options: {
  data: { type: 'string', default: join(root, 'fixtures/data/cinc2017/training2017') }, records: { type: 'string', default: '96' },
  batch: { type: 'string', default: '32' }, steps: { type: 'string', default: '6' }, threads: { type: 'string', default: '2' },
  width: { type: 'string', default: '64' }, depth: { type: 'string', default: '2,2,2,2' }, rounds: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '2' }, precisions: { type: 'string', default: 'fp32' }, json: { type: 'boolean', default: false },
  'peer-glibc': { type: 'string', default: 'default' },
} });
const dataDir = args.data;
const nRecords = Number(args.records);
const batch = Number(args.batch);
const steps = Number(args.steps);
const threads = Number(args.threads);
const width = Number(args.width);
const depth = args.depth.split(',').map(Number);
const rounds = Number(args.rounds);
const warmup = Number(args.warmup);
const json = args.json;
type Precision = 'fp32' | 'bf16';
const precisions = args.precisions.split(',') as Precision[];
for (const p of precisions) if (p !== 'fp32' && p !== 'bf16') throw new Error(`--precisions: expected fp32 and/or bf16, got '${p}'`);
/** Runs fn in the precision: bf16 = CPU autocast (float32 parameters). */
const inPrecision = <T>(p: Precision, fn: () => T): T => (p === 'bf16' ? autocast('bfloat16', fn) : fn());
const peerGlibc = peerGlibcArg(args['peer-glibc']);
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
  const train = (k: number, p: Precision): Step => {
    const f0 = faults();
    const t0 = performance.now();
    net.train();
    tidy(() => {
      const b = makeBatch(trainIdx(plan, k), plan.offsets[k]!);
      const loss = inPrecision(p, () => F.crossEntropy(net.logits(b), b.labels!, { weight }));
      adam.zeroGrad();
      loss.backward();
      optim.clipGradNorm(net.parameters(), 5);
      adam.step();
      return loss.item();
    });
    return { s: (performance.now() - t0) / 1000, faults: faults() - f0 };
  };
  const infer = (b: number, p: Precision): Step => {
    const f0 = faults();
    const t0 = performance.now();
    net.eval();
    const idx = byLen.slice(b * batch, (b + 1) * batch);
    tidy(() => noGrad(() => inPrecision(p, () => net.logits(makeBatch(idx, null))).float().softmax(1).toArray()));
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
  ], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...PEER_GLIBC[peerGlibc] } });
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
    train: (k: number, p: Precision) => ask(`train ${k} ${p}`),
    infer: (b: number, p: Precision) => ask(`infer ${b} ${p}`),
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
  const newPairs = (): Pairs => ({ ecglab: [], pytorch: [], faults: { ecglab: [], pytorch: [] } });
  const train = Object.fromEntries(precisions.map((p) => [p, newPairs()])) as Record<Precision, Pairs>;
  const infer = Object.fromEntries(precisions.map((p) => [p, newPairs()])) as Record<Precision, Pairs>;
  for (let w = 0; w < warmup; w++) { // the allocator settles over the first steps on both sides (see BENCHMARKS.md, Models)
    for (const p of precisions) {
      await pair(null, () => ours.train(0, p), () => peer.train(0, p));
      await pair(null, () => ours.infer(0, p), () => peer.infer(0, p));
    }
  }
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}: training`);
    for (let k = 1; k <= steps; k++) for (const p of precisions) await pair(train[p], () => ours.train(k, p), () => peer.train(k, p));
    log(`round ${r + 1}/${rounds}: inference`);
    for (let b = 0; b < inferBatches; b++) for (const p of precisions) await pair(infer[p], () => ours.infer(b, p), () => peer.infer(b, p));
  }
  peer.quit();
  ours.dispose();

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const side = (p: number[], perStep: number[], f: number[]) =>
    ({ seconds: sum(p), recordsPerSecond: sum(perStep) / sum(p), medianStepSeconds: median(p), medianPageFaults: median(f) });
  const trainRecs = Array.from({ length: rounds * steps }, () => batch);
  const inferRecs = Array.from({ length: rounds * inferBatches }, (_, i) => Math.min(batch, records.length - (i % inferBatches) * batch));
  const speedRatio = (p: Pairs) => median(p.ecglab.map((v, i) => p.pytorch[i]! / v));
  const byPrecision = <T>(f: (p: Precision) => T) => Object.fromEntries(precisions.map((p) => [p, f(p)])) as Record<Precision, T>;
  const result = {
    bench: 'models/ma-liang-cinc2017',
    started,
    setup: { records: records.length, batch, steps, threads: { ecglab: getNumThreads(), pytorch: peer.ready.threads }, width, depth, rounds, warmup, precisions, data: relative(root, dataDir) }, // relative to the checkout: no machine paths in results
    peer: `PyTorch ${peer.ready.torch}`,
    peer_glibc: { [peerGlibc]: PEER_GLIBC[peerGlibc] },
    method: 'interleaved per step, alternating who goes first; ratio = median over pairs of PyTorch s / ecglab s (speed, >1 = ecglab faster)',
    load_average_1m: { start: loadStart, end: loadavg()[0]! },
    cpu_allocator: cpuAllocatorStats(),
    ecglab: byPrecision((p) => ({ train: side(train[p].ecglab, trainRecs, train[p].faults.ecglab), infer: side(infer[p].ecglab, inferRecs, infer[p].faults.ecglab) })),
    pytorch: byPrecision((p) => ({ train: side(train[p].pytorch, trainRecs, train[p].faults.pytorch), infer: side(infer[p].pytorch, inferRecs, infer[p].faults.pytorch) })),
    ratio: byPrecision((p) => ({ train: speedRatio(train[p]), infer: speedRatio(infer[p]) })),
    // bf16 against fp32 on the same side, per pair of the same step (speed, > 1 = bf16 faster)
    bf16_over_fp32: precisions.length === 2 ? {
      ecglab: { train: median(train.fp32.ecglab.map((v, i) => v / train.bf16.ecglab[i]!)), infer: median(infer.fp32.ecglab.map((v, i) => v / infer.bf16.ecglab[i]!)) },
      pytorch: { train: median(train.fp32.pytorch.map((v, i) => v / train.bf16.pytorch[i]!)), infer: median(infer.fp32.pytorch.map((v, i) => v / infer.bf16.pytorch[i]!)) },
    } : null,
    samples: { train, infer },
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else {
    let out = `Ma & Liang CNN (width ${width}, depth ${depth.join('/')}), ${records.length} CinC 2017 records, batch ${batch}, ${threads} threads, ${rounds} interleaved rounds\n`;
    for (const p of precisions) {
      const e = result.ecglab[p];
      const t = result.pytorch[p];
      out +=
        `[${p}] train  records/s: ecglab ${e.train.recordsPerSecond.toFixed(1)}  PyTorch ${t.train.recordsPerSecond.toFixed(1)}  speed ratio ${result.ratio[p].train.toFixed(2)}\n` +
        `[${p}] infer  records/s: ecglab ${e.infer.recordsPerSecond.toFixed(1)}  PyTorch ${t.infer.recordsPerSecond.toFixed(1)}  speed ratio ${result.ratio[p].infer.toFixed(2)}\n` +
        `[${p}] median minor page faults per step: train ecglab ${e.train.medianPageFaults} PyTorch ${t.train.medianPageFaults}, ` +
        `infer ecglab ${e.infer.medianPageFaults} PyTorch ${t.infer.medianPageFaults}\n`;
    }
    const bf = result.bf16_over_fp32;
    if (bf) out += `bf16 speed over fp32: ecglab train ${bf.ecglab.train.toFixed(2)} infer ${bf.ecglab.infer.toFixed(2)}; PyTorch train ${bf.pytorch.train.toFixed(2)} infer ${bf.pytorch.infer.toFixed(2)}\n`;
    out += `speed ratio = median of per-step PyTorch s / ecglab s; load average (1 min) ${loadStart.toFixed(1)} → ${result.load_average_1m.end.toFixed(1)}\n`;
    process.stdout.write(out);
  }
}

await main();
