import { mkdir } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  GAINS,
  GRID_COLOURS,
  LAYOUTS,
  RenderArgumentError,
  RenderPool,
  SPEEDS,
  checkPageBudget,
  formatOf,
  parseArtefacts,
  readPageRecord,
  renderBatch,
  renderPage,
  writePage,
  type RenderOptions,
} from '@ecglab/render';
import { stdio, type CommandIo } from './io.js';

interface RenderFlags {
  output: string;
  batch?: boolean;
  layout: RenderOptions['layout'];
  dpi: string;
  speed: string;
  gain: string;
  grid: RenderOptions['grid'];
  page: RenderOptions['page'];
  portrait?: boolean;
  artefacts?: string;
  seed: string;
  header: boolean;
  sidecar?: boolean;
  format: 'png' | 'jpeg';
  progress: boolean;
  workers?: string;
}

function num(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new RenderArgumentError(`render: --${flag} must be a number, got '${v}'`);
  return n;
}

function renderOptions(f: RenderFlags): Partial<RenderOptions> {
  const opts = {
    layout: f.layout,
    dpi: num('dpi', f.dpi),
    speed: num('speed', f.speed) as RenderOptions['speed'],
    gain: num('gain', f.gain) as RenderOptions['gain'],
    grid: f.grid,
    page: f.page,
    orientation: f.portrait === true ? 'portrait' : 'landscape',
    header: f.header,
    artefacts: f.artefacts === undefined ? {} : parseArtefacts(f.artefacts),
    seed: num('seed', f.seed),
  } satisfies Partial<RenderOptions>;
  // Checked here too, so the error names the flag and comes before any record is read.
  checkPageBudget('render', opts, '--dpi');
  return opts;
}

/**
 * `ecglab render <record> -o page.png [...]`, or `ecglab render --batch <dir> -o <outdir>`:
 * ECG paper images from WFDB records, with optional artefacts and a JSON sidecar of lead boxes.
 */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('render')
    .description('draw WFDB records as ECG paper printouts (PNG/JPEG), optionally degraded like scans and photos')
    .argument('<record>', 'record path without extension (or its .hea); with --batch, a folder of records')
    .requiredOption('-o, --output <path>', 'image file (.png/.jpg), or with --batch the output folder')
    .option('--batch', 'render every record of a folder (its RECORDS list, else every .hea below it); resumes')
    .addOption(new Option('--layout <layout>', 'page layout').choices([...LAYOUTS]).default('3x4+II'))
    .option('--dpi <n>', 'resolution; the page may have at most 40 million pixels (600 dpi; ECGLAB_MAX_PAGE_PIXELS)', '200')
    .addOption(new Option('--speed <mm/s>', 'paper speed').choices(SPEEDS.map(String)).default('25'))
    .addOption(new Option('--gain <mm/mV>', 'gain').choices(GAINS.map(String)).default('10'))
    .addOption(new Option('--grid <colour>', 'grid colour').choices([...GRID_COLOURS]).default('red'))
    .addOption(new Option('--page <size>', 'paper size').choices(['letter', 'a4']).default('letter'))
    .option('--portrait', 'portrait instead of landscape')
    .option('--artefacts <list>', 'name=strength,... e.g. rotation=0.5,noise=0.3 (all=0.5 for every one)')
    .option('--seed <n>', 'seed of the artefacts (batch: mixed with each record path)', '0')
    .option('--no-header', 'leave out the header text (record id, age, sex, speed, gain)')
    .option('--sidecar', 'write a JSON sidecar (lead boxes, time windows, page geometry) beside each image')
    .addOption(new Option('--format <fmt>', 'image format in batch mode').choices(['png', 'jpeg']).default('png'))
    .option('--no-progress', 'no progress bar in batch mode')
    .option('--workers <n>', 'batch mode: worker threads drawing pages at once (default: one per core; 0 = this thread only)')
    .action(async (record: string, f: RenderFlags) => {
      const opts = renderOptions(f);
      if (f.batch !== true) {
        formatOf(f.output);
        const page = await renderPage(await readPageRecord(record), opts);
        const res = await writePage(f.output, page, { sidecar: f.sidecar === true });
        io.out(`wrote ${res.image}${res.sidecar ? ` and ${res.sidecar}` : ''} (${page.width}×${page.height})\n`);
        return;
      }
      await mkdir(f.output, { recursive: true });
      const bar = f.progress && process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'render [{bar}] {value}/{total} {status}', stream: process.stderr }, cliProgress.Presets.shades_classic)
        : undefined;
      let started = false;
      const workers = f.workers === undefined ? undefined : num('workers', f.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new RenderArgumentError(`render: --workers must be an integer >= 0, got '${f.workers}'`);
      const pool = workers === 0 ? undefined : new RenderPool(workers === undefined ? {} : { size: workers });
      let res: Awaited<ReturnType<typeof renderBatch>>;
      try {
        res = await renderBatch(record, f.output, {
          render: opts,
          format: f.format,
          sidecar: f.sidecar === true,
          ...(pool === undefined ? {} : { pool }),
          onProgress: (done, total, _rec, status) => {
            if (bar === undefined) return;
            if (!started) {
              bar.start(total, 0, { status });
              started = true;
            }
            bar.update(done, { status });
          },
        });
      } finally {
        await pool?.close();
      }
      bar?.stop();
      for (const x of res.failed) io.err(`failed: ${x.record}: ${x.error}\n`);
      io.out(`rendered ${res.rendered}, skipped ${res.skipped} (already done), failed ${res.failed.length}\n`);
      if (res.failed.length > 0) throw new RenderArgumentError(`render: ${res.failed.length} record(s) failed (listed above)`);
    });
}
