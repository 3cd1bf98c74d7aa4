import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import {
  encodeImage,
  parseArtefacts,
  readPageRecord,
  renderPage,
  renderToTensor,
  writePage,
  type EcgRecord,
  type RenderOptions,
} from '@ecglab/render';

const RECORD = fileURLToPath(new URL('../../fixtures/data/ptbxl/records500/00000/00017_hr', import.meta.url));

/** Peers, not measured in this run: say so wherever they are printed. */
const PEERS = {
  'ecg-image-kit (published)': { clean: 0.72, artefacts: 7.75, note: 'seconds per page as published by ecg-image-kit; other machine' },
  'ecg-image-kit (this machine, earlier; not in the repository)': {
    clean: 1.6,
    wrinklesCreases: 2.7,
    wrinklesRotationNoise: 6.6,
    note: 'seconds per 3x4 page at 200 DPI measured here earlier, not in this run',
  },
};

interface Case {
  name: string;
  /** Pages drawn by one call of fn (default 1). */
  pages?: number;
  fn: () => Promise<unknown>;
}

interface Result {
  name: string;
  pages: number;
  msPerPage: number;
  pagesPerSec: number;
  /** CPU time / wall time: ~1 means one core busy the whole time. */
  cpuPerWall: number;
  /** CPU ms per page: what one free core would take; robust to other processes sharing the machine. */
  cpuMsPerPage: number;
  pagesPerCpuSec: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function measure(c: Case, seconds: number): Promise<Result> {
  for (let i = 0; i < 2; i++) await c.fn();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || times.length < 5) {
    const t = performance.now();
    await c.fn();
    times.push(performance.now() - t);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const per = c.pages ?? 1;
  const ms = median(times) / per;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const pages = times.length * per;
  return {
    name: c.name,
    pages,
    msPerPage: ms,
    pagesPerSec: 1000 / ms,
    cpuPerWall: cpuMs / wall,
    cpuMsPerPage: cpuMs / pages,
    pagesPerCpuSec: (1000 * pages) / cpuMs,
  };
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const at = args.indexOf('--seconds');
  const seconds = at >= 0 ? Number(args[at + 1]) : 4;
  sharp.concurrency(1);
  const rec: EcgRecord = await readPageRecord(RECORD);
  const base: Partial<RenderOptions> = { layout: '3x4+II', dpi: 200, grid: 'red' };
  const all = parseArtefacts('all=0.5');
  const kitWC = { wrinkles: 0.5, creases: 0.5 };
  const kitWRN = { wrinkles: 0.5, rotation: 0.5, noise: 0.5 };
  const batch8: EcgRecord[] = Array.from({ length: 8 }, () => rec);
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-bench-render-'));
  let seed = 0;
  const cases: Case[] = [
    { name: 'clean → RGBA pixels', fn: () => renderPage(rec, base) },
    { name: 'clean → tensor [1,1,1700,2200]', fn: () => renderToTensor([rec], base) },
    { name: 'clean → tensor resized [1,1,512,662]', fn: () => renderToTensor([rec], { ...base, width: 662, height: 512 }) },
    // Training-size batches are best drawn near their size: 60 DPI is 660×510, resized to 662×512.
    { name: 'clean 60 DPI → tensor [8,1,512,662]', pages: 8, fn: () => renderToTensor(batch8, { ...base, dpi: 60, width: 662, height: 512 }) },
    { name: 'all artefacts 60 DPI → tensor [8,1,512,662]', pages: 8, fn: () => renderToTensor(batch8, { ...base, dpi: 60, width: 662, height: 512, artefacts: all, seed: seed++ }) },
    { name: 'clean → PNG bytes', fn: async () => encodeImage(await renderPage(rec, base), { format: 'png' }) },
    { name: 'clean → PNG file', fn: async () => writePage(join(dir, 'clean.png'), await renderPage(rec, base)) },
    { name: 'clean → JPEG file', fn: async () => writePage(join(dir, 'clean.jpg'), await renderPage(rec, base)) },
    { name: 'wrinkles+creases → PNG file', fn: async () => writePage(join(dir, 'wc.png'), await renderPage(rec, { ...base, artefacts: kitWC, seed: seed++ })) },
    { name: 'wrinkles+rotation+noise → PNG file', fn: async () => writePage(join(dir, 'wrn.png'), await renderPage(rec, { ...base, artefacts: kitWRN, seed: seed++ })) },
    { name: 'all 13 artefacts → tensor', fn: () => renderToTensor([rec], { ...base, artefacts: all, seed: seed++, width: 2200, height: 1700 }) },
    { name: 'all 13 artefacts → PNG file', fn: async () => writePage(join(dir, 'all.png'), await renderPage(rec, { ...base, artefacts: all, seed: seed++ })) },
  ];
  const results: Result[] = [];
  try {
    for (const c of cases) {
      const r = await measure(c, seconds);
      results.push(r);
      if (!json) {
        process.stdout.write(
          `${r.name.padEnd(40)} wall ${r.msPerPage.toFixed(1).padStart(7)} ms/page ${r.pagesPerSec.toFixed(1).padStart(6)} pages/s | cpu ${r.cpuMsPerPage.toFixed(1).padStart(7)} ms/page ${r.pagesPerCpuSec.toFixed(1).padStart(6)} pages/s | cpu/wall ${r.cpuPerWall.toFixed(2)} (${r.pages} pages)\n`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavg: loadavg(), sharp: sharp.versions.sharp, vips: sharp.versions.vips };
  if (json) {
    process.stdout.write(`${JSON.stringify({ bench: 'render', record: 'PTB-XL 00017_hr', page: '3x4+II letter landscape 200 DPI (2200×1700)', threads: 1, env, results, peers: PEERS }, null, 1)}\n`);
    return;
  }
  process.stdout.write(`\nload average ${env.loadavg.map((x) => x.toFixed(2)).join(' ')} on ${env.cores} cores (${env.cpu}); node ${env.node}, sharp ${env.sharp}/libvips ${env.vips}\n`);
  process.stdout.write('peers (NOT measured in this run):\n');
  for (const [name, p] of Object.entries(PEERS)) process.stdout.write(`  ${name}: ${JSON.stringify(p)}\n`);
}
