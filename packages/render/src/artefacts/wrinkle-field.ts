/**
 * The wrinkle field's sums Σ_k amp_k · cos(kx_k·x + ky_k·y + phase_k) on its grid, as a WebAssembly
 * SIMD kernel (assembled in memory by @ecglab/data's `wasm` writer), two grid points per instruction.
 *
 * Why: at 200 DPI the field takes 2.35 M cosines per page, most of the wrinkles' time. The values
 * must stay those of `Math.cos`, so that a seed draws the same page as before. V8's Math.cos is
 * fdlibm's (FreeBSD msun) cos; the kernel evaluates that same algorithm, operation for operation in
 * IEEE float64 (WebAssembly neither fuses nor reorders), for arguments reduced by fdlibm's
 * "medium" path with no cancellation: every argument of a page's field. A lane outside that path
 * (|x| > 2^19·π/2, x near π/2, or a reduction that loses more than 16 bits) is handed to the
 * imported Math.cos itself, so every value is Math.cos's. `wrinkle-field.test.ts` checks both, bit
 * for bit, on tens of millions of arguments.
 *
 * field(kx, ky, phase, amp, K, gwE, gh, out)   byte offsets of f64 arrays
 *   kx [K][gwE]  kx_k · x for each grid column (gwE even)     ky [K][gh]  ky_k · y for each grid row
 *   phase [K], amp [K]                                           out [gh][gwE]  the sums, k ascending
 */
import { wasm } from '@ecglab/data';

const { get, set, i32c, f64c, call, op, v, whileLoop, ifElse, moduleOf, instantiate, I32, V128 } = wasm;

// fdlibm's constants (k_cos.c, k_sin.c, e_rem_pio2.c)
const C1 = 4.16666666666666019037e-2, C2 = -1.38888888888741095749e-3, C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7, C5 = 2.08757232129817482790e-9, C6 = -1.13596475577881948265e-11;
const S1 = -1.66666666666666324348e-1, S2 = 8.33333333332248946124e-3, S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6, S5 = -2.50507602534068634195e-8, S6 = 1.58969099521155010221e-10;
const INVPIO2 = 6.36619772367581382433e-1, PIO2_1 = 1.57079632673412561417, PIO2_1T = 6.07710050650619224932e-11;

// parameters
const KX = 0, KY = 1, PH = 2, AMP = 3, KN = 4, GWE = 5, GH = 6, OUT = 7;
// i32 locals
const GY = 8, GX = 9, KI = 10, PKX = 11, PO = 12;
const NI32 = 5;
// v128 locals
const ACC = 13, A = 14, T = 15, IX = 16, NB = 17, FN = 18, R = 19, W = 20, Y0 = 21, Y1 = 22, HYA = 23, Z = 24, ZRXY = 25, KC = 26, KS = 27, VV = 28, RES = 29, SMALL = 30, QX = 31;
const NV128 = 19;

const f2 = (x: number): number[] => v.f64x2(x);
const i4 = (x: number): number[] => v.i32x4(x, x, x, x);
/** [hi0, hi0, hi1, hi1]: each f64 lane's high 32 bits, in both halves of the lane */
const HIGH = [4, 5, 6, 7, 4, 5, 6, 7, 12, 13, 14, 15, 12, 13, 14, 15];
/** [n0, n0, n1, n1] from i32x4 [n0, n1, _, _] */
const LOW2 = [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7];
const { f64x2add: add, f64x2sub: sub, f64x2mul: mul } = v;
/** a + z·b for the Horner steps: leaves on the stack (c + Z·top) */
const horner = (c: number): number[] => [...get(Z), ...mul, ...f2(c), ...add];

/** RES = cos(A), lane by lane, as Math.cos. */
function cos2(): number[] {
  return [
    // t = |x|; ix = high words of t
    ...get(A), ...v.f64x2abs, ...set(T),
    ...get(T), ...get(T), ...v.shuffle(HIGH), ...set(IX),
    // n = (int)(t·invpio2 + 0.5); lanes with |x| <= π/4 take n = 0 (fdlibm: kernel on x itself)
    ...get(IX), ...i4(0x3fe921fb), ...v.i32x4leS, ...set(SMALL),
    ...get(T), ...f2(INVPIO2), ...mul, ...f2(0.5), ...add, ...v.i32x4truncSatF64x2SZero, ...set(NB),
    ...i4(0), ...get(NB), ...v.f64x2convertLowI32x4S, ...get(SMALL), ...v.bitselect, ...set(FN),
    ...i4(0), ...get(NB), ...get(NB), ...v.shuffle(LOW2), ...get(SMALL), ...v.bitselect, ...set(NB),
    // r = t − fn·pio2_1; w = fn·pio2_1t; y0 = r − w; y1 = (r − y0) − w
    ...get(T), ...get(FN), ...f2(PIO2_1), ...mul, ...sub, ...set(R),
    ...get(FN), ...f2(PIO2_1T), ...mul, ...set(W),
    ...get(R), ...get(W), ...sub, ...set(Y0),
    ...get(R), ...get(Y0), ...sub, ...get(W), ...sub, ...set(Y1),
    // hya = |y0|'s high words
    ...get(Y0), ...get(Y0), ...v.shuffle(HIGH), ...i4(0x7fffffff), ...v.and, ...set(HYA),
    // lanes fdlibm reduces otherwise: huge, near π/2 (its 3π/4 branch), or cancellation > 16 bits
    ...get(IX), ...i4(0x413921fb), ...v.i32x4gtS,
    ...get(IX), ...i4(0x3ff921fb), ...v.i32x4eq, ...v.or,
    ...get(IX), ...i32c(20), ...v.i32x4shrU, ...get(HYA), ...i32c(20), ...v.i32x4shrU, ...v.i32x4sub, ...i4(16), ...v.i32x4gtS, ...v.or,
    ...v.anyTrue,
    ...ifElse(
      [[...get(A), ...v.f64x2extract(0), ...call(0), ...v.f64x2splat, ...get(A), ...v.f64x2extract(1), ...call(0), ...v.f64x2replace(1), ...set(RES)]],
      [
        // z = y0², kcos: r = z(C1 + z(C2 + ... + zC6)); zr − xy
        [...get(Y0), ...get(Y0), ...mul, ...set(Z)],
        [...f2(C6), ...horner(C5), ...horner(C4), ...horner(C3), ...horner(C2), ...horner(C1), ...get(Z), ...mul, ...get(Z), ...mul],
        [...get(Y0), ...get(Y1), ...mul, ...sub, ...set(ZRXY)],
        // |y0| < 0.3: 1 − (z/2 − (zr − xy))
        [...f2(1), ...f2(0.5), ...get(Z), ...mul, ...get(ZRXY), ...sub, ...sub, ...set(KC)],
        // else qx = 0.28125 (|y0| > 0.78125) or |y0|/4 by its exponent; (1 − qx) − ((z/2 − qx) − (zr − xy))
        [...f2(0.28125), ...get(HYA), ...i4(0x00200000), ...v.i32x4sub, ...v.i32x4(0, -1, 0, -1), ...v.and,
          ...get(HYA), ...i4(0x3fe90000), ...v.i32x4gtS, ...v.bitselect, ...set(QX)],
        [...f2(1), ...get(QX), ...sub, ...f2(0.5), ...get(Z), ...mul, ...get(QX), ...sub, ...get(ZRXY), ...sub, ...sub, ...set(RES)],
        [...get(KC), ...get(RES), ...get(HYA), ...i4(0x3fd33333), ...v.i32x4ltS, ...v.bitselect, ...set(KC)],
        // ksin (iy = 1): v = z·y0; r = S2 + z(S3 + ... + zS6); y0 − ((z(y1/2 − v·r) − y1) − v·S1)
        [...get(Z), ...get(Y0), ...mul, ...set(VV)],
        [...f2(S6), ...horner(S5), ...horner(S4), ...horner(S3), ...horner(S2), ...set(R)],
        [...get(Y0), ...get(Z), ...f2(0.5), ...get(Y1), ...mul, ...get(VV), ...get(R), ...mul, ...sub, ...mul, ...get(Y1), ...sub,
          ...get(VV), ...f2(S1), ...mul, ...sub, ...sub, ...set(KS)],
        // tiny |y0| < 2^-27: kcos = 1, ksin = y0
        [...f2(1), ...get(KC), ...get(HYA), ...i4(0x3e400000), ...v.i32x4ltS, ...set(QX), ...get(QX), ...v.bitselect, ...set(KC)],
        [...get(Y0), ...get(KS), ...get(QX), ...v.bitselect, ...set(KS)],
        // quadrant n & 3: 0 → kcos, 1 → −ksin, 2 → −kcos, 3 → ksin
        [...get(KS), ...get(KC), ...get(NB), ...i4(1), ...v.and, ...i4(1), ...v.i32x4eq, ...v.bitselect, ...set(RES)],
        [...get(RES), ...v.f64x2neg, ...get(RES), ...get(NB), ...i4(1), ...v.i32x4add, ...i4(2), ...v.and, ...i4(2), ...v.i32x4eq, ...v.bitselect, ...set(RES)],
      ],
    ),
  ];
}

function body(): number[] {
  const { i32add, i32mul, i32ltS, i32shl, f64load } = op;
  void f64c;
  return [
    ...i32c(0), ...set(GY),
    ...get(OUT), ...set(PO),
    ...whileLoop([...get(GY), ...get(GH), ...i32ltS],
      [...i32c(0), ...set(GX)],
      whileLoop([...get(GX), ...get(GWE), ...i32ltS],
        [...v.zero, ...set(ACC), ...i32c(0), ...set(KI), ...get(KX), ...get(GX), ...i32c(3), ...i32shl, ...i32add, ...set(PKX)],
        whileLoop([...get(KI), ...get(KN), ...i32ltS],
          // a = (kx·x + ky·y) + phase
          [...get(PKX), ...v.load,
            ...get(KY), ...get(KI), ...get(GH), ...i32mul, ...get(GY), ...i32add, ...i32c(3), ...i32shl, ...i32add, ...f64load, ...v.f64x2splat, ...add,
            ...get(PH), ...get(KI), ...i32c(3), ...i32shl, ...i32add, ...f64load, ...v.f64x2splat, ...add, ...set(A)],
          cos2(),
          // acc += amp·cos
          [...get(ACC), ...get(AMP), ...get(KI), ...i32c(3), ...i32shl, ...i32add, ...f64load, ...v.f64x2splat, ...get(RES), ...mul, ...add, ...set(ACC)],
          [...get(PKX), ...get(GWE), ...i32c(3), ...i32shl, ...i32add, ...set(PKX)],
          [...get(KI), ...i32c(1), ...i32add, ...set(KI)],
        ),
        [...get(PO), ...get(ACC), ...v.store],
        [...get(PO), ...i32c(16), ...i32add, ...set(PO)],
        [...get(GX), ...i32c(2), ...i32add, ...set(GX)],
      ),
      [...get(GY), ...i32c(1), ...i32add, ...set(GY)],
    ),
  ];
}

type FieldFn = (kx: number, ky: number, phase: number, amp: number, K: number, gwE: number, gh: number, out: number) => void;
let kernel: { memory: wasm.WasmMemory; fn: FieldFn } | null | undefined;

/**
 * out[gy·gw + gx] = Σ_k amp[k] · Math.cos(kxX[k·gw + gx] + kyY[k·gh + gy] + phase[k]), k ascending,
 * with the very values the JS expression gives. Falls back to that expression without WebAssembly.
 */
export function fieldSums(kxX: Float64Array, kyY: Float64Array, phase: Float64Array, amp: Float64Array, gw: number, gh: number): Float64Array {
  const K = amp.length;
  if (kernel === undefined) kernel = instantiate<FieldFn>(moduleOf('field', 8, [[NI32, I32], [NV128, V128]], body(), ['cos']), 'field', { cos: Math.cos });
  const out = new Float64Array(gw * gh);
  if (kernel === null) {
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        let f = 0;
        for (let k = 0; k < K; k++) f += amp[k]! * Math.cos(kxX[k * gw + gx]! + kyY[k * gh + gy]! + phase[k]!);
        out[gy * gw + gx] = f;
      }
    }
    return out;
  }
  const gwE = gw + (gw & 1);
  const kxP = 0;
  const kyP = kxP + K * gwE * 8;
  const phP = kyP + K * gh * 8;
  const ampP = phP + K * 8;
  const outP = ampP + K * 8;
  wasm.ensureBytes(kernel.memory, outP + gh * gwE * 8);
  const mem = new Float64Array(kernel.memory.buffer);
  for (let k = 0; k < K; k++) {
    mem.set(kxX.subarray(k * gw, (k + 1) * gw), kxP / 8 + k * gwE);
    if (gwE !== gw) mem[kxP / 8 + k * gwE + gw] = 0;
  }
  mem.set(kyY, kyP / 8);
  mem.set(phase, phP / 8);
  mem.set(amp, ampP / 8);
  kernel.fn(kxP, kyP, phP, ampP, K, gwE, gh, outP);
  for (let gy = 0; gy < gh; gy++) out.set(mem.subarray(outP / 8 + gy * gwE, outP / 8 + gy * gwE + gw), gy * gw);
  return out;
}
