// The annotations at the start of a file that WFDB's annopen consumes instead of returning
// (get_ann_table in the WFDB library's lib/annot.c, version 10.7): every NOTE of subtype 0 at time 0
// before the first other annotation. Among them, `## time resolution: F` sets the time base, other
// `##` lines are comments, and `code mnemonic [description]` lines define custom annotation codes
// (`42 CAL Calibration` in 12726.wabp; the `## annotation type definitions` block of 1003.atr).
// The first annotation after them is pushed back for the reader, which drops it when it is a NOTQRS
// (code 0): getann takes an empty pushback slot to mean "nothing pushed back". That is how the NOTQRS
// a WFDB writer puts after its table disappears, and rdann never prints it.
import { AnnotationError } from '../errors.js';
import type { AnnotationCode } from './annotation-codes.js';
import { ACMAX } from './annotation-codes.js';
import type { Annotation } from './annotation.js';

const NOTE = 22;
const NOTQRS = 0;
const FIELDS = ['sample', 'code', 'symbol', 'subtype', 'chan', 'num', 'aux'] as const;
const TIME_RESOLUTION = '## time resolution: ';
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `code mnemonic [description]` as get_ann_table reads it (strtol, then whitespace-separated words), or undefined. */
function definition(text: string): AnnotationCode | undefined {
  const m = /^[ \t]*([+-]?\d+)[^ \t]*[ \t]*/.exec(text);
  if (!m) return undefined;
  const code = Number(m[1]);
  if (!(code >= 0 && code <= ACMAX)) return undefined;
  const rest = text.slice(m[0].length);
  const end = rest.search(/[ \t]/);
  const symbol = end < 0 ? rest : rest.slice(0, end);
  if (symbol === '') return undefined;
  // The description is everything after the one separator that follows the mnemonic.
  const description = end < 0 ? '' : rest.slice(end + 1).replace(/[\r\n]+$/, '');
  return { code, symbol, name: symbol, description };
}

/**
 * Moves the header annotations into `fs` and `customCodes`, as WFDB's annopen does (see the top of
 * this file), and applies the custom mnemonics to the remaining annotations' symbols. `file` names
 * the file in errors: a time resolution that is not a positive number is one.
 * @example consumeHeaderAnnotations(decodeAnnotations(bytes, '1003.atr')).customCodes[0] // { code: 15, symbol: 'c', … }
 */
export function consumeHeaderAnnotations(a: Annotation, file = '<annotations>'): Annotation {
  let k = 0;
  let fs = a.fs;
  const byCode = new Map<number, AnnotationCode>();
  while (k < a.sample.length && a.sample[k] === 0 && a.code[k] === NOTE && a.subtype[k] === 0) {
    const aux = a.aux[k]!;
    if (aux.startsWith(TIME_RESOLUTION)) {
      const value = aux.slice(TIME_RESOLUTION.length).trim();
      const f = Number(value);
      if (!FLOAT.test(value) || !Number.isFinite(f) || f <= 0) {
        throw new AnnotationError(`${file} annotation ${k}: time resolution '${value}' is not a positive number (expected '## time resolution: <ticks per second>')`, file);
      }
      fs = f;
    } else if (!aux.startsWith('#')) {
      const def = definition(aux);
      if (def) byCode.set(def.code, def);
    }
    k++;
  }
  // The first annotation after them is lost when it is a NOTQRS (see the top of this file). When the
  // file held nothing else, getann pushes back the last NOTE read if it had no text.
  let drop = k;
  if (k < a.sample.length && a.code[k] === NOTQRS) drop = k + 1;
  else if (k === a.sample.length && k > 0 && a.aux[k - 1] === '') drop = k - 1;
  if (drop === 0 && byCode.size === 0) return a;
  const custom = [...byCode.values()].sort((x, y) => x.code - y.code);
  const out = { ...a, fs, customCodes: custom };
  for (const f of FIELDS) (out as Record<string, unknown>)[f] = a[f].slice(drop);
  out.symbol = out.code.map((c, i) => byCode.get(c)?.symbol ?? out.symbol[i]!);
  return out;
}
