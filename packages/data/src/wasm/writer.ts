/**
 * A minimal WebAssembly binary writer: enough to assemble small numeric kernels in memory from
 * their opcodes (no toolchain, no binary file in the repo). Instructions are byte arrays built by
 * the helpers below and concatenated; `moduleOf` wraps one function body into a module that
 * imports its memory (and optionally `Math.cos`-like f64 functions) and exports the function.
 * Used by @ecglab/data's resampling kernel and @ecglab/render's wrinkle field.
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

// ---- instructions ----
export const get = (l: number): number[] => [0x20, ...uleb(l)];
export const set = (l: number): number[] => [0x21, ...uleb(l)];
export const tee = (l: number): number[] => [0x22, ...uleb(l)];
export const i32c = (v: number): number[] => [0x41, ...sleb(v)];
export const f64c = (v: number): number[] => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
export const call = (f: number): number[] => [0x10, ...uleb(f)];
export const op = {
  i32add: [0x6a], i32sub: [0x6b], i32mul: [0x6c], i32divU: [0x6e], i32remU: [0x70], i32and: [0x71], i32shl: [0x74],
  i32ltS: [0x48], i32geS: [0x4e], i32eqz: [0x45], i32gtS: [0x4a],
  f64add: [0xa0], f64sub: [0xa1], f64mul: [0xa2], f64neg: [0x9a],
  i32load: [0x28, 2, 0], f64load: [0x2b, 3, 0], f64store: [0x39, 3, 0],
};
export const simd = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];
export const v = {
  load: simd(0x00, 4, 0), store: simd(0x0b, 4, 0), load64splat: simd(0x0a, 3, 0),
  zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  const: (bytes: ArrayLike<number>): number[] => simd(0x0c, ...Array.from(bytes)),
  f64x2: (a: number, b = a): number[] => simd(0x0c, ...new Uint8Array(Float64Array.of(a, b).buffer)),
  i32x4: (a: number, b: number, c: number, d: number): number[] => simd(0x0c, ...new Uint8Array(Int32Array.of(a, b, c, d).buffer)),
  shuffle: (lanes: number[]): number[] => simd(0x0d, ...lanes),
  and: simd(0x4e), or: simd(0x50), bitselect: simd(0x52), anyTrue: simd(0x53),
  f64x2splat: simd(0x14), f64x2extract: (lane: number): number[] => simd(0x21, lane), f64x2replace: (lane: number): number[] => simd(0x22, lane),
  i32x4eq: simd(0x37), i32x4ltS: simd(0x39), i32x4gtS: simd(0x3b), i32x4leS: simd(0x3d),
  i32x4add: simd(0xae), i32x4sub: simd(0xb1), i32x4shrS: simd(0xac), i32x4shrU: simd(0xad),
  f64x2abs: simd(0xec), f64x2neg: simd(0xed), f64x2add: simd(0xf0), f64x2sub: simd(0xf1), f64x2mul: simd(0xf2),
  i32x4truncSatF64x2SZero: simd(0xfc), f64x2convertLowI32x4S: simd(0xfe),
};
export const block = (...body: number[][]): number[] => [0x02, 0x40, ...body.flat(), 0x0b];
export const loop = (...body: number[][]): number[] => [0x03, 0x40, ...body.flat(), 0x0b];
export const ifElse = (then: number[][], otherwise: number[][] = []): number[] =>
  [0x04, 0x40, ...then.flat(), ...(otherwise.length > 0 ? [0x05, ...otherwise.flat()] : []), 0x0b];
export const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
export const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
/** while (cond) body: `cond` leaves an i32 */
export const whileLoop = (cond: number[], ...body: number[][]): number[] => block(loop(cond, op.i32eqz, brIf(1), ...body, br(0)));

/**
 * A module of one exported function `fn` with `params` i32 parameters and the given extra locals,
 * importing memory "m"."mem" and, in order, `imports` f64 → f64 functions "m".<name> (function
 * indices 0.., before the kernel's own index).
 */
export function moduleOf(fn: string, params: number, locals: [count: number, type: number][], body: number[], imports: string[] = []): Uint8Array {
  const types = [[0x60, ...vec(new Array<number[]>(params).fill([I32])), 0x00], [0x60, ...vec([[F64]]), ...vec([[F64]])]];
  const importEntries = [
    [...name('m'), ...name('mem'), 0x02, 0x00, 0x01],
    ...imports.map((n) => [...name('m'), ...name(n), 0x00, ...uleb(1)]),
  ];
  const code = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...body, 0x0b];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(importEntries)),
    ...section(3, vec([[0x00]])),
    ...section(7, vec([[...name(fn), 0x00, ...uleb(imports.length)]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/** The part of the WebAssembly API used here (the repo's TypeScript libs carry no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (desc: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** Instantiates `bytes` with a fresh memory and the imported functions; null where WebAssembly (SIMD) is unavailable. */
export function instantiate<F>(bytes: Uint8Array, fn: string, imports: Record<string, (x: number) => number> = {}): { memory: WasmMemory; fn: F } | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined || !wa.validate(bytes)) return null;
  const memory = new wa.Memory({ initial: 16 });
  const instance = new wa.Instance(new wa.Module(bytes), { m: { mem: memory, ...imports } });
  return { memory, fn: instance.exports[fn] as F };
}

/** Grows `memory` to at least `bytes`. */
export function ensureBytes(memory: WasmMemory, bytes: number): void {
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
}
