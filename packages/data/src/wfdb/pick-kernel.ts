/**
 * The record reader's hottest loop, one signal picked out of a file's frame-ordered samples, as a
 * WebAssembly function assembled here from its opcodes (no toolchain, no binary file).
 *
 * Why WebAssembly: in JS each sample pays two typed-array bounds checks; V8 ran this loop at 2–3 ns a
 * sample on the machines measured, so a PTB-XL record's 60,000 samples took longer than reading its
 * files. The function does, per sample, what the scalar reader did:
 *   x = sample; sum += x (32-bit wrap); invalid += x == invalid value;
 *   digital: out = x;  physical: out = ((x − baseline) / gain) × k  (float64; float32 rounds the result once)
 * WebAssembly's float64 sub, div and mul are the IEEE operations in that order, never fused, so the values
 * are bit-identical to the JS expression (pick-kernel.test.ts checks every 16-bit and 12-bit value).
 *
 * pick(src, kind, stride, n, dst, mode, cal)        all pointers are byte offsets
 *   src       the signal's first sample: int16 or int32 little-endian (kind 0, 1), or the first 3-byte
 *             block of a two-signal format 212 file, whose first or second sample is wanted (kind 2, 3)
 *   stride    bytes from one frame's sample to the next
 *   dst       n outputs: int32 (mode 0), float64 (mode 1) or float32 (mode 2)
 *   cal       f64 baseline, f64 gain, f64 k, i32 invalid value at 0, 8, 16, 24, and at 36 the address of
 *             the table entry for value 0 (or 0: none); the kernel writes the samples' 32-bit sum at 28
 *             and how many were the invalid value at 32
 * With a table (16-bit and 12-bit samples in physical units), each value is looked up rather than computed:
 * the table holds the same expression for every value the format can store (NaN for the invalid one), made by
 * the JS expression itself (`fillTable`), so the division, the slowest step, is done once per value instead
 * of once per sample.
 */
import { mod16 } from './checksum.js';
import { block, br, brIf, ensureBytes, get, i32c, ifElse, instantiate, moduleOf, op, set, uleb, F64, I32, loop, type WasmMemory } from '../wasm/writer.js';

// parameters
const SRC = 0, KIND = 1, STRIDE = 2, N = 3, DST = 4, MODE = 5, CAL = 6;
// i32 locals, then f64 locals
const P = 7, END = 8, X = 9, ACC = 10, INVALIDS = 11, Q = 12, INV = 13, TABLE = 14;
const BASE = 15, GAIN = 16, K = 17;

const mem = (code: number, align: number, offset = 0): number[] => [code, align, ...uleb(offset)];
const load8u = (o = 0): number[] => mem(0x2d, 0, o);
const load16s = mem(0x2e, 1);
const i32load = (o = 0): number[] => mem(0x28, 2, o);
const i32store = (o = 0): number[] => mem(0x36, 2, o);
const f64load = (o: number): number[] => mem(0x2b, 3, o);
const f64store = mem(0x39, 3);
const f32store = mem(0x38, 2);
const f32load = mem(0x2a, 2);
const f64ConvertI32S = [0xb7], f32DemoteF64 = [0xb6], f64div = [0xa3], i32eq = [0x46], i32or = [0x72], i32shrS = [0x75];
/** `body` when `cond` (an i32) is not 0 */
const when = (cond: number[], ...body: number[][]): number[] => [...cond, 0x04, 0x40, ...body.flat(), 0x0b];

/** Where a signal's samples sit (the `kind` argument). */
export const SampleKind = { Int16: 0, Int32: 1, Fmt212First: 2, Fmt212Second: 3 } as const;
export type SampleKind = (typeof SampleKind)[keyof typeof SampleKind];
/** What the kernel writes (the `mode` argument). */
export const PickMode = { Digital: 0, Float64: 1, Float32: 2 } as const;
export type PickMode = (typeof PickMode)[keyof typeof PickMode];
const OUT_BYTES = [4, 8, 4] as const;

// x = the sample at P; 212 packs two 12-bit samples in 3 bytes: byte 0 = low 8 bits of the first,
// byte 1 = (high 4 of the second) << 4 | high 4 of the first, byte 2 = low 8 of the second.
function loadSample(kind: SampleKind): number[] {
  const signExtend12 = [...i32c(20), ...op.i32shl, ...i32c(20), ...i32shrS];
  switch (kind) {
    case SampleKind.Int16: return [...get(P), ...load16s];
    case SampleKind.Int32: return [...get(P), ...i32load()];
    case SampleKind.Fmt212First:
      return [...get(P), ...load8u(), ...get(P), ...load8u(1), ...i32c(0x0f), ...op.i32and, ...i32c(8), ...op.i32shl, ...i32or, ...signExtend12];
    case SampleKind.Fmt212Second:
      return [...get(P), ...load8u(2), ...get(P), ...load8u(1), ...i32c(0xf0), ...op.i32and, ...i32c(4), ...op.i32shl, ...i32or, ...signExtend12];
  }
}

/** The loop for one sample kind and output mode, computing or looking up: a branch per call, none per sample. */
function pickLoop(kind: SampleKind, mode: PickMode, lookUp: boolean): number[] {
  const f32 = mode === PickMode.Float32;
  const store = mode === PickMode.Digital
    ? [...get(Q), ...get(X), ...i32store()]
    : lookUp
      ? [...get(Q), ...get(TABLE), ...get(X), ...i32c(f32 ? 2 : 3), ...op.i32shl, ...op.i32add, ...(f32 ? [...f32load, ...f32store] : [...f64load(0), ...f64store])]
      : [...get(Q),
        ...get(X), ...f64ConvertI32S, ...get(BASE), ...op.f64sub, ...get(GAIN), ...f64div, ...get(K), ...op.f64mul,
        ...(f32 ? [...f32DemoteF64, ...f32store] : f64store)];
  return [
    ...get(DST), ...get(N), ...i32c(OUT_BYTES[mode]), ...op.i32mul, ...op.i32add, ...set(END),
    ...block(loop(
      [...get(Q), ...get(END), ...op.i32ltS, ...op.i32eqz, ...brIf(1)],
      [...loadSample(kind), ...set(X)],
      [...get(ACC), ...get(X), ...op.i32add, ...set(ACC)],
      [...get(INVALIDS), ...get(X), ...get(INV), ...i32eq, ...op.i32add, ...set(INVALIDS)],
      store,
      [...get(P), ...get(STRIDE), ...op.i32add, ...set(P)],
      [...get(Q), ...i32c(OUT_BYTES[mode]), ...op.i32add, ...set(Q)],
      br(0),
    )),
  ];
}

function kernelBody(): number[] {
  const variants: number[] = [];
  for (const kind of Object.values(SampleKind)) {
    for (const mode of Object.values(PickMode)) {
      const loops = mode !== PickMode.Digital && kind !== SampleKind.Int32
        ? [...get(TABLE), ...ifElse([pickLoop(kind, mode, true)], [pickLoop(kind, mode, false)])]
        : pickLoop(kind, mode, false);
      variants.push(...when([...get(KIND), ...i32c(kind), ...i32eq, ...get(MODE), ...i32c(mode), ...i32eq, ...op.i32and], loops));
    }
  }
  return [
    ...get(CAL), ...f64load(0), ...set(BASE),
    ...get(CAL), ...f64load(8), ...set(GAIN),
    ...get(CAL), ...f64load(16), ...set(K),
    ...get(CAL), ...i32load(24), ...set(INV),
    ...get(CAL), ...i32load(36), ...set(TABLE),
    ...get(SRC), ...set(P), ...get(DST), ...set(Q),
    ...i32c(0), ...set(ACC), ...i32c(0), ...set(INVALIDS),
    ...variants,
    ...get(CAL), ...get(ACC), ...i32store(28),
    ...get(CAL), ...get(INVALIDS), ...i32store(32),
  ];
}

type PickFn = (src: number, kind: number, stride: number, n: number, dst: number, mode: number, cal: number) => void;

let kernel: { memory: WasmMemory; pick: PickFn } | null = null;

// Made on first use in each thread (a worker has its own).
function pickKernel(): { memory: WasmMemory; pick: PickFn } {
  if (kernel !== null) return kernel;
  const made = instantiate<PickFn>(moduleOf('pick', 7, [[8, I32], [3, F64]], kernelBody()), 'pick');
  if (made === null) throw new Error('the record reader needs WebAssembly (Node >= 16)');
  kernel = { memory: made.memory, pick: made.fn };
  return kernel;
}

/** One signal to pick out of the frames: where it sits in a frame, how it is stored, its calibration. */
export interface PickSignal {
  /** Byte offset of its sample (of its 212 block) within a frame. */
  at: number;
  kind: SampleKind;
  baseline: number;
  gain: number;
  /** Factor applied after the conversion (`scale`). */
  k: number;
  /** The format's invalid value: read as NaN in physical units. */
  invalid: number;
}

type Output<M extends PickMode> = M extends typeof PickMode.Digital ? Int32Array : M extends typeof PickMode.Float64 ? Float64Array : Float32Array;
const OUTPUT = [Int32Array, Float64Array, Float32Array] as const;

// Frames pass through the kernel's memory this many bytes at a time, so that a long record does not grow
// it for good (it is never shrunk).
const CHUNK_BYTES = 1 << 18;

// Lookup tables, in the kernel's memory after the calibration block: a few calibrations at a time (the
// records of a database share theirs). A calibration's table is made once it has been asked for as many
// samples as the table has entries, so that making it never costs more than the divisions it saves.
const TABLE_SLOTS = 4;
const TABLE_BYTES = 65536 * 8;
const CAL_AT = 0, TABLES_AT = 64;
const SRC_AT = TABLES_AT + TABLE_SLOTS * TABLE_BYTES;
/** A calibration: what a table's entries depend on. */
interface Calibration { mode: PickMode; values: number; baseline: number; gain: number; k: number; invalid: number }
/** Calibrations with a table (with its slot), least recently used first. */
const tables: (Calibration & { slot: number })[] = [];
/** Samples asked for, per calibration without a table yet; least recently asked first. */
const demand: (Calibration & { asked: number })[] = [];
const DEMAND_KEPT = 16;

// Object.is: a table made with k = −0 holds −0 where k = 0 gives +0.
const same = (a: Calibration, b: Calibration): boolean => a.mode === b.mode && a.values === b.values && Object.is(a.baseline, b.baseline)
  && Object.is(a.gain, b.gain) && Object.is(a.k, b.k) && a.invalid === b.invalid;

/** Moves the entry at `i` of a least-recently-used list to its end (most recent), and returns it. */
function touch<T>(list: T[], i: number): T {
  const e = list[i]!;
  if (i !== list.length - 1) {
    list.splice(i, 1);
    list.push(e);
  }
  return e;
}

/** The address of a table's entry for value 0. */
const entryAt = (slot: number, values: number, mode: PickMode): number => TABLES_AT + slot * TABLE_BYTES + (values / 2) * (mode === PickMode.Float32 ? 4 : 8);

/** The address of the table entry for value 0 for this signal's calibration, or 0 where it has none (yet). */
function tableFor(buf: ArrayBuffer, s: PickSignal, mode: PickMode, n: number): number {
  if (mode === PickMode.Digital || s.kind === SampleKind.Int32) return 0;
  const values = s.kind === SampleKind.Int16 ? 65536 : 4096;
  const cal: Calibration = { mode, values, baseline: s.baseline, gain: s.gain, k: s.k, invalid: s.invalid };
  const t = tables.findIndex((e) => same(e, cal));
  if (t >= 0) return entryAt(touch(tables, t).slot, values, mode);
  const d = demand.findIndex((e) => same(e, cal));
  const asked = (d >= 0 ? demand.splice(d, 1)[0]!.asked : 0) + n;
  if (asked < values) {
    if (demand.length >= DEMAND_KEPT) demand.shift();
    demand.push({ ...cal, asked });
    return 0;
  }
  const slot = tables.length < TABLE_SLOTS ? tables.length : tables.shift()!.slot;
  fillTable(buf, TABLES_AT + slot * TABLE_BYTES, s, mode, values);
  tables.push({ ...cal, slot });
  return entryAt(slot, values, mode);
}

// Entry i holds value i − values/2 converted by the reader's own expression (as the loop without a table).
function fillTable(buf: ArrayBuffer, at: number, s: PickSignal, mode: PickMode, values: number): void {
  const t = mode === PickMode.Float32 ? new Float32Array(buf, at, values) : new Float64Array(buf, at, values);
  for (let i = 0, x = -values / 2; i < values; i++, x++) t[i] = x === s.invalid ? NaN : ((x - s.baseline) / s.gain) * s.k;
}

/**
 * The first `n` frames' samples of each signal in `signals`, from `bytes` (frame 0 at byte 0, `frameBytes`
 * apart), as `mode` asks, each with its samples' 16-bit sum and how many were the invalid value (NaN in
 * physical units). A signal with an array in `into` (of the mode's type, at least `n` long) is written there
 * and returned as a view of its first `n` values; the others get new arrays.
 */
export function pickSignals<M extends PickMode>(bytes: Uint8Array, frameBytes: number, n: number, signals: readonly PickSignal[], mode: M, into: readonly (Int32Array | Float64Array | Float32Array | undefined)[] = []): { out: Output<M>; sum: number; invalid: number }[] {
  const { memory, pick } = pickKernel();
  const Out = OUTPUT[mode];
  const frames = Math.max(1, Math.floor(CHUNK_BYTES / frameBytes));
  const dstAt = SRC_AT + Math.ceil((frames * frameBytes) / 8) * 8;
  ensureBytes(memory, dstAt + frames * 8);
  const buf = memory.buffer;
  const cal = new DataView(buf, CAL_AT, SRC_AT);
  // One chunk (most records) without a caller's array: the output is a copy of the kernel's (slice()); otherwise
  // each chunk is copied into the caller's array, or into an array made first.
  const oneChunk = n > 0 && n <= frames;
  const outs: (Int32Array | Float64Array | Float32Array | undefined)[] = signals.map((_, i) => into[i]?.subarray(0, n) ?? (oneChunk ? undefined : new Out(n)));
  const sums = signals.map(() => 0);
  const invalid = signals.map(() => 0);
  // A table holds NaN for the invalid value already; without one, NaN is put in afterwards.
  const table = signals.map((s) => tableFor(buf, s, mode, n));
  for (let f0 = 0; f0 < n; f0 += frames) {
    const m = Math.min(frames, n - f0);
    new Uint8Array(buf, SRC_AT, m * frameBytes).set(bytes.subarray(f0 * frameBytes, (f0 + m) * frameBytes));
    signals.forEach((s, i) => {
      cal.setFloat64(0, s.baseline, true);
      cal.setFloat64(8, s.gain, true);
      cal.setFloat64(16, s.k, true);
      cal.setInt32(24, s.invalid, true);
      cal.setInt32(36, table[i]!, true);
      pick(SRC_AT + s.at, s.kind, frameBytes, m, dstAt, mode, CAL_AT);
      sums[i] = (sums[i]! + cal.getInt32(28, true)) | 0;
      invalid[i] = invalid[i]! + cal.getInt32(32, true);
      const out = outs[i];
      if (out === undefined) outs[i] = new Out(buf, dstAt, m).slice();
      else out.set(new Out(buf, dstAt, m), f0);
    });
  }
  signals.forEach((s, i) => {
    if (invalid[i] === 0 || mode === PickMode.Digital || table[i] !== 0) return;
    const digital = pickSignals(bytes, frameBytes, n, [s], PickMode.Digital)[0]!.out;
    const out = outs[i]!;
    for (let f = 0; f < n; f++) if (digital[f] === s.invalid) out[f] = NaN;
  });
  return outs.map((out, i) => ({ out: out as Output<M>, sum: mod16(sums[i]!), invalid: invalid[i]! }));
}
