// Engine benchmark: a 1-D ResNet-18 (GroupNorm; 12 leads × 5000 samples, batch 32, 9 classes) timed in
// ecglab and in PyTorch (the peer, same Debian libtorch 1.13, same thread count) in one run.
// Rounds alternate peer and ecglab so machine load hits both alike; medians are over all timed iterations.
// Usage: node --import tsx bench/engine/run.ts [--json] [--iters 8] [--warmup 2] [--rounds 2] [--threads 2]
import { spawnSync } from 'node:child_process';
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
    iters: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
  },
});
const iters = Number(args.iters);
const warmup = Number(args.warmup);
const rounds = Number(args.rounds);
const threads = Number(args.threads);
const log = (s: string) => { if (!args.json) console.error(s); };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function timeIt(fn: () => void): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return out;
}

interface PeerResult { peer: string; threads: number; train_all: number[]; infer_all: number[] }

function runPeer(checkOut?: string): PeerResult {
  const script = fileURLToPath(new URL('./resnet1d.py', import.meta.url));
  const argv = [script, '--threads', String(threads), '--iters', String(iters), '--warmup', String(warmup)];
  if (checkOut) argv.push('--check-out', checkOut);
  const r = spawnSync('/usr/bin/python3', argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/engine/resnet1d.py exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as PeerResult;
}

const loadStart = loadavg()[0]!;
setNumThreads(threads);
const model = new ResNet1d18();
const nParams = model.parameters().reduce((n, p) => n + p.numel, 0);

// Same network as the peer: load PyTorch's weights by name (strict) and compare logits on its input.
const dir = mkdtempSync(join(tmpdir(), 'ecglab-bench-'));
const checkFile = join(dir, 'check.safetensors');
log(`peer round 1 (writes its weights for the identity check)...`);
const peerRuns: PeerResult[] = [runPeer(checkFile)];
const { tensors: peerState } = safetensors.load(checkFile);
rmSync(dir, { recursive: true });
const checkX = peerState.get('check.x')!;
const checkLogits = peerState.get('check.logits')!;
peerState.delete('check.x');
peerState.delete('check.logits');
model.loadStateDict(peerState);
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

const ours = { train: [] as number[], infer: [] as number[] };
for (let r = 0; r < rounds; r++) {
  if (r > 0) {
    log(`peer round ${r + 1}...`);
    peerRuns.push(runPeer());
  }
  log(`ecglab round ${r + 1}...`);
  model.train();
  ours.train.push(...timeIt(trainStep));
  model.eval();
  ours.infer.push(...timeIt(infer));
}
const live = liveTensorCount();
opt.dispose();
model.dispose();
x.dispose();
y.dispose();

const peer = { train: peerRuns.flatMap((p) => p.train_all), infer: peerRuns.flatMap((p) => p.infer_all) };
const result = {
  benchmark: 'engine: ResNet-18-1D (GroupNorm), 12 × 5000, batch 32, 9 classes, float32',
  command: 'node --import tsx bench/engine/run.ts --json',
  params: nParams,
  threads: { ecglab: getNumThreads(), peer: peerRuns[0]!.threads },
  cpus: cpus().length,
  load_average_1m: { start: loadStart, end: loadavg()[0]! }, // other work on the machine inflates both sides
  iterations: { warmup, timed: iters * rounds, rounds },
  peer: peerRuns[0]!.peer,
  identity_check_max_logit_diff: maxDiff,
  live_tensors_during_run: live,
  train_step_s: { ecglab: median(ours.train), pytorch: median(peer.train), ratio: median(ours.train) / median(peer.train) },
  inference_s: { ecglab: median(ours.infer), pytorch: median(peer.infer), ratio: median(ours.infer) / median(peer.infer) },
  samples: { ecglab: ours, pytorch: peer },
};

if (args.json) {
  console.log(JSON.stringify(result, null, 1));
} else {
  const row = (name: string, r: { ecglab: number; pytorch: number; ratio: number }) =>
    `${name.padEnd(28)} ${r.ecglab.toFixed(3).padStart(9)} s ${r.pytorch.toFixed(3).padStart(9)} s ${r.ratio.toFixed(2).padStart(7)}`;
  console.log(`${result.benchmark}; ${nParams.toLocaleString('en')} params; ${threads} threads; median of ${iters * rounds} after ${warmup} warm-up per round`);
  console.log(`${''.padEnd(28)} ${'ecglab'.padStart(11)} ${'PyTorch'.padStart(11)} ${'ratio'.padStart(7)}`);
  console.log(row('train step (fwd+CE+bwd+Adam)', result.train_step_s));
  console.log(row('inference (noGrad forward)', result.inference_s));
  console.log(`load average (1 min) ${result.load_average_1m.start.toFixed(1)} → ${result.load_average_1m.end.toFixed(1)} on ${result.cpus} CPUs`);
}
