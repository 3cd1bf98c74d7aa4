// MIT-format annotation files (annot(5)). Each annotation is a 16-bit little-endian word: the top
// 6 bits are a code A, the low 10 bits a number I. A = 1..49 is an annotation I samples after the
// previous one; A = 59 (SKIP) is followed by a 32-bit interval (high 16-bit word first) to add to the
// time; 60 NUM, 61 SUB, 62 CHN set the fields of the annotation just read (NUM and CHN persist to the
// next ones); 63 AUX is followed by I bytes of text (padded to even length); A = I = 0 ends the file.
import { basename, dirname } from 'node:path';
import { AnnotationError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readWhole, readWholeSync } from '../io/read.js';
import type { DataLimits } from '../limits.js';
import { consumeHeaderAnnotations } from './annotation-header.js';
import { ACMAX, codeOf, symbolOf, type AnnotationCode } from './annotation-codes.js';
import { insidePath, readInside, readInsideSync, type ConfineOptions } from './paths.js';

export { consumeHeaderAnnotations } from './annotation-header.js';

const SKIP = 59, NUM = 60, SUB = 61, CHN = 62, AUX = 63;
/** rdann's mnemonic of each annotation code 0..ACMAX (looked up per annotation). */
const SYMBOLS: readonly string[] = Array.from({ length: ACMAX + 1 }, (_, code) => symbolOf(code));

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

export interface RdannOptions extends ConfineOptions {
  /**
   * Keep the header annotations that WFDB's annopen consumes (the NOTEs of subtype 0 at sample 0:
   * time resolution, custom code definitions; and the NOTQRS after them) instead of parsing them
   * into `fs`/`customCodes` (default false, matching rdann's output; see annotation-header.ts).
   */
  raw?: boolean;
  /** Limit on the file's size (default: `dataLimits()`). */
  limits?: Partial<DataLimits>;
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
  let ended = false;
  while (i + 1 < bytes.length) {
    const w = bytes[i]! | (bytes[i + 1]! << 8);
    const A = w >> 10;
    const I = w & 0x3ff;
    i += 2;
    if (A === 0 && I === 0) {
      ended = true;
      break;
    }
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
      let end = i + I;
      while (end > i && bytes[end - 1] === 0) end--; // NUL padding is not text
      // Latin-1: each byte is the code point of its character, so no Buffer (nor its copy) is needed.
      a.aux[last()] = String.fromCharCode.apply(null, bytes.subarray(i, end) as unknown as number[]);
      i += I + (I & 1);
    } else if (A > ACMAX) {
      throw fail(`annotation code ${A} is not a valid code (0..${ACMAX}, or 59..63)`);
    } else {
      t += I;
      // SKIPs may go backwards (WFDB writes SKIP −1 before a NOTQRS), but never before sample 0.
      if (t < 0) throw fail(`annotation ${a.sample.length} falls at sample ${t}: a negative SKIP moved it before the start of the record`);
      a.sample.push(t);
      a.code.push(A);
      a.symbol.push(SYMBOLS[A]!);
      a.subtype.push(0);
      a.chan.push(chan);
      a.num.push(num);
      a.aux.push('');
    }
  }
  // WFDB files end with a zero word; without it the file was cut (getann: "unexpected EOF").
  if (!ended) throw fail(`the file ends after ${a.sample.length} annotations without the end marker (a zero word); it is truncated`);
  return a;
}

function filter(a: Annotation, from: number, to: number): Annotation {
  const keep = a.sample.map((s, k) => (s >= from && s < to ? k : -1)).filter((k) => k >= 0);
  const pick = <T>(xs: T[]): T[] => keep.map((k) => xs[k]!);
  return { ...a, sample: pick(a.sample), code: pick(a.code), symbol: pick(a.symbol), subtype: pick(a.subtype), chan: pick(a.chan), num: pick(a.num), aux: pick(a.aux) };
}

/** The annotation file of a record, confined to the record's folder (no `/` or `..` in the extension). */
function annotationPath(recordPath: string, extension: string, opts: RdannOptions): string {
  const dir = dirname(recordPath);
  const name = `${basename(recordPath)}.${extension}`;
  if (!opts.allowOutside && /[\\/]/.test(extension)) {
    throw new AnnotationError(`${recordPath}: annotation extension '${extension}' contains a path separator (pass allowOutside to follow it)`, recordPath);
  }
  return insidePath(dir, name, `${recordPath}.${extension}`, 'annotation file', opts);
}

function fromBytes(bytes: Uint8Array, recordPath: string, extension: string, opts: RdannOptions): Annotation {
  const file = `${recordPath}.${extension}`;
  const decoded = decodeAnnotations(bytes, file, basename(recordPath), extension);
  const a = opts.raw ? decoded : consumeHeaderAnnotations(decoded, file);
  return opts.sampfrom !== undefined || opts.sampto !== undefined ? filter(a, opts.sampfrom ?? 0, opts.sampto ?? Infinity) : a;
}

/**
 * Reads `<recordPath>.<extension>` (e.g. `100.atr`, LUDB's `1.ii`), a regular file inside the
 * record's folder (symlinks out refused unless `allowOutside`) within the `maxFileBytes` limit.
 * @example const ann = await rdann('fixtures/data/wfdb/100', 'atr'); ann.symbol[1] // 'N'
 */
export async function rdann(recordPath: string, extension: string, opts: RdannOptions = {}): Promise<Annotation> {
  const file = annotationPath(recordPath, extension, opts);
  const bytes = await readInside(file, dirname(recordPath), file, 'annotation file', opts, (flags) => readWhole(file, AnnotationError, opts.limits, 'annotation file', flags));
  return fromBytes(bytes, recordPath, extension, opts);
}

/** Synchronous {@link rdann}. */
export function rdannSync(recordPath: string, extension: string, opts: RdannOptions = {}): Annotation {
  const file = annotationPath(recordPath, extension, opts);
  const bytes = readInsideSync(file, dirname(recordPath), file, 'annotation file', opts, (flags) => readWholeSync(file, AnnotationError, opts.limits, 'annotation file', flags));
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
