/**
 * The one signal representation of the DSP layer: an array of leads, each a Float64Array of
 * samples, i.e. `[leads][samples]`, all leads the same length. This is what `rdrecord` returns
 * (`physical`), filters run per lead in float64 (as scipy does), and the loader packs the
 * result into a Float32Array `[batch, leads, samples]` only at the end.
 */
export type Signal = Float64Array[];

import { argError } from './errors.js';

/** Checks that `sig` is a non-empty array of equal-length Float64Arrays; returns [leads, samples]. */
export function signalShape(fn: string, sig: Signal): [number, number] {
  if (!Array.isArray(sig) || sig.length === 0) argError(fn, 'signal', 'must be a non-empty array of leads');
  const n = sig[0]!.length;
  for (let i = 0; i < sig.length; i++) {
    const lead = sig[i];
    if (!(lead instanceof Float64Array)) argError(fn, 'signal', `lead ${i} must be a Float64Array`);
    if (lead.length !== n) argError(fn, 'signal', `leads must have equal lengths, lead 0 has ${n} and lead ${i} has ${lead.length}`);
  }
  return [sig.length, n];
}
