// Signal-processing throughput of @ecglab/data against scipy on the same real records, interleaved
// in one run: the scipy side is a child process (bench_scipy.py) that times one block of calls per
// stdin command (as many calls as fit in `--budget` seconds, at least one), so each op runs ecglab
// block, scipy block, scipy block, ecglab block, ... over `--rounds` rounds and each pair sees the
// same load. Reported per op: the median per-call time of
// each side and the median over rounds of the per-round speed ratio (scipy time / ecglab time, > 1
// means ecglab is faster), plus the largest |ecglab − scipy| over the op's outputs.
//
//   node --import tsx bench/dsp/bench.ts [--rounds 7] [--budget 0.3] [--json]
//
// Inputs: PTB-XL record 00017 (fixtures/data/ptbxl, 12 × 5000 samples at 500 Hz, mV) and CinC 2017
// record A00067 (fixtures/data/cinc2017, 9000 samples at 300 Hz). The 257 Hz (St Petersburg INCART,
// in CinC 2021) and 1000 Hz (PTB) cases resample PTB-XL's samples as if they came at those rates:
// the shared data holds no record at either rate, and the work depends only on lengths and rates.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { butter, filtfilt, iirnotch, rdrecordSync, removeBaseline, resamplePoly, resampleSignal, sosfiltfilt } from '@ecglab/data';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({
  options: { json: { type: 'boolean', default: false }, rounds: { type: 'string', default: '7' }, budget: { type: 'string', default: '0.3' } },
});
const rounds = Number(args.rounds);
const budget = Number(args.budget);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const x = rdrecordSync(join(root, 'fixtures/data/ptbxl/records500/00000/00017_hr')).physical!; // [12][5000] Float64Array, mV
const x32 = x.map((l) => Float32Array.from(l));
const cinc = rdrecordSync(join(root, 'fixtures/data/cinc2017/training2017/A00067')).physical![0]!; // [9000]
const fs = 500;
const sos = butter(4, [0.5, 40], 'bandpass', fs);
const [b, a] = iirnotch(50, 30, fs);
const ops: Record<string, () => ArrayLike<number>[]> = {
  'resample 500->360, per lead': () => x.map((l) => resamplePoly(l, 18, 25)),
  'resample 500->360, 12 leads at once': () => resampleSignal(x, 500, 360),
  'resample 500->100 (PTB-XL), 12 leads at once': () => resampleSignal(x, 500, 100),
  'resample 500->100, float32 in': () => resampleSignal(x32, 500, 100),
  'resample 257->500 (INCART), 12 leads at once': () => resampleSignal(x, 257, 500),
  'resample 1000->500, 12 leads at once': () => resampleSignal(x, 1000, 500),
  'resample 300->250 (CinC 2017), 1 lead': () => [resamplePoly(cinc, 5, 6)],
  'resample 300->500 (CinC 2017), 1 lead': () => [resamplePoly(cinc, 5, 3)],
  'sosfiltfilt butter(4) band-pass, per lead': () => x.map((l) => sosfiltfilt(sos, l)),
  'filtfilt iirnotch 50 Hz, per lead': () => x.map((l) => filtfilt(b, a, l)),
  'median baseline 200/600 ms, per lead': () => removeBaseline(x, fs, { kind: 'median' }),
};

// ---- the scipy peer ----
const dir = mkdtempSync(join(tmpdir(), 'ecglab-bench-dsp-'));
const packed = new Float64Array(12 * x[0]!.length);
x.forEach((l, i) => packed.set(l, i * l.length));
writeFileSync(join(dir, 'ptbxl.f64'), new Uint8Array(packed.buffer));
writeFileSync(join(dir, 'cinc.f64'), new Uint8Array(Float64Array.from(cinc).buffer));
const py = spawn('/usr/bin/python3', [join(root, 'bench/dsp/bench_scipy.py'), join(dir, 'ptbxl.f64'), join(dir, 'cinc.f64')], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
async function ask(cmd: string, name: string, arg: string): Promise<Record<string, unknown>> {
  py.stdin.write(`${cmd}\t${name}\t${arg}\n`);
  const r = await lines.next();
  if (r.done) throw new Error(`bench_scipy.py exited (code ${py.exitCode}) before answering '${cmd} ${name}'`);
  return JSON.parse(r.value) as Record<string, unknown>;
}
const ready = (await lines.next()).value as string;
const versions = JSON.parse(ready) as { scipy: string; numpy: string };

const timeOurs = (f: () => unknown): number => {
  let calls = 0;
  const t = performance.now();
  while (calls === 0 || performance.now() - t < budget * 1000) {
    f();
    calls++;
  }
  return (performance.now() - t) / 1000 / calls;
};

const loadStart = loadavg()[0]!;
const started = new Date().toISOString();
const rows: ({ name: string; error: string } | { name: string; ecglabMs: number; scipyMs: number; speedRatio: number; ratios: number[]; maxAbsDiff: number })[] = [];
for (const [name, f] of Object.entries(ops)) {
  // agreement: the largest |ecglab − scipy| over every output sample
  let ours: ArrayLike<number>[];
  try {
    ours = f();
  } catch (err) {
    rows.push({ name, error: (err as Error).message }); // e.g. float32 input before resamplePoly took it
    continue;
  }
  const file = join(dir, 'out.f64');
  await ask('out', name, file);
  const ref = new Float64Array(readFileSync(file).buffer.slice(0));
  let maxDiff = 0;
  let k = 0;
  for (const lead of ours) for (let i = 0; i < lead.length; i++, k++) maxDiff = Math.max(maxDiff, Math.abs(lead[i]! - ref[k]!));
  if (k !== ref.length) throw new Error(`${name}: ecglab gave ${k} samples, scipy ${ref.length}`);
  // timing, interleaved: even rounds ecglab first, odd rounds scipy first
  const ecglab: number[] = [];
  const scipy: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ecglab.push(timeOurs(f));
      scipy.push((await ask('time', name, String(budget))).s as number);
    } else {
      scipy.push((await ask('time', name, String(budget))).s as number);
      ecglab.push(timeOurs(f));
    }
  }
  const ratios = ecglab.map((e, i) => scipy[i]! / e);
  rows.push({ name, ecglabMs: median(ecglab) * 1000, scipyMs: median(scipy) * 1000, speedRatio: median(ratios), ratios, maxAbsDiff: maxDiff });
}
py.stdin.end();
rmSync(dir, { recursive: true });
const result = {
  started, command: `node --import tsx bench/dsp/bench.ts --rounds ${rounds} --budget ${budget}`, node: process.version, ...versions,
  loadavg1: [loadStart, loadavg()[0]!], rounds, budgetS: budget, rows,
};
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(`load ${result.loadavg1.map((l) => l.toFixed(1)).join(' -> ')}; scipy ${versions.scipy}; ${rounds} rounds x ${budget} s of calls per side, interleaved`);
  for (const r of rows) {
    if ('error' in r) {
      console.log(`${r.name.padEnd(46)} ecglab failed: ${r.error}`);
      continue;
    }
    console.log(`${r.name.padEnd(46)} ecglab ${r.ecglabMs.toFixed(3).padStart(8)} ms   scipy ${r.scipyMs.toFixed(3).padStart(8)} ms   speed ${r.speedRatio.toFixed(2).padStart(6)}x   max|diff| ${r.maxAbsDiff.toExponential(1)}`);
  }
}
