import { DspError } from '../dsp/errors.js';
import type { PreparedRecord } from './preprocess.js';

/** A padded batch. Shapes: x [batch, leads, samples], mask [batch, samples], y [batch, classes]. */
export interface Batch {
  ids: string[];
  /** x[(b * leads + l) * samples + t]; zero beyond each record's length. */
  x: Float32Array;
  /** 1 where x holds a real sample, 0 where it is padding. */
  mask: Uint8Array;
  /** Real length of each record (≤ samples). */
  lengths: Int32Array;
  y: Float32Array;
  shape: [batch: number, leads: number, samples: number];
  classes: number;
}

/**
 * Pads records to the longest in the batch, or to `cap` samples when given (longer records are
 * cut to their first `cap` samples). All records must have the same lead count.
 */
export function collate(items: { id: string; rec: PreparedRecord; y: Float32Array }[], cap?: number): Batch {
  if (items.length === 0) throw new DspError('E_LOADER', 'collate: empty batch');
  const leads = items[0]!.rec.leads;
  const classes = items[0]!.y.length;
  for (const it of items) {
    if (it.rec.leads !== leads) throw new DspError('E_LOADER', `collate: record ${it.id} has ${it.rec.leads} leads, ${items[0]!.id} has ${leads}; select leads in the preprocessing config`);
    if (it.y.length !== classes) throw new DspError('E_LOADER', `collate: record ${it.id} has ${it.y.length} label classes, expected ${classes}`);
  }
  let samples = Math.max(...items.map((it) => it.rec.length));
  if (cap !== undefined) samples = Math.min(samples, cap);
  const b = items.length;
  const x = new Float32Array(b * leads * samples); // [batch, leads, samples]
  const mask = new Uint8Array(b * samples); // [batch, samples]
  const lengths = new Int32Array(b);
  const y = new Float32Array(b * classes); // [batch, classes]
  items.forEach((it, i) => {
    const n = Math.min(it.rec.length, samples);
    lengths[i] = n;
    mask.fill(1, i * samples, i * samples + n);
    for (let l = 0; l < leads; l++) {
      x.set(it.rec.data.subarray(l * it.rec.length, l * it.rec.length + n), (i * leads + l) * samples);
    }
    y.set(it.y, i * classes);
  });
  return { ids: items.map((it) => it.id), x, mask, lengths, y, shape: [b, leads, samples], classes };
}
