import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';

/** `ecglab predict <record...> --model <run> [--json]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('predict')
    .description('class probabilities of records: WFDB (paths without extension, or .hea files; any rate and lead order) or CPSC 2018 .mat files')
    .argument('<records...>', 'record paths, e.g. data/A00001')
    .requiredOption('-m, --model <run>', 'run directory (or its model.safetensors)')
    .option('--json', 'print JSON lines: {"id", "prediction", "labels", "probabilities": {class: p}, "record": {fs, samples, leads, resampledFrom, invalidFraction, ...}}; a record more than half invalid is refused')
    .action(async (records: string[], opts: { model: string; json?: boolean }) => {
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { Predictor } = await import('@ecglab/models');
      using predictor = Predictor.load(opts.model);
      for (const p of await predictor.predictFiles(records)) {
        if (opts.json) {
          io.out(`${JSON.stringify(p)}\n`);
          continue;
        }
        const probs = Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(4)}`).join('  ');
        const notes = [`${p.record.fs} Hz`, ...(p.record.resampledFrom !== undefined ? [`resampled to ${predictor.spec.conform.fs} Hz`] : [])];
        if (p.record.truncatedToSeconds !== undefined) notes.push(`first ${p.record.truncatedToSeconds} s`);
        if (p.record.missingLeads) notes.push(`missing ${p.record.missingLeads.join(', ')} (zeros)`);
        if (p.record.invalidFraction !== undefined) notes.push(`${(100 * p.record.invalidFraction).toFixed(1)} % invalid samples (zeros)`);
        io.out(`${p.id}\t${p.prediction}\t${probs}\t(${notes.join(', ')})\n`);
      }
    });
}
