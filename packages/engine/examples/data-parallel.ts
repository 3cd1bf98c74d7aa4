// Data-parallel training with @ecglab/engine's distributed module, end to end on a small synthetic task.
//
//   node --import tsx packages/engine/examples/data-parallel.ts --nproc 2          # 2 local workers
//   torchrun --nproc_per_node 2 --no_python node --import tsx packages/engine/examples/data-parallel.ts
//
// Without RANK in the environment it is a launcher: it starts --nproc copies of itself with torchrun's variables
// (and threads per worker so that workers × threads ≤ cores). With RANK set (by the launcher or by torchrun) it is
// a worker: it joins the group, takes its shard of each epoch and averages gradients after each backward.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import {
  distributed as dist, nn, optim, F, fromArray, manualSeed, randperm, noGrad, tidy, tensor,
} from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    nproc: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '32' },  // global batch: each of N workers takes batch / N
  },
});

async function launch(nproc: number): Promise<void> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const threads = Math.max(1, Math.floor(availableParallelism() / nproc));
  const workers = Array.from({ length: nproc }, (_, rank) => spawn(process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: {
        ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: String(nproc),
        RANK: String(rank), LOCAL_RANK: String(rank), LOCAL_WORLD_SIZE: String(nproc), ECGLAB_NUM_THREADS: String(threads),
      },
    }));
  const codes = await Promise.all(workers.map((w) => new Promise<number>((r) => w.on('close', (c) => r(c ?? 1)))));
  process.exitCode = codes.some((c) => c !== 0) ? 1 : 0;
}

// Two classes of noisy sinusoids, 16 samples long; the same data in every worker (each reads only its shard).
function dataset(n: number): { x: Float32Array; y: BigInt64Array } {
  const x = new Float32Array(n * 16);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    y[i] = BigInt(label);
    for (let t = 0; t < 16; t++) x[i * 16 + t] = Math.sin((label ? 0.9 : 0.4) * t + i) + 0.3 * Math.sin(i * 7.1 + t * 3.3);
  }
  return { x, y };
}

function rows<T extends Float32Array | BigInt64Array>(a: T, width: number, idx: number[]): T {
  const out = new (a.constructor as new (n: number) => T)(idx.length * width);
  idx.forEach((i, k) => out.set(a.subarray(i * width, (i + 1) * width) as never, k * width));
  return out;
}

async function work(): Promise<void> {
  const info = await dist.initProcessGroup({ backend: 'gloo', timeout: 60_000 });  // env://: torchrun's variables
  const { rank, worldSize } = info;
  const perRank = Number(args.batch) / worldSize;
  const data = dataset(512);
  manualSeed(rank);  // different initial weights on purpose: broadcastParameters makes them rank 0's
  const model = new nn.Sequential(new nn.Linear(16, 32), new nn.ReLU(), new nn.Linear(32, 2));
  await dist.broadcastParameters([...model.parameters(), ...model.buffers()], 0);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });

  for (let epoch = 0; epoch < Number(args.epochs); epoch++) {
    // PyTorch's DistributedSampler: the same seeded order (seed + epoch) everywhere, one shard per rank.
    manualSeed(1000 + epoch);
    const order = Array.from(randperm(512).toArray() as BigInt64Array, Number);
    const mine = dist.shardIndices(order, { rank, worldSize, dropLast: true });
    let lossSum = 0;
    let steps = 0;
    for (let s = 0; s + perRank <= mine.length; s += perRank) {
      const idx = mine.slice(s, s + perRank);
      opt.zeroGrad();
      lossSum += tidy(() => {
        const logits = model.call(fromArray(rows(data.x, 16, idx), [idx.length, 16]));  // [B, 2]
        const loss = F.crossEntropy(logits, fromArray(rows(data.y, 1, idx), [idx.length]));
        loss.backward();
        return loss.item();
      });
      await dist.allReduceGradients(model.parameters());
      optim.clipGradNorm(model.parameters(), 1.0);  // after averaging, so every rank clips the same gradient
      opt.step();
      steps++;
    }
    // Metrics over all ranks: the mean training loss, and correct answers over each rank's shard, summed.
    const correct = noGrad(() => tidy(() => {
      const pred = model.call(fromArray(rows(data.x, 16, mine), [mine.length, 16])).argmax(1);  // [shard]
      return pred.eq(fromArray(rows(data.y, 1, mine), [mine.length])).sum().item();
    }));
    const stats = tensor([lossSum / steps / worldSize, correct, mine.length], { dtype: 'float64' });
    await dist.allReduce(stats, 'sum');
    const [loss, right, seen] = stats.tolist() as number[];
    stats.dispose();
    if (rank === 0) console.log(`epoch ${epoch}: loss ${loss!.toFixed(4)}, accuracy ${(right! / seen!).toFixed(3)} (${worldSize} workers)`);
  }
  await dist.barrier();
  await dist.destroyProcessGroup();
}

if (process.env.RANK === undefined) await launch(Number(args.nproc));
else await work();
