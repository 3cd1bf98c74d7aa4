/**
 * The inner loop of resamplePoly as a WebAssembly SIMD function, assembled here from its opcodes
 * (no toolchain, no binary file: the module is built in memory when first used).
 *
 * Why WebAssembly: the loop is ~30 multiply-adds per output; in JS each one pays a bounds check
 * and runs one float64 at a time. Here each instruction works on two float64 lanes, which carry
 * two independent signals (two leads, or the two halves of one lead), and four outputs of the
 * same filter phase are summed at once. Each lane's sum is still the same sequence of IEEE
 * float64 multiplies and adds in the same order as the scalar loop (WebAssembly never fuses or
 * reorders them), so the results are bit-identical to it.
 *
 * kernel(bank, taps, K, xp, y, up, down, preRemove, nOut, pad)   all pointers are byte offsets
 *   bank  f64[up][K]   phase p's taps h[p], h[p+up], h[p+2up], ... (zero-padded to K)
 *   taps  i32[up]      how many of phase p's taps are real
 *   xp    f64x2[...]   the two lanes' input, interleaved, preceded by `pad` zero pairs and followed by zeros
 *   y     f64x2[nOut]  output pairs
 * For output o: m = (o + preRemove)·down, phase p = m mod up, and
 *   y[o] = Σ_{k < taps[p]} bank[p][k] · xp[pad + floor(m/up) − k]     (k ascending)
 */

import { block, brIf, get, i32c, instantiate, moduleOf, op, set, V128, I32, v, whileLoop, type WasmMemory } from '../wasm/writer.js';

const { i32add: add, i32sub: sub, i32mul: mul, i32divU: divU, i32remU: remU, i32ltS: ltS, i32geS: geS, i32shl: shl, i32load } = op;
const v128load = v.load;
const v128store = v.store;
const load64splat = v.load64splat;
const f64x2add = v.f64x2add;
const f64x2mul = v.f64x2mul;
const zero128 = v.zero;

// parameters
const BANK = 0, TAPS = 1, K = 2, XP = 3, Y = 4, UP = 5, DOWN = 6, PRE = 7, NOUT = 8, PAD = 9;
// i32 locals
const R = 10, R1 = 11, M = 12, P = 13, XI = 14, HB = 15, KP = 16, O = 17, KK = 18, HPTR = 19, X0 = 20, XSTEP = 21, YSTEP = 22, D = 23, T = 24;
const NI32 = 15;
// v128 locals
const A0 = 25, A1 = 26, A2 = 27, A3 = 28, H = 29;
const NV128 = 5;

/** acc += h * load(ptr + off), with `off` a local holding a byte offset (or none) */
const mac = (acc: number, off: number | null) => [
  ...get(acc), ...get(H), ...get(X0), ...(off === null ? [] : [...get(off), ...add]), ...v128load, ...f64x2mul, ...f64x2add, ...set(acc),
];

function kernelBody(): number[] {
  return [
    // r1 = min(up, nOut); xstep = 16·down (one output of the same phase further on); ystep = 16·up; d = 16·down
    ...get(UP), ...set(R1),
    ...block([...get(NOUT), ...get(UP), ...geS, ...brIf(0), ...get(NOUT), ...set(R1)]),
    ...get(DOWN), ...i32c(4), ...shl, ...set(D),
    ...get(UP), ...i32c(4), ...shl, ...set(YSTEP),
    ...get(D), ...i32c(2), ...shl, ...set(XSTEP), // 4 outputs on: 4·16·down
    ...i32c(0), ...set(R),
    ...whileLoop([...get(R), ...get(R1), ...ltS],
      // m = (r + pre)·down; p = m mod up; xi = xp + 16·(m / up + pad); hb = bank + 8·p·K; kp = taps[p]
      [...get(R), ...get(PRE), ...add, ...get(DOWN), ...mul, ...set(M)],
      [...get(M), ...get(UP), ...remU, ...set(P)],
      [...get(M), ...get(UP), ...divU, ...get(PAD), ...add, ...i32c(4), ...shl, ...get(XP), ...add, ...set(XI)],
      [...get(P), ...get(K), ...mul, ...i32c(3), ...shl, ...get(BANK), ...add, ...set(HB)],
      [...get(P), ...i32c(2), ...shl, ...get(TAPS), ...add, ...i32load, ...set(KP)],
      [...get(R), ...set(O)],
      // four outputs o, o+up, o+2up, o+3up of this phase at a time
      whileLoop([...get(O), ...get(UP), ...i32c(3), ...mul, ...add, ...get(NOUT), ...ltS],
        [...zero128, ...set(A0), ...zero128, ...set(A1), ...zero128, ...set(A2), ...zero128, ...set(A3)],
        [...get(XI), ...set(X0), ...get(HB), ...set(HPTR), ...i32c(0), ...set(KK)],
        whileLoop([...get(KK), ...get(KP), ...ltS],
          [...get(HPTR), ...load64splat, ...set(H)],
          mac(A0, null),
          // x0 + d, x0 + 2d, x0 + 3d
          [...get(X0), ...get(D), ...add, ...set(T)],
          [...get(A1), ...get(H), ...get(T), ...v128load, ...f64x2mul, ...f64x2add, ...set(A1)],
          [...get(T), ...get(D), ...add, ...set(T)],
          [...get(A2), ...get(H), ...get(T), ...v128load, ...f64x2mul, ...f64x2add, ...set(A2)],
          [...get(T), ...get(D), ...add, ...set(T)],
          [...get(A3), ...get(H), ...get(T), ...v128load, ...f64x2mul, ...f64x2add, ...set(A3)],
          [...get(X0), ...i32c(16), ...sub, ...set(X0)],
          [...get(HPTR), ...i32c(8), ...add, ...set(HPTR)],
          [...get(KK), ...i32c(1), ...add, ...set(KK)],
        ),
        // y + 16·o
        [...get(O), ...i32c(4), ...shl, ...get(Y), ...add, ...set(T)],
        [...get(T), ...get(A0), ...v128store],
        [...get(T), ...get(YSTEP), ...add, ...set(T), ...get(T), ...get(A1), ...v128store],
        [...get(T), ...get(YSTEP), ...add, ...set(T), ...get(T), ...get(A2), ...v128store],
        [...get(T), ...get(YSTEP), ...add, ...set(T), ...get(T), ...get(A3), ...v128store],
        [...get(O), ...get(UP), ...i32c(2), ...shl, ...add, ...set(O)],
        [...get(XI), ...get(XSTEP), ...add, ...set(XI)],
      ),
      // the remaining outputs of this phase one at a time
      whileLoop([...get(O), ...get(NOUT), ...ltS],
        [...zero128, ...set(A0), ...get(XI), ...set(X0), ...get(HB), ...set(HPTR), ...i32c(0), ...set(KK)],
        whileLoop([...get(KK), ...get(KP), ...ltS],
          [...get(HPTR), ...load64splat, ...set(H)],
          mac(A0, null),
          [...get(X0), ...i32c(16), ...sub, ...set(X0)],
          [...get(HPTR), ...i32c(8), ...add, ...set(HPTR)],
          [...get(KK), ...i32c(1), ...add, ...set(KK)],
        ),
        [...get(O), ...i32c(4), ...shl, ...get(Y), ...add, ...get(A0), ...v128store],
        [...get(O), ...get(UP), ...add, ...set(O)],
        [...get(XI), ...get(D), ...add, ...set(XI)],
      ),
      [...get(R), ...i32c(1), ...add, ...set(R)],
    ),
  ];
}

export type KernelFn = (bank: number, taps: number, K: number, xp: number, y: number, up: number, down: number, preRemove: number, nOut: number, pad: number) => void;
export type { WasmMemory };

/** A WebAssembly memory and the kernel bound to it; `null` where WebAssembly SIMD is unavailable. */
export function instantiateKernel(): { memory: WasmMemory; kernel: KernelFn } | null {
  const k = instantiate<KernelFn>(moduleOf('kernel', 10, [[NI32, I32], [NV128, V128]], kernelBody()), 'kernel');
  return k === null ? null : { memory: k.memory, kernel: k.fn };
}
