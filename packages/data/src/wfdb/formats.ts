// WFDB signal formats, after signal(5): each format is a row in FORMATS (sizes, range, invalid value)
// plus a small codec that turns a byte stream into a flat stream of samples and back. Samples of
// all signals in one file are interleaved frame by frame; de-interleaving is done in record.ts.

/** One storage format: how many samples fit in how many bytes, the sample range and codec. */
export interface FormatSpec {
  fmt: number;
  /** Bits per sample (of the stored value). */
  bits: number;
  /** Samples per packed block and the block's size in bytes (212: 2 samples in 3 bytes). */
  blockSamples: number;
  blockBytes: number;
  /** Bytes needed for a trailing partial block holding r = 0..blockSamples-1 samples. */
  partialBytes: readonly number[];
  /** Smallest and largest storable sample; `invalid` (WFDB_INVALID_SAMPLE) is the smallest. */
  min: number;
  max: number;
  invalid: number;
  /** Decodes `n` samples starting at a block boundary of `src` into `dst[at..at+n)`. */
  decode(src: Uint8Array, n: number, dst: Int32Array, at: number): void;
  /** Encodes `n` samples (already in range) into a new buffer of `bytesFor(n)` bytes. */
  encode(src: ArrayLike<number>, n: number): Uint8Array;
}

function aligned(fmt: number, bytes: number, get: (s: Uint8Array, i: number) => number, put: (d: Uint8Array, i: number, v: number) => void, bits = bytes * 8): FormatSpec {
  const min = -(2 ** (bits - 1));
  return {
    fmt, bits, blockSamples: 1, blockBytes: bytes, partialBytes: [0], min, max: 2 ** (bits - 1) - 1, invalid: min,
    decode(src, n, dst, at) {
      for (let i = 0; i < n; i++) dst[at + i] = get(src, i * bytes);
    },
    encode(src, n) {
      const out = new Uint8Array(n * bytes);
      for (let i = 0; i < n; i++) put(out, i * bytes, src[i]!);
      return out;
    },
  };
}

// Format 16 is by far the most common (PTB-XL, CinC MAT files): decode through an Int16Array view
// when the bytes are 2-aligned, which is several times faster than assembling bytes one by one.
const fmt16 = aligned(16, 2, (s, i) => ((s[i]! | (s[i + 1]! << 8)) << 16) >> 16, (d, i, v) => { d[i] = v & 0xff; d[i + 1] = (v >> 8) & 0xff; });
const decode16Bytes = fmt16.decode;
fmt16.decode = (src, n, dst, at) => {
  if ((src.byteOffset & 1) === 0 && src.byteLength >= 2 * n) {
    const v = new Int16Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) dst[at + i] = v[i]!;
  } else decode16Bytes(src, n, dst, at);
};

const sx = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

const fmt212: FormatSpec = {
  fmt: 212, bits: 12, blockSamples: 2, blockBytes: 3, partialBytes: [0, 2], min: -2048, max: 2047, invalid: -2048,
  // Two 12-bit samples in 3 bytes: byte 0 = low 8 bits of s0, byte 1 = (high 4 of s1)<<4 | high 4 of s0, byte 2 = low 8 of s1.
  decode(src, n, dst, at) {
    const pairs = n >> 1;
    let j = 0;
    for (let p = 0; p < pairs; p++, j += 3) {
      const b1 = src[j + 1]!;
      dst[at++] = (((src[j]! | ((b1 & 0x0f) << 8)) << 20) >> 20);
      dst[at++] = (((src[j + 2]! | ((b1 & 0xf0) << 4)) << 20) >> 20);
    }
    if (n & 1) dst[at] = ((src[j]! | (((src[j + 1] ?? 0) & 0x0f) << 8)) << 20) >> 20;
  },
  encode(src, n) {
    const out = new Uint8Array(Math.floor(n / 2) * 3 + (n & 1 ? 2 : 0));
    for (let i = 0, j = 0; i < n; i += 2, j += 3) {
      const a = src[i]! & 0xfff;
      const b = i + 1 < n ? src[i + 1]! & 0xfff : 0;
      out[j] = a & 0xff;
      out[j + 1] = (a >> 8) | ((b >> 8) << 4);
      if (i + 1 < n) out[j + 2] = b & 0xff;
    }
    return out;
  },
};

const fmt310: FormatSpec = {
  fmt: 310, bits: 10, blockSamples: 3, blockBytes: 4, partialBytes: [0, 2, 4], min: -512, max: 511, invalid: -512,
  // Three 10-bit samples in two 16-bit little-endian words: s0 in bits 1-10 of word 0, s1 in bits 1-10
  // of word 1, s2's low 5 bits in bits 11-15 of word 0 and its high 5 bits in bits 11-15 of word 1.
  decode(src, n, dst, at) {
    for (let i = 0, j = 0; i < n; i += 3, j += 4) {
      const w0 = src[j]! | ((src[j + 1] ?? 0) << 8);
      const w1 = (src[j + 2] ?? 0) | ((src[j + 3] ?? 0) << 8);
      dst[at + i] = sx((w0 >> 1) & 0x3ff, 10);
      if (i + 1 < n) dst[at + i + 1] = sx((w1 >> 1) & 0x3ff, 10);
      if (i + 2 < n) dst[at + i + 2] = sx(((w0 >> 11) & 0x1f) | (((w1 >> 11) & 0x1f) << 5), 10);
    }
  },
  encode(src, n) {
    const out = new Uint8Array(Math.floor(n / 3) * 4 + [0, 2, 4][n % 3]!);
    for (let i = 0, j = 0; i < n; i += 3, j += 4) {
      const a = src[i]! & 0x3ff;
      const b = i + 1 < n ? src[i + 1]! & 0x3ff : 0;
      const c = i + 2 < n ? src[i + 2]! & 0x3ff : 0;
      const w0 = (a << 1) | ((c & 0x1f) << 11);
      const w1 = (b << 1) | ((c >> 5) << 11);
      out[j] = w0 & 0xff; out[j + 1] = w0 >> 8;
      if (i + 1 < n) { out[j + 2] = w1 & 0xff; out[j + 3] = w1 >> 8; }
    }
    return out;
  },
};

const fmt311: FormatSpec = {
  fmt: 311, bits: 10, blockSamples: 3, blockBytes: 4, partialBytes: [0, 2, 3], min: -512, max: 511, invalid: -512,
  // Three 10-bit samples in one 32-bit little-endian word: bits 0-9, 10-19, 20-29 (bits 30-31 unused).
  decode(src, n, dst, at) {
    for (let i = 0, j = 0; i < n; i += 3, j += 4) {
      const w = (src[j]! | ((src[j + 1] ?? 0) << 8) | ((src[j + 2] ?? 0) << 16) | ((src[j + 3] ?? 0) << 24)) >>> 0;
      dst[at + i] = sx(w & 0x3ff, 10);
      if (i + 1 < n) dst[at + i + 1] = sx((w >>> 10) & 0x3ff, 10);
      if (i + 2 < n) dst[at + i + 2] = sx((w >>> 20) & 0x3ff, 10);
    }
  },
  encode(src, n) {
    const out = new Uint8Array(Math.floor(n / 3) * 4 + [0, 2, 3][n % 3]!);
    for (let i = 0, j = 0; i < n; i += 3, j += 4) {
      const w = ((src[i]! & 0x3ff) | ((i + 1 < n ? src[i + 1]! & 0x3ff : 0) << 10) | ((i + 2 < n ? src[i + 2]! & 0x3ff : 0) << 20)) >>> 0;
      const k = Math.min(4, out.length - j);
      for (let b = 0; b < k; b++) out[j + b] = (w >>> (8 * b)) & 0xff;
    }
    return out;
  },
};

/**
 * The signal formats, one row each. Format 8 stores first differences (integrated per signal in
 * record.ts with the header's initial value); 80 and 160 are offset binary; 61 is big-endian.
 */
export const FORMATS: ReadonlyMap<number, FormatSpec> = new Map<number, FormatSpec>([
  [8, aligned(8, 1, (s, i) => (s[i]! << 24) >> 24, (d, i, v) => { d[i] = v & 0xff; })],
  [16, fmt16],
  [24, aligned(24, 3, (s, i) => ((s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16)) << 8) >> 8, (d, i, v) => { d[i] = v & 0xff; d[i + 1] = (v >> 8) & 0xff; d[i + 2] = (v >> 16) & 0xff; })],
  [32, aligned(32, 4, (s, i) => s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24), (d, i, v) => { d[i] = v & 0xff; d[i + 1] = (v >> 8) & 0xff; d[i + 2] = (v >> 16) & 0xff; d[i + 3] = (v >>> 24) & 0xff; })],
  [61, aligned(61, 2, (s, i) => ((s[i + 1]! | (s[i]! << 8)) << 16) >> 16, (d, i, v) => { d[i + 1] = v & 0xff; d[i] = (v >> 8) & 0xff; }, 16)],
  [80, aligned(80, 1, (s, i) => s[i]! - 128, (d, i, v) => { d[i] = (v + 128) & 0xff; }, 8)],
  [160, aligned(160, 2, (s, i) => (s[i]! | (s[i + 1]! << 8)) - 32768, (d, i, v) => { const u = v + 32768; d[i] = u & 0xff; d[i + 1] = (u >> 8) & 0xff; }, 16)],
  [212, fmt212],
  [310, fmt310],
  [311, fmt311],
]);

/** FLAC-compressed formats, read through libFLAC (flac.ts), not through a FormatSpec codec; not written. */
export const FLAC_FORMATS: ReadonlySet<number> = new Set([508, 516, 524]);

/** Bytes needed to hold `n` samples of a format (a partial trailing block counts its used bytes). */
export function bytesFor(spec: FormatSpec, n: number): number {
  const full = Math.floor(n / spec.blockSamples);
  return full * spec.blockBytes + spec.partialBytes[n - full * spec.blockSamples]!;
}

/** The largest number of samples that `bytes` bytes can hold in a format. */
export function samplesIn(spec: FormatSpec, bytes: number): number {
  const full = Math.floor(bytes / spec.blockBytes);
  const rest = bytes - full * spec.blockBytes;
  let r = 0;
  while (r + 1 < spec.blockSamples && spec.partialBytes[r + 1]! <= rest) r++;
  return full * spec.blockSamples + r;
}
