// One ecglab process of bench/distributed/ddp.ts that steps through the real trainer (@ecglab/models' train():
// the input pipeline's batches, the objective, backward with GradientSync, clipping, Adam, the schedule, the
// per-step collectives of a data-parallel run), alone or as one rank of a group. Ma & Liang's CNN at its default
// size on the CinC 2017 fixture records, each cut or padded to 9,216 samples (30.72 s at 300 Hz), no shifts, plain
// cross-entropy, Adam 3e-4, clipping at 1.0: the configuration of ddp_worker.ts and ddp_torch.py, with real records.
// Same protocol as ddp_worker.ts: stdin `run K` → K trainer steps; rank 0 prints their seconds. The trainer
// is paused between turns inside its progress hook (a blocking read of stdin, when no collective is pending).
// Steps that start or end an epoch are not timed (the first waits for the prefetch, the last is a partial batch,
// and validation and the checkpoint fall between epochs).
import { readSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { distributed as dist } from '@ecglab/engine';
import { parseRunConfig, train, type Progress } from '@ecglab/models';

const { values: a } = parseArgs({
  options: {
    init: { type: 'string' }, rank: { type: 'string', default: '0' }, world: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' }, batch: { type: 'string', default: '32' }, length: { type: 'string', default: '9216' },
  },
});
const world = Number(a.world);
const rank = Number(a.rank);
const fs = 300;
const root = fileURLToPath(new URL('../../', import.meta.url));
const cfg = parseRunConfig({
  name: 'bench-ddp',
  seed: 1,
  // libtorch threads of this process (train() also caps them at cores / local processes).
  threads: Number(a.threads),
  data: { kind: 'cinc2017', path: join(root, 'fixtures/data/cinc2017/training2017') },
  input: { kind: 'max-abs', leads: [0], maxSeconds: Number(a.length) / fs, maxShiftSeconds: 0 },
  model: { kind: 'ma-liang' },
  optimizer: { kind: 'adam', lr: 3e-4 },
  schedule: { kind: 'cosine' },
  train: { epochs: 1000, batchSize: Number(a.batch) * world, classWeights: 'none', gradClip: 1, valFraction: 0.1, checkpointMinutes: 0 },
}, 'bench/distributed/trainer_worker.ts');

if (world > 1) await dist.initProcessGroup({ initMethod: a.init, rank, worldSize: world, timeout: 600_000 });

// stdin lines, read blocking: the trainer is paused in its progress hook meanwhile.
let pending = '';
function nextCommand(): string[] {
  const buf = Buffer.alloc(256);
  while (!pending.includes('\n')) {
    const n = readSync(0, buf, 0, buf.length, null);
    if (n === 0) return ['quit'];
    pending += buf.toString('utf8', 0, n);
  }
  const line = pending.slice(0, pending.indexOf('\n'));
  pending = pending.slice(pending.indexOf('\n') + 1);
  return line.trim().split(/\s+/);
}

const out = mkdtempSync(join(tmpdir(), 'ecglab-bench-ddp-'));
let ready = false;
let left = 0;
let seconds: number[] = [];
let last = 0n;
let steps = 0;
let timed = false;  // whether the step now ending started inside an epoch, after a timed point

/** Waits for the next command: `run K` resumes for K timed steps, anything else ends the process. */
function command(): void {
  const [cmd, k] = nextCommand();
  if (cmd !== 'run') {
    rmSync(out, { recursive: true, force: true });
    process.exit(0);
  }
  left = Number(k);
  seconds = [];
}

const progress: Progress = {
  startEpoch(_epoch, _epochs, stepsPerEpoch) {
    steps = stepsPerEpoch;
    timed = false;
  },
  step(done) {
    const now = process.hrtime.bigint();
    if (!ready) {
      ready = true;  // after a warm-up step
      if (rank === 0) console.log(JSON.stringify({ ready: true }));
      command();
    } else {
      if (timed && done < steps) {
        seconds.push(Number(now - last) / 1e9);
        left--;
      }
      if (left === 0) {
        if (rank === 0) console.log(JSON.stringify({ seconds }));
        command();
      }
    }
    timed = true;
    last = process.hrtime.bigint();
  },
  endEpoch() {},
  stop() {},
};
await train(cfg, { out, progress, bootstrapIterations: 10 });
