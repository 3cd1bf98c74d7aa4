/**
 * The wrinkles' shading pass: every pixel's R, G and B multiplied by a factor interpolated along its row, as a
 * WebAssembly SIMD kernel (assembled in memory by @ecglab/data's `wasm` writer), four pixels per step.
 *
 * Why: the pass touches 3.7 M pixels of a 200-DPI page, three channels each. The JS loop took 32–42 ms a page on
 * the machine measured, the kernel with its copies 16–21 ms (typed-array bounds checks and the conversion to a
 * byte went per channel in JS). The kernel does the JS expression's operations, lane by lane, in IEEE float64
 * (WebAssembly neither fuses nor reorders):
 *   m = row[x >> 2] · (1 − fx) + row[(x >> 2) + 1] · fx,  fx = (x & 3) / 4   (row entries are float32)
 *   v = channel · m;  channel = trunc(v < 0 ? 0 : v > 255 ? 255 : v)       (what storing to a Uint8Array does)
 * The clamp is done after a saturating truncation: the same byte for every v but NaN, and m is never NaN. The four
 * pixels of a group share their two row entries, so fx is 0, 1/4, 1/2 and 3/4; a row's last width % 4 pixels go
 * one at a time. The bytes are those of the JS loop, which remains where WebAssembly is missing (shade.test.ts).
 *
 * shade(pix, rows, W, gw, n)   byte offsets; n rows of W RGBA pixels at pix, each row's gw float32 factors at rows
 */
import { wasm } from '@ecglab/data';

const { get, set, i32c, f64c, op, whileLoop, moduleOf, instantiate, I32, F64, V128 } = wasm;

// parameters, then i32 locals, f64 locals, v128 locals
const PIX = 0, ROWS = 1, W = 2, GW = 3, N = 4;
const R = 5, X = 6, P = 7, RP = 8, Q = 9, T = 10, W4 = 11;
const FX = 12, M = 13;
const PX = 14, R0 = 15, R1 = 16, MA = 17, MB = 18, WIDE = 19, T0 = 20, T1 = 21, T2 = 22, T3 = 23;

const mem = (code: number, align: number, offset: number): number[] => [code, align, ...wasm.uleb(offset)];
const load8u = (o: number): number[] => mem(0x2d, 0, o);
const store8 = (o: number): number[] => mem(0x3a, 0, o);
const f32load = (o: number): number[] => mem(0x2a, 2, o);
const f64PromoteF32 = [0xbb], f64ConvertI32U = [0xb8], i32TruncSatF64S = [0xfc, 0x02], select = [0x1b];
const { v, simd } = wasm;
const extendLow8 = simd(0x89), extendHigh8 = simd(0x8a), extendLow16 = simd(0xa9), extendHigh16 = simd(0xaa);
const f64x2ConvertLow = v.f64x2convertLowI32x4S, narrow32to16S = simd(0x85), narrow16to8U = simd(0x66);
/** i8x16.shuffle by 32-bit lanes (0–3 the first operand's, 4–7 the second's) */
const lanes32 = (...l: number[]): number[] => v.shuffle(l.flatMap((k) => [4 * k, 4 * k + 1, 4 * k + 2, 4 * k + 3]));
/** i8x16.shuffle by 64-bit lanes (0–1 the first operand's, 2–3 the second's) */
const lanes64 = (...l: number[]): number[] => v.shuffle(l.flatMap((k) => Array.from({ length: 8 }, (_, b) => 8 * k + b)));

// trunc(v < 0 ? 0 : v > 255 ? 255 : v) is, for every v that is not NaN (m is never NaN), the saturating truncation
// clamped to 0..255 afterwards, which needs no float compares: t = trunc_sat(v); t < 0 ? 0 : t > 255 ? 255 : t.
/** channel at P + c: clamp(trunc(channel · M)) */
function channel(c: number): number[] {
  const { i32ltS, i32gtS } = op;
  return [
    ...get(P),
    ...get(P), ...load8u(c), ...f64ConvertI32U, ...get(M), ...op.f64mul, ...i32TruncSatF64S, ...set(T),
    ...i32c(0), ...i32c(255), ...get(T), ...get(T), ...i32c(255), ...i32gtS, ...select, ...get(T), ...i32c(0), ...i32ltS, ...select,
    ...store8(c),
  ];
}

/**
 * One pixel of four (its RGBA as i32x4 on the stack, its factor splatted in `m`) multiplied and truncated, saturating:
 * [R·m, G·m] and [B·m, A·m] in float64, each pair truncated to two i32 lanes, joined into [r, g, b, a] in `into`.
 */
function pixelOf4(m: number[], into: number): number[] {
  return [
    ...set(WIDE),
    ...get(WIDE), ...f64x2ConvertLow, ...m, ...v.f64x2mul, ...v.i32x4truncSatF64x2SZero,
    ...get(WIDE), ...get(WIDE), ...lanes32(2, 3, 2, 3), ...f64x2ConvertLow, ...m, ...v.f64x2mul, ...v.i32x4truncSatF64x2SZero,
    ...lanes32(0, 1, 4, 5), ...set(into),
  ];
}

/** The RGB bytes of a pixel group (alpha stays as it was). */
const RGB_MASK = Array.from({ length: 16 }, (_, b) => (b % 4 === 3 ? 0 : 0xff));

function body(): number[] {
  const { i32add, i32and, i32mul, i32ltS, f64add, f64sub, f64mul } = op;
  return [
    ...get(PIX), ...set(P), ...get(ROWS), ...set(RP),
    ...get(W), ...i32c(-4), ...i32and, ...set(W4),
    ...i32c(0), ...set(R),
    ...whileLoop([...get(R), ...get(N), ...i32ltS],
      [...i32c(0), ...set(X), ...get(RP), ...set(Q)],
      // Whole groups of 4 pixels, which share their two factors: fx = 0, 1/4, 1/2, 3/4.
      whileLoop([...get(X), ...get(W4), ...i32ltS],
        [...get(Q), ...f32load(0), ...f64PromoteF32, ...v.f64x2splat, ...set(R0)],
        [...get(Q), ...f32load(4), ...f64PromoteF32, ...v.f64x2splat, ...set(R1)],
        [...get(R0), ...v.f64x2(1, 0.75), ...v.f64x2mul, ...get(R1), ...v.f64x2(0, 0.25), ...v.f64x2mul, ...v.f64x2add, ...set(MA)],
        [...get(R0), ...v.f64x2(0.5, 0.25), ...v.f64x2mul, ...get(R1), ...v.f64x2(0.5, 0.75), ...v.f64x2mul, ...v.f64x2add, ...set(MB)],
        [...get(P), ...v.load, ...set(PX)],
        [...get(PX), ...extendLow8, ...extendLow16], pixelOf4([...get(MA), ...get(MA), ...lanes64(0, 0)], T0),
        [...get(PX), ...extendLow8, ...extendHigh16], pixelOf4([...get(MA), ...get(MA), ...lanes64(1, 1)], T1),
        [...get(PX), ...extendHigh8, ...extendLow16], pixelOf4([...get(MB), ...get(MB), ...lanes64(0, 0)], T2),
        [...get(PX), ...extendHigh8, ...extendHigh16], pixelOf4([...get(MB), ...get(MB), ...lanes64(1, 1)], T3),
        // Saturating narrowing, i32 → i16 → u8, is the clamp to 0..255.
        [...get(P),
          ...get(T0), ...get(T1), ...narrow32to16S, ...get(T2), ...get(T3), ...narrow32to16S, ...narrow16to8U,
          ...get(PX), ...v.const(RGB_MASK), ...v.bitselect, ...v.store],
        [...get(P), ...i32c(16), ...i32add, ...set(P), ...get(X), ...i32c(4), ...i32add, ...set(X), ...get(Q), ...i32c(4), ...i32add, ...set(Q)],
      ),
      // The last width % 4 pixels, one at a time.
      whileLoop([...get(X), ...get(W), ...i32ltS],
        [...get(X), ...i32c(3), ...i32and, ...f64ConvertI32U, ...f64c(0.25), ...f64mul, ...set(FX)],
        [...get(Q), ...f32load(0), ...f64PromoteF32, ...f64c(1), ...get(FX), ...f64sub, ...f64mul,
          ...get(Q), ...f32load(4), ...f64PromoteF32, ...get(FX), ...f64mul, ...f64add, ...set(M)],
        channel(0), channel(1), channel(2),
        [...get(P), ...i32c(4), ...i32add, ...set(P), ...get(X), ...i32c(1), ...i32add, ...set(X)],
      ),
      [...get(RP), ...get(GW), ...i32c(4), ...i32mul, ...i32add, ...set(RP), ...get(R), ...i32c(1), ...i32add, ...set(R)],
    ),
  ];
}

type ShadeFn = (pix: number, rows: number, w: number, gw: number, n: number) => void;
let kernel: { memory: wasm.WasmMemory; fn: ShadeFn } | null | undefined;

// Rows pass through the kernel's memory a band at a time, so that it stays small (it is never shrunk).
const BAND_BYTES = 1 << 20;

/**
 * Multiplies the RGB of each of the `height` rows of `data` (RGBA, `width` pixels a row) by the factors `rowAt(y,
 * row)` writes into `row` (gw float32 entries, one per 4 pixels plus one: pixel x takes entries x >> 2 and the next,
 * weighted by (x & 3) / 4), clamped to 0..255 and truncated, as storing into a Uint8Array does.
 */
export function shadeRows(data: Uint8Array, width: number, height: number, gw: number, rowAt: (y: number, row: Float32Array) => void): void {
  if (kernel === undefined) kernel = instantiate<ShadeFn>(moduleOf('shade', 5, [[7, I32], [2, F64], [10, V128]], body()), 'shade');
  if (kernel === null) {
    shadeRowsJs(data, width, height, gw, rowAt);
    return;
  }
  const rowBytes = width * 4;
  const band = Math.max(1, Math.floor(BAND_BYTES / (rowBytes + gw * 4)));
  const rowsAt = 0;
  const pixAt = Math.ceil((band * gw * 4) / 8) * 8;
  wasm.ensureBytes(kernel.memory, pixAt + band * rowBytes);
  const buf = kernel.memory.buffer;
  const pix = new Uint8Array(buf, pixAt, band * rowBytes);
  for (let y0 = 0; y0 < height; y0 += band) {
    const n = Math.min(band, height - y0);
    for (let r = 0; r < n; r++) rowAt(y0 + r, new Float32Array(buf, rowsAt + r * gw * 4, gw));
    pix.set(data.subarray(y0 * rowBytes, (y0 + n) * rowBytes));
    kernel.fn(pixAt, rowsAt, width, gw, n);
    data.set(pix.subarray(0, n * rowBytes), y0 * rowBytes);
  }
}

/** {@link shadeRows} as the JS expression: where WebAssembly is missing, and the kernel's reference in the tests. */
export function shadeRowsJs(data: Uint8Array, width: number, height: number, gw: number, rowAt: (y: number, row: Float32Array) => void): void {
  const row = new Float32Array(gw);
  for (let y = 0; y < height; y++) {
    rowAt(y, row);
    let i = y * width * 4;
    for (let x = 0; x < width; x++, i += 4) {
      const gx = x >> 2;
      const fx = (x & 3) / 4;
      const m = row[gx]! * (1 - fx) + row[gx + 1]! * fx;
      data[i] = clamp(data[i]! * m);
      data[i + 1] = clamp(data[i + 1]! * m);
      data[i + 2] = clamp(data[i + 2]! * m);
    }
  }
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
