import { PipelineError } from '../errors.js';

/** An extra input of a batch (a rendered page, say): row-major data and its shape, batch first. */
export interface ExtraInput {
  data: Float32Array;
  shape: number[];
}

/**
 * One padded batch, as typed arrays (the models package turns it into tensors). Shapes:
 * x `[B, leads, L]`, mask `[B, 1, L]`, targets `[B, K]`.
 */
export interface Batch {
  ids: string[];
  /** Positions of the records in the pipeline's `ids`. */
  indices: number[];
  /** `x[(b·leads + l)·L + t]` in mV; zero outside each record's span. */
  x: Float32Array;
  /** 1 where `x` holds a real sample, 0 in the padding. */
  mask: Float32Array;
  shape: [batch: number, leads: number, samples: number];
  /** Where each record starts in its row (a random shift in training, 0 in evaluation) and its length there. */
  offsets: Int32Array;
  lengths: Int32Array;
  /** Multi-hot rows, or null for an unlabelled source. */
  targets: Float32Array | null;
  classes: number;
  /** Further inputs by name (a rendered page...). */
  extras: Record<string, ExtraInput>;
  /** Set when this is one rank's part of a batch shared among ranks (InputPipeline.epoch with a shard by records). */
  part?: BatchPart;
}

/** Where a rank's part of a batch sits in the whole batch (see EpochShard). */
export interface BatchPart {
  /** The batch's number in its epoch. */
  batch: number;
  /** Records in the whole batch, over all ranks. */
  size: number;
  /** Positions of this part's records in the whole batch; empty for a stand-in. */
  positions: number[];
  /** The whole batch's records, as indices into the pipeline's `ids` (so each rank knows all its labels). */
  wholeIndices: number[];
  /**
   * True when the batch has fewer records than ranks and this rank got none: the part then holds a copy of
   * the batch's first record so that the rank can run its step, and that record's loss must count for nothing.
   */
  standIn: boolean;
}

/** One record's part of a batch: its leads (already cut to their window) and where its row starts. */
export interface BatchItem {
  id: string;
  index: number;
  signals: Float32Array[];
  offset: number;
  targets?: Float32Array;
}

/**
 * Zero-pads items into one batch with a mask. L is the longest `offset + length`, rounded up to a multiple
 * of `padMultiple` and at least `minLength`, so a variable-length model sees whole windows.
 */
export function collate(items: readonly BatchItem[], padMultiple = 1, minLength = 1): Batch {
  if (items.length === 0) throw new PipelineError('collate: empty batch');
  const leads = items[0]!.signals.length;
  const labelled = items[0]!.targets !== undefined;
  const classes = items[0]!.targets?.length ?? 0;
  let longest = 0;
  for (const it of items) {
    if (it.signals.length !== leads) throw new PipelineError(`collate: record ${it.id} has ${it.signals.length} leads, ${items[0]!.id} has ${leads}; select leads by name or index`);
    if ((it.targets !== undefined) !== labelled || (it.targets?.length ?? 0) !== classes) {
      throw new PipelineError(`collate: record ${it.id} has ${it.targets?.length ?? 'no'} target classes, ${items[0]!.id} has ${labelled ? classes : 'none'}`);
    }
    longest = Math.max(longest, it.offset + (it.signals[0]?.length ?? 0));
  }
  const len = Math.max(minLength, Math.ceil(longest / padMultiple) * padMultiple);
  const b = items.length;
  const x = new Float32Array(b * leads * len); // [B, leads, L]
  const mask = new Float32Array(b * len); // [B, 1, L]
  const offsets = new Int32Array(b);
  const lengths = new Int32Array(b);
  const targets = labelled ? new Float32Array(b * classes) : null; // [B, K]
  items.forEach((it, i) => {
    const n = it.signals[0]?.length ?? 0;
    offsets[i] = it.offset;
    lengths[i] = n;
    it.signals.forEach((lead, c) => x.set(lead, (i * leads + c) * len + it.offset));
    mask.fill(1, i * len + it.offset, i * len + it.offset + n);
    if (targets) targets.set(it.targets!, i * classes);
  });
  return { ids: items.map((it) => it.id), indices: items.map((it) => it.index), x, mask, shape: [b, leads, len], offsets, lengths, targets, classes, extras: {} };
}

/**
 * `batch` right-padded to `length` samples (zeros, mask 0), as if collated with that length: a rank's part of
 * a batch padded as the whole batch is, so that layers that see the padding (GroupNorm) compute alike.
 * @example padBatch(part, 12288).shape; // [16, 1, 12288]
 */
export function padBatch(batch: Batch, length: number): Batch {
  const [b, leads, len] = batch.shape;
  if (!Number.isInteger(length) || length < len) throw new PipelineError(`padBatch: 'length' must be an integer >= the batch's ${len} samples, got ${length}`);
  if (length === len) return batch;
  const x = new Float32Array(b * leads * length); // [B, leads, length]
  for (let r = 0; r < b * leads; r++) x.set(batch.x.subarray(r * len, (r + 1) * len), r * length);
  const mask = new Float32Array(b * length); // [B, 1, length]
  for (let r = 0; r < b; r++) mask.set(batch.mask.subarray(r * len, (r + 1) * len), r * length);
  return { ...batch, x, mask, shape: [b, leads, length] };
}
