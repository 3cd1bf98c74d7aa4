import { ChecksumError } from '../errors.js';
import type { SignalSpec } from './header-types.js';
import type { ChecksumStatus } from './record-types.js';

/** A sum (or a checksum field, signed or not) modulo 2^16, in 0..65535. */
export const mod16 = (x: number): number => ((x % 65536) + 65536) % 65536;

/** WFDB's checksum: the sum of all samples of a signal, modulo 2^16 (written signed or unsigned). */
export function checksum16(samples: ArrayLike<number>, n = samples.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + samples[i]!) | 0;
  return mod16(s);
}

/**
 * Compares a signal's computed checksum with its header field.
 *
 * The rule for a field of 0: writers that never compute checksums (the PhysioNet/CinC 2017 files,
 * whose data two independent copies agree on) leave 0 in every signal's field. A 0 field is therefore
 * read as "not computed" — a warning, not an error — but only when *every* signal of the record has
 * 0: a real sum is 0 with probability 2^-16 per signal, so an all-zero record is almost surely a
 * writer that skipped the field, while a lone 0 beside real sums is treated like any other value.
 */
export function checkSignal(
  spec: SignalSpec, computed: number, allZero: boolean, where: string, mode: 'error' | 'warn', warnings: string[],
): ChecksumStatus {
  if (spec.checksum === undefined) return 'absent';
  const field = mod16(spec.checksum);
  if (field === computed) return 'ok';
  const signed = computed >= 32768 ? computed - 65536 : computed;
  if (field === 0 && allZero) {
    warnings.push(`${where}: checksum field is 0 (not computed by the writer); samples sum to ${signed}`);
    return 'not-computed';
  }
  const msg = `${where}: checksum mismatch: header says ${spec.checksum}, samples sum to ${signed} (mod 65536) — the signal file may be damaged or belong to another header`;
  if (mode === 'error') throw new ChecksumError(msg);
  warnings.push(msg);
  return 'mismatch';
}
