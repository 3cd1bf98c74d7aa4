// WFDB header (.hea) grammar, after header(5) (https://physionet.org/physiotools/wag/header-5.htm).
// Each rule below carries the spec's sentence above it. Lines end in LF or CRLF; blank lines are
// ignored; lines starting with `#` are comments and may appear anywhere.
import { HeaderError, LimitError } from '../errors.js';
import { dataLimits, raiseHint, type DataLimits } from '../limits.js';
import { parseCommentInfo } from './comments.js';
import type { SegmentSpec, SignalSpec, WfdbHeader } from './header-types.js';

export { parseCommentInfo } from './comments.js';

export type { CommentInfo, SegmentSpec, SignalSpec, WfdbHeader } from './header-types.js';

// Every pattern here is unambiguous (no two quantifiers can match the same characters), so a
// match or a failure takes time linear in the field: a header is untrusted input.
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// "HH:MM:SS" with optional fraction; hours and minutes may be omitted ("the base time ... in HH:MM:SS").
const TIME = /^(\d{1,2}:){0,2}\d{1,2}(\.\d+)?$/;
const DATE = /^\d{1,2}\/\d{1,2}\/\d{1,4}$/;

class Where {
  constructor(readonly file: string, readonly line: number) {}
  fail(msg: string): HeaderError {
    return new HeaderError(`${this.file} line ${this.line}: ${msg}`, this.file);
  }
  int(field: string, value: string): number {
    // Most fields are short runs of digits: read those directly (exact below 2^53: at most 15 digits).
    const len = value.length;
    const signed = len > 0 && (value.charCodeAt(0) === 45 || value.charCodeAt(0) === 43) ? 1 : 0;
    if (len > signed && len - signed <= 15) {
      let x = 0;
      let i = signed;
      for (; i < len; i++) {
        const d = value.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        x = x * 10 + d;
      }
      if (i === len) return value.charCodeAt(0) === 45 ? -x : x;
    }
    if (!INT.test(value)) throw this.fail(`${field} '${value}' is not ${FLOAT.test(value) ? 'an integer' : 'a number'}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw this.fail(`${field} '${value}' is out of range`);
    return n;
  }
  num(field: string, value: string): number {
    if (!FLOAT.test(value)) throw this.fail(`${field} '${value}' is not a number`);
    const x = Number(value);
    // `1e400` is a number to the grammar but Infinity to a double: every sample would convert to ±0 or NaN.
    if (!Number.isFinite(x)) throw this.fail(`${field} '${value}' is not a finite number`);
    return x;
  }
}

/** Line numbers of a parsed header's record, signal and segment lines (for errors found later). */
export interface HeaderLines {
  record: number;
  signals: number[];
  segments: number[];
}

// Kept beside the header rather than in it, so that WfdbHeader stays plain data that formats back to
// the same text (formatHeader moves comments, so line numbers would not round-trip).
const LINES = new WeakMap<WfdbHeader, HeaderLines>();

/** Where the lines of a header returned by parseHeader were, or undefined for a header built in code. */
export function headerLines(h: WfdbHeader): HeaderLines | undefined {
  return LINES.get(h);
}

/** Splits a header into numbered, non-blank lines (CRLF and LF both end a line), each at most `maxLength` long. */
function lines(text: string, file: string, maxLength: number): { n: number; text: string }[] {
  const out: { n: number; text: string }[] = [];
  text.split(/\r?\n|\r/).forEach((t, i) => {
    if (t.length > maxLength) {
      throw new LimitError(`${file} line ${i + 1}: line of ${t.length} characters is longer than a header line may be; ${raiseHint('maxLineLength', maxLength)}`, file);
    }
    const s = t.trimEnd(); // not /\s+$/, which is quadratic on a long run of spaces before a non-space
    if (s !== '') out.push({ n: i + 1, text: s });
  });
  return out;
}

/** A UTF-8 byte order mark, as the text of a header decoded as UTF-8 (U+FEFF) or as Latin-1 (ï»¿). */
const BOMS = ['\ufeff', '\u00ef\u00bb\u00bf'];

/**
 * Parses the text of a `.hea` file. `file` is used only in error messages. A UTF-8 byte order mark
 * at the start (some editors on Windows write one) is skipped with a warning.
 * @example parseHeader('100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n...', '100.hea')
 */
export function parseHeader(text: string, file = '<header>', limits: Partial<DataLimits> = {}): WfdbHeader {
  const comments: string[] = [];
  const body: { n: number; text: string }[] = [];
  const warnings: string[] = [];
  const bom = BOMS.find((b) => text.startsWith(b));
  if (bom !== undefined) {
    text = text.slice(bom.length);
    warnings.push(`${file}: starts with a UTF-8 byte order mark; ignored`);
  }
  for (const l of lines(text, file, dataLimits(limits).maxLineLength)) {
    const t = l.text.trimStart();
    if (t.startsWith('#')) comments.push(t.slice(1));
    else body.push(l);
  }
  const first = body[0];
  if (first === undefined) throw new HeaderError(`${file}: empty header (no record line)`, file);
  const rec = parseRecordLine(first.text, new Where(file, first.n), warnings);
  const rest = body.slice(1);
  let signals: SignalSpec[] = [];
  let segments: SegmentSpec[] | undefined;
  if (rec.nSeg !== undefined) {
    // "each segment specification line contains the record name of the segment and its length"
    if (rest.length < rec.nSeg) {
      throw new HeaderError(`${file}: record line says ${rec.nSeg} segments but ${rest.length} segment lines follow`, file);
    }
    segments = rest.slice(0, rec.nSeg).map((l) => parseSegmentLine(l.text, new Where(file, l.n)));
  } else {
    if (rest.length < rec.nSig) {
      throw new HeaderError(`${file}: record line says ${rec.nSig} signals but ${rest.length} signal lines follow`, file);
    }
    signals = rest.slice(0, rec.nSig).map((l) => parseSignalLine(l.text, new Where(file, l.n), rec.sigLen));
  }
  const extra = rest.slice(segments ? segments.length : signals.length)[0];
  if (extra !== undefined) warnings.push(`${file} line ${extra.n}: ignored line after the last ${segments ? 'segment' : 'signal'} line`);
  const h: WfdbHeader = {
    recordName: rec.recordName,
    nSig: rec.nSig,
    fs: rec.fs,
    counterFreq: rec.counterFreq,
    baseCounter: rec.baseCounter,
    sigLen: rec.sigLen,
    baseTime: rec.baseTime,
    baseDate: rec.baseDate,
    signals,
    segments,
    comments,
    info: parseCommentInfo(comments),
    warnings,
  };
  const used = rest.slice(0, segments ? segments.length : signals.length).map((l) => l.n);
  LINES.set(h, { record: first.n, signals: segments ? [] : used, segments: segments ? used : [] });
  return h;
}

interface RecordLine {
  recordName: string;
  nSeg: number | undefined;
  nSig: number;
  fs: number;
  counterFreq: number | undefined;
  baseCounter: number | undefined;
  sigLen: number | undefined;
  baseTime: string | undefined;
  baseDate: string | undefined;
}

function parseRecordLine(text: string, at: Where, warnings: string[]): RecordLine {
  const f = text.trim().split(/\s+/);
  // "Record name: a string of characters that identifies the record ... letters, digits and underscores"
  // "Number of segments: ... follows the record name, separated by a '/'"
  const [nameField = '', segField] = (f[0] ?? '').split('/');
  if (!/^[\w.-]+$/.test(nameField)) throw at.fail(`record name '${f[0] ?? ''}' is not a valid record name`);
  const nSeg = segField === undefined ? undefined : at.int('number of segments', segField);
  if (nSeg !== undefined && nSeg < 1) throw at.fail(`number of segments '${segField}' must be at least 1`);
  // "Number of signals: ... must be present"
  if (f[1] === undefined) throw at.fail('number of signals is missing');
  const nSig = at.int('number of signals', f[1]);
  if (nSig < 0) throw at.fail(`number of signals '${f[1]}' is negative`);
  // "Sampling frequency (optional): ... If this field is missing, a value of 250 is assumed."
  // "Counter frequency (optional): ... separated from the sampling frequency by '/'"
  // "Base counter value (optional): ... in parentheses after the counter frequency"
  let fs = 250;
  let counterFreq: number | undefined;
  let baseCounter: number | undefined;
  if (f[2] !== undefined) {
    const m = /^([^/()]+)(?:\/([^()]+)(?:\(([^()]*)\))?)?$/.exec(f[2]);
    if (!m) throw at.fail(`sampling frequency '${f[2]}' is not a number`);
    fs = at.num('sampling frequency', m[1]!);
    if (!(fs > 0)) throw at.fail(`sampling frequency '${m[1]}' must be positive`);
    if (m[2] !== undefined) counterFreq = at.num('counter frequency', m[2]);
    if (m[3] !== undefined) baseCounter = at.num('base counter value', m[3]);
  }
  // "Number of samples per signal (optional)"
  let sigLen: number | undefined;
  if (f[3] !== undefined) {
    sigLen = at.int('number of samples', f[3]);
    if (sigLen < 0) throw at.fail(`number of samples '${f[3]}' is negative`);
  }
  // "Base time (optional): ... HH:MM:SS"; "Base date (optional): ... DD/MM/YYYY"
  const baseTime = f[4];
  const baseDate = f[5];
  if (baseTime !== undefined && !TIME.test(baseTime)) warnings.push(`${at.file} line ${at.line}: base time '${baseTime}' is not HH:MM:SS; kept as text`);
  if (baseDate !== undefined && !DATE.test(baseDate)) warnings.push(`${at.file} line ${at.line}: base date '${baseDate}' is not DD/MM/YYYY; kept as text`);
  if (f.length > 6) warnings.push(`${at.file} line ${at.line}: ignored ${f.length - 6} extra field(s) on the record line`);
  return { recordName: nameField, nSeg, nSig, fs, counterFreq, baseCounter, sigLen, baseTime, baseDate };
}

function parseSegmentLine(text: string, at: Where): SegmentSpec {
  const f = text.trim().split(/\s+/);
  if (f[1] === undefined) throw at.fail(`segment '${f[0]}' has no length`);
  const sigLen = at.int('segment length', f[1]);
  if (sigLen < 0) throw at.fail(`segment length '${f[1]}' is negative`);
  return { name: f[0]!, sigLen };
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 11 || c === 12;

/** The first `max` whitespace-separated fields of a line, then the rest of the line (or undefined). */
function splitFields(text: string, max: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let i = 0;
  const n = text.length;
  while (out.length < max) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    out.push(text.slice(start, i));
  }
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  out.push(i < n ? text.slice(i) : undefined);
  return out;
}

// file fmt[xN][:skew][+offset] gain[(baseline)][/units] adcres adczero initval checksum blocksize description
function parseSignalLine(text: string, at: Where, sigLen: number | undefined): SignalSpec {
  const [fileName, fmtField, gainField, resF, zeroF, initF, sumF, blockF, descF] = splitFields(text, 8);
  if (fmtField === undefined) throw at.fail(`signal line has no format field (expected 'file format ...', found '${text.trim()}')`);
  // "Format: ... followed optionally by 'x' and samples per frame, ':' and skew, '+' and byte offset"
  const fm = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/.exec(fmtField!);
  if (!fm) throw at.fail(`format '${fmtField}' is not of the form N[xN][:N][+N]`);
  const fmt = at.int('format', fm[1]!);
  const sampsPerFrame = fm[2] === undefined ? 1 : at.int('samples per frame', fm[2]);
  if (sampsPerFrame < 1) throw at.fail(`samples per frame '${fm[2]}' must be at least 1`);
  const skew = fm[3] === undefined ? 0 : at.int('skew', fm[3]);
  // A skew moves the signal's first sample `skew` frames later; at or past the end, none is left.
  if (skew > 0 && sigLen !== undefined && sigLen > 0 && skew >= sigLen) throw at.fail(`skew ${skew} is beyond the record's ${sigLen} samples`);
  const byteOffset = fm[4] === undefined ? 0 : at.int('byte offset', fm[4]);
  // "ADC gain (optional): ... followed optionally by the baseline in parentheses and '/' units.
  //  If this field is missing, a value of 200 is assumed" (0 means uncalibrated).
  let adcGain = 200;
  let baseline: number | undefined;
  let units = 'mV';
  if (gainField !== undefined) {
    const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(.*))?$/.exec(gainField);
    if (!gm) throw at.fail(`gain '${gainField}' is not of the form gain[(baseline)][/units]`);
    adcGain = at.num('gain', gm[1]!);
    if (gm[2] !== undefined) baseline = at.int('baseline', gm[2]);
    if (gm[3] !== undefined) {
      if (gm[3] === '') throw at.fail(`units in '${gainField}' are empty`);
      units = gm[3];
    }
  }
  // "ADC resolution (optional)"; "ADC zero (optional) ... 0 if missing"
  const adcRes = resF === undefined ? 0 : at.int('ADC resolution', resF);
  const adcZero = zeroF === undefined ? 0 : at.int('ADC zero', zeroF);
  // "Initial value (optional): ... If missing, a value equal to the ADC zero is assumed."
  const initValue = initF === undefined ? adcZero : at.int('initial value', initF);
  // "Checksum (optional): a 16-bit signed checksum of all samples"
  const checksum = sumF === undefined ? undefined : at.int('checksum', sumF);
  // "Block size (optional): ... 0 for ordinary files"
  const blockSize = blockF === undefined ? 0 : at.int('block size', blockF);
  // "Description (optional): any text to the end of the line"
  const description = descF ?? '';
  return {
    fileName: fileName!, fmt, sampsPerFrame, skew, byteOffset, adcGain,
    baseline: baseline ?? adcZero, units, adcRes, adcZero, initValue, checksum, blockSize, description,
  };
}

// Number formatting that parses back to the same double (JS shortest round-trip form).
const num = (x: number): string => String(x);

/**
 * Formats a header as standard WFDB text (LF line endings), readable by the WFDB tools:
 * `parseHeader(formatHeader(h))` gives back `h` (comments' parsed view included).
 * @example formatHeader(await rdheader('fixtures/data/wfdb/100'))
 */
export function formatHeader(h: WfdbHeader): string {
  let rec = h.recordName + (h.segments ? `/${h.segments.length}` : '') + ` ${h.nSig} ${num(h.fs)}`;
  if (h.counterFreq !== undefined) {
    rec += `/${num(h.counterFreq)}`;
    if (h.baseCounter !== undefined) rec += `(${num(h.baseCounter)})`;
  }
  const needLen = h.baseTime !== undefined || h.baseDate !== undefined;
  if (h.sigLen !== undefined || needLen) rec += ` ${h.sigLen ?? 0}`;
  if (h.baseTime !== undefined || h.baseDate !== undefined) rec += ` ${h.baseTime ?? '0:00:00'}`;
  if (h.baseDate !== undefined) rec += ` ${h.baseDate}`;
  const out = [rec];
  if (h.segments) for (const s of h.segments) out.push(`${s.name} ${s.sigLen}`);
  for (const s of h.signals) out.push(formatSignalLine(s));
  for (const c of h.comments) out.push(`#${c}`);
  return out.join('\n') + '\n';
}

function formatSignalLine(s: SignalSpec): string {
  let fmt = String(s.fmt);
  if (s.sampsPerFrame !== 1) fmt += `x${s.sampsPerFrame}`;
  if (s.skew !== 0) fmt += `:${s.skew}`;
  if (s.byteOffset !== 0) fmt += `+${s.byteOffset}`;
  const fields = [s.fileName, fmt, `${num(s.adcGain)}(${s.baseline})/${s.units}`, String(s.adcRes), String(s.adcZero), String(s.initValue)];
  // The checksum may be omitted only if nothing follows it.
  if (s.checksum !== undefined || s.blockSize !== 0 || s.description !== '') {
    fields.push(String(s.checksum ?? 0), String(s.blockSize));
    if (s.description !== '') fields.push(s.description);
  }
  return fields.join(' ');
}
