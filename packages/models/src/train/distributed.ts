// The trainer's rank logic: how a step runs alone (`solo`) or as one rank of a data-parallel group over the
// engine's process group (`joinRanks` when `distributed.initProcessGroup` has run, e.g. under torchrun or
// `ecglab train --nproc N`). The trainer's loop is the same either way; this module decides what is sharded,
// what is averaged and who writes.
//
// The rules of a data-parallel run, and why:
// - `train.batchSize` is the global batch. Every rank draws the same seeded plan, and each batch of it is split
//   among the ranks (positions r, r + N, ...; InputPipeline.epoch with a shard by records), each record with
//   the window and shift of its position in the whole batch, and each part padded to the whole batch's length
//   (one small all-reduce per step): GroupNorm sees the padding, so this is what makes N processes train as one.
// - Each rank's loss is a mean over its part; scaled by N × its share of the batch before backward (and a
//   class-weighted cross-entropy renormalised by the whole batch's weights), the gradients averaged over ranks
//   (GradientSync, overlapped with backward) are those of the whole batch's loss. Clipping follows the
//   average, so every rank clips and steps alike and the parameters stay equal.
// - Validation is sharded by whole batches (rank r predicts batches r, r + N, ... of the same by-length plan,
//   each exactly as one process would) and gathered, so every rank computes the same metrics, the same best
//   epoch and the same early stop. Buffers (BatchNorm's running statistics) are rank 0's, as with DDP's
//   broadcast_buffers.
// - Rank 0 alone writes the run directory; on --resume every rank reads the same checkpoint (so `--out` must be
//   a folder all machines see), which is checked. A failed collective stops the rank with an error naming it,
//   the operation, and what to do.
import { availableParallelism } from 'node:os';
import { distributed as dist, fromArray, tensor, TorchError, type nn, type Tensor } from '@ecglab/engine';
import { padBatch, type Batch, type InputPipeline } from '@ecglab/data';
import { DistributedError } from '../errors.js';
import type { Predictor } from '../inference/predictor.js';
import type { StepShard } from '../objectives/objective.js';
import type { Task } from '../task.js';

/** A step's batch as this rank trains on it. */
export interface PreparedStep {
  batch: Batch;
  /** This rank's share of the whole batch (data-parallel runs only), for the objective's StepContext. */
  shard?: StepShard;
  /** The factor of the loss before backward (N × the share of records; 1 alone). */
  lossScale: number;
}

/** Where the trainer stands, to check that every rank resumed from the same checkpoint. */
export interface Position {
  epoch: number;
  batchInEpoch: number;
  step: number;
}

/** How the trainer's steps run: alone, or as one rank of a data-parallel group. */
export interface Ranks {
  readonly rank: number;
  readonly worldSize: number;
  /** Whether this process writes the run directory (log, checkpoints, model, metrics): rank 0, or the only process. */
  readonly writes: boolean;
  /** libtorch threads for this process, from the config's count. */
  threads(configured: number): number;
  /**
   * Makes every rank's model rank 0's (parameters and buffers) and starts averaging gradients during backward.
   * `recordWeight(i)` is the class weight of training record i's loss (single-label with class weights), or null.
   */
  start(model: nn.Module, recordWeight: ((i: number) => number) | null): Promise<void>;
  /** After restoring a checkpoint: checks that every rank stands where rank 0 does. */
  resumed(at: Position): Promise<void>;
  /** This rank's batches (or parts of batches) of `epoch`, from batch `from` of its plan. */
  batches(pipe: InputPipeline, epoch: number, from: number): AsyncIterable<Batch>;
  /** Makes a batch from `batches` ready for its step (padded as the whole batch) and tells its share. */
  prepare(batch: Batch): Promise<PreparedStep>;
  /** After backward: waits for the gradients averaged over ranks. */
  averageGradients(): Promise<void>;
  /** The whole step's loss and logs from this rank's (means over its part). */
  total(loss: number, logs: Record<string, number>, step: PreparedStep): Promise<{ loss: number; logs: Record<string, number> }>;
  /** Validation probabilities of every record of `pipe`, in the order of its ids. */
  probabilities(validator: Predictor, pipe: InputPipeline): Promise<number[][]>;
  /** The run's result: computed by rank 0 (the writer), handed to the others. */
  result<T>(compute: () => Promise<T>): Promise<T>;
  /** Removes the gradient hooks (the process group stays: its owner destroys it). */
  close(): void;
}

/** A process alone: the loop as it always was. */
export const solo: Ranks = {
  rank: 0,
  worldSize: 1,
  writes: true,
  threads: (configured) => configured,
  start: async () => {},
  resumed: async () => {},
  batches: (pipe, epoch, from) => pipe.epoch(epoch, { from }),
  prepare: async (batch) => ({ batch, lossScale: 1 }),
  averageGradients: async () => {},
  total: async (loss, logs) => ({ loss, logs }),
  probabilities: (validator, pipe) => validator.probabilities(pipe),
  result: (compute) => compute(),
  close: () => {},
};

/**
 * The trainer's ranks: this process's place in the default process group when there is one (joined by
 * `distributed.initProcessGroup`, as `ecglab train` does under torchrun's variables), else `solo`.
 * @example
 * await distributed.initProcessGroup({ backend: 'gloo' });     // env://
 * await train(cfg, { out: 'runs/x' });                         // trains data-parallel: joinRanks() inside
 */
export function joinRanks(): Ranks {
  return dist.isInitialized() && dist.getWorldSize() > 1 ? new GroupRanks() : solo;
}

/**
 * The class weight of each training record's loss for a data-parallel step's share of a weighted
 * cross-entropy (single-label with class weights: the weight of its class); null when records weigh alike.
 */
export function classWeightOf(task: Task, classWeights: readonly number[] | null, targets: readonly Float32Array[] | undefined): ((i: number) => number) | null {
  if (task !== 'single-label' || !classWeights || !targets) return null;
  return (i) => classWeights[argmaxRow(targets[i]!)]!;
}

function argmaxRow(row: Float32Array): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}

/** A process group joined from the environment (see joinGroupFromEnv). */
export interface JoinedGroup {
  rank: number;
  worldSize: number;
  /** Leaves the group (also after a failed collective). */
  leave(): Promise<void>;
}

/**
 * Joins the process group that torchrun's variables describe (env://: MASTER_ADDR, MASTER_PORT, RANK,
 * WORLD_SIZE), when WORLD_SIZE > 1; null otherwise. `timeoutMs` bounds the rendezvous and every collective.
 * @example
 * const group = await joinGroupFromEnv(1_800_000);
 * try { await train(cfg, { out }); } finally { await group?.leave(); }
 */
export async function joinGroupFromEnv(timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<JoinedGroup | null> {
  if (Number(env.WORLD_SIZE ?? 1) <= 1) return null;
  const info = await dist.initProcessGroup({ backend: 'gloo', initMethod: 'env://', timeout: timeoutMs });
  return {
    rank: info.rank,
    worldSize: info.worldSize,
    leave: async () => {
      if (dist.isInitialized()) await dist.destroyProcessGroup();
    },
  };
}

/** Threads per process so that the processes of one machine share its cores: at most cores / local processes. */
export function threadsPerProcess(configured: number, localProcesses: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(configured, Math.floor(cores / Math.max(1, localProcesses))));
}

class GroupRanks implements Ranks {
  readonly rank: number;
  readonly worldSize: number;
  readonly writes: boolean;
  readonly #local: number;
  #sync: dist.GradientSync | null = null;
  #model: nn.Module | null = null;
  #recordWeight: ((i: number) => number) | null = null;

  constructor() {
    const info = dist.getProcessGroupInfo();
    this.rank = info.rank;
    this.worldSize = info.worldSize;
    this.writes = info.rank === 0;
    this.#local = info.localWorldSize;
  }

  /** Runs a collective; a failure stops this rank with what happened and what to do. */
  async #collective<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof TorchError) || e.code !== 'DISTRIBUTED') throw e;
      throw new DistributedError(`rank ${this.rank} of ${this.worldSize} stopped while ${what}: ${e.message}. ` +
        'The run cannot go on with a rank missing: restart every rank with --resume to continue from the last checkpoint');
    }
  }

  threads(configured: number): number {
    return threadsPerProcess(configured, this.#local);
  }

  async start(model: nn.Module, recordWeight: ((i: number) => number) | null): Promise<void> {
    this.#model = model;
    this.#recordWeight = recordWeight;
    await this.#collective('copying rank 0\'s parameters', () => dist.broadcastParameters([...model.parameters(), ...model.buffers()], 0));
    this.#sync = new dist.GradientSync(model.parameters());
  }

  async resumed(at: Position): Promise<void> {
    const mine = [at.epoch, at.batchInEpoch, at.step];
    const t = tensor(mine, { dtype: 'int64' });
    try {
      await this.#collective('checking the resumed checkpoint', () => dist.broadcast(t, 0));
      const leader = (t.tolist() as number[]).map(Number);
      if (leader.some((v, i) => v !== mine[i])) {
        throw new DistributedError(`rank ${this.rank} of ${this.worldSize} resumed at epoch ${mine[0]}, batch ${mine[1]} (step ${mine[2]}), ` +
          `rank 0 at epoch ${leader[0]}, batch ${leader[1]} (step ${leader[2]}): the ranks read different checkpoints; ` +
          'put --out on a filesystem every machine shares (or the same checkpoint at the same path on each)');
      }
    } finally {
      t.dispose();
    }
  }

  batches(pipe: InputPipeline, epoch: number, from: number): AsyncIterable<Batch> {
    return pipe.epoch(epoch, { from, shard: { rank: this.rank, worldSize: this.worldSize, by: 'records' } });
  }

  async prepare(batch: Batch): Promise<PreparedStep> {
    const part = batch.part;
    if (!part) throw new DistributedError(`rank ${this.rank}: prepare needs a batch from batches() (a part of a batch shared among ranks)`);
    // The whole batch's length: the longest part's, all parts padded to it.
    const length = tensor([batch.shape[2]], { dtype: 'int64' });
    let longest: number;
    try {
      await this.#collective(`agreeing on the length of batch ${part.batch}`, () => dist.allReduce(length, 'max'));
      longest = Number(length.item());
    } finally {
      length.dispose();
    }
    const records = part.positions.length / part.size;
    const w = this.#recordWeight;
    const sum = (idx: readonly number[]): number => idx.reduce((s, i) => s + w!(i), 0);
    const weight = part.standIn ? 0 : w ? sum(part.positions.map((p) => part.wholeIndices[p]!)) / sum(part.wholeIndices) : records;
    return { batch: padBatch(batch, longest), shard: { records, weight }, lossScale: this.worldSize * records };
  }

  async averageGradients(): Promise<void> {
    const sync = this.#sync!;
    await this.#collective('averaging gradients', () => sync.finish());
  }

  async total(loss: number, logs: Record<string, number>, step: PreparedStep): Promise<{ loss: number; logs: Record<string, number> }> {
    // Each rank's mean over its part, weighted by its share, summed: the whole batch's mean. Float64, so the
    // sum is as exact as one process's figure.
    const keys = Object.keys(logs).sort();
    const share = step.shard!.records;
    const t = fromArray(Float64Array.from([loss, ...keys.map((k) => logs[k]!)], (v) => v * share), [keys.length + 1]);
    try {
      await this.#collective('summing the step\'s loss', () => dist.allReduce(t, 'sum'));
      const [l, ...rest] = t.toArray() as Float64Array;
      return { loss: l!, logs: Object.fromEntries(keys.map((k, i) => [k, rest[i]!])) };
    } finally {
      t.dispose();
    }
  }

  async probabilities(validator: Predictor, pipe: InputPipeline): Promise<number[][]> {
    // Buffers (BatchNorm's running statistics) differ by rank after training steps: validate with rank 0's.
    const buffers = [...this.#model!.buffers()];
    if (buffers.length > 0) await this.#collective('copying rank 0\'s buffers', () => dist.broadcastParameters(buffers, 0));
    const mine = await validator.probabilities(pipe, { shard: { rank: this.rank, worldSize: this.worldSize } });
    const rows: number[] = [];
    mine.forEach((_, i) => rows.push(i));  // forEach skips the rows of other ranks' batches
    const k = validator.spec.classes.length;
    const probs = fromArray(Float32Array.from(rows.flatMap((i) => mine[i]!)), [rows.length, k]); // [n_rank, K]
    const index = fromArray(BigInt64Array.from(rows, BigInt), [rows.length]); // [n_rank]
    const gathered: Tensor[] = [];
    try {
      gathered.push(...await this.#collective('gathering validation probabilities', () => dist.allGatherVarying(probs)));
      gathered.push(...await this.#collective('gathering validation probabilities', () => dist.allGatherVarying(index)));
      const out: number[][] = new Array(pipe.ids.length);
      for (let r = 0; r < this.worldSize; r++) {
        const p = gathered[r]!.toArray() as Float32Array;
        const ix = gathered[this.worldSize + r]!.toArray() as BigInt64Array;
        ix.forEach((i, j) => {
          out[Number(i)] = Array.from(p.subarray(j * k, (j + 1) * k));
        });
      }
      for (let i = 0; i < out.length; i++) {
        if (out[i] === undefined) throw new DistributedError(`rank ${this.rank} of ${this.worldSize}: validation gathered no probabilities for record ${pipe.ids[i]}`);
      }
      return out;
    } finally {
      probs.dispose();
      index.dispose();
      for (const g of gathered) g.dispose();
    }
  }

  async result<T>(compute: () => Promise<T>): Promise<T> {
    // Rank 0 computes and sends JSON (or its error, so that the others do not wait for the timeout).
    let json = '';
    if (this.writes) {
      try {
        json = JSON.stringify({ value: await compute() });
      } catch (e) {
        json = JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
        await this.#send(json);
        throw e;
      }
    }
    const got = await this.#send(json);
    const parsed = JSON.parse(got) as { value?: T; error?: string };
    if (parsed.error !== undefined) throw new DistributedError(`rank ${this.rank}: rank 0 failed to finish the run: ${parsed.error}`);
    return parsed.value as T;
  }

  /** Broadcasts rank 0's string: its byte length, then the bytes. */
  async #send(text: string): Promise<string> {
    const bytes = Buffer.from(text, 'utf8');
    const n = tensor([bytes.length], { dtype: 'int64' });
    try {
      await this.#collective('receiving the run\'s result from rank 0', () => dist.broadcast(n, 0));
      const size = Number(n.item());
      const buf = fromArray(this.writes ? new Uint8Array(bytes) : new Uint8Array(size), [size]);
      try {
        await this.#collective('receiving the run\'s result from rank 0', () => dist.broadcast(buf, 0));
        return Buffer.from(buf.toArray() as Uint8Array).toString('utf8');
      } finally {
        buf.dispose();
      }
    } finally {
      n.dispose();
    }
  }

  close(): void {
    this.#sync?.dispose();
    this.#sync = null;
  }
}
