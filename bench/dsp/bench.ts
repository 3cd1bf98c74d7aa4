// Signal-processing throughput of @ecglab/data against scipy 1.10 on the same 12-lead record,
// measured in the same run (one warm-up call each, then `--reps` timed calls).
//
//   node --import tsx bench/dsp/bench.ts [--reps 5] [--json]
//
// Input: PTB-XL record 00017 at 500 Hz (fixtures/data/ptbxl), 12 × 5000 samples in mV.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { butter, filtfilt, iirnotch, openPtbxl, removeBaseline, resamplePoly, sosfiltfilt } from '@ecglab/data';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const reps = Number(args.includes('--reps') ? args[args.indexOf('--reps') + 1] : '5');
const json = args.includes('--json');

async function main(): Promise<void> {
  const db = openPtbxl({ dir: join(root, 'fixtures/data/ptbxl'), fs: 500 });
  const rec = await db.load('17');
  const x = rec.signals.map((l) => Float64Array.from(l)); // the DSP layer works in float64, as scipy
  const fs = rec.fs;
  const sos = butter(4, [0.5, 40], 'bandpass', fs);
  const [b, a] = iirnotch(50, 30, fs);
  const ops: Record<string, () => unknown> = {
    'resample_poly 500->360 (12 leads)': () => x.map((l) => resamplePoly(l, 18, 25)),
    'sosfiltfilt butter(4) band-pass (12 leads)': () => x.map((l) => sosfiltfilt(sos, l)),
    'filtfilt iirnotch 50 Hz (12 leads)': () => x.map((l) => filtfilt(b, a, l)),
    'median baseline 200/600 ms (12 leads)': () => removeBaseline(x, fs, { kind: 'median' }),
  };
  const ours: Record<string, number> = {};
  for (const [name, f] of Object.entries(ops)) {
    f();
    const t = performance.now();
    for (let i = 0; i < reps; i++) f();
    ours[name] = (performance.now() - t) / 1000 / reps;
  }
  const tmp = join(mkdtempSync(join(tmpdir(), 'ecglab-bench-')), 'x.f64');
  const packed = new Float64Array(12 * x[0]!.length);
  x.forEach((l, i) => packed.set(l, i * l.length));
  writeFileSync(tmp, new Uint8Array(packed.buffer));
  const py = spawnSync('/usr/bin/python3', [join(root, 'bench/dsp/bench_scipy.py'), tmp, String(fs), String(reps)], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`bench_scipy.py failed: ${py.stderr}`);
  const scipy = JSON.parse(py.stdout) as Record<string, number>;
  const rows = Object.keys(ops).map((name) => ({ name, ecglabMs: ours[name]! * 1000, scipyMs: scipy[name]! * 1000, ratio: scipy[name]! / ours[name]! }));
  if (json) console.log(JSON.stringify(rows));
  else for (const r of rows) console.log(`${r.name.padEnd(45)} ecglab ${r.ecglabMs.toFixed(2).padStart(8)} ms   scipy ${r.scipyMs.toFixed(2).padStart(8)} ms   speed ${r.ratio.toFixed(2)}× scipy`);
}

await main();
