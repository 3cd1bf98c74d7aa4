import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Prediction } from '@ecglab/models';
import { stdio, type CommandIo } from './io.js';

interface PredictFlags { model?: string; models?: string; task?: string; json?: boolean }

/** A `--model` value that names a file or folder (rather than a bundled model). */
function isPath(v: string): boolean {
  return existsSync(v) || /[\\/]/.test(v) || v.endsWith('.safetensors');
}

/** `ecglab predict <record...> [--model <run | NAME>] [--task T] [--models DIR] [--json]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('predict')
    .description('class probabilities of records: WFDB (paths without extension, or .hea files; any rate and lead order) or CPSC 2018 .mat files')
    .argument('<records...>', 'record paths, e.g. data/A00001')
    .option('-m, --model <run|name>', 'a run directory, its model.safetensors, or a bundled model by name (see `ecglab models`); default: the bundled model matching each record by leads (and --task)')
    .option('--task <task>', "with no --model: only bundled models of this task (their card's `task`), e.g. rhythm")
    .option('--models <dir>', 'folder of bundled models (default: the repository\'s models/)')
    .option('--json', 'print JSON lines: {"id", "model", "prediction", "labels", "probabilities": {class: p}, "record": {fs, samples, leads, resampledFrom, invalidFraction, ...}}; a record more than half invalid is refused')
    .action(async (records: string[], opts: PredictFlags) => {
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { Predictor } = await import('@ecglab/models');
      const out = (p: Prediction, model: string, fs: number) => {
        if (opts.json) {
          io.out(`${JSON.stringify({ ...p, model })}\n`);
          return;
        }
        const probs = Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(4)}`).join('  ');
        const notes = [`${p.record.fs} Hz`, ...(p.record.resampledFrom !== undefined ? [`resampled to ${fs} Hz`] : [])];
        if (p.record.truncatedToSeconds !== undefined) notes.push(`first ${p.record.truncatedToSeconds} s`);
        if (p.record.missingLeads) notes.push(`missing ${p.record.missingLeads.join(', ')} (zeros)`);
        if (p.record.invalidFraction !== undefined) notes.push(`${(100 * p.record.invalidFraction).toFixed(1)} % invalid samples (zeros)`);
        io.out(`${p.id}\t${p.prediction}\t${probs}\t(${notes.join(', ')})\n`);
      };
      if (opts.model !== undefined && isPath(opts.model)) {
        using predictor = Predictor.load(opts.model);
        for (const p of await predictor.predictFiles(records)) out(p, opts.model, predictor.spec.conform.fs);
        return;
      }
      // Bundled models: by name, or per record by its leads (read from the header alone).
      const { listModels, findModel, matchModel, modelsDir } = await import('@ecglab/service');
      const { rdheader } = await import('@ecglab/data');
      const models = listModels(modelsDir(opts.models));
      if (models.length === 0) throw new Error(`no bundled models in ${modelsDir(opts.models)}; pass --model with a run directory (see models/README.md)`);
      const groups = new Map<string, string[]>();
      for (const r of records) {
        let name = opts.model;
        if (name === undefined) {
          const leads = /\.mat$/i.test(r) && !existsSync(r.replace(/\.mat$/i, '.hea'))
            ? (await import('@ecglab/data')).CPSC2018_MAT_LEADS
            : (await rdheader(r.replace(/\.(hea|mat|dat)$/i, ''))).signals.map((s) => s.description);
          name = matchModel(models, leads, opts.task).name;
        } else {
          findModel(models, name);
        }
        groups.set(name, [...(groups.get(name) ?? []), r]);
      }
      const order = new Map(records.map((r, i) => [r, i]));
      const results: { p: Prediction; model: string; fs: number; at: number }[] = [];
      for (const [name, paths] of groups) {
        using predictor = Predictor.load(findModel(models, name).file);
        (await predictor.predictFiles(paths)).forEach((p, i) => results.push({ p, model: name, fs: predictor.spec.conform.fs, at: order.get(paths[i]!)! }));
      }
      for (const r of results.sort((a, b) => a.at - b.at)) out(r.p, r.model, r.fs);
    });
}
