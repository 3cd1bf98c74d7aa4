import { fromArray, type Tensor } from '@ecglab/engine';
import { cropOrPad, type Signal } from '@ecglab/data';
import type { InputConfig } from '../config/types.js';
import type { LabeledRecord } from '../data/datasets.js';
import { padBatch, prepareSignal } from '../data/prepare.js';
import type { Classifier } from '../models/index.js';
import type { Mulberry32 } from '@ecglab/data';

/** A record's float32 leads as the float64 Signal the data package works on. */
export function toSignal(leads: Float32Array[]): Signal {
  return leads.map((l) => Float64Array.from(l));
}

/**
 * Builds the tensors of one batch. With `rng` (training) records get random windows, random
 * offsets inside the padded window (Ma & Liang's shift) and, for crop models, one random crop each;
 * without it (evaluation) records start at 0 and are kept whole. Tensors are created in the caller's
 * tidy scope.
 */
export function makeBatch(
  records: Pick<LabeledRecord, 'id' | 'fs' | 'signal'>[],
  input: InputConfig,
  model: Classifier,
  rng: Mulberry32 | null,
): { x: Tensor; mask: Tensor } {
  let signals = records.map((r) => prepareSignal(toSignal(r.signal), r.fs, input, rng, r.id));
  let offsets: number[] | null = null;
  const crop = (model as { crop?: number }).crop;
  if (rng && crop !== undefined) {
    signals = signals.map((s) => {
      const n = s[0]!.length;
      return n > crop ? cropOrPad(s, crop, rng.int(n - crop + 1)).signal : s;
    });
  } else if (rng) {
    offsets = records.map((r) => rng.int(Math.round(input.maxShiftSeconds * r.fs) + 1));
  }
  const b = padBatch(signals, offsets, model.padMultiple, model.minLength);
  const [n, leads, len] = b.shape;
  return { x: fromArray(b.x, [n, leads, len]), mask: fromArray(b.mask, [n, 1, len]) };
}
