// Engine benchmark: a 1-D ResNet-18 (GroupNorm; 12 leads × 5000 samples, batch 32, 9 classes) timed in
// ecglab and in PyTorch (the peer: same Debian libtorch 1.13, same thread count) in one run.
// The machine is shared, so steps are interleaved: ecglab step, peer step, peer step, ecglab step, ...
// (the peer process waits on stdin while ours runs, and the reverse). Each pair sees the same load; the
// headline ratio is the median of the per-pair ratios, beside the medians of each side.
// Usage: node --import tsx bench/engine/run.ts [--json] [--iters 10] [--warmup 2] [--threads 2]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { F, noGrad, tidy, randn, randint, setNumThreads, getNumThreads, liveTensorCount, optim, safetensors } from '@ecglab/engine';
import { ResNet1d18, BATCH, CLASSES, LEADS, SAMPLES } from './resnet1d.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    iters: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
  },
});
const iters = Number(args.iters);
const warmup = Number(args.warmup);
const threads = Number(args.threads);
const log = (s: string) => { if (!args.json) console.error(s); };
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const loadStart = loadavg()[0]!;

// ---- the peer: a PyTorch process answering "train" / "infer" with one timed step ----
const dir = mkdtempSync(join(tmpdir(), 'ecglab-bench-'));
const checkFile = join(dir, 'check.safetensors');
const peerProc = spawn('/usr/bin/python3', [fileURLToPath(new URL('./resnet1d.py', import.meta.url)),
  '--serve', '--threads', String(threads), '--check-out', checkFile], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: peerProc.stdout })[Symbol.asyncIterator]();
async function peerLine(): Promise<Record<string, unknown>> {
  const r = await lines.next();
  if (r.done) throw new Error(`bench/engine/resnet1d.py exited (code ${peerProc.exitCode}) before answering`);
  return JSON.parse(r.value) as Record<string, unknown>;
}
async function peerStep(cmd: 'train' | 'infer'): Promise<number> {
  peerProc.stdin.write(`${cmd}\n`);
  const r = await peerLine();
  if (typeof r.s !== 'number') throw new Error(`peer answered ${JSON.stringify(r)} to '${cmd}'`);
  return r.s;
}
log('starting the PyTorch peer...');
const ready = await peerLine();

// ---- ecglab: the same network, checked against the peer's weights and logits ----
setNumThreads(threads);
const model = new ResNet1d18();
const nParams = model.parameters().reduce((n, p) => n + p.numel, 0);
const { tensors: peerState } = safetensors.load(checkFile);
rmSync(dir, { recursive: true });
const checkX = peerState.get('check.x')!;
const checkLogits = peerState.get('check.logits')!;
peerState.delete('check.x');
peerState.delete('check.logits');
model.loadStateDict(peerState); // strict: every PyTorch name and shape must match
for (const t of peerState.values()) t.dispose();
const maxDiff = noGrad(() => tidy(() => model.forward(checkX).sub(checkLogits).abs().max().item()));
checkX.dispose();
checkLogits.dispose();
if (!(maxDiff < 1e-3)) throw new Error(`ecglab and PyTorch logits differ by ${maxDiff} on the same weights and input`);
log(`same weights, same input: max |logit difference| = ${maxDiff.toExponential(2)}`);

const x = randn([BATCH, LEADS, SAMPLES]);
const y = randint(0, CLASSES, [BATCH]);
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const trainStep = () => {
  opt.zeroGrad();
  tidy(() => {
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    return loss.item();
  });
  opt.step();
};
const infer = () => noGrad(() => tidy(() => { model.forward(x); }));
function ourStep(cmd: 'train' | 'infer'): number {
  model.train(cmd === 'train');
  const t0 = process.hrtime.bigint();
  if (cmd === 'train') trainStep();
  else infer();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Phase { ecglab: number[]; pytorch: number[] }
async function measure(cmd: 'train' | 'infer'): Promise<Phase> {
  const out: Phase = { ecglab: [], pytorch: [] };
  for (let i = 0; i < warmup + iters; i++) {
    log(`${cmd} ${i < warmup ? 'warm-up' : 'timed'} ${i + 1}/${warmup + iters}`);
    // Alternate who goes first so neither side always follows the other's cache/thread state.
    let ours: number;
    let theirs: number;
    if (i % 2 === 0) { ours = ourStep(cmd); theirs = await peerStep(cmd); }
    else { theirs = await peerStep(cmd); ours = ourStep(cmd); }
    if (i >= warmup) { out.ecglab.push(ours); out.pytorch.push(theirs); }
  }
  return out;
}
const train = await measure('train');
const inference = await measure('infer');
peerProc.stdin.write('quit\n');
const live = liveTensorCount();
opt.dispose();
model.dispose();
x.dispose();
y.dispose();

const summary = (p: Phase) => ({
  ecglab: median(p.ecglab),
  pytorch: median(p.pytorch),
  ratio: median(p.ecglab.map((v, i) => v / p.pytorch[i]!)), // median of per-pair ratios
});
const result = {
  benchmark: 'engine: ResNet-18-1D (GroupNorm), 12 × 5000, batch 32, 9 classes, float32',
  command: 'node --import tsx bench/engine/run.ts --json',
  params: nParams,
  peer: ready.peer,
  threads: { ecglab: getNumThreads(), peer: ready.threads },
  cpus: cpus().length,
  load_average_1m: { start: loadStart, end: loadavg()[0]! }, // other work on the machine slows both sides
  iterations: { warmup, timed: iters, interleaved: true },
  identity_check_max_logit_diff: maxDiff,
  live_tensors_during_run: live, // parameters + Adam state + input and target
  train_step_s: summary(train),
  inference_s: summary(inference),
  samples: { train, inference },
};

if (args.json) {
  console.log(JSON.stringify(result, null, 1));
} else {
  const row = (name: string, r: { ecglab: number; pytorch: number; ratio: number }) =>
    `${name.padEnd(30)} ${r.ecglab.toFixed(3).padStart(9)} s ${r.pytorch.toFixed(3).padStart(9)} s ${r.ratio.toFixed(2).padStart(7)}`;
  console.log(`${result.benchmark}; ${nParams.toLocaleString('en')} params; ${threads} threads; ${iters} interleaved pairs after ${warmup} warm-up`);
  console.log(`${''.padEnd(30)} ${'ecglab'.padStart(11)} ${'PyTorch'.padStart(11)} ${'ratio'.padStart(7)}`);
  console.log(row('train step (fwd+CE+bwd+Adam)', result.train_step_s));
  console.log(row('inference (noGrad forward)', result.inference_s));
  console.log(`ratio = median of per-pair ecglab/PyTorch; load average (1 min) ${loadStart.toFixed(1)} → ${result.load_average_1m.end.toFixed(1)} on ${result.cpus} CPUs`);
}
