// The whole training pipeline, ecglab against a PyTorch training script of the same recipe, in the same run:
// configs/cinc2017.yaml's recipe on the first --records CinC 2017 records (80/20 stratified split, seed 1), for
// --epochs epochs; each side reports its time by phase per epoch (data / forward / backward / optimizer /
// validation) and the train steps' minor page faults. The sides run one after the other and the order alternates
// over --repeats (ecglab, PyTorch, PyTorch, ecglab, ...): whole trainings cannot be interleaved step by step
// without changing what they do, so compare pairs run next to each other and read the load beside them.
//
//   node --import tsx bench/train/run.ts [--records 256] [--epochs 2] [--repeats 2] [--threads 2] [--json]
//        [--data DIR] (a CinC 2017 training2017 folder; default: the ~300 records in fixtures/data)
//        [--peer-glibc default|ecglab|heap] (the PyTorch script's glibc thresholds, bench/peer-glibc.ts)
//
// Reported per side and repeat: the last epoch's train records/s (train steps only, as the trainer's log) and its
// phases; the ratio is ecglab / PyTorch train records/s (> 1: ecglab faster), median over adjacent pairs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadRunConfig, openDataset, RUN_FILES, splitDataset, train, type RunConfig } from '@ecglab/models';
import { PEER_GLIBC, peerGlibcArg } from '../peer-glibc.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({ options: {
  records: { type: 'string', default: '256' }, epochs: { type: 'string', default: '2' }, repeats: { type: 'string', default: '2' },
  threads: { type: 'string', default: '2' }, data: { type: 'string', default: join(root, 'fixtures/data/cinc2017/training2017') },
  json: { type: 'boolean', default: false }, 'peer-glibc': { type: 'string', default: 'default' },
} });
const peerGlibc = peerGlibcArg(args['peer-glibc']);
const records = Number(args.records);
const epochs = Number(args.epochs);
const repeats = Number(args.repeats);
const threads = Number(args.threads);
const dataDir = args.data;
const json = args.json;

type Timing = { data: number; forward: number; backward: number; optimizer: number; validation: number; pageFaults: number };
type Epoch = { epoch: number; seconds: number; trainRecordsPerSecond: number; timing: Timing; cinc2017F1?: number; val?: Record<string, number> };
type Run = { side: 'ecglab' | 'pytorch'; started: string; load: [number, number]; wallSeconds: number; epochs: Epoch[] };

async function main(): Promise<void> {
  const base = loadRunConfig(join(root, 'configs/cinc2017.yaml'), { dataPath: dataDir });
  // The shared split file names records beyond a --records subset: split the subset by the config's seed instead.
  const { valSplit: _unused, ...trainCfg } = base.train;
  const cfg: RunConfig = { ...base, threads, data: { ...base.data, limit: records }, train: { ...trainCfg, epochs, valFraction: 0.2, patience: 0 } };
  const data = await openDataset(cfg.data, { inputLeads: cfg.input.leads, seed: cfg.seed });
  const split = splitDataset(data, { data: cfg.data, seed: cfg.seed, valFraction: 0.2 });
  const work = mkdtempSync(join(tmpdir(), 'ecglab-bench-train-'));
  const planFile = join(work, 'plan.json');
  const side = (idx: number[]) => ({ ids: idx.map((i) => data.ids[i]!), labels: idx.map((i) => data.labels[i]!) });
  writeFileSync(planFile, JSON.stringify({ dir: cfg.data.path, seed: cfg.seed, epochs, train: side(split.train), val: side(split.val) }));

  const runs: Run[] = [];
  const ecglab = async (k: number): Promise<Run> => {
    const l0 = loadavg()[0]!;
    const started = new Date().toISOString();
    const t0 = performance.now();
    const out = join(work, `ecglab-${k}`);
    await train(cfg, { out, quiet: true, bootstrapIterations: 10 });
    const log = readFileSync(join(out, RUN_FILES.log), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Epoch);
    return { side: 'ecglab', started, load: [l0, loadavg()[0]!], wallSeconds: (performance.now() - t0) / 1000, epochs: log };
  };
  const pytorch = (): Run => {
    const l0 = loadavg()[0]!;
    const started = new Date().toISOString();
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/python3', [join(root, 'bench/train/train_torch.py'), '--plan', planFile, '--threads', String(threads)], { encoding: 'utf8', env: { ...process.env, ...PEER_GLIBC[peerGlibc] } });
    if (r.status !== 0) throw new Error(`train_torch.py failed (${r.status}): ${r.stderr}`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Epoch & { ready?: boolean }).filter((l) => !l.ready);
    return { side: 'pytorch', started, load: [l0, loadavg()[0]!], wallSeconds: (performance.now() - t0) / 1000, epochs: lines };
  };
  for (let k = 0; k < repeats; k++) {
    const order = k % 2 === 0 ? ['ecglab', 'pytorch'] : ['pytorch', 'ecglab'];
    for (const s of order) {
      if (!json) process.stderr.write(`repeat ${k + 1}/${repeats}: ${s}\n`);
      runs.push(s === 'ecglab' ? await ecglab(k) : pytorch());
    }
  }
  rmSync(work, { recursive: true, force: true });

  const last = (r: Run) => r.epochs[r.epochs.length - 1]!;
  const pairs = Array.from({ length: repeats }, (_, k) => {
    const [a, b] = [runs[2 * k]!, runs[2 * k + 1]!];
    const e = a.side === 'ecglab' ? a : b;
    const p = a.side === 'ecglab' ? b : a;
    return last(e).trainRecordsPerSecond / last(p).trainRecordsPerSecond;
  });
  const sorted = [...pairs].sort((x, y) => x - y);
  const ratio = sorted.length % 2 ? sorted[sorted.length >> 1]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const result = {
    bench: 'train/cinc2017-recipe',
    setup: { records, train: split.train.length, val: split.val.length, epochs, repeats, threads, data: relative(root, cfg.data.path), peerGlibc: { [peerGlibc]: PEER_GLIBC[peerGlibc] } },
    method: 'whole trainings, sides alternating first; ratio = median over adjacent pairs of ecglab / PyTorch train records/s of the last epoch',
    ratio,
    pairRatios: pairs,
    runs,
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else {
    for (const r of runs) {
      const e = last(r);
      const t = e.timing;
      const stepS = t.data + t.forward + t.backward + t.optimizer;
      process.stdout.write(
        `${r.side.padEnd(8)} ${r.started.slice(11, 16)} load ${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}  epoch ${e.epoch + 1}: ${e.trainRecordsPerSecond.toFixed(1)} train records/s; ` +
          `data ${(100 * t.data / stepS).toFixed(1)} % forward ${t.forward.toFixed(1)} s backward ${t.backward.toFixed(1)} s optimizer ${t.optimizer.toFixed(1)} s validation ${t.validation.toFixed(1)} s, ${t.pageFaults} faults\n`,
      );
    }
    process.stdout.write(`speed ratio ecglab / PyTorch (median of adjacent pairs): ${ratio.toFixed(2)} (${pairs.map((x) => x.toFixed(2)).join(', ')})\n`);
  }
}

await main();
