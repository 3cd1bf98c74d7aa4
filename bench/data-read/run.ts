// Reading speed of the WFDB/MAT readers on the shared data, beside the raw-read ceiling and wfdb-python
// measured in the same run: the ceiling is the same files' bytes read into typed arrays with no decoding.
//   node --import tsx bench/data-read/run.ts [--json] [--repeats N] [--in-flight 16] [--workers 2]
// Sets: CinC 2017 (3411 MAT v4 `16+24` records), PTB-XL 500 Hz (100 records, format 16, 12 leads),
// NSTDB bw, ma (format 212) and 118e00 (format 16); annotations: every .atr of wfdb's sample-data and NSTDB.
// Every variant runs once per round, rounds interleaved (the machine is shared), wfdb-python in a child
// process answering one pass at a time (bench_wfdb.py). RecordReadPool (readRecordSync in `--workers` threads)
// reads each set whole with readMany, and record by record with `--in-flight` reads in flight.
// `into reused arrays` reads each record into the same arrays (the `out` option), as a loader would.
// The floor rows are the ceiling's reads plus a fresh zero-filled output array per channel: the least a reader that
// returns new arrays can cost, without any decoding. The data is read from $ECGLAB_DATA (default
// ../shared/data beside the checkout); the peer from ../shared/peers/wfdb-python (or $ECGLAB_PEERS).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dataDir, rdann, rdannSync, rdheaderSync, rdrecord, rdrecordSync, readRecord, readRecordSync, RecordReadPool } from '@ecglab/data';

const DATA = dataDir();
const { values: args } = parseArgs({ options: {
  json: { type: 'boolean', default: false }, repeats: { type: 'string', default: '5' }, 'in-flight': { type: 'string', default: '16' },
  workers: { type: 'string', default: '2' },
} });
const json = args.json;
const count = (name: 'repeats' | 'in-flight' | 'workers'): number => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a whole number ≥ 1, got '${args[name]}'`);
  return n;
};
const repeats = count('repeats');
const inFlight = count('in-flight');
const workers = count('workers');
// Spawned by the warm-up pass of the first set, so that thread start-up is not timed.
const pool = new RecordReadPool({ size: workers });
const root = fileURLToPath(new URL('../../', import.meta.url));
const peerDir = process.env.ECGLAB_PEERS ? join(process.env.ECGLAB_PEERS, 'wfdb-python') : join(root, '../shared/peers/wfdb-python');

interface DataSet { name: string; records: string[]; annotations?: boolean }

function recordsIn(dir: string, suffix = ''): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(`${suffix}.hea`)).sort().map((f) => join(dir, f.slice(0, -4)));
}

const sets: DataSet[] = [
  { name: 'cinc2017 (MAT v4 16+24)', records: recordsIn(join(DATA, 'cinc2017/training2017')) },
  { name: 'ptbxl 500 Hz (fmt 16)', records: recordsIn(join(DATA, 'ptbxl/records500/00000'), '_hr') },
  { name: 'nstdb bw, ma (fmt 212), 118e00 (fmt 16)', records: ['bw', 'ma', '118e00'].map((r) => join(DATA, 'nstdb', r)) },
  {
    name: 'annotations (.atr: wfdb sample-data, nstdb)', annotations: true,
    records: [...readdirSync(join(DATA, 'wfdb/sample-data')).filter((f) => f.endsWith('.atr')).map((f) => join(DATA, 'wfdb/sample-data', f.slice(0, -4))),
      join(DATA, 'nstdb/118e00')].sort(),
  },
];

/** Every file a record's reader touches: its header and its signal files (its annotation file for rdann). */
function filesOf(rec: string, annotations = false): string[] {
  if (annotations) return [`${rec}.atr`];
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

/** `fn` over `items` with at most `n` calls in flight: the batched async read of many records. */
async function inParallel<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

// ---- the wfdb-python peer: one pass per request, so that its passes interleave with ours ----
const peer = existsSync(join(peerDir, 'wfdb'))
  ? spawn('/usr/bin/python3', [join(root, 'bench/data-read/bench_wfdb.py')], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PYTHONPATH: peerDir } })
  : undefined;
const peerLines = peer ? createInterface({ input: peer.stdout! })[Symbol.asyncIterator]() : undefined;
async function peerAnswer(): Promise<Record<string, unknown>> {
  const r = await peerLines!.next();
  if (r.done) throw new Error(`bench_wfdb.py exited (code ${peer!.exitCode}) without answering`);
  return JSON.parse(r.value) as Record<string, unknown>;
}
const peerVersion = peer ? (await peerAnswer()).wfdb as string : undefined;
if (!peer) process.stderr.write(`wfdb-python not found in ${peerDir}: its rows are left out\n`);
const listDir = mkdtempSync(join(tmpdir(), 'ecglab-bench-read-'));
const peerPass = async (mode: string, list: string): Promise<number> => {
  peer!.stdin!.write(`time\t${mode}\t${list}\n`);
  return (await peerAnswer()).s as number;
};

const loadBefore = loadavg()[0]!;
const started = new Date().toISOString();
const results = [];
for (const [si, set] of sets.entries()) {
  const files = set.records.map((r) => filesOf(r, set.annotations));
  const bytes = files.flat().reduce((a, f) => a + statSync(f).size, 0);
  const list = join(listDir, `set${si}.txt`);
  writeFileSync(list, set.records.map((r) => (set.annotations ? `${r}\tatr` : r)).join('\n'));
  const ceilings: Record<string, () => Promise<number>> = {
    // Ceiling: read each file whole into a Uint8Array and view it as Int16Array, no decoding.
    'ceiling sync': async () => time(() => {
      for (const fs of files) for (const f of fs) { const b = readFileSync(f); sink += view16(b).length; }
    }),
    'ceiling async': () => timeAsync(async () => {
      for (const fs of files) for (const f of fs) { const b = await rawRead(f); sink += view16(b).length; }
    }),
    [`ceiling async, ${inFlight} in flight`]: () => timeAsync(() => inParallel(files, inFlight, async (fs) => {
      for (const f of fs) { const b = await rawRead(f); sink += view16(b).length; }
    })),
  };
  // The records' stored samples (the conversion probes below convert them) and the length of each one's channels.
  const stored = set.annotations ? [] : set.records.map((r) => rdrecordSync(r, { physical: false }).digital!);
  const shapes = stored.map((rec) => rec.map((d) => d.length));
  const longest = Math.max(0, ...shapes.flat());
  // A loader's arrays: per type, one per channel of the widest record, as long as the longest channel; each read
  // is given views of as many as its record has channels.
  const widest = Math.max(0, ...shapes.map((s) => s.length));
  const made = <T>(Out: new (n: number) => T): T[] => Array.from({ length: widest }, () => new Out(longest));
  const reused64 = made(Float64Array), reused32 = made(Float32Array), reusedInt = made(Int32Array);
  const readers: Record<string, () => Promise<number>> = set.annotations ? {
    'rdannSync': async () => time(() => { for (const r of set.records) sink += rdannSync(r, 'atr').sample.length; }),
    'rdann': () => timeAsync(async () => { for (const r of set.records) sink += (await rdann(r, 'atr')).sample.length; }),
    ...(peer ? { 'wfdb-python rdann': () => peerPass('rdann', list) } : {}),
  } : {
    'rdrecordSync physical': async () => time(() => {
      for (const r of set.records) sink += rdrecordSync(r).sigLen;
    }),
    'rdrecordSync physical float32': async () => time(() => {
      for (const r of set.records) sink += rdrecordSync(r, { float32: true }).sigLen;
    }),
    'rdrecordSync digital': async () => time(() => {
      for (const r of set.records) sink += rdrecordSync(r, { physical: false }).sigLen;
    }),
    // A loader's way: the same arrays for every record (`out`), made once for the set's longest channel.
    'rdrecordSync physical, into reused arrays': async () => time(() => {
      set.records.forEach((r, i) => { sink += rdrecordSync(r, { out: reused64.slice(0, shapes[i]!.length) }).sigLen; });
    }),
    'rdrecordSync physical float32, into reused arrays': async () => time(() => {
      set.records.forEach((r, i) => { sink += rdrecordSync(r, { float32: true, out: reused32.slice(0, shapes[i]!.length) }).sigLen; });
    }),
    'rdrecordSync digital, into reused arrays': async () => time(() => {
      set.records.forEach((r, i) => { sink += rdrecordSync(r, { physical: false, out: reusedInt.slice(0, shapes[i]!.length) }).sigLen; });
    }),
    'rdrecord physical': () => timeAsync(async () => {
      for (const r of set.records) sink += (await rdrecord(r)).sigLen;
    }),
    [`rdrecord physical, ${inFlight} in flight`]: () => timeAsync(() => inParallel(set.records, inFlight, async (r) => {
      sink += (await rdrecord(r)).sigLen;
    })),
    // The loaders' reader: an EcgRecord, Float32 in mV, invalid samples 0.
    [`readRecord, ${inFlight} in flight`]: () => timeAsync(() => inParallel(set.records, inFlight, async (r) => {
      sink += (await readRecord(r)).signals.length;
    })),
    'readRecordSync': async () => time(() => {
      for (const r of set.records) sink += readRecordSync(r).signals.length;
    }),
    [`RecordReadPool readMany, ${workers} workers`]: () => timeAsync(async () => {
      for (const rec of await pool.readMany(set.records)) sink += rec.signals.length;
    }),
    [`RecordReadPool read, ${workers} workers, ${inFlight} in flight`]: () => timeAsync(() => inParallel(set.records, inFlight, async (r) => {
      sink += (await pool.read(r)).signals.length;
    })),
    ...(peer ? {
      'wfdb-python physical': () => peerPass('physical', list),
      'wfdb-python digital': () => peerPass('digital', list),
    } : {}),
  };
  // Where a physical read's time goes, without file I/O: the stored samples (held in memory) converted as the
  // reader converts them, (x − baseline) / gain, into a fresh Float64Array per record, or into one reused array.
  const reused = new Float64Array(longest);
  const convert = (fresh: boolean) => async (): Promise<number> => time(() => {
    for (const rec of stored) {
      for (const d of rec) {
        const out = fresh ? new Float64Array(d.length) : reused;
        for (let i = 0; i < d.length; i++) out[i] = (d[i]! - 0) / 200;
        sink += out[0]!;
      }
    }
  });
  // The least a reader that returns fresh arrays can do: the ceiling's reads, plus one new zero-filled array per
  // channel of the record's length (what the reader must hand back), with no decoding at all.
  const floor = (Out: typeof Float64Array | typeof Float32Array | typeof Int32Array) => async (): Promise<number> => time(() => {
    files.forEach((fs, i) => {
      for (const f of fs) { const b = readFileSync(f); sink += view16(b).length; }
      for (const len of shapes[i]!) sink += new Out(len).length;
    });
  });
  const probes: Record<string, () => Promise<number>> = set.annotations ? {} : {
    'convert only, fresh Float64Array': convert(true),
    'convert only, reused Float64Array': convert(false),
    'floor: ceiling + fresh Float64Array outputs': floor(Float64Array),
    'floor: ceiling + fresh Float32Array outputs': floor(Float32Array),
    'floor: ceiling + fresh Int32Array outputs': floor(Int32Array),
  };
  const variants = { ...ceilings, ...readers, ...probes };
  const names = Object.keys(variants);
  const t: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const run of Object.values(variants)) await run(); // warm the page cache, the JIT and the peer
  // Rounds: every variant once per round, starting one further each round, so that a change in the
  // machine's load falls on all of them alike.
  for (let k = 0; k < repeats; k++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + k) % names.length]!;
      t[name]!.push(await variants[name]!());
    }
  }
  const secs = Object.fromEntries(names.map((n) => [n, median(t[n]!)]));
  const ceilingOf = (k: string): string => (k.includes('in flight') ? `ceiling async, ${inFlight} in flight` : k.startsWith('rdrecord ') || k === 'rdann' || k === 'ceiling async' ? 'ceiling async' : 'ceiling sync');
  const syncReader = set.annotations ? 'rdannSync' : 'rdrecordSync physical';
  const isProbe = (k: string): boolean => k.startsWith('convert only');
  results.push({
    set: set.name, records: set.records.length, bytes,
    variants: Object.fromEntries(names.map((k) => [k, {
      seconds: secs[k]!, recordsPerS: set.records.length / secs[k]!, MBPerS: bytes / 1e6 / secs[k]!,
      ofCeiling: k.startsWith('wfdb-python') || isProbe(k) ? undefined : secs[ceilingOf(k)]! / secs[k]!,
      // > 1: faster than ecglab's sync reader of the same kind (physical or rdann).
      vsSync: secs[syncReader]! / secs[k]!,
      // > 1: faster than the loaders' async reader with `inFlight` reads in flight (record sets).
      vsReadRecordInFlight: set.annotations ? undefined : secs[`readRecord, ${inFlight} in flight`]! / secs[k]!,
      rounds: t[k]!,
    }])),
  });
}
peer?.stdin!.end();
await pool.close();
rmSync(listDir, { recursive: true, force: true });

if (json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, wfdbPython: peerVersion, started, repeats, inFlight, workers, loadavg1m: { before: loadBefore, after: loadavg()[0] }, results, sink: sink > 0 }, null, 1)}\n`);
} else {
  // Other processes share the 2 cores: the load average says how far to trust absolute numbers.
  process.stdout.write(`load average (1 min): ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after; wfdb-python ${peerVersion ?? 'absent'}\n`);
  for (const r of results) {
    process.stdout.write(`\n${r.set}: ${r.records} records, ${(r.bytes / 1e6).toFixed(1)} MB (median of ${repeats} interleaved rounds)\n`);
    for (const [k, v] of Object.entries(r.variants)) {
      const ceil = v.ofCeiling === undefined ? '' : `${(v.ofCeiling * 100).toFixed(0).padStart(4)}% of ceiling`;
      process.stdout.write(`  ${k.padEnd(46)} ${v.recordsPerS.toFixed(0).padStart(8)} rec/s ${v.MBPerS.toFixed(0).padStart(6)} MB/s ${ceil.padEnd(17)} ${v.vsSync.toFixed(2).padStart(6)}× sync${v.vsReadRecordInFlight === undefined ? '' : ` ${v.vsReadRecordInFlight.toFixed(2).padStart(6)}× readRecord ${inFlight} in flight`}\n`);
    }
  }
}
