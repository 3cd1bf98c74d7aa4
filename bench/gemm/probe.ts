// GEMM probe: the FLOP/s this CPU reaches in C = A·B (n × n, fp32 and bf16) through libtorch, via the
// engine's matmul and via PyTorch 1.13 (the same Debian libtorch) in one run, interleaved matmul by
// matmul: the peer is a child process (gemm_torch.py) doing one matmul per stdin line, and the two
// sides alternate who goes first. FLOP/s = 2n³ / seconds; the best median over sizes n ≥ 1024 (smaller
// products take a millisecond or two, where a shared machine's noise decides) is the measured GEMM peak, the yardstick for what a model reaches (issue 14, item 6).
//
//   node --import tsx bench/gemm/probe.ts [--json] [--sizes 1024,2048,3072] [--reps 7] [--threads 2]
//
// bf16: the matrices are converted with `.to('bfloat16')` and multiplied with the
// engine's own matmul (libtorch routes bf16 matmul to oneDNN on CPUs with AVX-512 BF16).
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getNumThreads, manualSeed, randn, setNumThreads, Tensor } from '@ecglab/engine';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '1024,2048,3072' },
    reps: { type: 'string', default: '7' },
    threads: { type: 'string', default: '2' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const reps = Number(args.reps);
const threads = Number(args.threads);
const log = (s: string): void => {
  if (!args.json) console.log(s);
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const peer = spawn('/usr/bin/python3', [fileURLToPath(new URL('./gemm_torch.py', import.meta.url)), String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: peer.stdout })[Symbol.asyncIterator]();
async function peerLine(): Promise<Record<string, unknown>> {
  const r = await lines.next();
  if (r.done) throw new Error(`bench/gemm/gemm_torch.py exited (code ${peer.exitCode}) before answering`);
  return JSON.parse(r.value) as Record<string, unknown>;
}
const ready = await peerLine();

setNumThreads(threads);
manualSeed(0);
type Dt = 'float32' | 'bfloat16';
/** n × n standard-normal matrix in `dt`. */
function matrix(n: number, dt: Dt): Tensor {
  const x = randn([n, n]);
  if (dt === 'float32') return x;
  const y = x.to('bfloat16');
  x.dispose();
  return y;
}
function ours(a: Tensor, b: Tensor): number {
  const t = performance.now();
  const c = a.matmul(b);
  const s = (performance.now() - t) / 1000;
  c.dispose();
  return s;
}
async function theirs(dt: Dt, n: number): Promise<number> {
  peer.stdin.write(`${dt} ${n}\n`);
  return (await peerLine()).s as number;
}

const loadStart = loadavg()[0]!;
const started = new Date().toISOString();
const rows: { dtype: Dt; n: number; ecglabS: number; torchS: number; ecglabGflops: number; torchGflops: number; timeRatio: number }[] = [];
for (const dt of ['float32', 'bfloat16'] as const) {
  for (const n of sizes) {
    const a = matrix(n, dt);
    const b = matrix(n, dt);
    if (a.dtype !== (dt as string)) throw new Error(`probe: expected a ${dt} matrix, the engine made ${a.dtype}`);
    for (let w = 0; w < 2; w++) {
      ours(a, b);
      await theirs(dt, n);
    }
    const e: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < reps; i++) {
      if (i % 2 === 0) {
        e.push(ours(a, b));
        p.push(await theirs(dt, n));
      } else {
        p.push(await theirs(dt, n));
        e.push(ours(a, b));
      }
    }
    a.dispose();
    b.dispose();
    const flop = 2 * n ** 3;
    const row = { dtype: dt, n, ecglabS: median(e), torchS: median(p), ecglabGflops: flop / median(e) / 1e9, torchGflops: flop / median(p) / 1e9, timeRatio: median(e.map((x, i) => x / p[i]!)) };
    rows.push(row);
    log(`${dt.padEnd(8)} n=${String(n).padStart(4)}  ecglab ${row.ecglabGflops.toFixed(1).padStart(6)} GFLOP/s  PyTorch ${row.torchGflops.toFixed(1).padStart(6)} GFLOP/s  time ratio ${row.timeRatio.toFixed(2)}`);
  }
}
peer.stdin.end();
const peak = (dt: Dt, side: 'ecglabGflops' | 'torchGflops'): number => Math.max(...rows.filter((r) => r.dtype === dt && r.n >= 1024).map((r) => r[side]));
const summary = {
  fp32PeakGflops: { ecglab: peak('float32', 'ecglabGflops'), torch: peak('float32', 'torchGflops') },
  bf16PeakGflops: { ecglab: peak('bfloat16', 'ecglabGflops'), torch: peak('bfloat16', 'torchGflops') },
};
const result = {
  bench: 'gemm probe', started, command: `node --import tsx bench/gemm/probe.ts --sizes ${sizes.join(',')} --reps ${reps} --threads ${threads}`,
  cpu: cpus()[0]?.model, cores: cpus().length, threads: { ecglab: getNumThreads(), torch: ready.threads }, torch: ready.torch,
  loadavg1: [loadStart, loadavg()[0]!], rows, summary,
};
if (args.json) console.log(JSON.stringify(result));
else log(`peak (best size, median of ${reps}): fp32 ${summary.fp32PeakGflops.ecglab.toFixed(0)} / ${summary.fp32PeakGflops.torch.toFixed(0)} GFLOP/s, bf16 ${summary.bf16PeakGflops.ecglab.toFixed(0)} / ${summary.bf16PeakGflops.torch.toFixed(0)} GFLOP/s (ecglab / PyTorch); load ${result.loadavg1.map((x) => x.toFixed(1)).join(' -> ')}`);
