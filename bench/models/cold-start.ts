// The first steps of a fresh process: Ma & Liang's CNN on CinC 2017 records (batch 32, 6 train steps with growing
// offsets, then 3 inference batches), each step's milliseconds and minor page faults, in child processes that
// alternate between the caching allocator's blocks on transparent huge pages and on 4 KiB pages
// (ECGLAB_CPU_HUGE_PAGES=0). Steady-state steps hit the allocator's cache either way; the first ones fault
// their activations in, 512 pages at a time with huge pages.
//
//   node --import tsx bench/models/cold-start.ts [--runs 3] [--threads 2] [--json]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cpuAllocatorStats, F, manualSeed, noGrad, optim, setNumThreads, tidy } from '@ecglab/engine';
import { collate, InputPipeline } from '@ecglab/data';
import { MA_LIANG_DEFAULTS, MaLiangNet, openDataset, toTensorBatch } from '@ecglab/models';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({ options: {
  runs: { type: 'string', default: '3' }, threads: { type: 'string', default: '2' }, json: { type: 'boolean', default: false },
  child: { type: 'boolean', default: false },
} });
type Step = { kind: 'train' | 'infer'; ms: number; faults: number };

async function child(): Promise<void> {
  setNumThreads(Number(args.threads));
  manualSeed(0);
  const data = await openDataset({ kind: 'cinc2017', path: join(root, 'fixtures/data/cinc2017/training2017'), limit: 96 }, { inputLeads: [0] });
  const pipe = await InputPipeline.create({ source: data.source(), conform: data.conform, batchSize: 32, seed: 0, maxSamples: 18000 });
  const records = await Promise.all(pipe.ids.map((_, i) => pipe.conformed(i)));
  const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS }, 1, 4, 'max-abs');
  const adam = new optim.Adam(net.parameters(), { lr: 3e-4 });
  const batch = (k: number, offset: number) => toTensorBatch(collate(records.slice(k * 32, k * 32 + 32).map((r, i) => (
    { id: r.id, index: i, signals: r.signals, offset, targets: Float32Array.from({ length: 4 }, (_, c) => (c === data.labels[k * 32 + i] ? 1 : 0)) })),
  net.padMultiple, net.minLength), 'single-label');
  const faults = () => process.resourceUsage().minorPageFault;
  const steps: Step[] = [];
  const timed = (kind: Step['kind'], fn: () => void) => {
    const f0 = faults();
    const t0 = performance.now();
    fn();
    steps.push({ kind, ms: performance.now() - t0, faults: faults() - f0 });
  };
  for (let k = 0; k < 6; k++) {
    timed('train', () => tidy(() => {
      const b = batch(k % 3, 1000 + 300 * k); // a longer batch now and then: new block sizes, as a real epoch has
      const loss = F.crossEntropy(net.logits(b), b.labels!);
      adam.zeroGrad();
      loss.backward();
      adam.step();
      loss.item();
    }));
  }
  net.eval();
  for (let k = 0; k < 3; k++) timed('infer', () => tidy(() => noGrad(() => net.logits(batch(k, 0)).softmax(1).toArray())));
  console.log(JSON.stringify({ hugePages: cpuAllocatorStats().hugePages, steps }));
}

function main(): void {
  const runs: { hugePages: boolean; steps: Step[] }[] = [];
  const load0 = loadavg()[0]!;
  for (let r = 0; r < Number(args.runs); r++) {
    for (const huge of r % 2 === 0 ? [true, false] : [false, true]) { // alternate who goes first
      const out = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', '--threads', args.threads!],
        { cwd: root, encoding: 'utf8', env: { ...process.env, ECGLAB_CPU_HUGE_PAGES: huge ? '1' : '0' } });
      if (out.status !== 0) throw new Error(`cold-start child failed: ${out.stderr}`);
      runs.push(JSON.parse(out.stdout.trim().split('\n').pop()!) as { hugePages: boolean; steps: Step[] });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const summary = Object.fromEntries([true, false].map((huge) => {
    const mine = runs.filter((r) => r.hugePages === huge);
    const at = (i: number) => ({ ms: median(mine.map((r) => r.steps[i]!.ms)), faults: median(mine.map((r) => r.steps[i]!.faults)) });
    return [huge ? 'hugePages' : 'smallPages', { firstTrainStep: at(0), secondTrainStep: at(1), thirdTrainStep: at(2), firstInferBatch: at(6),
      totalMs: median(mine.map((r) => r.steps.reduce((a, s) => a + s.ms, 0))) }];
  }));
  const result = { bench: 'models/cold-start', started: new Date().toISOString(), load_average_1m: { start: load0, end: loadavg()[0]! }, summary, runs };
  if (args.json) { console.log(JSON.stringify(result, null, 1)); return; }
  for (const [k, v] of Object.entries(summary)) {
    console.log(`${k.padEnd(11)} first train step ${v.firstTrainStep.ms.toFixed(0)} ms / ${v.firstTrainStep.faults} faults, second ${v.secondTrainStep.ms.toFixed(0)} ms / ${v.secondTrainStep.faults}, ` +
      `third ${v.thirdTrainStep.ms.toFixed(0)} ms / ${v.thirdTrainStep.faults}, first inference ${v.firstInferBatch.ms.toFixed(0)} ms / ${v.firstInferBatch.faults}; all 9 steps ${v.totalMs.toFixed(0)} ms`);
  }
}

if (args.child) await child();
else main();
