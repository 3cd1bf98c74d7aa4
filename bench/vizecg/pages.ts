// How much of a VizECGNet training step is spent waiting for its pages, with pages drawn in worker threads
// (PageRenderer, the trainer's path) against on the training thread (workers 0), measured in the same run.
//
//   ECGLAB_DATA=../shared/data node --import tsx bench/vizecg/pages.ts [--data DIR] [--records 64] [--batch 16]
//        [--rounds 2] [--threads 1] [--workers 1] [--json] [--save: also write bench/vizecg/results/<time>-pages.json]
//
// Data: the first --records WFDB records under --data (default ${ECGLAB_DATA}/ptbxl/records100, else the 16
// fixture records), conformed to nothing (PTB-XL 100 Hz, 12 leads), random multi-hot targets over 5 classes.
// Each round runs one epoch with the page hook on the training thread and one with --workers workers (the order
// alternates per round), through the input pipeline exactly as the trainer does (prefetch 2, training pages of
// the default mix at 40 DPI, 3×4+II), and a training step of VIZECGNET_DEFAULTS per batch (objective 'vizecg',
// backward, Adam). Reported per setting: seconds waiting for batches, seconds in steps, the waiting share
// wait / (wait + step), the same without each epoch's first batch (which nothing can prefetch), and seconds per
// batch with and without the wait (on 2 shared cores the worker's drawing competes with the step for CPU).
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { manualSeed, optim, setNumThreads, tidy } from '@ecglab/engine';
import { InputPipeline, memorySource, readRecord, Rng, type EcgRecord } from '@ecglab/data';
import { dataDir } from '@ecglab/data';
import {
  PAGE_DEFAULTS, pageExtras, PageRenderer, toTensorBatch, VizECGNet, VIZECGNET_DEFAULTS, vizEcgObjective, VIZECG_OBJECTIVE_DEFAULTS, type StepContext,
} from '../../packages/models/src/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = join(dataDir(), 'ptbxl/records100');
const { values: args } = parseArgs({ options: {
  data: { type: 'string', default: statSync(shared, { throwIfNoEntry: false })?.isDirectory() ? shared : join(root, 'fixtures/data/ptbxl/records100') },
  records: { type: 'string', default: '64' }, batch: { type: 'string', default: '16' }, rounds: { type: 'string', default: '2' },
  threads: { type: 'string', default: '1' }, workers: { type: 'string', default: '1' }, json: { type: 'boolean', default: false },
  save: { type: 'boolean', default: false },
} });
const dir = args.data;
const nRecords = Number(args.records);
const N = Number(args.batch);
const rounds = Number(args.rounds);
const threads = Number(args.threads);
const workers = Number(args.workers);
const json = args.json;
const log = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };

function heaFiles(d: string, out: string[] = []): string[] {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) heaFiles(p, out);
    else if (name.endsWith('.hea')) out.push(p.slice(0, -4));
  }
  return out;
}

setNumThreads(threads);
const records: EcgRecord[] = await Promise.all(heaFiles(dir).slice(0, nRecords).map((p) => readRecord(p)));
const rng = new Rng(7);
const targets = records.map(() => Float32Array.from({ length: 5 }, () => (rng.next() < 0.3 ? 1 : 0)));
manualSeed(1);
const net = new VizECGNet(VIZECGNET_DEFAULTS, 12, 5);
net.train();
const opt_ = new optim.Adam(net.parameters(), { lr: 1e-4 });
const objective = vizEcgObjective(VIZECG_OBJECTIVE_DEFAULTS);
const ctx: StepContext = {
  task: 'multi-label', classes: 5, epoch: 0, epochs: 1, step: 0, stepsPerEpoch: 1, rng: new Rng(0), lr: 1e-4,
  scheduler: new optim.lrScheduler.StepLR(opt_, { stepSize: 1000 }), classWeights: null,
};
const pages = { ...PAGE_DEFAULTS, layouts: ['3x4+II' as const] };

interface Setting { workers: number; waitS: number; stepS: number; firstWaitS: number; batches: number; renderS: number }
const totals = new Map<number, Setting>();
async function epoch(w: number, e: number): Promise<void> {
  const renderer = new PageRenderer(w);
  const hook = pageExtras({ pages, renderer, variant: 'train' });
  const pipe = await InputPipeline.create({
    source: memorySource(records, targets), batchSize: N, seed: 1, order: 'shuffle', random: true,
    padMultiple: net.padMultiple, minLength: net.minLength, extras: hook.extras,
  });
  const s = totals.get(w) ?? { workers: w, waitS: 0, stepS: 0, firstWaitS: 0, batches: 0, renderS: 0 };
  let asked = performance.now();
  let b = 0;
  for await (const batch of pipe.epoch(e)) {
    const wait = (performance.now() - asked) / 1000;
    if (b === 0) s.firstWaitS += wait;
    s.waitS += wait;
    const t0 = performance.now();
    tidy(() => {
      const { loss } = objective.compute(net, toTensorBatch(batch, 'multi-label'), ctx);
      opt_.zeroGrad();
      loss.backward();
      opt_.step();
    });
    s.stepS += (performance.now() - t0) / 1000;
    s.batches++;
    b++;
    asked = performance.now();
  }
  s.renderS += renderer.stats.renderMs / 1000;
  await renderer.close();
  totals.set(w, s);
}

const load0 = loadavg()[0]!;
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [0, workers] : [workers, 0];
  for (const w of order) {
    await epoch(w, r);
    const s = totals.get(w)!;
    log(`round ${r + 1}/${rounds} workers ${w}: wait ${s.waitS.toFixed(1)} s, steps ${s.stepS.toFixed(1)} s so far`);
  }
}
const results = [...totals.values()].map((s) => ({
  ...s,
  waitShare: s.waitS / (s.waitS + s.stepS),
  waitShareAfterFirstBatch: (s.waitS - s.firstWaitS) / (s.waitS - s.firstWaitS + s.stepS),
  renderMsPerPage: (1000 * s.renderS) / (s.batches * N),
  stepSPerBatch: s.stepS / s.batches,
  /** What the epoch cost per batch: the step and the wait for it. With 2 busy cores a worker's drawing can slow the step itself. */
  totalSPerBatch: (s.stepS + s.waitS) / s.batches,
}));
const out = { time: new Date().toISOString(), data: relative(root, dir), records: records.length, batch: N, rounds, threads, load: [load0, loadavg()[0]!], results };
if (json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
else {
  for (const r of results) {
    log(`workers ${r.workers}: ${r.batches} steps, ${r.stepSPerBatch.toFixed(2)} s/step (${r.totalSPerBatch.toFixed(2)} s with the wait), wait ${r.waitS.toFixed(1)} s = ${(100 * r.waitShare).toFixed(1)} % of step time ` +
      `(${(100 * r.waitShareAfterFirstBatch).toFixed(1)} % without each epoch's first batch), ${r.renderMsPerPage.toFixed(0)} ms per page drawn`);
  }
  log(`load ${out.load.map((l) => l.toFixed(1)).join(' → ')}`);
}
if (args.save) writeFileSync(join(root, `bench/vizecg/results/${out.time.slice(0, 16).replace(':', '')}-pages.json`), `${JSON.stringify(out, null, 2)}\n`);
opt_.dispose();
net.dispose();
