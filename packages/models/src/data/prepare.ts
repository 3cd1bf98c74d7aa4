import { cropOrPad, normalize, type Mulberry32, type Signal } from '@ecglab/data';
import { ArgumentError } from '../errors.js';
import type { InputConfig } from '../config/types.js';

/**
 * One record through the input pipeline, before batching: lead selection, truncation to
 * `maxSeconds` (evaluation keeps the start, as Ma & Liang's loader; training takes a random
 * window, an augmentation), then per-lead scaling: `max-abs` divides each lead by its maximum
 * |value| (Ma & Liang, scale-free), `mv-zscore` z-scores each lead of the signal in millivolts.
 *
 * @example prepareSignal(rec.signal, 300, { kind: 'max-abs', leads: [0], maxSeconds: 60, maxShiftSeconds: 10 }, null);
 */
export function prepareSignal(signal: Signal, fs: number, input: InputConfig, rng: Mulberry32 | null, source = 'record'): Signal {
  const picked = input.leads.map((i) => {
    const lead = signal[i];
    if (lead === undefined) throw new ArgumentError(`${source}: input lead ${i} does not exist (the record has ${signal.length} leads)`);
    return lead;
  });
  const maxLen = Math.max(1, Math.round(input.maxSeconds * fs));
  const n = picked[0]?.length ?? 0;
  if (n === 0) throw new ArgumentError(`${source}: the record has no samples`);
  let cut = picked;
  if (n > maxLen) {
    const offset = rng ? rng.int(n - maxLen + 1) : 0;
    cut = cropOrPad(picked, maxLen, offset).signal;
  }
  return normalize(cut, input.kind === 'max-abs' ? 'maxabs' : 'zscore');
}

/** A padded batch: `x` `[N, leads, L]` and `mask` `[N, 1, L]` as flat float32 arrays. */
export interface PaddedBatch {
  x: Float32Array;
  mask: Float32Array;
  shape: [number, number, number];
}

/**
 * Zero-pads prepared records into one batch with a mask. Each record starts at `offsets[i]`
 * (a random shift in training, 0 in evaluation). L is the longest `offset + length`, rounded up to
 * a multiple of `multiple` and at least `minLength`, so a variable-length model sees whole windows.
 */
export function padBatch(records: Signal[], offsets: number[] | null, multiple = 1, minLength = 1): PaddedBatch {
  if (records.length === 0) throw new ArgumentError(`padBatch: 'records' is empty`);
  const leads = records[0]!.length;
  let longest = 0;
  records.forEach((r, i) => {
    if (r.length !== leads) throw new ArgumentError(`padBatch: record ${i} has ${r.length} leads, record 0 has ${leads}`);
    longest = Math.max(longest, (offsets?.[i] ?? 0) + (r[0]?.length ?? 0));
  });
  const len = Math.max(minLength, Math.ceil(longest / multiple) * multiple);
  const n = records.length;
  const x = new Float32Array(n * leads * len);
  const mask = new Float32Array(n * len);
  records.forEach((r, i) => {
    const off = offsets?.[i] ?? 0;
    const t = r[0]?.length ?? 0;
    r.forEach((lead, c) => x.set(lead, (i * leads + c) * len + off)); // Float64 → Float32 on copy
    mask.fill(1, i * len + off, i * len + off + t);
  });
  return { x, mask, shape: [n, leads, len] };
}
