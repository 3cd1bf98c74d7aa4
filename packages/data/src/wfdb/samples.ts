// The per-sample loops of the record reader: picking one signal out of a file's frame-ordered
// stream, format 212's two-signal fast path, format 8's integration, frame smoothing, and the
// conversion to physical units. record.ts plans the reads and calls these.
import { flacSpec, isFlacFormat } from './flac.js';
import { FORMATS } from './formats.js';
import type { SignalSpec, WfdbHeader } from './header-types.js';
import type { FileGroup } from './record.js';

// The checksum covers the samples as stored in the file's first sigLen frames: a skew moves what
// rdsamp returns, not what the writer summed (100skew and test01_00s_skew keep the unskewed sums).
export function storedSum(stream: Int16Array | Int32Array, base: number, tpf: number, spf: number, n: number): number {
  let s = 0;
  for (let f = 0; f < n; f++) for (let j = 0; j < spf; j++) s = (s + stream[base + f * tpf + j]!) | 0;
  return ((s % 65536) + 65536) % 65536;
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

const mod16 = (acc: number): number => ((acc % 65536) + 65536) % 65536;

/** Physical values as the reader returns them: Float64Array, or Float32Array when asked (`float32`). */
export type PhysicalArray = Float64Array | Float32Array;
/** The constructor of the physical arrays returned. */
export type PhysicalType = typeof Float64Array | typeof Float32Array;

// Format 212 frames of two signals (3 bytes each) to physical units (times `k0`, `k1`), with both checksums.
export function decode212Physical(src: Uint8Array, n: number, b0: number, g0: number, k0: number, b1: number, g1: number, k1: number, Out: PhysicalType): { out: [PhysicalArray, PhysicalArray]; sums: [number, number] } {
  const o0 = new Out(n), o1 = new Out(n);
  let a0 = 0, a1 = 0;
  for (let f = 0, j = 0; f < n; f++, j += 3) {
    const mid = src[j + 1]!;
    const x = ((src[j]! | ((mid & 0x0f) << 8)) << 20) >> 20;
    const y = ((src[j + 2]! | ((mid & 0xf0) << 4)) << 20) >> 20;
    a0 = (a0 + x) | 0;
    a1 = (a1 + y) | 0;
    o0[f] = x === -2048 ? NaN : ((x - b0) / g0) * k0;
    o1[f] = y === -2048 ? NaN : ((y - b1) / g1) * k1;
  }
  return { out: [o0, o1], sums: [mod16(a0), mod16(a1)] };
}

/** {@link decode212Physical} for digital values. */
export function decode212Digital(src: Uint8Array, n: number): { out: [Int32Array, Int32Array]; sums: [number, number] } {
  const o0 = new Int32Array(n), o1 = new Int32Array(n);
  let a0 = 0, a1 = 0;
  for (let f = 0, j = 0; f < n; f++, j += 3) {
    const mid = src[j + 1]!;
    const x = ((src[j]! | ((mid & 0x0f) << 8)) << 20) >> 20;
    const y = ((src[j + 2]! | ((mid & 0xf0) << 4)) << 20) >> 20;
    a0 = (a0 + x) | 0;
    a1 = (a1 + y) | 0;
    o0[f] = x;
    o1[f] = y;
  }
  return { out: [o0, o1], sums: [mod16(a0), mod16(a1)] };
}

// Every `tpf`-th sample from `base`, in physical units times `k`, with the samples' 16-bit sum. Digital
// and physical are two functions because one with both branches deoptimises on whichever ran second.
// The product is taken in float64 and rounded once on the store, so a Float32Array output holds exactly
// the Float64 values rounded.
export function pickPhysical(src: Int16Array | Int32Array, base: number, tpf: number, n: number, baseline: number, gain: number, k: number, invalid: number, Out: PhysicalType): { out: PhysicalArray; sum: number } {
  let acc = 0;
  const out = new Out(n);
  for (let f = 0, p = base; f < n; f++, p += tpf) {
    const x = src[p]!;
    acc = (acc + x) | 0;
    out[f] = x === invalid ? NaN : ((x - baseline) / gain) * k;
  }
  return { out, sum: ((acc % 65536) + 65536) % 65536 };
}

/** {@link pickPhysical} for digital values. */
export function pickDigital(src: Int16Array | Int32Array, base: number, tpf: number, n: number): { out: Int32Array; sum: number } {
  let acc = 0;
  const out = new Int32Array(n);
  for (let f = 0, p = base; f < n; f++, p += tpf) {
    const x = src[p]!;
    acc = (acc + x) | 0;
    out[f] = x;
  }
  return { out, sum: ((acc % 65536) + 65536) % 65536 };
}

// WFDB_INVALID_SAMPLE, for null signals, which have no format of their own.
export const NULL_SAMPLE = -32768;
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
  const gain = s.adcGain === 0 ? 200 : s.adcGain; // WFDB_DEFGAIN for uncalibrated signals
  const invalid = invalidOf(s);
  const baseline = s.baseline;
  const n = d.length;
  const out = new Out(n);
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    out[i] = v === invalid ? NaN : ((v - baseline) / gain) * k;
  }
  return out;
}
