// Reading speed of the WFDB/MAT readers on the shared data, beside the raw-read ceiling measured in
// the same run: the same files' bytes read into typed arrays with no decoding.
//   node --import tsx bench/data-read/run.ts [--json] [--repeats N]
// Sets: CinC 2017 (3411 MAT v4 `16+24` records), PTB-XL 500 Hz (100 records, format 16, 12 leads),
// NSTDB bw, ma (format 212) and 118e00 (format 16). The data is read from $ECGLAB_DATA (default ../shared/data beside the checkout).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { dataDir, rdheaderSync, rdrecord, rdrecordSync } from '@ecglab/data';

const DATA = dataDir();
const args = process.argv.slice(2);
const json = args.includes('--json');
const repeats = Number(args[args.indexOf('--repeats') + 1] ?? 0) || 5;

interface DataSet { name: string; records: string[] }

function recordsIn(dir: string, suffix = ''): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(`${suffix}.hea`)).sort().map((f) => join(dir, f.slice(0, -4)));
}

const sets: DataSet[] = [
  { name: 'cinc2017 (MAT v4 16+24)', records: recordsIn(join(DATA, 'cinc2017/training2017')) },
  { name: 'ptbxl 500 Hz (fmt 16)', records: recordsIn(join(DATA, 'ptbxl/records500/00000'), '_hr') },
  { name: 'nstdb bw, ma (fmt 212), 118e00 (fmt 16)', records: ['bw', 'ma', '118e00'].map((r) => join(DATA, 'nstdb', r)) },
];

/** Every file a record's reader touches: its header and its signal files. */
function filesOf(rec: string): string[] {
  const h = rdheaderSync(rec);
  const dir = rec.slice(0, rec.lastIndexOf('/'));
  return [`${rec}.hea`, ...new Set(h.signals.map((s) => join(dir, s.fileName)))];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}
async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

// The ceiling's typed array: an Int16Array view of the bytes (readFile's buffers start at offset 0).
function view16(b: Buffer): Int16Array {
  if (b.byteOffset & 1) throw new Error('unaligned buffer from readFile');
  return new Int16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
}

// Async raw read: open, size, one read into an uninitialised buffer, close. fs.promises.readFile is
// slower than this (it reads in chunks), so it would flatter the readers.
async function rawRead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const b = Buffer.allocUnsafeSlow(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(b, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return b;
  } finally {
    await fh.close();
  }
}

// Sink so that the work cannot be optimised away.
let sink = 0;

const loadBefore = loadavg()[0]!;
const results = [];
for (const set of sets) {
  const files = set.records.map(filesOf);
  const bytes = files.flat().reduce((a, f) => a + statSync(f).size, 0);
  const variants: Record<string, () => Promise<number>> = {
    // Ceiling: read each file whole into a Uint8Array and view it as Int16Array, no decoding.
    'ceiling sync': async () => time(() => {
      for (const fs of files) for (const f of fs) { const b = readFileSync(f); sink += view16(b).length; }
    }),
    'rdrecordSync physical': async () => time(() => {
      for (const r of set.records) sink += rdrecordSync(r).sigLen;
    }),
    'rdrecordSync digital': async () => time(() => {
      for (const r of set.records) sink += rdrecordSync(r, { physical: false }).sigLen;
    }),
    'ceiling async': () => timeAsync(async () => {
      for (const fs of files) for (const f of fs) { const b = await rawRead(f); sink += view16(b).length; }
    }),
    'rdrecord physical': () => timeAsync(async () => {
      for (const r of set.records) sink += (await rdrecord(r)).sigLen;
    }),
  };
  const secs: Record<string, number> = {};
  for (const [name, run] of Object.entries(variants)) {
    await run(); // warm the page cache and the JIT
    const t: number[] = [];
    for (let k = 0; k < repeats; k++) t.push(await run());
    secs[name] = median(t);
  }
  const row = {
    set: set.name, records: set.records.length, bytes,
    variants: Object.fromEntries(Object.entries(secs).map(([k, s]) => [k, {
      seconds: s, recordsPerS: set.records.length / s, MBPerS: bytes / 1e6 / s,
      ofCeiling: (k.endsWith('async') || k.startsWith('rdrecord ')) ? secs['ceiling async']! / s : secs['ceiling sync']! / s,
    }])),
  };
  results.push(row);
}

if (json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, repeats, loadavg1m: { before: loadBefore, after: loadavg()[0] }, results, sink: sink > 0 }, null, 1)}\n`);
} else {
  // Other processes share the 2 cores: the load average says how far to trust absolute numbers.
  process.stdout.write(`load average (1 min): ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after\n`);
  for (const r of results) {
    process.stdout.write(`\n${r.set}: ${r.records} records, ${(r.bytes / 1e6).toFixed(1)} MB (median of ${repeats})\n`);
    for (const [k, v] of Object.entries(r.variants)) {
      process.stdout.write(`  ${k.padEnd(24)} ${v.recordsPerS.toFixed(0).padStart(8)} rec/s ${v.MBPerS.toFixed(0).padStart(6)} MB/s  ${(v.ofCeiling * 100).toFixed(0).padStart(4)}% of ceiling\n`);
    }
  }
}
