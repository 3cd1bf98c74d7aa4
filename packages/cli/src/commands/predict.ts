import type { Command } from 'commander';

/** `ecglab predict <record...> --model <run> [--json]` */
export function register(program: Command): void {
  program
    .command('predict')
    .description('class probabilities of WFDB records (paths without extension, or .hea files)')
    .argument('<records...>', 'record paths, e.g. data/A00001')
    .requiredOption('-m, --model <run>', 'run directory (or its model.safetensors)')
    .option('--json', 'print JSON lines: {"record", "prediction", "probabilities": {class: p}}')
    .action(async (records: string[], opts: { model: string; json?: boolean }) => {
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { predictRecords } = await import('@ecglab/models');
      for (const p of await predictRecords(opts.model, records)) {
        if (opts.json) process.stdout.write(`${JSON.stringify(p)}\n`);
        else {
          const probs = Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(4)}`).join('  ');
          process.stdout.write(`${p.record}\t${p.prediction}\t${probs}\n`);
        }
      }
    });
}
