// One ecglab process of bench/distributed/ddp.ts: Ma & Liang's CNN (@ecglab/models) trained on synthetic batches,
// alone (world size 1) or as one rank of a data-parallel group, averaging gradients after backward
// (allReduceGradients) or during it (GradientSync). stdin `run K` → K train steps; rank 0 prints per-step seconds.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { distributed as dist, F, optim, randn, randint, ones, manualSeed, setNumThreads, tidy } from '@ecglab/engine';
import { MaLiangNet, MA_LIANG_DEFAULTS } from '@ecglab/models';

const { values: a } = parseArgs({
  options: {
    init: { type: 'string' }, rank: { type: 'string', default: '0' }, world: { type: 'string', default: '1' },
    threads: { type: 'string', default: '1' }, batch: { type: 'string', default: '32' },
    length: { type: 'string', default: '9216' }, sync: { type: 'string', default: 'after' },
    'bucket-mib': { type: 'string', default: '25' },
  },
});
setNumThreads(Number(a.threads));
const world = Number(a.world);
const rank = Number(a.rank);
if (world > 1) await dist.initProcessGroup({ initMethod: a.init, rank, worldSize: world, timeout: 300_000 });
manualSeed(rank);
const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS }, 1, 4);
if (world > 1) await dist.broadcastParameters(net.parameters(), 0);
const opt = new optim.Adam(net.parameters(), { lr: 3e-4 });
const bucketBytes = Number(a['bucket-mib']) * 2 ** 20;
const overlap = world > 1 && a.sync === 'overlap' ? new dist.GradientSync(net.parameters(), { bucketBytes }) : null;
const batch = Number(a.batch);
const x = randn([batch, 1, Number(a.length)]);   // [B, 1, L]
const mask = ones([batch, 1, Number(a.length)]); // [B, 1, L]
const y = randint(0, 4, [batch]);

async function step(): Promise<void> {
  opt.zeroGrad();
  tidy(() => F.crossEntropy(net.call(x, mask), y).backward());
  if (overlap) await overlap.finish();
  else if (world > 1) await dist.allReduceGradients(net.parameters(), { bucketBytes });
  optim.clipGradNorm(net.parameters(), 1.0);
  opt.step();
}

await step();  // warm-up
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, k] = line.trim().split(/\s+/);
  if (cmd !== 'run') break;
  const seconds: number[] = [];
  for (let i = 0; i < Number(k); i++) {
    const t0 = process.hrtime.bigint();
    await step();
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (rank === 0) console.log(JSON.stringify({ seconds }));
}
overlap?.dispose();
if (world > 1) await dist.destroyProcessGroup();
