import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { stdio, type CommandIo } from './io.js';

/** `ecglab plot RUN [RUN...] [-o FILE] [--metric NAME]`: training curves of one or more runs as one PNG. */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('plot')
    .description('training curves (loss, monitored metric, learning rate by epoch) of one or more runs, one colour per run, as a PNG')
    .argument('<runs...>', 'run directories (each with its log.jsonl)')
    .option('-o, --out <file>', 'PNG to write (default for one run: RUN/curves.png; required for several)')
    .option('--metric <name>', "validation metric to plot (default: the first run's monitor, e.g. cinc2017F1)")
    .action(async (runs: string[], f: { out?: string; metric?: string }) => {
      if (runs.length > 1 && f.out === undefined) throw new UsageError(`plot: with ${runs.length} runs, name the PNG to write with -o FILE`);
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { trainingCurvesPlot, readRunLog, readRunConfig } = await import('@ecglab/models');
      const { writeFileAtomicSync } = await import('@ecglab/data');
      const logs = runs.map((r) => ({ label: basename(resolve(r)), log: readRunLog(join(r, 'log.jsonl')) }));
      const metric = f.metric ?? readRunConfig(runs[0]!).train.monitor;
      const { png } = trainingCurvesPlot(logs, metric);
      const out = f.out ?? join(runs[0]!, 'curves.png');
      writeFileAtomicSync(out, png);
      io.out(`wrote ${out} (${metric})\n`);
    });
}
