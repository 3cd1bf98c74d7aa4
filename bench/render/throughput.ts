// Pages per second of @ecglab/render against ecg-image-kit, interleaved in one run: a 3×4+II letter
// page at 200 DPI of PTB-XL record 00017 to a PNG file, clean and with wrinkles + creases, drawn
// (a) on one thread, (b) by a RenderPool of `--workers` worker threads, and (c) by ecg-image-kit
// (../shared/peers, its own timing script) in `--kit-procs` processes at once. Each round runs the
// three for one mode, then the other mode, alternating which side goes first; the ratios are taken
// within a round, so each compares sides that saw the same load. Also: training batches
// (renderToTensor, 60 DPI, all 13 artefacts, [8,1,512,662]) on one thread and through the pool.
//
//   node --import tsx bench/render/run.ts [--json] [--rounds 3] [--seconds 6] [--workers 2]
//     [--kit-runs 2] [--kit-procs 2] [--no-kit]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { parseArtefacts, readPageRecord, renderPage, renderToTensor, RenderPool, writePage, type EcgRecord, type RenderOptions } from '@ecglab/render';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RECORD = 'ptbxl/records500/00000/00017_hr';
// the peers sit in ../shared/peers beside the checkout, or two levels up from a worktree
const KIT = process.env.ECG_IMAGE_KIT_BENCH ?? [join(root, '../shared/peers/ecg-image-kit-bench.sh'), join(root, '../../shared/peers/ecg-image-kit-bench.sh')].find((p) => existsSync(p)) ?? 'ecg-image-kit-bench.sh';
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Timed {
  pages: number;
  wallS: number;
  cpuS: number;
  pagesPerS: number;
  cpuMsPerPage: number;
}

/** Runs `one(k)` with `inFlight` pages at once for at least `seconds`; pages/s over the wall clock. */
async function timed(one: (k: number) => Promise<unknown>, inFlight: number, seconds: number, pagesPerCall = 1): Promise<Timed> {
  await Promise.all(Array.from({ length: inFlight }, (_, k) => one(k))); // warm-up: one call per lane
  let calls = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() - t0 < seconds * 1000 || calls < inFlight) {
        await one(next++);
        calls++;
      }
    }),
  );
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpuS = (c.user + c.system) / 1e6;
  const pages = calls * pagesPerCall;
  return { pages, wallS, cpuS, pagesPerS: pages / wallS, cpuMsPerPage: (1000 * cpuS) / pages };
}

/** ecg-image-kit in `procs` processes at once, `runs` timed pages each; pages/s = Σ 1 / median page time. */
async function kit(mode: 'clean' | 'wrinkles', runs: number, procs: number, dataDir: string): Promise<{ pagesPerS: number; medianPageS: number[]; load: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-bench-kit-'));
  try {
    const outs = Array.from({ length: procs }, (_, i) => join(dir, `kit${i}.json`));
    await Promise.all(
      outs.map(
        (out) =>
          new Promise<void>((resolve, reject) => {
            const p = spawn('bash', [KIT, dataDir, '--record', RECORD, '--runs', String(runs), '--modes', mode, '--json', out], { stdio: ['ignore', 'ignore', 'pipe'] });
            let err = '';
            p.stderr.on('data', (b: Buffer) => (err += b.toString()));
            p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${KIT} exited with ${code}: ${err.slice(-2000)}`))));
          }),
      ),
    );
    const res = outs.map((o) => JSON.parse(readFileSync(o, 'utf8')) as { modes: Record<string, { page: { median_s: number }; load_before: string; load_after: string }> });
    const med = res.map((r) => r.modes[mode]!.page.median_s);
    return { pagesPerS: med.reduce((a, m) => a + 1 / m, 0), medianPageS: med, load: res.map((r) => `${r.modes[mode]!.load_before} -> ${r.modes[mode]!.load_after}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function throughput(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '6' },
      workers: { type: 'string', default: String(availableParallelism()) },
      'kit-runs': { type: 'string', default: '2' },
      'kit-procs': { type: 'string', default: String(availableParallelism()) },
      'no-kit': { type: 'boolean', default: false },
    },
  });
  const rounds = Number(a.rounds);
  const seconds = Number(a.seconds);
  const workers = Number(a.workers);
  const kitRuns = Number(a['kit-runs']);
  const kitProcs = Number(a['kit-procs']);
  const log = (s: string): void => {
    if (!a.json) process.stdout.write(`${s}\n`);
  };
  sharp.concurrency(1); // libvips: one thread per encode, so a page uses one core (set process-wide)
  const dataDir = join(root, 'fixtures/data');
  const rec: EcgRecord = await readPageRecord(join(dataDir, RECORD));
  const base: Partial<RenderOptions> = { layout: '3x4+II', dpi: 200, grid: 'red' };
  const modes = {
    clean: { ...base },
    'wrinkles+creases': { ...base, artefacts: { wrinkles: 0.5, creases: 0.5 } },
  } as const;
  const kitMode = { clean: 'clean', 'wrinkles+creases': 'wrinkles' } as const;
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-bench-render-'));
  const pool = new RenderPool({ size: workers });
  const started = new Date().toISOString();
  const load0 = loadavg();
  const rows: Record<string, unknown>[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [mode, opts] of Object.entries(modes) as [keyof typeof modes, Partial<RenderOptions>][]) {
        const seedOf = (k: number): Partial<RenderOptions> => ({ ...opts, seed: 1000 * r + k });
        const ours = async () => ({
          oneThread: await timed((k) => renderPage(rec, seedOf(k)).then((p) => writePage(join(dir, `t${k % 4}.png`), p)), 1, seconds),
          pool: await timed((k) => pool.renderToFile(join(dir, `p${k % (4 * workers)}.png`), rec, seedOf(k)), 2 * workers, seconds),
        });
        const theirs = async () => (a['no-kit'] ? undefined : kit(kitMode[mode], kitRuns, kitProcs, dataDir));
        // alternate who goes first, round by round
        let e: Awaited<ReturnType<typeof ours>>;
        let k: Awaited<ReturnType<typeof theirs>>;
        if ((r + (mode === 'clean' ? 0 : 1)) % 2 === 0) {
          e = await ours();
          k = await theirs();
        } else {
          k = await theirs();
          e = await ours();
        }
        const row = {
          round: r,
          mode,
          load1: loadavg()[0],
          ecglabOneThread: e.oneThread,
          ecglabPool: { workers, ...e.pool },
          ...(k === undefined ? {} : { kit: { procs: kitProcs, runsPerProc: kitRuns, ...k }, poolVsKit: e.pool.pagesPerS / k.pagesPerS }),
        };
        rows.push(row);
        log(
          `round ${r} ${mode.padEnd(17)} ecglab 1 thread ${e.oneThread.pagesPerS.toFixed(1).padStart(5)} pages/s (${e.oneThread.cpuMsPerPage.toFixed(0)} CPU ms/page)` +
            `  pool×${workers} ${e.pool.pagesPerS.toFixed(1).padStart(5)} pages/s (${e.pool.cpuMsPerPage.toFixed(0)} CPU ms/page)` +
            (k === undefined ? '' : `  ecg-image-kit ×${kitProcs} ${k.pagesPerS.toFixed(2)} pages/s (median ${k.medianPageS.map((s) => s.toFixed(2)).join('/')} s/page)  pool/kit ${(e.pool.pagesPerS / k.pagesPerS).toFixed(1)}×`) +
            `  load ${row.load1!.toFixed(1)}`,
        );
      }
    }
    // Training batches: what a trainer asks for, on its own thread or through the pool.
    const batch8 = Array.from({ length: 8 }, () => rec);
    const train = { ...base, dpi: 60, width: 662, height: 512, artefacts: parseArtefacts('all=0.5') };
    const trainRows: Record<string, unknown>[] = [];
    for (let r = 0; r < rounds; r++) {
      const one = await timed((k) => renderToTensor(batch8, { ...train, seed: 8 * k }), 1, seconds, 8);
      const viaPool = await timed((k) => pool.renderToTensor(batch8, { ...train, seed: 8 * k }), 1, seconds, 8);
      trainRows.push({ round: r, oneThread: one, pool: { workers, ...viaPool } });
      log(`round ${r} training batch [8,1,512,662] all artefacts: 1 thread ${one.pagesPerS.toFixed(1)} pages/s, pool×${workers} ${viaPool.pagesPerS.toFixed(1)} pages/s`);
    }
    const summary = Object.fromEntries(
      Object.keys(modes).map((m) => {
        const rs = rows.filter((x) => x.mode === m) as { ecglabOneThread: Timed; ecglabPool: Timed; kit?: { pagesPerS: number }; poolVsKit?: number }[];
        return [
          m,
          {
            oneThreadPagesPerS: median(rs.map((x) => x.ecglabOneThread.pagesPerS)),
            oneThreadCpuMsPerPage: median(rs.map((x) => x.ecglabOneThread.cpuMsPerPage)),
            poolPagesPerS: median(rs.map((x) => x.ecglabPool.pagesPerS)),
            poolCpuMsPerPage: median(rs.map((x) => x.ecglabPool.cpuMsPerPage)),
            ...(rs[0]?.kit ? { kitPagesPerS: median(rs.map((x) => x.kit!.pagesPerS)), poolVsKit: median(rs.map((x) => x.poolVsKit!)) } : {}),
          },
        ];
      }),
    );
    const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, sharp: sharp.versions.sharp, vips: sharp.versions.vips, uvThreadpool: process.env.UV_THREADPOOL_SIZE };
    const result = {
      bench: 'render throughput',
      started,
      command: `node --import tsx bench/render/run.ts --rounds ${rounds} --seconds ${seconds} --workers ${workers} --kit-runs ${kitRuns} --kit-procs ${kitProcs}${a['no-kit'] ? ' --no-kit' : ''}`,
      record: `PTB-XL ${RECORD}`,
      page: '3x4+II letter landscape 200 DPI (2200×1700) to a PNG file',
      loadavg: { start: load0, end: loadavg() },
      env,
      summary,
      rows,
      training: trainRows,
    };
    if (a.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else log(`summary (medians over rounds): ${JSON.stringify(summary)}\nload ${load0.map((x) => x.toFixed(1)).join(' ')} -> ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
