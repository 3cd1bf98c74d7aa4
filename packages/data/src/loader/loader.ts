import { DspError, argError } from '../dsp/errors.js';
import type { EcgDatabase } from '../databases/types.js';
import { Rng } from '../noise/prng.js';
import { collate, type Batch } from './batch.js';
import { RecordCache } from './cache.js';
import { configHash, preprocess, type PreparedRecord, type PreprocessConfig } from './preprocess.js';
import { bucketBatches, classBalancedWeights, randomBatches, weightedSample } from './sampler.js';

export interface LoaderOptions {
  db: EcgDatabase;
  /** Records to draw from (default: all of `db.list()`), e.g. the training folds. */
  ids?: string[];
  preprocess: PreprocessConfig;
  batchSize: number;
  seed: number;
  /**
   * 'bucket' (default): length bucketing within shuffled pools; 'random': plain shuffle;
   * 'sequential': the ids in the order given, for evaluation.
   */
  order?: 'bucket' | 'random' | 'sequential';
  /** Draw records with replacement, probability ∝ 1/class frequency (classBalancedWeights); same epoch size. */
  balanced?: boolean;
  /** Folder of the on-disk cache of preprocessed records; none by default. */
  cacheDir?: string;
  /** Batches prepared ahead of the consumer (default 2). */
  prefetch?: number;
  /** Pad (and cut) to at most this many samples. */
  maxSamples?: number;
  /** Pool size of the bucketing, in batches (default 50). */
  poolBatches?: number;
  /**
   * Training-time change of each record after the cache (noise, gain, shifts). Its `rng` is seeded
   * from (seed, epoch, batch, position), so results do not depend on prefetch timing. Must not
   * modify `rec` in place: cached arrays may be shared.
   */
  augment?: (rec: PreparedRecord, rng: Rng, id: string) => PreparedRecord;
}

/**
 * Seeded, prefetching batch iterator over one database. `create` prepares every record once
 * (through the cache when given) to learn the lengths that bucketing needs.
 * Example: `for await (const b of (await EcgLoader.create(opts)).epoch(0)) train(b.x, b.mask, b.y)`.
 */
export class EcgLoader {
  readonly ids: string[];
  readonly lengths: number[];
  readonly cache: RecordCache | undefined;
  /** Batches whose preparation has started / been handed out, for observing the prefetch. */
  readonly stats = { started: 0, yielded: 0 };
  private readonly hash: string;
  private readonly labels: Float32Array[];

  private constructor(private readonly opts: LoaderOptions, ids: string[], lengths: number[], cache: RecordCache | undefined) {
    this.ids = ids;
    this.lengths = lengths;
    this.cache = cache;
    this.hash = configHash(opts.preprocess);
    this.labels = ids.map((id) => opts.db.labels(id).multiHot);
  }

  static async create(opts: LoaderOptions): Promise<EcgLoader> {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) argError('EcgLoader', 'batchSize', `must be an integer >= 1, got ${opts.batchSize}`);
    if (!Number.isInteger(opts.seed)) argError('EcgLoader', 'seed', `must be an integer, got ${opts.seed}`);
    const prefetch = opts.prefetch ?? 2;
    if (!Number.isInteger(prefetch) || prefetch < 1) argError('EcgLoader', 'prefetch', `must be an integer >= 1, got ${prefetch}`);
    const listed = new Set(opts.db.list());
    const ids = opts.ids ?? [...listed];
    const unknown = ids.filter((id) => !listed.has(id));
    if (unknown.length > 0) throw new DspError('E_LOADER', `EcgLoader: ids not in ${opts.db.facts.name}: ${unknown.slice(0, 5).join(', ')}`);
    if (ids.length === 0) throw new DspError('E_LOADER', `EcgLoader: no records to load from ${opts.db.facts.name}`);
    const cache = opts.cacheDir ? new RecordCache(opts.cacheDir) : undefined;
    const loader = new EcgLoader(opts, ids, [], cache);
    // several records in flight: file reads and the cache's fsyncs overlap with preprocessing
    const lengths = new Array<number>(ids.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const i = next++;
        lengths[i] = (await loader.record(ids[i]!)).length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, ids.length) }, worker));
    loader.lengths.push(...lengths);
    return loader;
  }

  /** One preprocessed record, from the cache when there is one. */
  async record(id: string): Promise<PreparedRecord> {
    const build = async (): Promise<PreparedRecord> => preprocess(await this.opts.db.load(id), this.opts.preprocess);
    return this.cache ? this.cache.get(this.opts.db.source, id, this.hash, build) : build();
  }

  /** The batches of an epoch as indices into `ids`; deterministic in (seed, epoch). */
  plan(epoch: number): number[][] {
    const rng = new Rng((this.opts.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) | 0);
    const bs = this.opts.batchSize;
    const order = this.opts.order ?? 'bucket';
    let pick = this.ids.map((_, i) => i);
    if (this.opts.balanced) pick = weightedSample(classBalancedWeights(this.labels), this.ids.length, rng);
    if (order === 'sequential') {
      const out: number[][] = [];
      for (let i = 0; i < pick.length; i += bs) out.push(pick.slice(i, i + bs));
      return out;
    }
    if (order === 'random') return randomBatches(pick.length, bs, rng).map((b) => b.map((i) => pick[i]!));
    if (order !== 'bucket') argError('EcgLoader', 'order', `must be 'bucket', 'random' or 'sequential', got '${String(order)}'`);
    return bucketBatches(pick.map((i) => this.lengths[i]!), bs, rng, this.opts.poolBatches ?? 50).map((b) => b.map((i) => pick[i]!));
  }

  /** Collates the records at `indices`; `key` = [epoch, batch number] seeds the augmentation. */
  async batch(indices: number[], key: [number, number] = [0, 0]): Promise<Batch> {
    const aug = this.opts.augment;
    const items = await Promise.all(
      indices.map(async (i, pos) => {
        const id = this.ids[i]!;
        let rec = await this.record(id);
        if (aug) rec = aug(rec, new Rng((this.opts.seed ^ Math.imul(key[0] + 1, 0x85ebca6b) ^ Math.imul(key[1] + 1, 0xc2b2ae35) ^ Math.imul(pos + 1, 0x27d4eb2f)) | 0), id);
        return { id, rec, y: this.labels[i]! };
      }),
    );
    return collate(items, this.opts.maxSamples);
  }

  /** Batches of one epoch, `prefetch` batches being prepared ahead of the consumer. */
  async *epoch(epoch = 0): AsyncGenerator<Batch> {
    const plan = this.plan(epoch);
    const ahead = this.opts.prefetch ?? 2;
    const queue: Promise<Batch>[] = [];
    let next = 0;
    const fill = (): void => {
      while (queue.length < ahead && next < plan.length) {
        const p = this.batch(plan[next]!, [epoch, next]);
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
