import { argError } from './errors.js';
import { type Signal, signalShape } from './types.js';

/**
 * Crops or zero-pads every lead to `length` samples. A longer signal keeps [offset, offset+length);
 * a shorter one is padded at the end. `mask[i]` is 1 where sample i is real, 0 where padded.
 * Example: `cropOrPad(sig, 5000)` → 10 s at 500 Hz.
 */
export function cropOrPad(sig: Signal, length: number, offset = 0): { signal: Signal; mask: Uint8Array } {
  const [, n] = signalShape('cropOrPad', sig);
  if (!Number.isInteger(length) || length < 1) argError('cropOrPad', 'length', `must be an integer >= 1, got ${length}`);
  const maxOffset = Math.max(0, n - length);
  if (!Number.isInteger(offset) || offset < 0 || offset > maxOffset) {
    argError('cropOrPad', 'offset', `must be an integer in [0, ${maxOffset}] for ${n} samples cropped to ${length}, got ${offset}`);
  }
  const valid = Math.min(length, n);
  const mask = new Uint8Array(length);
  mask.fill(1, 0, valid);
  const signal = sig.map((lead) => {
    const out = new Float64Array(length);
    out.set(lead.subarray(offset, offset + valid));
    return out;
  });
  return { signal, mask };
}
