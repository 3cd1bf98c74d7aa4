// One ecglab rank of bench/distributed/allreduce.ts: joins the group, then for each stdin line
// `run <bytes> <iters> <warmup>` times `iters` all-reduces (sum) of a float32 tensor of `bytes` bytes; rank 0
// prints one JSON line of per-call seconds. `quit` leaves.
import { createInterface } from 'node:readline';
import { distributed as dist, zeros } from '@ecglab/engine';

const [initMethod, rank, worldSize] = process.argv.slice(2);
await dist.initProcessGroup({ initMethod, rank: Number(rank), worldSize: Number(worldSize), timeout: 120_000 });
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, bytes, iters, warmup] = line.trim().split(/\s+/);
  if (cmd === 'quit') break;
  const t = zeros([Number(bytes) / 4]);
  for (let i = 0; i < Number(warmup); i++) await dist.allReduce(t, 'sum');
  await dist.barrier();
  const seconds: number[] = [];
  for (let i = 0; i < Number(iters); i++) {
    const t0 = process.hrtime.bigint();
    await dist.allReduce(t, 'sum');
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  t.dispose();
  if (Number(rank) === 0) console.log(JSON.stringify({ bytes: Number(bytes), seconds }));
}
await dist.destroyProcessGroup();
