import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';

/** `ecglab train --config <file> [--resume] [--out runs/<name>]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('train')
    .description('train a classifier from a JSON/YAML config; writes a run directory (config, log, checkpoints, model, metrics)')
    .option('-c, --config <file>', 'run config (.yaml, .yml or .json)')
    .option('-o, --out <dir>', 'run directory (default: runs/<config name>)')
    .option('--resume', 'continue the run in --out from its last checkpoint (e.g. after kill -9)')
    .option('--data <dir>', "the dataset's folder, instead of the config's data.path")
    .option('-q, --quiet', 'no progress output')
    .action(async (opts: { config?: string; out?: string; resume?: boolean; quiet?: boolean; data?: string }) => {
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { loadRunConfig, readRunConfig, train } = await import('@ecglab/models');
      if (!opts.config && !(opts.resume && opts.out)) throw new Error("train: pass --config <file> (or --resume --out <run dir> to continue a run)");
      const cfg = opts.config ? loadRunConfig(opts.config, opts.data === undefined ? {} : { dataPath: opts.data }) : readRunConfig(opts.out!);
      const out = resolve(opts.out ?? `runs/${cfg.name}`);
      const result = await train(cfg, { out, resume: opts.resume ?? false, quiet: opts.quiet ?? false });
      const m = result.metrics;
      io.out(
        `${out}: best epoch ${result.bestEpoch + 1}/${result.epochsRun}, ${m.ci.metric} ${(m as unknown as Record<string, number>)[m.ci.metric]!.toFixed(4)}` +
          ` (${Math.round(m.ci.level * 100)}% CI ${m.ci.lower.toFixed(4)}–${m.ci.upper.toFixed(4)}), accuracy ${m.accuracy.toFixed(4)}, macro F1 ${m.macroF1.toFixed(4)}\n`,
      );
    });
}
