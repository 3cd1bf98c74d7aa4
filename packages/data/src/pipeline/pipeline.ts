import { createHash } from 'node:crypto';
import { argError } from '../dsp/errors.js';
import { PipelineError } from '../errors.js';
import { Rng } from '../random/rng.js';
import { invalidFraction, type EcgRecord } from '../record/record.js';
import { RecordCache } from './cache.js';
import { collate, type Batch, type BatchItem, type ExtraInput } from './collate.js';
import { conform, type ConformNotes, type ConformSpec } from './conform.js';
import { bucketBatches, chunkBatches, epochOrder, type EpochOrder } from './sampling.js';
import type { RecordSource } from './source.js';

/** What an `extras` hook is told about the batch it adds inputs to. */
export interface ExtrasContext {
  epoch: number;
  /** Batch number within the epoch. */
  batch: number;
  /** The pipeline's seed: derive per-record streams from (seed, epoch, batch, position) for reproducible extras. */
  seed: number;
  /** The batch's records as batched: conformed and cut to their windows, in batch order. */
  records: EcgRecord[];
  /**
   * Each record's position in its whole batch: 0, 1, ... except for a rank's part of a batch shared among
   * ranks (`epoch` with a `shard`), whose records keep the positions they have in the whole batch.
   */
  positions: number[];
}

/**
 * How an epoch is shared among the ranks of a data-parallel run (each rank iterates the same seeded plan).
 * `by: 'records'` (training): every batch of the plan is split, rank r taking the records at positions
 * r, r + worldSize, ... of it (DistributedSampler's stride, within the batch), so the ranks' parts together are
 * exactly the batch one process would train on, each record with the window, shift and augmentation of its
 * position in the whole batch; a rank left without records (a batch smaller than worldSize) gets a stand-in
 * copy of the batch's first record, marked in `batch.part`, so that it can still take part in the step.
 * `by: 'batches'` (evaluation): rank r takes batches r, r + worldSize, ... whole, each as one process builds it.
 */
export interface EpochShard {
  rank: number;
  worldSize: number;
  by: 'records' | 'batches';
}

export interface PipelineOptions {
  source: RecordSource;
  /** Lead selection, resampling and filters applied once per record (and cached). */
  conform?: ConformSpec;
  batchSize: number;
  /** Seeds the epoch orders, windows, shifts, augmentation and extras; integer. */
  seed: number;
  /** Epoch order (see EpochOrder), or `by-length`: shortest first, for fast evaluation. Default `sequential`. */
  order?: EpochOrder | 'by-length';
  /** Length bucketing of the epoch's order into batches of similar length (see bucketBatches). */
  bucket?: boolean;
  /** Pool size of the bucketing, in batches (default 50). */
  poolBatches?: number;
  /**
   * Training mode: records longer than `maxSamples` get a random window (else their start), each record starts
   * at a random offset in [0, shiftSamples] of its row (else at 0), and `augment` runs.
   */
  random?: boolean;
  /** Records are cut to at most this many samples. */
  maxSamples?: number;
  /** Largest random offset of a record in its padded row (training; Ma & Liang's shift). */
  shiftSamples?: number;
  /** Rows are padded to a multiple of this many samples, and to at least `minLength`. */
  padMultiple?: number;
  minLength?: number;
  /**
   * Refuse (with an error naming the record) any record whose share of samples its file marked invalid is
   * above this (0.5: a prediction from it would be a guess). Default: no limit (training reads them all).
   */
  maxInvalidFraction?: number;
  /** Conformed records kept in memory (default), on disk in `{ dir }`, or read again each time (`none`). */
  cache?: 'memory' | 'none' | { dir: string };
  /** Batches prepared ahead of the consumer (default 2). */
  prefetch?: number;
  /**
   * Training-time change of each windowed record (noise...), with an Rng seeded from (seed, epoch, batch,
   * position), so results do not depend on prefetch timing. Must not modify `rec` in place.
   */
  augment?: (rec: EcgRecord, rng: Rng) => EcgRecord;
  /** Further inputs of a batch (a rendered page...), computed as the batch is prepared (so prefetched too). */
  extras?: (ctx: ExtrasContext) => Promise<Record<string, ExtraInput>>;
}

/**
 * The one input pipeline of ecglab: records from a source, conformed once (leads by name or index,
 * resampling, filters; cached in memory or on disk), then per epoch a seeded order (shuffled, class-balanced
 * or sequential, optionally bucketed by length), per record a window and a shift (training), zero-padding with
 * a mask, targets, and extra inputs, with `prefetch` batches prepared ahead. Everything random derives from
 * (seed, epoch, batch, position), so an epoch can be resumed at any batch and gives exactly what an
 * uninterrupted run would. Training, validation, evaluation, prediction and the benches all use it.
 *
 * @example
 * const pipe = await InputPipeline.create({ source: databaseSource(db, trainIds), conform: { fs: 300 },
 *                                           batchSize: 32, seed: 1, order: 'shuffle', random: true, shiftSamples: 3000 });
 * for await (const batch of pipe.epoch(0)) { ... batch.x, batch.mask, batch.targets ... }
 * for await (const batch of pipe.epoch(3, { from: 17 })) { ... } // resume epoch 3 at its 18th batch
 */
export class InputPipeline {
  /** Record ids, in the source's order; batches index into it. */
  readonly ids: readonly string[];
  /** Conformed length of each record (samples at the conformed rate). */
  readonly lengths: readonly number[];
  /** What conforming did to each record (resampled from, missing leads); empty for records read from the disk cache. */
  readonly notes: ConformNotes[];
  readonly targets: readonly Float32Array[] | undefined;
  readonly diskCache: RecordCache | undefined;
  /** Batches whose preparation has started / been handed out, for observing the prefetch. */
  readonly stats = { started: 0, yielded: 0 };
  private readonly memory: (EcgRecord | undefined)[];

  private constructor(
    private readonly opts: PipelineOptions,
    private readonly specHash: string,
    ids: readonly string[],
    lengths: number[],
    notes: ConformNotes[],
    memory: (EcgRecord | undefined)[],
    diskCache: RecordCache | undefined,
  ) {
    this.ids = ids;
    this.lengths = lengths;
    this.notes = notes;
    this.memory = memory;
    this.diskCache = diskCache;
    this.targets = opts.source.targets ? ids.map((id) => opts.source.targets!(id)) : undefined;
  }

  /** Checks the options and conforms every record once (through the cache) to learn the lengths bucketing needs. */
  static async create(opts: PipelineOptions): Promise<InputPipeline> {
    checkOptions(opts);
    const ids = opts.source.ids;
    if (ids.length === 0) throw new PipelineError(`InputPipeline: source '${opts.source.name}' has no records`);
    const specHash = hashSpec(opts.conform ?? {});
    const cacheOpt = opts.cache ?? 'memory';
    const disk = typeof cacheOpt === 'object' ? new RecordCache(cacheOpt.dir) : undefined;
    const lengths = new Array<number>(ids.length);
    const notes = new Array<ConformNotes>(ids.length);
    const memory = new Array<EcgRecord | undefined>(ids.length);
    const pipe = new InputPipeline(opts, specHash, ids, lengths, notes, memory, disk);
    // Several records in flight: file reads overlap with resampling.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const i = next++;
        const rec = await pipe.conformed(i);
        lengths[i] = rec.signals[0]?.length ?? 0;
        if (cacheOpt === 'memory') memory[i] = rec;
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, ids.length) }, worker));
    return pipe;
  }

  /** Record `i` as conformed (from memory, the disk cache, or its source). */
  async conformed(i: number): Promise<EcgRecord> {
    const hit = this.memory[i];
    if (hit) return hit;
    return this.checkInvalid(await this.conformedOnce(i));
  }

  private checkInvalid(rec: EcgRecord): EcgRecord {
    const limit = this.opts.maxInvalidFraction;
    const bad = invalidFraction(rec);
    if (limit !== undefined && bad > limit) {
      const source = rec.meta?.source !== undefined && rec.meta.source !== rec.id ? ` (${rec.meta.source})` : '';
      throw new PipelineError(`record ${rec.id}${source}: ${(100 * bad).toFixed(1)} % of its samples are marked invalid, more than the ${100 * limit} % allowed; a prediction from it would be a guess`, rec.meta?.source);
    }
    return rec;
  }

  private async conformedOnce(i: number): Promise<EcgRecord> {
    const id = this.ids[i]!;
    const build = async (): Promise<EcgRecord> => {
      const raw = await this.opts.source.load(id);
      const { record, notes } = conform(raw, this.opts.conform ?? {});
      this.notes[i] = notes;
      return record;
    };
    if (!this.diskCache) return build();
    const rec = await this.diskCache.get(this.opts.source.name, id, this.specHash, build);
    this.notes[i] ??= {};
    return rec;
  }

  /** The batches of an epoch, as indices into `ids`; deterministic in (seed, epoch). */
  plan(epoch: number): number[][] {
    const o = this.opts;
    const rng = Rng.derive(o.seed, epoch, -1);
    const order = o.order ?? 'sequential';
    if (order === 'by-length') {
      const byLength = this.ids.map((_, i) => i).sort((a, b) => this.lengths[a]! - this.lengths[b]! || a - b);
      return chunkBatches(byLength, o.batchSize);
    }
    const visit = epochOrder(this.ids.length, order, rng, this.targets);
    return o.bucket ? bucketBatches(visit, this.lengths, o.batchSize, rng, o.poolBatches ?? 50) : chunkBatches(visit, o.batchSize);
  }

  /** Number of batches in an epoch. */
  stepsPerEpoch(): number {
    return Math.ceil(this.ids.length / this.opts.batchSize);
  }

  /**
   * Builds batch number `b` of `epoch` from the record indices `indices` (see `plan`). `positions` are the
   * records' positions in the whole batch when `indices` is a part of it (default 0, 1, ...): each record's
   * randomness derives from (seed, epoch, b, position).
   */
  async batch(indices: readonly number[], epoch = 0, b = 0, positions?: readonly number[]): Promise<Batch> {
    const o = this.opts;
    if (positions !== undefined && positions.length !== indices.length) {
      argError('InputPipeline.batch', 'positions', `must have one position per index (${indices.length}), got ${positions.length}`);
    }
    const at = positions ?? indices.map((_, pos) => pos);
    const records = await Promise.all(indices.map((i) => this.conformed(i)));
    const windowed: EcgRecord[] = [];
    const items: BatchItem[] = records.map((rec, k) => {
      const pos = at[k]!;
      const rng = Rng.derive(o.seed, epoch, b, pos);
      const n = rec.signals[0]?.length ?? 0;
      let signals = rec.signals;
      if (o.maxSamples !== undefined && n > o.maxSamples) {
        const start = o.random ? rng.int(n - o.maxSamples + 1) : 0;
        signals = signals.map((s) => s.subarray(start, start + o.maxSamples!));
      }
      let out: EcgRecord = signals === rec.signals ? rec : { ...rec, signals };
      if (o.random && o.augment) out = o.augment(out, rng);
      windowed.push(out);
      const offset = o.random && o.shiftSamples ? rng.int(o.shiftSamples + 1) : 0;
      const i = indices[k]!;
      return { id: rec.id, index: i, signals: out.signals, offset, ...(this.targets ? { targets: this.targets[i]! } : {}) };
    });
    const batch = collate(items, o.padMultiple ?? 1, o.minLength ?? 1);
    if (o.extras) batch.extras = await o.extras({ epoch, batch: b, seed: o.seed, records: windowed, positions: [...at] });
    return batch;
  }

  /** Rank `shard.rank`'s part of batch `b` of `epoch` (whole batch: `indices`), as `epoch` with a `shard` by records yields it. */
  async part(indices: readonly number[], epoch: number, b: number, shard: { rank: number; worldSize: number }): Promise<Batch> {
    const positions = partPositions(indices.length, shard.rank, shard.worldSize);
    const standIn = positions.length === 0;
    const own = standIn ? [0] : positions;
    const batch = await this.batch(own.map((p) => indices[p]!), epoch, b, own);
    batch.part = { batch: b, size: indices.length, positions, wholeIndices: [...indices], standIn };
    return batch;
  }

  /**
   * The batches of one epoch, `prefetch` of them being prepared ahead of the consumer. `from` skips the
   * first batches (resuming an epoch); what follows is exactly what an uninterrupted epoch gives. With a
   * `shard`, this rank's parts of the batches, or its whole batches (see EpochShard); `from` counts the
   * plan's batches either way.
   */
  async *epoch(epoch = 0, opts: { from?: number; shard?: EpochShard } = {}): AsyncGenerator<Batch> {
    const plan = this.plan(epoch);
    const ahead = this.opts.prefetch ?? 2;
    const queue: Promise<Batch>[] = [];
    const from = opts.from ?? 0;
    if (!Number.isInteger(from) || from < 0) argError('InputPipeline.epoch', 'from', `must be an integer >= 0, got ${from}`);
    const shard = opts.shard;
    if (shard) checkShard(shard);
    const numbers = plan.map((_, b) => b).filter((b) => b >= from && (shard?.by !== 'batches' || b % shard.worldSize === shard.rank));
    let next = 0;
    const fill = (): void => {
      while (queue.length < ahead && next < numbers.length) {
        const b = numbers[next]!;
        const p = shard?.by === 'records' ? this.part(plan[b]!, epoch, b, shard) : this.batch(plan[b]!, epoch, b);
        next++;
        p.catch(() => undefined); // a failure surfaces when this batch is awaited, not as an unhandled rejection
        queue.push(p);
        this.stats.started++;
      }
    };
    fill();
    while (queue.length > 0) {
      const b = await queue.shift()!;
      fill();
      this.stats.yielded++;
      yield b;
    }
  }
}

/**
 * Positions of a batch of `size` records that rank `rank` of `worldSize` takes: rank, rank + worldSize, ...
 * (empty when size <= rank).
 * @example partPositions(5, 1, 2); // [1, 3]
 */
export function partPositions(size: number, rank: number, worldSize: number): number[] {
  const out: number[] = [];
  for (let p = rank; p < size; p += worldSize) out.push(p);
  return out;
}

function checkShard(s: EpochShard): void {
  if (!Number.isInteger(s.worldSize) || s.worldSize < 1) argError('InputPipeline.epoch', 'shard.worldSize', `must be an integer >= 1, got ${s.worldSize}`);
  if (!Number.isInteger(s.rank) || s.rank < 0 || s.rank >= s.worldSize) argError('InputPipeline.epoch', 'shard.rank', `must be an integer in [0, ${s.worldSize}), got ${s.rank}`);
  if (s.by !== 'records' && s.by !== 'batches') argError('InputPipeline.epoch', 'shard.by', `must be 'records' or 'batches', got ${JSON.stringify(s.by)}`);
}

function checkOptions(o: PipelineOptions): void {
  const intAtLeast = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) argError('InputPipeline', name, `must be an integer >= ${min}, got ${v}`);
  };
  intAtLeast('batchSize', o.batchSize, 1);
  if (!Number.isInteger(o.seed)) argError('InputPipeline', 'seed', `must be an integer, got ${o.seed}`);
  intAtLeast('prefetch', o.prefetch, 1);
  intAtLeast('maxSamples', o.maxSamples, 1);
  intAtLeast('shiftSamples', o.shiftSamples, 0);
  intAtLeast('padMultiple', o.padMultiple, 1);
  intAtLeast('minLength', o.minLength, 1);
  if (o.maxInvalidFraction !== undefined && !(o.maxInvalidFraction >= 0 && o.maxInvalidFraction <= 1)) argError('InputPipeline', 'maxInvalidFraction', `must be a number in [0, 1], got ${o.maxInvalidFraction}`);
  if (o.order === 'balanced' && !o.source.targets) argError('InputPipeline', 'order', `'balanced' needs a labelled source; '${o.source.name}' has no targets`);
}

/** Stable hash of a conform spec (keys sorted), part of the disk cache's key. */
function hashSpec(spec: ConformSpec): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
      : Array.isArray(v) ? v.map(canon) : v;
  return createHash('sha256').update(JSON.stringify(['conform-1', canon(spec)])).digest('hex').slice(0, 32);
}
