// All-reduce time per MB on loopback: two ecglab processes (worker.ts, @ecglab/engine's distributed module) next to
// two PyTorch processes (worker.py, torch.distributed), both Gloo over tcp://127.0.0.1, measured in the same run with
// the two groups taking turns (size by size, the order swapped each round) on this shared machine.
// Usage: node --import tsx bench/distributed/allreduce.ts [--json] [--sizes 0.0625,1,4,16,64] [--iters 10] [--rounds 3]
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '0.0625,1,4,16,64' },  // MB (2^20 bytes)
    iters: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
  },
});
const sizesMB = args.sizes!.split(',').map(Number);
const iters = Number(args.iters);
const rounds = Number(args.rounds);
const here = fileURLToPath(new URL('.', import.meta.url));
const MB = 1024 * 1024;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Side {
  name: 'ecglab' | 'pytorch';
  procs: ChildProcess[];
  lines: AsyncIterator<string>;  // rank 0's stdout
}

async function startSide(name: Side['name']): Promise<Side> {
  const init = `tcp://127.0.0.1:${await freePort()}`;
  const procs = [0, 1].map((rank) => name === 'ecglab'
    ? spawn(process.execPath, ['--import', 'tsx', `${here}worker.ts`, init, String(rank), '2'],
      { env: { ...process.env, ECGLAB_NUM_THREADS: '1' }, stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn('/usr/bin/python3', [`${here}worker.py`, init, String(rank), '2'],
      { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: ['pipe', 'pipe', 'inherit'] }));
  procs[1]!.stdout!.resume();
  const lines = createInterface({ input: procs[0]!.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done || !JSON.parse(first.value).ready) throw new Error(`${name}: workers did not start`);
  return { name, procs, lines };
}

async function measure(side: Side, bytes: number): Promise<number[]> {
  for (const p of side.procs) p.stdin!.write(`run ${bytes} ${iters} ${args.warmup}\n`);
  const next = await side.lines.next();
  if (next.done) throw new Error(`${side.name}: rank 0 exited`);
  return (JSON.parse(next.value) as { seconds: number[] }).seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const sides = [await startSide('ecglab'), await startSide('pytorch')];
const samples: Record<string, Record<number, number[]>> = { ecglab: {}, pytorch: {} };
const load = [loadavg()[0]!];
for (let round = 0; round < rounds; round++) {
  for (const mb of sizesMB) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      (samples[side.name]![mb] ??= []).push(...await measure(side, Math.round(mb * MB / 4) * 4));
    }
  }
  load.push(loadavg()[0]!);
}
for (const side of sides) for (const p of side.procs) p.stdin!.end('quit\n');

const rows = sizesMB.map((mb) => {
  const ours = median(samples.ecglab![mb]!);
  const peer = median(samples.pytorch![mb]!);
  return {
    MB: mb, ecglabMs: ours * 1e3, pytorchMs: peer * 1e3,
    ecglabMsPerMB: (ours * 1e3) / mb, pytorchMsPerMB: (peer * 1e3) / mb, timeRatio: ours / peer,
  };
});
if (args.json) {
  console.log(JSON.stringify({
    bench: 'distributed/allreduce', date: new Date().toISOString(), cores: cpus().length, loadavg: load,
    worldSize: 2, backend: 'gloo', transport: 'tcp loopback', iters, rounds, rows, samples,
  }, null, 1));
} else {
  console.log(`all-reduce (sum, float32, 2 ranks, Gloo over loopback), median of ${iters}×${rounds} calls; load ${load.map((l) => l.toFixed(1)).join(' → ')}`);
  console.log(`${'MB'.padStart(7)} ${'ecglab ms'.padStart(10)} ${'PyTorch ms'.padStart(11)} ${'ecglab ms/MB'.padStart(13)} ${'PyTorch ms/MB'.padStart(14)} time ratio`);
  for (const r of rows) {
    console.log(`${String(r.MB).padStart(7)} ${r.ecglabMs.toFixed(3).padStart(10)} ${r.pytorchMs.toFixed(3).padStart(11)} ` +
      `${r.ecglabMsPerMB.toFixed(3).padStart(13)} ${r.pytorchMsPerMB.toFixed(3).padStart(14)} ${r.timeRatio.toFixed(2).padStart(10)}`);
  }
}
