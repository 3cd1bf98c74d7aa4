// Steps per second of Ma & Liang's CNN at a global batch of 32 (1-lead records of `--length` samples):
// 1 process × 2 threads against 2 processes × 1 thread, through ecglab's real trainer (train(): the CinC 2017
// fixture records through the input pipeline, the per-step collectives of a data-parallel run; trainer_worker.ts),
// through a bare ecglab loop on a synthetic batch (gradients averaged after backward, or during it with
// GradientSync; ddp_worker.ts) and in PyTorch on a synthetic batch (plain, and DistributedDataParallel over Gloo;
// ddp_torch.py), all in the same run. Every configuration keeps its processes alive and they take turns, `--steps`
// steps each, the order rotated each round.
// Usage: node --import tsx bench/distributed/ddp.ts [--json] [--rounds 3] [--steps 3] [--length 9216] [--all]
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '3' },
    length: { type: 'string', default: '9216' },  // 30.7 s at 300 Hz, a multiple of the CNN's total stride (1024)
    all: { type: 'boolean', default: false },  // also the bare loop's other variants (after backward, 4 MiB buckets)
  },
});
const here = fileURLToPath(new URL('.', import.meta.url));
const GLOBAL_BATCH = 32;

interface Config {
  name: string; engine: 'ecglab' | 'ecglab-trainer' | 'pytorch'; procs: number; threads: number; sync?: 'after' | 'overlap';
  bucketMiB?: number;  // default 25, as DDP
}
const configs: Config[] = [
  { name: 'ecglab trainer 1×2', engine: 'ecglab-trainer', procs: 1, threads: 2 },
  { name: 'ecglab trainer 2×1 (as --nproc 2)', engine: 'ecglab-trainer', procs: 2, threads: 1 },
  { name: 'ecglab loop 1×2', engine: 'ecglab', procs: 1, threads: 2 },
  ...(args.all ? [{ name: 'ecglab loop 2×1, all-reduce after backward', engine: 'ecglab', procs: 2, threads: 1, sync: 'after' } as const] : []),
  { name: 'ecglab loop 2×1, overlapped (GradientSync)', engine: 'ecglab', procs: 2, threads: 1, sync: 'overlap' },
  ...(args.all ? [{ name: 'ecglab loop 2×1, overlapped, 4 MiB buckets', engine: 'ecglab', procs: 2, threads: 1, sync: 'overlap', bucketMiB: 4 } as const] : []),
  { name: 'PyTorch 1×2', engine: 'pytorch', procs: 1, threads: 2 },
  { name: 'PyTorch DDP 2×1', engine: 'pytorch', procs: 2, threads: 1 },
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Running { config: Config; procs: ChildProcess[]; lines: AsyncIterator<string> }

async function start(c: Config): Promise<Running> {
  const init = `tcp://127.0.0.1:${await freePort()}`;
  const common = ['--init', init, '--world', String(c.procs), '--threads', String(c.threads),
    '--batch', String(GLOBAL_BATCH / c.procs), '--length', args.length!];
  const procs = Array.from({ length: c.procs }, (_, rank) => c.engine === 'ecglab-trainer'
    ? spawn(process.execPath, ['--import', 'tsx', `${here}trainer_worker.ts`, ...common, '--rank', String(rank)],
      { env: { ...process.env, ECGLAB_NUM_THREADS: String(c.threads) }, stdio: ['pipe', 'pipe', 'inherit'] })
    : c.engine === 'ecglab'
    ? spawn(process.execPath, ['--import', 'tsx', `${here}ddp_worker.ts`, ...common, '--rank', String(rank), '--sync', c.sync ?? 'after',
      '--bucket-mib', String(c.bucketMiB ?? 25)],
      { env: { ...process.env, ECGLAB_NUM_THREADS: String(c.threads) }, stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn('/usr/bin/python3', [`${here}ddp_torch.py`, ...common, '--rank', String(rank)],
      { env: { ...process.env, OMP_NUM_THREADS: String(c.threads) }, stdio: ['pipe', 'pipe', 'inherit'] }));
  for (const p of procs.slice(1)) p.stdout!.resume();
  const lines = createInterface({ input: procs[0]!.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done || !JSON.parse(first.value).ready) throw new Error(`${c.name}: workers did not start`);
  return { config: c, procs, lines };
}

async function run(r: Running, steps: number): Promise<number[]> {
  for (const p of r.procs) p.stdin!.write(`run ${steps}\n`);
  const next = await r.lines.next();
  if (next.done) throw new Error(`${r.config.name}: rank 0 exited`);
  return (JSON.parse(next.value) as { seconds: number[] }).seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const running: Running[] = [];
for (const c of configs) running.push(await start(c));  // one at a time: startup is CPU-bound
const samples = new Map<string, number[]>(configs.map((c) => [c.name, []]));
const load = [loadavg()[0]!];
for (let round = 0; round < Number(args.rounds); round++) {
  const order = running.map((_, i) => running[(i + round) % running.length]!);
  for (const r of order) samples.get(r.config.name)!.push(...await run(r, Number(args.steps)));
  load.push(loadavg()[0]!);
}
for (const r of running) for (const p of r.procs) p.stdin!.end('quit\n');

const rows = configs.map((c) => {
  const s = median(samples.get(c.name)!);
  return { config: c.name, engine: c.engine, procs: c.procs, threads: c.threads, stepSeconds: s, stepsPerSecond: 1 / s,
    recordsPerSecond: GLOBAL_BATCH / s };
});
const base = (engine: string) => rows.find((r) => r.engine === engine && r.procs === 1)!.stepSeconds;
// Same-configuration ratios: ecglab's time per step over PyTorch's (1×2 with 1×2, 2×1 with DDP 2×1).
const torchOf = (procs: number) => rows.find((r) => r.engine === 'pytorch' && r.procs === procs)!.stepSeconds;
if (args.json) {
  console.log(JSON.stringify({
    bench: 'distributed/ddp', date: new Date().toISOString(), cores: cpus().length, loadavg: load, globalBatch: GLOBAL_BATCH,
    length: Number(args.length), rounds: Number(args.rounds), steps: Number(args.steps),
    rows: rows.map((r) => ({ ...r, vsOneProcess: base(r.engine) / r.stepSeconds, timeRatioVsPyTorch: r.stepSeconds / torchOf(r.procs) })),
    samples: Object.fromEntries(samples),
  }, null, 1));
} else {
  console.log(`Ma & Liang CNN, global batch ${GLOBAL_BATCH} × 1 × ${args.length}; median of ${args.rounds}×${args.steps} steps; load ${load.map((l) => l.toFixed(1)).join(' → ')}`);
  console.log(`${'configuration'.padEnd(46)} ${'s/step'.padStart(7)} ${'steps/s'.padStart(8)} ${'records/s'.padStart(10)} vs 1×2  time vs PyTorch`);
  for (const r of rows) {
    console.log(`${r.config.padEnd(46)} ${r.stepSeconds.toFixed(3).padStart(7)} ${r.stepsPerSecond.toFixed(2).padStart(8)} ` +
      `${r.recordsPerSecond.toFixed(1).padStart(10)} ${(base(r.engine) / r.stepSeconds).toFixed(2).padStart(6)} ${(r.stepSeconds / torchOf(r.procs)).toFixed(2).padStart(8)}`);
  }
}
