// Fuzz run of malformed uploads against the service in-process (app.request, the same code as on a port):
// real fixture records mutated (bit flips, truncation, header tokens, lines), random names, broken zips,
// CSVs, images with lying headers, bad form fields. Every answer must be a 2xx or a 4xx JSON error: a 5xx,
// a thrown exception or a dead worker is a crash. Seeded: the same --seed sends the same uploads.
//   node --import tsx bench/service/fuzz.ts [--count 10000] [--seed 1] [--concurrency 8] [--json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Rng } from '@ecglab/data';
import { Service } from '@ecglab/service';
import { fixture, formOf, makeZip, testModelsDir, type Part } from '@ecglab/service/testing';

const { values } = parseArgs({ options: {
  count: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '8' }, json: { type: 'boolean', default: false },
} });
const COUNT = Number(values.count);
const rng = new Rng(Number(values.seed));
const pick = <T>(a: readonly T[]): T => a[rng.int(a.length)]!;

const bytes = (p: string) => new Uint8Array(readFileSync(p));
const RECORDS: { name: string; files: { name: string; data: Uint8Array }[] }[] = [
  { name: 'cinc', files: ['hea', 'mat'].map((e) => ({ name: `A00067.${e}`, data: bytes(fixture(`cinc2017/training2017/A00067.${e}`)) })) },
  { name: 'ptb', files: ['hea', 'dat'].map((e) => ({ name: `00001_lr.${e}`, data: bytes(fixture(`ptbxl/records100/00000/00001_lr.${e}`)) })) },
  { name: 'cpsc', files: [{ name: 'A1980.mat', data: bytes(fixture('cpsc2018/TrainingSet1/A1980.mat')) }] },
  { name: 'cinc2021', files: ['hea', 'mat'].map((e) => ({ name: `A1041.${e}`, data: bytes(fixture(`cinc2021/training_data/A1041.${e}`)) })) },
  { name: 'wfdb-212', files: ['hea', 'dat'].map((e) => ({ name: `100_3chan.${e}`, data: bytes(fixture(`wfdb/100_3chan.${e}`)) })) },
];
const CSV = `I,II,V1\n${Array.from({ length: 500 }, (_, i) => `${Math.sin(i / 9).toFixed(3)},${Math.cos(i / 7).toFixed(3)},${(i % 50) / 50}`).join('\n')}`;
const WEIRD = ['-1', '0', '1e308', 'NaN', '-0', '99999999999', '3.', '.', '/', '..', '', ' ', '\t', 'x'.repeat(300), '\u0000', 'é', '2147483648', '1e-320', '0x10'];
const NAMES = ['a.hea', 'a.dat', 'a.mat', 'a.csv', 'a.zip', 'a.png', 'a.jpg', '../a.hea', '/etc/passwd', 'a/b.hea', '.hea', 'x'.repeat(200), 'ü.mat', 'con', 'a.HEA', 'a.txt', 'a'];

function flip(d: Uint8Array, n: number): Uint8Array {
  const out = d.slice();
  for (let i = 0; i < n; i++) out[rng.int(out.length)] = rng.int(256);
  return out;
}

function mutateHeader(d: Uint8Array): Uint8Array {
  const lines = new TextDecoder().decode(d).split('\n');
  const li = rng.int(lines.length);
  const toks = lines[li]!.split(' ');
  switch (rng.int(5)) {
    case 0: toks[rng.int(toks.length)] = pick(WEIRD); lines[li] = toks.join(' '); break;
    case 1: lines.splice(li, 1); break;
    case 2: lines.splice(li, 0, lines[li]!); break;
    case 3: lines[li] = lines[li]!.replace(/\d+/g, () => pick(WEIRD)); break;
    default: lines[li] = toks.reverse().join(' ');
  }
  return new TextEncoder().encode(lines.join('\n'));
}

function pngWithSize(w: number, h: number): Uint8Array {
  // A PNG signature and an IHDR claiming w×h, then nothing: a decoder must refuse, not allocate.
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12);
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b[24] = 8; b[25] = 2;
  return new Uint8Array(b);
}

/** One malformed request: path, parts, fields, and the kind of mutation (for the table). */
function nextCase(): { kind: string; path: string; parts: Part[]; fields: Record<string, string> } {
  const rec = pick(RECORDS);
  const path = rng.next() < 0.85 ? '/predict' : pick(['/render', '/robustness']);
  const fields: Record<string, string> = {};
  const k = rng.int(10);
  let parts: Part[];
  let kind: string;
  switch (k) {
    case 0: kind = 'bit flips'; parts = rec.files.map((f) => (rng.next() < 0.6 ? { name: f.name, data: flip(f.data, 1 + rng.int(20)) } : f)); break;
    case 1: kind = 'truncated'; parts = rec.files.map((f) => (rng.next() < 0.7 ? { name: f.name, data: f.data.slice(0, rng.int(f.data.length)) } : f)); break;
    case 2: kind = 'header tokens'; parts = rec.files.map((f) => (f.name.endsWith('.hea') ? { name: f.name, data: mutateHeader(mutateHeader(f.data)) } : f)); break;
    case 3: kind = 'names'; parts = rec.files.map((f) => ({ name: rng.next() < 0.5 ? pick(NAMES) : f.name, data: f.data })); break;
    case 4: {
      kind = 'zip';
      const z = makeZip(rec.files.map((f) => ({ name: rng.next() < 0.2 ? pick(NAMES) : `${pick(['', 'dir/', 'a/b/'])}${f.name}`, data: f.data, method: pick([0, 8] as const), ...(rng.next() < 0.2 ? { declaredSize: rng.int(1 << 24) } : {}) })));
      parts = [{ name: 'up.zip', data: rng.next() < 0.5 ? flip(z, 1 + rng.int(8)) : z }];
      break;
    }
    case 5: { kind = 'csv'; const t = CSV.split(''); for (let i = 0; i < 1 + rng.int(10); i++) t[rng.int(t.length)] = pick([',', '\n', '"', 'x', '', '9'.repeat(40)]); parts = [{ name: 'a.csv', data: t.join('') }]; fields.fs = pick(['500', ...WEIRD]); break; }
    case 6: kind = 'images'; parts = [{ name: pick(['a.png', 'b.jpg', 'c.mat']), data: rng.next() < 0.5 ? pngWithSize(rng.int(2 ** 31), rng.int(2 ** 31)) : flip(pngWithSize(1200, 900), 3) }]; break;
    case 7: kind = 'random bytes'; parts = [{ name: pick(NAMES), data: Uint8Array.from({ length: rng.int(4096) }, () => rng.int(256)) }]; break;
    case 8: kind = 'mixed files'; parts = [...rec.files, ...pick(RECORDS).files.map((f) => ({ name: rng.next() < 0.5 ? f.name : pick(NAMES), data: f.data }))]; break;
    default: kind = 'fields'; parts = rec.files;
  }
  if (rng.next() < 0.3 || k === 9) {
    for (const f of ['model', 'task', 'fs', 'units', 'explain', 'layout', 'dpi', 'artefacts', 'snrDb', 'repeats', 'eps', 'steps', 'restarts', 'check', 'seed', 'format']) {
      if (rng.next() < 0.25) fields[f] = pick([...WEIRD, 'cinc2017-rhythm', 'true', 'pgd', 'rotation=2', '20,10', '3']);
    }
  }
  return { kind, path, parts, fields };
}

const svc = await Service.create({ modelsDir: await testModelsDir(), logger: pino({ level: 'silent' }), limits: { robustness: { maxLevels: 3, maxRepeats: 2 } } });
const byStatus = new Map<string, number>();
const byKind = new Map<string, Map<string, number>>();
const crashes: string[] = [];
const t0 = Date.now();
let sent = 0;
async function client(): Promise<void> {
  while (sent < COUNT) {
    const c = nextCase();
    sent++;
    let key: string;
    try {
      const res = await svc.app.request(c.path, { method: 'POST', body: formOf(c.parts, c.fields) });
      const body = await res.text();
      let code = '';
      if (res.status >= 400) {
        try { code = (JSON.parse(body) as { error: { code: string } }).error.code; } catch { code = 'NOT-JSON'; }
      }
      key = `${res.status}${code ? ` ${code}` : ''}`;
      if (res.status >= 500 || code === 'NOT-JSON') crashes.push(`${c.kind} ${c.path} ${c.parts.map((p) => (typeof p === 'string' ? p : p.name)).join(',')}: ${res.status} ${body.slice(0, 300)}`);
    } catch (err) {
      key = 'THROWN';
      crashes.push(`${c.kind} ${c.path}: threw ${(err as Error).message}`);
    }
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    const m = byKind.get(c.kind) ?? new Map<string, number>();
    m.set(key, (m.get(key) ?? 0) + 1);
    byKind.set(c.kind, m);
  }
}
await Promise.all(Array.from({ length: Number(values.concurrency) }, client));
const health = await svc.app.request('/health');
const seconds = (Date.now() - t0) / 1000;
await svc.close();
const report = { requests: sent, seconds, crashes: crashes.length, healthAfter: health.status, byStatus: Object.fromEntries([...byStatus].sort()), byKind: Object.fromEntries([...byKind].map(([k, m]) => [k, Object.fromEntries(m)])) };
if (values.json) console.log(JSON.stringify({ ...report, crashSamples: crashes.slice(0, 20) }, null, 2));
else {
  console.log(`${sent} malformed uploads in ${seconds.toFixed(0)} s: ${crashes.length} crashes (5xx, non-JSON errors or exceptions); /health after: ${health.status}`);
  for (const [k, v] of [...byStatus].sort()) console.log(`  ${k}: ${v}`);
  for (const c of crashes.slice(0, 20)) console.log(`  CRASH ${c}`);
}
process.exitCode = crashes.length === 0 && health.status === 200 ? 0 : 1;
