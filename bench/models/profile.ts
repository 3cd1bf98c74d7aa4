// Phase timings of the models bench workload (Ma & Liang's CNN, batch 32 CinC 2017 records padded to a
// fixed length) in ecglab next to PyTorch's (profile.py, run first): batch prep, forward, backward,
// clipping, Adam; inference prep and forward; CPU seconds. Sequential, not interleaved: it locates a gap,
// bench.ts measures it.
// Usage: node --import tsx bench/models/profile.ts [--iters 4] [--threads 2] [--len 12288]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { F, fromArray, noGrad, optim, setNumThreads, tidy, manualSeed } from '@ecglab/engine';
import { collate, InputPipeline } from '@ecglab/data';
import { MA_LIANG_DEFAULTS, MaLiangNet, openDataset } from '@ecglab/models';

const { values: args } = parseArgs({ options: {
  iters: { type: 'string', default: '4' }, threads: { type: 'string', default: '2' }, len: { type: 'string', default: '12288' },
  width: { type: 'string', default: '64' }, batch: { type: 'string', default: '32' }, 'no-peer': { type: 'boolean', default: false },
} });
const iters = Number(args.iters);
const len = Number(args.len);
const width = Number(args.width);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = join(root, 'fixtures/data/cinc2017/training2017');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const data = await openDataset({ kind: 'cinc2017', path: dataDir, limit: 96 }, { inputLeads: [0] });
const pipe = await InputPipeline.create({ source: data.source(), conform: data.conform, batchSize: 32, seed: 0 });
const all = await Promise.all(pipe.ids.map((_, i) => pipe.conformed(i)));
const records = all.filter((r) => r.signals[0]!.length === 9000).slice(0, Number(args.batch));

let peer: Record<string, number> = {};
if (!args['no-peer']) {
  const py = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./profile.py', import.meta.url)), '--dir', dataDir, '--ids',
    records.map((r) => r.id).join(','), '--iters', String(iters), '--threads', args.threads!, '--width', String(width), '--len', String(len),
    '--batch', args.batch!], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`profile.py failed: ${py.stderr}`);
  peer = JSON.parse(py.stdout) as Record<string, number>;
}

setNumThreads(Number(args.threads));
manualSeed(0);
const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS, width }, 1, 4, 'max-abs');
const adam = new optim.Adam(net.parameters(), { lr: 3e-4 });
const weight = fromArray(new Float32Array(4).fill(1), [4]);
const y = fromArray(BigInt64Array.from(records, (_, i) => BigInt(i % 4)), [records.length]);
const batch = (L: number) => {
  const b = collate(records.map((r, i) => ({ id: r.id, index: i, signals: r.signals, offset: 0 })), 1, L);
  return { x: fromArray(b.x, b.shape), mask: fromArray(b.mask, [b.shape[0], 1, b.shape[2]]) };
};
const phases: Record<string, number[]> = { prep: [], forward: [], backward: [], clip: [], adam: [], cpu_step: [], infer_prep: [], infer_forward: [], cpu_infer: [] };
const now = () => performance.now() / 1000;
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
net.train();
for (let i = 0; i <= iters; i++) {
  const c0 = cpu();
  const t = [now()];
  tidy(() => {
    const { x, mask } = batch(len); t.push(now());
    const loss = F.crossEntropy(net.call(x, mask), y, { weight }); t.push(now());
    adam.zeroGrad(); loss.backward(); t.push(now());
    optim.clipGradNorm(net.parameters(), 5); t.push(now());
    adam.step(); loss.item(); t.push(now());
  });
  if (i === 0) continue;
  ['prep', 'forward', 'backward', 'clip', 'adam'].forEach((k, j) => phases[k]!.push(t[j + 1]! - t[j]!));
  phases.cpu_step!.push(cpu() - c0);
}
net.eval();
for (let i = 0; i <= iters; i++) {
  const c0 = cpu();
  const t = [now()];
  tidy(() => noGrad(() => {
    const { x, mask } = batch(9216); t.push(now());
    net.call(x, mask).softmax(1).toArray(); t.push(now());
  }));
  if (i === 0) continue;
  phases.infer_prep!.push(t[1]! - t[0]!);
  phases.infer_forward!.push(t[2]! - t[1]!);
  phases.cpu_infer!.push(cpu() - c0);
}
console.log(`${'phase'.padEnd(14)} ${'ecglab'.padStart(9)} ${'PyTorch'.padStart(9)} ratio (time, ecglab/PyTorch)`);
for (const k of Object.keys(phases)) {
  const ours = median(phases[k]!);
  const theirs = peer[k];
  console.log(`${k.padEnd(14)} ${ours.toFixed(3).padStart(9)} ${theirs === undefined ? '' : theirs.toFixed(3).padStart(9)} ${theirs === undefined ? '' : (ours / theirs).toFixed(2)}`);
}
