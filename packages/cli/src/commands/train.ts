import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';
import { launchLocal, watchLauncher } from '../launch.js';

interface TrainFlags {
  config?: string; out?: string; resume?: boolean; quiet?: boolean; data?: string; seed?: string; nproc?: string; timeout: string;
}

/** `ecglab train --config <file> [--resume] [--out runs/<name>] [--nproc N]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('train')
    .description('train a classifier from a JSON/YAML config; writes a run directory (config, log, checkpoints, model, metrics)')
    .option('-c, --config <file>', 'run config (.yaml, .yml or .json)')
    .option('-o, --out <dir>', 'run directory (default: runs/<config name>)')
    .option('--resume', 'continue the run in --out from its last checkpoint (e.g. after kill -9)')
    .option('--data <dir>', "the dataset's folder, instead of the config's data.path")
    .option('--seed <n>', "the run's seed, instead of the config's (one config, several seeds)")
    .option('-q, --quiet', 'no progress output')
    .option('--nproc <n>', 'train data-parallel in N local processes (train.batchSize stays the global batch; threads per process: cores / N). ' +
      "Under torchrun's variables (WORLD_SIZE, RANK, MASTER_ADDR, ...) `ecglab train` joins their group instead")
    .option('--timeout <seconds>', 'data-parallel runs: how long a rank waits for the others in a collective before it stops', '1800')
    .action(async (opts: TrainFlags) => {
      if (!opts.config && !(opts.resume && opts.out)) throw new Error("train: pass --config <file> (or --resume --out <run dir> to continue a run)");
      const timeout = Number(opts.timeout);
      if (!(timeout > 0)) throw new Error(`train: --timeout must be a number of seconds > 0, got '${opts.timeout}'`);
      const seed = opts.seed === undefined ? undefined : Number(opts.seed);
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new Error(`train: --seed must be a whole number >= 0, got '${opts.seed}'`);
      if (seed !== undefined && !opts.config) throw new Error('train: --seed goes with --config (a resumed run keeps its seed)');
      if (opts.nproc !== undefined) {
        const nproc = Number(opts.nproc);
        if (!Number.isInteger(nproc) || nproc < 1) throw new Error(`train: --nproc must be an integer >= 1, got '${opts.nproc}'`);
        if (process.env.RANK !== undefined) throw new Error('train: --nproc starts its own workers; under torchrun (RANK is set) leave it out');
        if (nproc > 1) {
          await launchLocal({ nproc, args: workerArgs(opts), graceMs: timeout * 1000 + 60_000 });
          return;
        }
      }
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { joinGroupFromEnv, loadRunConfig, readRunConfig, train } = await import('@ecglab/models');
      const cfg = opts.config
        ? loadRunConfig(opts.config, { ...(opts.data === undefined ? {} : { dataPath: opts.data }), ...(seed === undefined ? {} : { seed }) })
        : readRunConfig(opts.out!);
      const out = resolve(opts.out ?? `runs/${cfg.name}`);
      // A worker of a data-parallel run (torchrun's variables, or --nproc's) joins the group; train() then
      // shards the batches, averages the gradients, and lets rank 0 alone write the run directory.
      watchLauncher();
      const group = await joinGroupFromEnv(timeout * 1000);
      try {
        const result = await train(cfg, { out, resume: opts.resume ?? false, quiet: opts.quiet ?? false });
        if (group && group.rank !== 0) return;
        const m = result.metrics;
        io.out(
          `${out}: best epoch ${result.bestEpoch + 1}/${result.epochsRun}, ${m.ci.metric} ${(m as unknown as Record<string, number>)[m.ci.metric]!.toFixed(4)}` +
            ` (${Math.round(m.ci.level * 100)}% CI ${m.ci.lower.toFixed(4)}–${m.ci.upper.toFixed(4)}), accuracy ${m.accuracy.toFixed(4)}, macro F1 ${m.macroF1.toFixed(4)}\n`,
        );
      } finally {
        await group?.leave();
      }
    });
}

/** The arguments of one worker of `--nproc`: the same command, with paths made absolute and without --nproc. */
function workerArgs(opts: TrainFlags): string[] {
  return [
    'train',
    ...(opts.config ? ['--config', resolve(opts.config)] : []),
    ...(opts.out ? ['--out', resolve(opts.out)] : []),
    ...(opts.resume ? ['--resume'] : []),
    ...(opts.data ? ['--data', resolve(opts.data)] : []),
    ...(opts.seed !== undefined ? ['--seed', opts.seed] : []),
    ...(opts.quiet ? ['--quiet'] : []),
    '--timeout', opts.timeout,
  ];
}
