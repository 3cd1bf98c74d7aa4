import { argError } from '../dsp/errors.js';

/**
 * The one seeded generator of ecglab: xoshiro128** (Blackman & Vigna, 2018) on 32-bit state words, so it
 * runs on plain JS numbers, its state expanded from the seed with splitmix32. The same seed gives the same
 * stream on every platform. Sampling orders, shifts, crops, bootstrap resamples, noise, render artefacts
 * and attacks all draw from it; its whole state is four integers, so a checkpoint stores it exactly.
 *
 * @example
 * const r = new Rng(42);
 * r.next(); r.int(10); r.gaussian(); r.shuffle([1, 2, 3]);
 * const perBatch = Rng.derive(seed, epoch, batch); // an independent stream per (seed, epoch, batch)
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) argError('Rng', 'seed', `must be an integer, got ${seed}`);
    let x = seed >>> 0;
    const split = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /**
   * A generator for one sub-stream, seeded from `seed` and integer `keys` (epoch, batch, record, a name's
   * hash...). Streams for different keys are independent for practical purposes, and a stream does not
   * depend on how many numbers others drew: what makes prefetching, worker threads and resuming exact.
   */
  static derive(seed: number, ...keys: number[]): Rng {
    let h = Math.imul((seed | 0) ^ 0x5bd1e995, 0x9e3779b1);
    for (const k of keys) {
      if (!Number.isInteger(k)) argError('Rng.derive', 'keys', `must be integers, got ${k}`);
      h = Math.imul(h ^ (k | 0) ^ ((k / 4294967296) | 0), 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
    return new Rng(h | 0);
  }

  /** A 32-bit hash of a string, for `derive` keys named by text (artefact names, record paths). */
  static hashString(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193); // FNV-1a
    return h | 0;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) argError('Rng.int', 'n', `must be an integer >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** −1 or +1 with equal odds. */
  sign(): number {
    return this.next() < 0.5 ? -1 : 1;
  }

  /** Standard normal deviate by the Box–Muller transform (the second value of each pair is kept). */
  gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next(); // log(0) would be -Infinity
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }

  /** The state as four uint32s, for checkpoints (a pending Gaussian spare is not part of it). */
  get state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  set state(s: [number, number, number, number]) {
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) || s.every((w) => w === 0)) {
      argError('Rng', 'state', `must be four uint32 words, not all zero, got ${JSON.stringify(s)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = s.map((w) => w | 0) as [number, number, number, number];
    this.spare = undefined;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
