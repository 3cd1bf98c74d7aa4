// The record reader's per-sample loops for the less common layouts: signals with several samples per
// frame or a skew, format 8's integration, frame smoothing, and their conversion to physical units.
// One sample per frame (nearly every record) goes through pick-kernel.ts. record.ts calls both.
import { mod16 } from './checksum.js';
import { flacSpec, isFlacFormat } from './flac.js';
import { FORMATS } from './formats.js';
import type { SignalSpec, WfdbHeader } from './header-types.js';
import type { FileGroup } from './record.js';

// The checksum covers the samples as stored in the file's first sigLen frames: a skew moves what
// rdsamp returns, not what the writer summed (100skew and test01_00s_skew keep the unskewed sums).
export function storedSum(stream: Int16Array | Int32Array, base: number, tpf: number, spf: number, n: number): number {
  let s = 0;
  for (let f = 0; f < n; f++) for (let j = 0; j < spf; j++) s = (s + stream[base + f * tpf + j]!) | 0;
  return mod16(s);
}

// One signal's samples out of the interleaved stream: `spf` per frame, frames `tpf` apart.
export function extract(stream: Int16Array | Int32Array, base: number, tpf: number, spf: number, n: number, invalid: number): Int32Array {
  const out = new Int32Array(n * spf);
  if (spf === 1 && base + (n - 1) * tpf < stream.length) {
    for (let f = 0, p = base; f < n; f++, p += tpf) out[f] = stream[p]!;
    return out;
  }
  const count = stream.length;
  for (let f = 0; f < n; f++) {
    for (let j = 0; j < spf; j++) {
      const p = base + f * tpf + j;
      // A skewed signal's last samples lie beyond the file's last frame: WFDB reads them as invalid.
      out[f * spf + j] = p < count ? stream[p]! : invalid;
    }
  }
  return out;
}

/** An empty array, where a channel's physical values were made directly. */
export const EMPTY = new Int32Array(0);

/** Physical values as the reader returns them: Float64Array, or Float32Array when asked (`float32`). */
export type PhysicalArray = Float64Array | Float32Array;
/** The constructor of the physical arrays returned. */
export type PhysicalType = typeof Float64Array | typeof Float32Array;

// WFDB_INVALID_SAMPLE, for null signals, which have no format of their own.
export const NULL_SAMPLE = -32768;
/** A signal's ADC gain, WFDB_DEFGAIN (200) for an uncalibrated signal (gain 0). */
export const gainOf = (s: { adcGain: number }): number => (s.adcGain === 0 ? 200 : s.adcGain);
/** A signal's invalid value (WFDB_INVALID_SAMPLE at its format's width). */
export const invalidOf = (s: SignalSpec): number => FORMATS.get(s.fmt)?.invalid ?? (isFlacFormat(s.fmt) ? flacSpec(s.fmt).invalid : NULL_SAMPLE);

// Format 8: each byte is the difference from the signal's previous sample; the first is relative to
// the header's initial value.
export function integrateFormat8(stream: Int32Array, g: FileGroup, h: WfdbHeader): void {
  for (const m of g.members) {
    let v = h.signals[m.sig]!.initValue;
    for (let f = 0; f * g.tpf + m.offset < stream.length; f++) {
      for (let j = 0; j < m.spf; j++) {
        const p = f * g.tpf + m.offset + j;
        if (p >= stream.length) break;
        v += stream[p]!;
        stream[p] = v;
      }
    }
  }
}

// One value per frame from `spf` samples: their mean, rounded half away from zero as rdsamp does.
export function smoothDigital(e: Int32Array, spf: number, n: number, invalid: number): Int32Array {
  const out = new Int32Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    let bad = false;
    for (let j = 0; j < spf; j++) {
      const v = e[f * spf + j]!;
      if (v === invalid) bad = true;
      s += v;
    }
    out[f] = bad ? invalid : Math.trunc(s / spf);
  }
  return out;
}

/** Digital to physical units: (d − baseline) / gain × k, NaN for the format's invalid value. */
export function toPhysical(d: Int32Array, s: SignalSpec, k = 1, Out: PhysicalType = Float64Array): PhysicalArray {
  const gain = gainOf(s);
  const invalid = invalidOf(s);
  const baseline = s.baseline;
  const n = d.length;
  const out = new Out(n);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    bad |= v === invalid ? 1 : 0;
    out[i] = ((v - baseline) / gain) * k;
  }
  // NaN is stored afterwards, where needed: `v === invalid ? NaN : …` in the loop made V8 box every value
  // (the two branches join as a tagged number) and ran about 2× slower.
  if (bad !== 0) for (let i = 0; i < n; i++) if (d[i] === invalid) out[i] = NaN;
  return out;
}
