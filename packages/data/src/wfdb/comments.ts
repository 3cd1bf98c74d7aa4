// The `#` comment lines of a header as key/value pairs (PhysioNet challenges, LUDB, PTB): `#Age: 54`,
// `# <age>: 25 <sex>: M`, `#Dx: 164889003,59118001`. Comments are untrusted text of any length, so
// the scanning here is linear (no regular expression that can backtrack over a run of spaces).
import type { CommentInfo } from './header-types.js';

const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const isWs = (ch: string): boolean => /\s/.test(ch);
const isLineEnd = (ch: string): boolean => ch === '\n' || ch === '\r' || ch === '\u2028' || ch === '\u2029';

/**
 * The `<key>: value` pairs of a comment line, as `/<([^<>]+)>:\s*((?:(?!\s+<[^<>]+>:).)*)/g` finds
 * them, in linear time: that regex re-scans the rest of a whitespace run at every position, which
 * took 22 s on a comment of 160,000 spaces.
 */
function anglePairs(c: string): [string, string][] {
  const n = c.length;
  // tokenEnd[q]: the index after `<key>:` when one starts at q, else 0.
  const tokenEnd = new Int32Array(n + 1);
  let nextAngle = -1; // index of the nearest '<' or '>' right of q
  for (let q = n - 1; q >= 0; q--) {
    if (c[q] === '<' && nextAngle > q + 1 && c[nextAngle] === '>' && c[nextAngle + 1] === ':') tokenEnd[q] = nextAngle + 2;
    if (c[q] === '<' || c[q] === '>') nextAngle = q;
  }
  // stop[p]: a run of whitespace starting at p is followed by a `<key>:` (where a value ends).
  const stop = new Uint8Array(n + 1);
  for (let p = n - 1; p >= 0; p--) stop[p] = isWs(c[p]!) && (tokenEnd[p + 1]! > 0 || stop[p + 1] === 1) ? 1 : 0;
  const pairs: [string, string][] = [];
  for (let i = 0; i < n;) {
    const end = tokenEnd[i]!;
    if (end === 0) { i++; continue; }
    let v = end;
    while (v < n && isWs(c[v]!)) v++;
    let e = v;
    while (e < n && !isLineEnd(c[e]!) && stop[e] === 0) e++;
    pairs.push([c.slice(i + 1, end - 2), c.slice(v, e)]);
    i = e;
  }
  return pairs;
}

/** A `key: value` comment (`/^\s*([A-Za-z][\w .-]*?)\s*:\s*(.*)$/`), without the regex's quadratic backtracking. */
function keyValue(c: string): [string, string] | undefined {
  const colon = c.indexOf(':');
  if (colon < 0) return undefined;
  const key = c.slice(0, colon).trim();
  if (!/^[A-Za-z][\w .-]*$/.test(key)) return undefined;
  return [key, c.slice(colon + 1)];
}

/** Reads age, sex and Dx from comment lines such as `#Age: 54`, `# <sex>: M  <age>: 25`, `#Dx: 164889003,59118001`. */
export function parseCommentInfo(comments: string[]): CommentInfo {
  const fields: Record<string, string> = {};
  for (const c of comments) {
    // Several `<key>: value` pairs may share a line (test01_00s); otherwise one `key: value` per line.
    const pairs = anglePairs(c);
    if (pairs.length > 0) {
      for (const [k, v] of pairs) fields[k.trim().toLowerCase()] ??= v.trim();
    } else {
      const kv = keyValue(c);
      if (kv) fields[kv[0].toLowerCase()] ??= kv[1].trim();
    }
  }
  const info: CommentInfo = { fields };
  const age = fields.age;
  if (age !== undefined && FLOAT.test(age)) info.age = Number(age);
  const sex = fields.sex?.toLowerCase();
  if (sex === 'm' || sex === 'male') info.sex = 'M';
  else if (sex === 'f' || sex === 'female') info.sex = 'F';
  const dx = fields.dx;
  if (dx !== undefined) info.dx = dx.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return info;
}

