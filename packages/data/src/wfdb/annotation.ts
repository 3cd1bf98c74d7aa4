// MIT-format annotation files (annot(5)). Each annotation is a 16-bit little-endian word: the top
// 6 bits are a code A, the low 10 bits a number I. A = 1..49 is an annotation I samples after the
// previous one; A = 59 (SKIP) is followed by a 32-bit interval (high 16-bit word first) to add to the
// time; 60 NUM, 61 SUB, 62 CHN set the fields of the annotation just read (NUM and CHN persist to the
// next ones); 63 AUX is followed by I bytes of text (padded to even length); A = I = 0 ends the file.
import { AnnotationError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readRange, readRangeSync } from '../io/read.js';
import { ACMAX, codeOf, symbolOf, type AnnotationCode } from './annotation-codes.js';

const SKIP = 59, NUM = 60, SUB = 61, CHN = 62, AUX = 63;

/** Annotations of one file, as parallel arrays (one entry per annotation, in file order). */
export interface Annotation {
  recordName: string;
  extension: string;
  /** Sample numbers (frames); exact up to 2^53, which covers 64-bit SKIP sums in practice. */
  sample: number[];
  code: number[];
  /** rdann's mnemonic for each code (`N`, `V`, `+`, `[45]`). */
  symbol: string[];
  subtype: number[];
  chan: number[];
  num: number[];
  aux: string[];
  /** Sampling frequency, when the file starts with a `## time resolution:` annotation. */
  fs: number | undefined;
  /** Custom codes defined in the file's `## annotation type definitions` block (e.g. 15 `c`). */
  customCodes: AnnotationCode[];
}

export interface RdannOptions {
  /**
   * Keep the header annotations at sample 0 that WFDB's getann consumes (time resolution, the
   * custom code definitions block and the NOTQRS that closes it) instead of parsing them into
   * `fs`/`customCodes` (default false, matching rdann's output).
   */
  raw?: boolean;
  /** Keep annotations with sample ≥ sampfrom (default 0). */
  sampfrom?: number;
  /** Keep annotations with sample < sampto (default: all). */
  sampto?: number;
}

/** Decodes the bytes of an annotation file. `file` names it in errors. */
export function decodeAnnotations(bytes: Uint8Array, file: string, recordName = '', extension = ''): Annotation {
  const a: Annotation = { recordName, extension, sample: [], code: [], symbol: [], subtype: [], chan: [], num: [], aux: [], fs: undefined, customCodes: [] };
  let t = 0;
  let chan = 0;
  let num = 0;
  let i = 0;
  const fail = (msg: string): AnnotationError => new AnnotationError(`${file} byte ${i}: ${msg}`, file);
  const last = (): number => {
    if (a.sample.length === 0) throw fail('a NUM/SUB/CHN/AUX field comes before any annotation');
    return a.sample.length - 1;
  };
  while (i + 1 < bytes.length) {
    const w = bytes[i]! | (bytes[i + 1]! << 8);
    const A = w >> 10;
    const I = w & 0x3ff;
    i += 2;
    if (A === 0 && I === 0) break;
    if (A === SKIP) {
      if (i + 4 > bytes.length) throw fail('SKIP is cut off (4 bytes of interval expected)');
      const interval = ((bytes[i + 1]! << 24) | (bytes[i]! << 16) | (bytes[i + 3]! << 8) | bytes[i + 2]!) | 0;
      t += interval;
      if (!Number.isSafeInteger(t)) throw fail(`sample number ${t} exceeds 2^53`);
      i += 4;
    } else if (A === NUM) {
      num = (I << 24) >> 24; // WFDB's num is a signed char
      a.num[last()] = num;
    } else if (A === SUB) {
      a.subtype[last()] = (I << 24) >> 24;
    } else if (A === CHN) {
      chan = I & 0xff;
      a.chan[last()] = chan;
    } else if (A === AUX) {
      if (i + I > bytes.length) throw fail(`AUX of ${I} bytes is cut off (${bytes.length - i} left)`);
      a.aux[last()] = Buffer.from(bytes.subarray(i, i + I)).toString('latin1').replace(/\0+$/, '');
      i += I + (I & 1);
    } else if (A > ACMAX) {
      throw fail(`annotation code ${A} is not a valid code (0..${ACMAX}, or 59..63)`);
    } else {
      t += I;
      a.sample.push(t);
      a.code.push(A);
      a.symbol.push(symbolOf(A));
      a.subtype.push(0);
      a.chan.push(chan);
      a.num.push(num);
      a.aux.push('');
    }
  }
  return a;
}

const FIELDS = ['sample', 'code', 'symbol', 'subtype', 'chan', 'num', 'aux'] as const;

/**
 * Moves the header annotations at sample 0 into `fs` and `customCodes`, as WFDB's annopen does:
 * NOTE (22) annotations whose aux starts with `## time resolution:`, and the block from
 * `## annotation type definitions` to `## end of definitions` (one `code mnemonic description` line
 * each), followed in files WFDB wrote (e.g. 1003.atr) by a NOTQRS (0) at sample 0 closing the block.
 */
export function consumeHeaderAnnotations(a: Annotation): Annotation {
  let k = 0;
  let inDefs = false;
  let endedDefs = false;
  const custom: AnnotationCode[] = [];
  let fs = a.fs;
  while (k < a.sample.length && a.sample[k] === 0) {
    const aux = a.aux[k]!;
    if (a.code[k] === 22 && aux.startsWith('## time resolution: ')) fs = Number(aux.slice(20));
    else if (a.code[k] === 22 && aux.startsWith('## annotation type definitions')) inDefs = true;
    else if (a.code[k] === 22 && inDefs && aux.startsWith('## end of definitions')) { inDefs = false; endedDefs = true; }
    else if (a.code[k] === 22 && inDefs) {
      const m = /^(\d+)\s+(\S+)\s*(.*?)\s*$/s.exec(aux);
      if (m) custom.push({ code: Number(m[1]), symbol: m[2]!, name: m[2]!, description: m[3]! });
    } else if (a.code[k] === 0 && endedDefs) endedDefs = false;
    else break;
    k++;
  }
  if (k === 0) return a;
  const out = { ...a, fs, customCodes: custom };
  for (const f of FIELDS) (out as Record<string, unknown>)[f] = a[f].slice(k);
  const bySym = new Map(custom.map((c) => [c.code, c.symbol]));
  out.symbol = out.code.map((c, i) => bySym.get(c) ?? out.symbol[i]!);
  return out;
}

function filter(a: Annotation, from: number, to: number): Annotation {
  const keep = a.sample.map((s, k) => (s >= from && s < to ? k : -1)).filter((k) => k >= 0);
  const pick = <T>(xs: T[]): T[] => keep.map((k) => xs[k]!);
  return { ...a, sample: pick(a.sample), code: pick(a.code), symbol: pick(a.symbol), subtype: pick(a.subtype), chan: pick(a.chan), num: pick(a.num), aux: pick(a.aux) };
}

function annError(file: string, err: unknown): AnnotationError {
  const code = ((err as { cause?: { code?: string } }).cause ?? (err as { code?: string })).code;
  return new AnnotationError(code === 'ENOENT' ? `${file}: annotation file not found` : `${file}: cannot read (${(err as Error).message})`, file);
}

function fromBytes(bytes: Uint8Array, recordPath: string, extension: string, opts: RdannOptions): Annotation {
  const file = `${recordPath}.${extension}`;
  const decoded = decodeAnnotations(bytes, file, recordPath.slice(recordPath.lastIndexOf('/') + 1), extension);
  const a = opts.raw ? decoded : consumeHeaderAnnotations(decoded);
  return opts.sampfrom !== undefined || opts.sampto !== undefined ? filter(a, opts.sampfrom ?? 0, opts.sampto ?? Infinity) : a;
}

/**
 * Reads `<recordPath>.<extension>` (e.g. `100.atr`, LUDB's `1.ii`).
 * @example const ann = await rdann('fixtures/data/wfdb/100', 'atr'); ann.symbol[1] // 'N'
 */
export async function rdann(recordPath: string, extension: string, opts: RdannOptions = {}): Promise<Annotation> {
  const file = `${recordPath}.${extension}`;
  let bytes: Uint8Array;
  try {
    bytes = (await readRange(file, 0, Infinity)).bytes;
  } catch (err) {
    throw annError(file, err);
  }
  return fromBytes(bytes, recordPath, extension, opts);
}

/** Synchronous {@link rdann}. */
export function rdannSync(recordPath: string, extension: string, opts: RdannOptions = {}): Annotation {
  const file = `${recordPath}.${extension}`;
  let bytes: Uint8Array;
  try {
    bytes = readRangeSync(file, 0, Infinity).bytes;
  } catch (err) {
    throw annError(file, err);
  }
  return fromBytes(bytes, recordPath, extension, opts);
}

/** What {@link wrann} writes: sample numbers and either codes or symbols; other fields optional. */
export interface AnnotationInput {
  sample: ArrayLike<number>;
  code?: ArrayLike<number>;
  symbol?: string[];
  subtype?: ArrayLike<number>;
  chan?: ArrayLike<number>;
  num?: ArrayLike<number>;
  aux?: string[];
}

/** Encodes annotations to MIT-format bytes; sample numbers must not decrease. */
export function encodeAnnotations(ann: AnnotationInput, file = '<annotations>'): Uint8Array {
  const n = ann.sample.length;
  const out: number[] = [];
  const word = (A: number, I: number): void => { const w = (A << 10) | (I & 0x3ff); out.push(w & 0xff, w >> 8); };
  const fail = (k: number, msg: string): AnnotationError => new AnnotationError(`${file}: annotation ${k}: ${msg}`, file);
  let t = 0, chan = 0, num = 0;
  for (let k = 0; k < n; k++) {
    const s = ann.sample[k]!;
    if (!Number.isSafeInteger(s) || s < 0) throw fail(k, `sample ${s} is not a non-negative integer`);
    const code = ann.code ? ann.code[k]! : codeOf(ann.symbol?.[k] ?? '');
    if (code === undefined) throw fail(k, `symbol '${ann.symbol?.[k]}' is not a standard annotation symbol`);
    if (!Number.isInteger(code) || code < 0 || code > ACMAX) throw fail(k, `code ${code} is outside 0..${ACMAX}`);
    let d = s - t;
    if (d < 0) throw fail(k, `sample ${s} comes before the previous annotation's ${t}; sort by sample first`);
    if (d > 0x3ff) {
      // Intervals beyond 10 bits go in SKIPs of at most 2^31 − 1 each (several for 64-bit times).
      while (d > 0) {
        const step = Math.min(d, 0x7fffffff);
        word(SKIP, 0);
        out.push((step >>> 16) & 0xff, (step >>> 24) & 0xff, step & 0xff, (step >>> 8) & 0xff);
        d -= step;
      }
    }
    if (code === 0 && d === 0) {
      // A = I = 0 would end the file, so WFDB writes a NOTQRS with no interval as SKIP −1 then I = 1.
      word(SKIP, 0);
      out.push(0xff, 0xff, 0xff, 0xff);
      d = 1;
    }
    word(code, d);
    t = s;
    const sub = ann.subtype?.[k] ?? 0;
    if (sub !== 0) word(SUB, sub); // signed char: −1 is written as 0x3ff, as WFDB does
    const c = ann.chan?.[k] ?? chan;
    if (c !== chan) { word(CHN, (c << 24) >> 24); chan = c; }
    const nm = ann.num?.[k] ?? num;
    if (nm !== num) { word(NUM, nm); num = nm; }
    const aux = ann.aux?.[k] ?? '';
    if (aux !== '') {
      const b = Buffer.from(aux, 'latin1');
      if (b.length > 0x3ff) throw fail(k, `aux text of ${b.length} bytes exceeds 1023`);
      word(AUX, b.length);
      out.push(...b);
      if (b.length & 1) out.push(0);
    }
  }
  out.push(0, 0);
  return Uint8Array.from(out);
}

/**
 * Writes `<recordPath>.<extension>` atomically.
 * @example await wrann('out/100', 'atr', { sample: [18, 77], symbol: ['+', 'N'], aux: ['(N', ''] });
 */
export async function wrann(recordPath: string, extension: string, ann: AnnotationInput): Promise<void> {
  const file = `${recordPath}.${extension}`;
  await writeFileAtomic(file, encodeAnnotations(ann, file));
}
