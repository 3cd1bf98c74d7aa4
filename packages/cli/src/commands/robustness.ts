import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { stdio, type CommandIo } from './io.js';
import { numberArg, numberList, threadsArg, threadsOption } from './parse.js';

interface RobustnessFlags {
  model: string[];
  label?: string[];
  data: string;
  out: string;
  attack: 'pgd' | 'fgsm' | 'ifgsm' | 'smooth';
  norm?: 'inf' | '2';
  eps?: string;
  steps?: string;
  restarts?: string;
  stepRatio?: string;
  loss?: 'ce' | 'margin';
  white?: string;
  whiteMasked?: boolean;
  nstdb?: string;
  nstdbDir?: string;
  seed: string;
  bootstrap: string;
  progress: boolean;
  threads?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `bw,ma:24,18,12` → the noise kinds and SNRs. */
function nstdbSpec(text: string): { kinds: ('bw' | 'ma')[]; snrs: number[] } {
  const m = /^([a-z,]+):(.+)$/.exec(text);
  if (!m) throw new UsageError(`--nstdb: expected KINDS:SNRS such as bw,ma:24,18,12,6,0,-6, got '${text}'`);
  const kinds = m[1]!.split(',');
  const bad = kinds.find((k) => k !== 'bw' && k !== 'ma');
  if (bad !== undefined) throw new UsageError(`--nstdb: noise kinds are 'bw' (baseline wander) and 'ma' (muscle artefact), got '${bad}'`);
  return { kinds: kinds as ('bw' | 'ma')[], snrs: numberList('--nstdb', m[2]!) };
}

/** A cli-progress bar with ETA on a terminal; elsewhere a line every 10 % with the ETA, so logs stay readable. */
function progressReporter(io: CommandIo, enabled: boolean): { update(done: number, total: number, what: string): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: 'robustness [{bar}] {percentage}% | {what} | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, what) {
        if (!started) bar.start(total, 0, { what });
        started = true;
        bar.update(done, { what });
      },
      stop: () => bar.stop(),
    };
  }
  const t0 = Date.now();
  let next = 0.1;
  return {
    update(done, total, what) {
      if (done / total + 1e-12 < next) return;
      const elapsed = (Date.now() - t0) / 1000;
      io.err(`robustness: ${Math.floor((100 * done) / total)} % (${what}), ${(elapsed / 60).toFixed(1)} min, ETA ${((elapsed * (total - done)) / done / 60).toFixed(1)} min\n`);
      while (next <= done / total + 1e-12) next += 0.1;
    },
    stop() {},
  };
}

/**
 * `ecglab robustness --model RUN [--model RUN2 ...] --data SPEC [--eps ...] [--white ...] [--nstdb ...] --out DIR`:
 * a thin layer over `evaluateRobustness` and `writeRobustnessReport` of @ecglab/models.
 */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('robustness')
    .description('evaluate models clean, under adversarial attack and under white and NSTDB noise; writes JSON, Markdown and PNG plots to --out')
    .requiredOption('-m, --model <run>', 'run directory or model file (repeat for several models)', collect)
    .option('--label <name>', "legend label of each --model, in order (default: the run's folder name)", collect)
    .requiredOption('-d, --data <spec>', 'dataset spec as for eval, e.g. cinc2017:/data/training2017:val.txt')
    .requiredOption('-o, --out <dir>', 'report folder (robustness.json, robustness.md, *.png)')
    .addOption(new Option('--attack <kind>', 'attack').choices(['pgd', 'fgsm', 'ifgsm', 'smooth']).default('pgd'))
    .addOption(new Option('--norm <norm>', 'perturbation norm (default inf)').choices(['inf', '2']))
    .option('--eps <list>', 'ε values in model units, comma-separated (default 0.001,0.003,0.005,0.007,0.01,0.03,0.05,0.1)')
    .option('--steps <n>', 'attack iterations (default: the attack\'s, PGD 100)')
    .option('--restarts <n>', 'random starts of pgd and smooth (default 2)')
    .option('--step-ratio <r>', 'step size as a fraction of ε (default: the attack\'s, PGD 0.1)')
    .addOption(new Option('--loss <loss>', 'attack loss of single-label models (multi-label ones use bce)').choices(['ce', 'margin']))
    .option('--white <list>', 'uniform white-noise levels in model units (default 0.05,0.1,0.2,0.3,0.4,0.5,0.6)')
    .option('--white-masked', 'white noise on the real samples only (default: on the padding too, as Ma & Liang)')
    .option('--nstdb <spec>', 'NSTDB noise kinds and SNRs in dB, e.g. bw,ma:24,18,12,6,0,-6 (the default)')
    .option('--nstdb-dir <dir>', 'folder holding the NSTDB bw and ma records (default: $ECGLAB_DATA/nstdb)')
    .option('--seed <n>', 'seed of attack starts and noise', '1')
    .option('--bootstrap <n>', 'bootstrap resamples of the clean CIs', '1000')
    .option('--no-progress', 'no progress output')
    .addOption(threadsOption())
    .addHelpText('after', '\nWith none of --eps, --white and --nstdb, all three run at their defaults; with some, only those.\n' +
      'Example:\n  ecglab robustness -m runs/ce -m runs/advls -d cinc2017:/data/training2017:val.txt --eps 0.001,0.01,0.1 --steps 100 --restarts 2 -o reports/robust')
    .action(async (f: RobustnessFlags) => {
      if (f.label && f.label.length !== f.model.length) throw new UsageError(`--label: give one per --model (${f.model.length}), got ${f.label.length}`);
      const seed = numberArg('--seed', f.seed, { min: 0, integer: true });
      const bootstrap = numberArg('--bootstrap', f.bootstrap, { min: 1, max: 100_000, integer: true });
      const threads = threadsArg(f.threads);
      const all = f.eps === undefined && f.white === undefined && f.nstdb === undefined;
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const m = await import('@ecglab/models');
      if (threads !== undefined) m.setNumThreads(threads);
      const eps = f.eps !== undefined ? numberList('--eps', f.eps) : all ? [0.001, 0.003, 0.005, 0.007, 0.01, 0.03, 0.05, 0.1] : null;
      const white = f.white !== undefined ? numberList('--white', f.white) : all ? [...m.WHITE_NOISE_LEVELS] : null;
      const nstdb = f.nstdb !== undefined ? nstdbSpec(f.nstdb) : all ? { kinds: ['bw', 'ma'] as ('bw' | 'ma')[], snrs: [...m.NSTDB_SNRS] } : null;
      const steps = f.steps === undefined ? undefined : numberArg('--steps', f.steps, { min: 1, integer: true });
      const restarts = f.restarts === undefined ? undefined : numberArg('--restarts', f.restarts, { min: 1, integer: true });
      const stepRatio = f.stepRatio === undefined ? undefined : numberArg('--step-ratio', f.stepRatio, { min: Number.MIN_VALUE });
      const common = { ...(f.norm ? { norm: f.norm } : {}), ...(f.loss ? { loss: f.loss } : {}) };
      const config: import('@ecglab/models').ReportAttack = (() => {
        switch (f.attack) {
          case 'fgsm':
            return { ...m.FGSM_DEFAULTS, ...common };
          case 'ifgsm':
            return { ...m.IFGSM_DEFAULTS, ...common, ...(steps ? { steps } : {}), ...(stepRatio ? { stepRatio } : {}) };
          case 'smooth':
            return { ...m.SMOOTH_DEFAULTS, ...(f.loss ? { loss: f.loss } : {}), ...(steps ? { steps } : {}), ...(stepRatio ? { stepRatio } : {}), ...(restarts ? { restarts } : {}) };
          default:
            return { ...m.PGD_DEFAULTS, ...common, ...(steps ? { steps } : {}), ...(stepRatio ? { stepRatio } : {}), ...(restarts ? { restarts } : {}) };
        }
      })();
      const progress = progressReporter(io, f.progress);
      let report: import('@ecglab/models').RobustnessReport;
      try {
        report = await m.evaluateRobustness({
          data: f.data,
          models: f.model.map((path, i) => ({ path, ...(f.label ? { label: f.label[i]! } : {}) })),
          ...(eps ? { attack: { config, eps } } : {}),
          ...(white ? { white: { levels: white, masked: f.whiteMasked === true } } : {}),
          ...(nstdb ? { nstdb: { ...nstdb, dir: f.nstdbDir ?? join((await import('@ecglab/data')).dataDir(), 'nstdb') } } : {}),
          seed,
          bootstrapIterations: bootstrap,
          onProgress: (done, total, what) => progress.update(done, total, what),
        });
      } finally {
        progress.stop();
      }
      const written = m.writeRobustnessReport(report, f.out);
      const headline = report.task === 'single-label' ? 'balancedAccuracy' : 'accuracy';
      for (const r of report.models) {
        const parts = [`clean ${headline} ${r.clean[headline]!.toFixed(4)}`, `macro F1 ${r.clean.macroF1.toFixed(4)}`];
        if (r.auc.attack) parts.push(`attack AUC ${r.auc.attack[headline]!.toFixed(4)}`);
        if (r.auc.white) parts.push(`white-noise AUC ${r.auc.white[headline]!.toFixed(4)}`);
        io.out(`${r.label}: ${parts.join(', ')}\n`);
      }
      io.out(`wrote ${written.length} files to ${f.out}\n`);
    });
}

/** `ecglab robustness-merge A/robustness.json B/robustness.json ... -o DIR`: one report (JSON, Markdown, plots) from several. */
export function registerMerge(program: Command, io: CommandIo = stdio): void {
  program
    .command('robustness-merge')
    .description('merge robustness reports of the same data and conditions (e.g. one model each, run in parallel) into one, with its Markdown and plots')
    .argument('<reports...>', 'robustness.json files')
    .requiredOption('-o, --out <dir>', 'report folder')
    .action(async (files: string[], f: { out: string }) => {
      const m = await import('@ecglab/models');
      const written = m.writeRobustnessReport(m.mergeRobustnessReports(files), f.out);
      io.out(`wrote ${written.length} files to ${f.out}\n`);
    });
}
