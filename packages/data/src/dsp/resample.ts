import { argError, checkFinitePositive, checkPositiveInt } from './errors.js';
import { firwinLowpass } from './fir.js';
import { ensureBytes } from '../wasm/writer.js';
import { instantiateKernel, type KernelFn, type WasmMemory } from './polyphase-kernel.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** ceil(nIn * up / down): the output length of resample_poly. */
export function outputLength(nIn: number, up: number, down: number): number {
  const g = gcd(up, down);
  up /= g;
  down /= g;
  const n = nIn * up;
  return Math.floor(n / down) + (n % down > 0 ? 1 : 0);
}

/**
 * scipy's filter for (up, down) as a polyphase bank: phase p holds taps h[p], h[p+up], ... of
 * h = [nPrePad zeros, up · firwin(20·max+1, 1/max, kaiser 5)]. scipy also appends post-padding
 * zeros when its full upfirdn output would be too short to slice; we compute each kept output
 * directly, so those zero taps never matter.
 */
interface Bank {
  /** byte offsets of the bank (f64[up][K]) and tap counts (i32[up]) in the kernel's memory */
  bankPtr: number;
  tapsPtr: number;
  /** taps per phase, padded: ceil(len(h) / up) */
  K: number;
  /** outputs of the full convolution dropped at the start (scipy's n_pre_remove) */
  preRemove: number;
}

/** The kernel, its memory, and the banks kept there per (up, down), since records share rates. */
let wasm: { memory: WasmMemory; kernel: KernelFn } | null = null;
const banks = new Map<string, Bank>();
let banksEnd = 0; // bytes used by banks; the work area follows
const BANKS_MAX = 32 << 20; // beyond this, drop all banks and start again

const ensure = (bytes: number): void => ensureBytes(wasm!.memory, bytes);

function bankFor(up: number, down: number): Bank {
  const key = `${up}/${down}`;
  const hit = banks.get(key);
  if (hit !== undefined) return hit;
  const maxRate = Math.max(up, down);
  const halfLen = 10 * maxRate; // scipy: "reasonable cutoff for our sinc-like function"
  const base = firwinLowpass(2 * halfLen + 1, 1 / maxRate, 5.0);
  const nPrePad = down - (halfLen % down);
  const preRemove = Math.floor((halfLen + nPrePad) / down);
  const lenH = nPrePad + base.length;
  const K = Math.ceil(lenH / up);
  const bytes = up * K * 8 + up * 4;
  if (banksEnd + bytes > BANKS_MAX) {
    banks.clear();
    banksEnd = 0;
  }
  const bankPtr = banksEnd;
  const tapsPtr = bankPtr + up * K * 8;
  banksEnd = (tapsPtr + up * 4 + 15) & ~15;
  ensure(banksEnd);
  const buf = wasm!.memory.buffer;
  const bank = new Float64Array(buf, bankPtr, up * K);
  const taps = new Int32Array(buf, tapsPtr, up);
  for (let p = 0; p < up; p++) {
    taps[p] = Math.ceil((lenH - p) / up);
    for (let k = 0; k < K; k++) {
      const j = k * up + p - nPrePad; // tap k of phase p is h[k·up + p]
      bank[p * K + k] = j >= 0 && j < base.length ? base[j]! * up : 0;
    }
  }
  const b = { bankPtr, tapsPtr, K, preRemove };
  banks.set(key, b);
  return b;
}

type Samples = Float32Array | Float64Array;

/** One lane of the kernel's input: x[shift + j] at pair j − pad (zeros outside x). */
interface Lane {
  x: Samples;
  shift: number;
  /** where the lane's outputs go: out[dst + o] for o < count */
  out: Samples;
  dst: number;
  count: number;
}

/**
 * Runs the kernel over two lanes: the first `nOut` outputs of each. The sums are
 * bit-identical to the scalar loop
 *   y[o] = Σ_{i = iHi ↓ iLo} h[(o + preRemove)·down − i·up] · x[i]
 * that this module used before (the taps and the summation order are the same).
 */
function runPair(a: Lane, b: Lane | null, up: number, down: number, bank: Bank, nOut: number): void {
  const pad = bank.K - 1;
  const pairs = Math.floor(((nOut - 1 + bank.preRemove) * down) / up) + pad + 1;
  const xpPtr = banksEnd;
  const yPtr = xpPtr + pairs * 16;
  ensure(yPtr + nOut * 16);
  const f = new Float64Array(wasm!.memory.buffer);
  const xp = xpPtr / 8;
  for (let lane = 0; lane < 2; lane++) {
    const l = lane === 0 ? a : b;
    if (l === null) {
      for (let j = 0; j < pairs; j++) f[xp + 2 * j + 1] = 0;
      continue;
    }
    const { x, shift } = l;
    const n = x.length;
    // pair j holds x[j − pad + shift]
    const j0 = Math.min(pairs, Math.max(0, pad - shift));
    const j1 = Math.max(j0, Math.min(pairs, n + pad - shift));
    let w = xp + lane;
    for (let j = 0; j < j0; j++, w += 2) f[w] = 0;
    for (let j = j0, i = j0 - pad + shift; j < j1; j++, i++, w += 2) f[w] = x[i]!;
    for (let j = j1; j < pairs; j++, w += 2) f[w] = 0;
  }
  wasm!.kernel(bank.bankPtr, bank.tapsPtr, bank.K, xpPtr, yPtr, up, down, bank.preRemove, nOut, pad);
  const y = yPtr / 8;
  for (let lane = 0; lane < 2; lane++) {
    const l = lane === 0 ? a : b;
    if (l === null) continue;
    const { out, dst, count } = l;
    for (let o = 0, r = y + lane; o < count; o++, r += 2) out[dst + o] = f[r]!;
  }
}

/** Resamples leads of one length into `outs`; (up, down) reduced, not both 1. */
function resampleInto(xs: readonly Samples[], outs: Samples[], up: number, down: number): void {
  if (wasm === null) {
    wasm = instantiateKernel();
    if (wasm === null) throw new Error('resamplePoly needs WebAssembly with SIMD (Node >= 16.4)');
  }
  const n = outs[0]!.length;
  if (n === 0) return;
  const bank = bankFor(up, down);
  // two leads at a time, one per lane
  let i = 0;
  for (; i + 1 < xs.length; i += 2) {
    runPair({ x: xs[i]!, shift: 0, out: outs[i]!, dst: 0, count: n }, { x: xs[i + 1]!, shift: 0, out: outs[i + 1]!, dst: 0, count: n }, up, down, bank, n);
  }
  if (i === xs.length) return;
  const x = xs[i]!;
  const out = outs[i]!;
  if (n < 64) {
    runPair({ x, shift: 0, out, dst: 0, count: n }, null, up, down, bank, n);
    return;
  }
  // a lead left over goes in halves, one per lane: output o + half has the phase of output o
  // and reads x T·down samples further on
  const T = Math.ceil(Math.ceil(n / 2) / up);
  const half = Math.min(T * up, n);
  runPair({ x, shift: 0, out, dst: 0, count: half }, { x, shift: T * down, out, dst: half, count: n - half }, up, down, bank, half);
}

function reduceRates(fn: string, up: number, down: number): [number, number] {
  checkPositiveInt(fn, 'up', up);
  checkPositiveInt(fn, 'down', down);
  const g = gcd(up, down);
  return [up / g, down / g];
}

/**
 * Polyphase resampling by up/down, matching scipy.signal.resample_poly(x, up, down) with its
 * defaults: window ('kaiser', 5.0), FIR of 20*max(up,down)+1 taps, padtype 'constant' (zeros
 * beyond the ends). Agrees with scipy 1.10 to ~1e-12 relative (see dsp.test.ts; resample.test.ts checks the kernel bit for bit against the scalar loop). Computes
 * in float64 and returns the input's type: a Float32Array input gives the float64 result
 * rounded once to float32 (the same values as resampling `Float64Array.from(x)` and converting).
 * Example: `resamplePoly(x500Hz, 18, 25)` → 360 Hz.
 */
export function resamplePoly(x: Float64Array, up: number, down: number): Float64Array;
export function resamplePoly(x: Float32Array, up: number, down: number): Float32Array;
export function resamplePoly(x: Samples, up: number, down: number): Samples {
  [up, down] = reduceRates('resamplePoly', up, down);
  if (!(x instanceof Float64Array || x instanceof Float32Array)) argError('resamplePoly', 'x', 'must be a Float64Array or Float32Array');
  if (up === 1 && down === 1) return x.slice();
  const y = x instanceof Float64Array ? new Float64Array(outputLength(x.length, up, down)) : new Float32Array(outputLength(x.length, up, down));
  resampleInto([x], [y], up, down);
  return y;
}

/** Rational approximation up/down of fsOut/fsIn (exact for rational rates such as 500→360 = 18/25). */
export function rateRatio(fsIn: number, fsOut: number): [number, number] {
  checkFinitePositive('rateRatio', 'fsIn', fsIn);
  checkFinitePositive('rateRatio', 'fsOut', fsOut);
  // scale to integers on a 1e-6 Hz grid, then reduce
  const a = Math.round(fsOut * 1e6);
  const b = Math.round(fsIn * 1e6);
  const g = gcd(a, b);
  const up = a / g;
  const down = b / g;
  if (up > 10000 || down > 10000) {
    argError('rateRatio', 'fsIn/fsOut', `ratio ${fsOut}/${fsIn} reduces to ${up}/${down}; rates must have a small rational ratio`);
  }
  return [up, down];
}

/**
 * Resamples every lead of a [leads][samples] signal from fsIn to fsOut Hz, as resamplePoly on each
 * lead (the same values), two leads at a time. Float32Array leads give Float32Array leads.
 * Example: `resampleSignal(rec.signal, 500, 100)` → PTB-XL's 100 Hz rate.
 */
export function resampleSignal(sig: Float64Array[], fsIn: number, fsOut: number): Float64Array[];
export function resampleSignal(sig: Float32Array[], fsIn: number, fsOut: number): Float32Array[];
export function resampleSignal(sig: Samples[], fsIn: number, fsOut: number): Samples[] {
  if (!Array.isArray(sig) || sig.length === 0) argError('resampleSignal', 'signal', 'must be a non-empty array of leads');
  const kind = sig[0] instanceof Float32Array ? Float32Array : Float64Array;
  const n = sig[0]!.length;
  for (let i = 0; i < sig.length; i++) {
    const lead = sig[i];
    if (!(lead instanceof kind)) argError('resampleSignal', 'signal', `lead ${i} must be a ${kind.name} like lead 0`);
    if (lead.length !== n) argError('resampleSignal', 'signal', `leads must have equal lengths, lead 0 has ${n} and lead ${i} has ${lead.length}`);
  }
  const [up, down] = rateRatio(fsIn, fsOut);
  if (up === 1 && down === 1) return sig.map((l) => l.slice());
  const outs = sig.map(() => new kind(outputLength(n, up, down)));
  resampleInto(sig, outs, up, down);
  return outs;
}
