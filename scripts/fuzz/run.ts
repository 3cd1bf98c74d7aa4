// `npm run fuzz`: feeds generated and hostile inputs to every parser and decoder (targets.ts) and
// reports, per target, how many inputs were refused with the package's own error, how many were
// accepted, and how many crashed (anything else thrown, or the process dying), with the slowest
// input and the peak memory (max RSS) of the run. Each target runs in child processes of a given
// number of cases (slices), so a run that runs out of memory is caught and named, not fatal.
//
//   npm run fuzz                                   all targets, 2,000 cases each (a quick check)
//   npm run fuzz -- --cases 100000 --slices 10     100,000 cases per target in 10 slices of 10,000
//   npm run fuzz -- --target header,mat --seconds 60 --seed 7
// Exit status 1 if any input crashed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

interface SliceResult { target: string; seed: number; cases: number; refused: number; accepted: number; crashes: number; examples: string[]; slowestMs: number; maxRssMb: number }

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`fuzz: unexpected argument '${a}' (options: --target, --cases, --slices, --seconds, --seed)`);
    const [k, v] = a.includes('=') ? a.slice(2).split('=', 2) as [string, string] : [a.slice(2), argv[i + 1]?.startsWith('--') === false ? argv[++i]! : 'true'];
    out[k] = v;
  }
  return out;
}

const positive = (v: string | undefined, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`fuzz: --${name} must be a non-negative integer, got '${v}'`);
  return n;
};

/** One slice in this process: `cases` inputs from `seed` (or until `seconds` pass). */
async function child(target: string, cases: number, seed: number, seconds: number): Promise<SliceResult> {
  const { TARGETS, prepareAnnDir, prepareMat, prepareRecordDir } = await import('./targets.js');
  const { loadFlacDecoder } = await import('@ecglab/data');
  const t = TARGETS[target];
  if (!t) throw new Error(`fuzz: no target '${target}' (targets: ${Object.keys(TARGETS).join(', ')})`);
  const dir = mkdtempSync(join(tmpdir(), `ecglab-fuzz-${target}-`));
  prepareRecordDir(dir);
  prepareAnnDir(dir);
  await loadFlacDecoder(); // so that FLAC files reach the decoder in rdrecordSync
  if (target === 'mat') await prepareMat();
  const r: SliceResult = { target, seed, cases: 0, refused: 0, accepted: 0, crashes: 0, examples: [], slowestMs: 0, maxRssMb: 0 };
  try {
    fc.assert(fc.property(t.arbitrary, (input) => {
      const t0 = process.hrtime.bigint();
      try {
        t.run(input);
        r.accepted++;
      } catch (err) {
        if (t.expected(err)) r.refused++;
        else {
          r.crashes++;
          if (r.examples.length < 5) r.examples.push(`${(err as Error)?.stack ?? String(err)}\n  input: ${fc.stringify(input).slice(0, 300)}`);
        }
      }
      r.slowestMs = Math.max(r.slowestMs, Number(process.hrtime.bigint() - t0) / 1e6);
      r.cases++;
      return true;
    }), { numRuns: cases, seed, ...(seconds > 0 ? { interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false } : {}) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  r.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return r;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const cases = positive(a.cases, 'cases', 2000);
  const slices = Math.max(1, positive(a.slices, 'slices', 1));
  const seconds = positive(a.seconds, 'seconds', 0);
  const seed = positive(a.seed, 'seed', 1);
  if (a.child) {
    const r = await child(a.target!, cases, seed, seconds);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const { TARGETS } = await import('./targets.js');
  const targets = a.target ? a.target.split(',') : Object.keys(TARGETS);
  const self = fileURLToPath(import.meta.url);
  const rows: SliceResult[] = [];
  let failed = false;
  for (const target of targets) {
    const total: SliceResult = { target, seed, cases: 0, refused: 0, accepted: 0, crashes: 0, examples: [], slowestMs: 0, maxRssMb: 0 };
    for (let k = 0; k < slices; k++) {
      const n = Math.floor(cases / slices) + (k < cases % slices ? 1 : 0);
      const p = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', '--target', target, '--cases', String(n), '--seed', String(seed + k), '--seconds', String(Math.ceil(seconds / slices))], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
      const line = p.stdout.trim().split('\n').at(-1) ?? '';
      if (p.status !== 0 || !line.startsWith('{')) {
        failed = true;
        total.crashes++;
        total.examples.push(`slice seed ${seed + k}: the process died (status ${p.status}, signal ${p.signal}): ${p.stderr.slice(-2000)}`);
        continue;
      }
      const r = JSON.parse(line) as SliceResult;
      for (const key of ['cases', 'refused', 'accepted', 'crashes'] as const) total[key] += r[key];
      total.slowestMs = Math.max(total.slowestMs, r.slowestMs);
      total.maxRssMb = Math.max(total.maxRssMb, r.maxRssMb);
      total.examples.push(...r.examples);
      process.stderr.write(`  ${target} slice ${k + 1}/${slices}: ${r.cases} cases, ${r.crashes} crashes, slowest ${r.slowestMs.toFixed(1)} ms, max RSS ${r.maxRssMb} MB\n`);
    }
    if (total.crashes > 0) failed = true;
    rows.push(total);
  }
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`${'target'.padEnd(12)}${pad('cases', 9)}${pad('refused', 9)}${pad('accepted', 10)}${pad('crashes', 9)}${pad('slowest ms', 12)}${pad('max RSS MB', 12)}`);
  for (const r of rows) console.log(`${r.target.padEnd(12)}${pad(r.cases, 9)}${pad(r.refused, 9)}${pad(r.accepted, 10)}${pad(r.crashes, 9)}${pad(r.slowestMs.toFixed(1), 12)}${pad(r.maxRssMb, 12)}`);
  for (const r of rows) for (const e of r.examples.slice(0, 5)) console.log(`\n[${r.target}] ${e}`);
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
