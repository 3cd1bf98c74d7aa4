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
