// Phase timings of one ResNet-18-1D train step in ecglab (forward, backward, Adam step) next to PyTorch's
// (profile.py, run first), to show where a train-step gap comes from. Also counts native calls per step.
// Usage: node --import tsx bench/engine/profile.ts [--iters 5] [--threads 2]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { F, tidy, randn, randint, setNumThreads, optim } from '@ecglab/engine';
import { ResNet1d18, BATCH, CLASSES, LEADS, SAMPLES } from './resnet1d.js';

const { values: args } = parseArgs({ options: { iters: { type: 'string', default: '5' }, threads: { type: 'string', default: '2' } } });
const iters = Number(args.iters);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const py = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./profile.py', import.meta.url)), '--iters', String(iters), '--threads', args.threads!],
  { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
if (py.status !== 0) throw new Error(`profile.py failed: ${py.stderr}`);
const peer = JSON.parse(py.stdout) as Record<string, number>;

setNumThreads(Number(args.threads));
const model = new ResNet1d18();
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const x = randn([BATCH, LEADS, SAMPLES]);
const y = randint(0, CLASSES, [BATCH]);
const phases: Record<string, number[]> = { forward: [], backward: [], adam: [], cpu_step: [] };
const now = () => Number(process.hrtime.bigint()) / 1e9;
for (let i = 0; i <= iters; i++) {
  const c0 = process.cpuUsage();
  const t0 = now();
  opt.zeroGrad();
  let t1 = 0;
  let t2 = 0;
  tidy(() => {
    const loss = F.crossEntropy(model.forward(x), y);
    t1 = now();
    loss.backward();
    t2 = now();
  });
  opt.step();
  const t3 = now();
  const c = process.cpuUsage(c0);
  if (i === 0) continue;
  phases.forward!.push(t1 - t0);
  phases.backward!.push(t2 - t1);
  phases.adam!.push(t3 - t2);
  phases.cpu_step!.push((c.user + c.system) / 1e6);
}
console.log(`${'phase'.padEnd(10)} ${'ecglab'.padStart(9)} ${'PyTorch'.padStart(9)} ratio`);
for (const k of Object.keys(phases)) {
  const ours = median(phases[k]!);
  console.log(`${k.padEnd(10)} ${ours.toFixed(3).padStart(9)} ${peer[k]!.toFixed(3).padStart(9)} ${(ours / peer[k]!).toFixed(2)}`);
}
