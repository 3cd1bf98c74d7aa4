// Training and inference throughput (records/s) of Ma & Liang's CNN on CinC 2017 records: ecglab
// (TypeScript over libtorch) against the same model and pipeline in Python PyTorch, measured in the
// same run on the same records, as a ratio.
//
//   node --import tsx bench/models/bench.ts [--data DIR] [--records 96] [--batch 32] [--steps 6]
//        [--threads 2] [--width 64] [--depth 2,2,2,2] [--rounds 3] [--json]
//
// Both sides: records read once up front; timed: per batch max-abs scaling, zero-padding to a
// multiple of the total stride with a mask and random offsets (training), forward, class-weighted
// cross-entropy, backward, gradient clipping at 5, an Adam step; inference on length-sorted batches
// with softmax. One warm-up step each, not timed. The two sides alternate for --rounds rounds and the
// best (fastest) round of each is reported, so a burst of load on the shared machine hits both alike.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { F, fromArray, manualSeed, noGrad, optim, setNumThreads, tidy } from '@ecglab/engine';
import { loadDataset, MA_LIANG_DEFAULTS, MaLiangNet, padBatch, prepareSignal, Rng, type InputConfig, type LabeledRecord } from '@ecglab/models';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
function opt(name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}
const dataDir = opt('data', join(root, 'fixtures/data/cinc2017/training2017'));
const nRecords = Number(opt('records', '96'));
const batch = Number(opt('batch', '32'));
const steps = Number(opt('steps', '6'));
const threads = Number(opt('threads', '2'));
const width = Number(opt('width', '64'));
const depth = opt('depth', '2,2,2,2').split(',').map(Number);
const rounds = Number(opt('rounds', '3'));
const json = args.includes('--json');
const SHIFT = 3000;

type Side = { trainRecordsPerSecond: number; inferRecordsPerSecond: number; trainSeconds: number; inferSeconds: number };

async function measureEcglab(records: LabeledRecord[]): Promise<Side> {
  const input: InputConfig = { kind: 'max-abs', leads: [0], maxSeconds: 60, maxShiftSeconds: 0 };
  const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS, width, depth }, 1, 4);
  const adam = new optim.Adam(net.parameters(), { lr: 3e-4 });
  const weight = fromArray(new Float32Array(4).fill(1), [4]);
  const rng = new Rng(0);

  const makeBatch = (recs: LabeledRecord[], train: boolean) => {
    const sigs = recs.map((r) => prepareSignal(r.signal.map((l) => Float64Array.from(l)), r.fs, input, null, r.id));
    const offsets = train ? recs.map(() => rng.int(SHIFT)) : null;
    const b = padBatch(sigs, offsets, net.stride, 3 * net.stride);
    return { x: fromArray(b.x, b.shape), mask: fromArray(b.mask, [b.shape[0], 1, b.shape[2]]) };
  };
  const trainStep = (recs: LabeledRecord[]) =>
    tidy(() => {
      const { x, mask } = makeBatch(recs, true);
      const y = fromArray(BigInt64Array.from(recs, (r) => BigInt(r.label)), [recs.length]);
      const loss = F.crossEntropy(net.call(x, mask), y, { weight });
      adam.zeroGrad();
      loss.backward();
      optim.clipGradNorm(net.parameters(), 5);
      adam.step();
      return loss.item();
    });

  const order = rng.shuffle(records.map((_, i) => i));
  net.train();
  trainStep(order.slice(0, batch).map((i) => records[i]!));
  let t0 = performance.now();
  let n = 0;
  for (let s = 0; s < steps; s++) {
    const idx = Array.from({ length: batch }, (_, k) => order[(s * batch + k) % order.length]!);
    trainStep(idx.map((i) => records[i]!));
    n += idx.length;
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  net.eval();
  const byLen = records.map((_, i) => i).sort((a, b) => records[a]!.signal[0]!.length - records[b]!.signal[0]!.length);
  const infer = (idx: number[]) => tidy(() => noGrad(() => {
    const { x, mask } = makeBatch(idx.map((i) => records[i]!), false);
    return net.call(x, mask).softmax(1).toArray();
  }));
  infer(byLen.slice(0, batch));
  t0 = performance.now();
  for (let s = 0; s < byLen.length; s += batch) infer(byLen.slice(s, s + batch));
  const inferSeconds = (performance.now() - t0) / 1000;
  net.dispose();
  adam.dispose();
  weight.dispose();
  return { trainRecordsPerSecond: n / trainSeconds, inferRecordsPerSecond: records.length / inferSeconds, trainSeconds, inferSeconds };
}

function measurePytorch(records: LabeledRecord[]): Side & { torch: string; threads: number } {
  const py = spawnSync('/usr/bin/python3', [
    join(root, 'bench/models/bench_torch.py'), '--dir', dataDir, '--ids', records.map((r) => r.id).join(','),
    '--labels', records.map((r) => r.label).join(','), '--batch', String(batch), '--steps', String(steps),
    '--threads', String(threads), '--width', String(width), '--depth', depth.join(','), '--shift', String(SHIFT),
  ], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`bench_torch.py failed:\n${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').pop()!);
}

const best = <T extends Side>(xs: T[]): T => ({
  ...xs[0]!,
  trainRecordsPerSecond: Math.max(...xs.map((x) => x.trainRecordsPerSecond)),
  inferRecordsPerSecond: Math.max(...xs.map((x) => x.inferRecordsPerSecond)),
  trainSeconds: Math.min(...xs.map((x) => x.trainSeconds)),
  inferSeconds: Math.min(...xs.map((x) => x.inferSeconds)),
});

async function main(): Promise<void> {
  setNumThreads(threads);
  manualSeed(0);
  const data = await loadDataset({ kind: 'cinc2017', path: dataDir, limit: nRecords }, 0);
  const records = data.records;
  const tsRounds: Side[] = [];
  const pyRounds: (Side & { torch: string; threads: number })[] = [];
  for (let r = 0; r < rounds; r++) {
    tsRounds.push(await measureEcglab(records));
    pyRounds.push(measurePytorch(records));
  }
  const ts = best(tsRounds);
  const torch = best(pyRounds);
  const result = {
    bench: 'models/ma-liang-cinc2017',
    setup: { records: records.length, batch, steps, threads, width, depth, rounds, data: dataDir },
    rounds: { ecglab: tsRounds, pytorch: pyRounds },
    ecglab: ts,
    pytorch: torch,
    ratio: {
      train: ts.trainRecordsPerSecond / torch.trainRecordsPerSecond,
      infer: ts.inferRecordsPerSecond / torch.inferRecordsPerSecond,
    },
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `Ma & Liang CNN (width ${width}, depth ${depth.join('/')}), ${records.length} CinC 2017 records, batch ${batch}, ${threads} threads\n` +
        `train  records/s: ecglab ${ts.trainRecordsPerSecond.toFixed(1)}  PyTorch ${torch.trainRecordsPerSecond.toFixed(1)}  ratio ${result.ratio.train.toFixed(2)}\n` +
        `infer  records/s: ecglab ${ts.inferRecordsPerSecond.toFixed(1)}  PyTorch ${torch.inferRecordsPerSecond.toFixed(1)}  ratio ${result.ratio.infer.toFixed(2)}\n`,
    );
  }
}

await main();
