import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ImagePrediction, Prediction, Predictor } from '@ecglab/models';
import { stdio, type CommandIo } from './io.js';
import { threadsArg, threadsOption } from './parse.js';

interface PredictFlags { model?: string; models?: string; task?: string; asImage?: boolean; json?: boolean; threads?: string }

/** Image files are told from records by their extension. */
const IMAGE = /\.(png|jpe?g)$/i;

/** A `--model` value that names a file or folder (rather than a bundled model). */
function isPath(v: string): boolean {
  return existsSync(v) || /[\\/]/.test(v) || v.endsWith('.safetensors');
}

/** `ecglab predict <record-or-image...> [--model <run | NAME>] [--task T] [--models DIR] [--as-image] [--json]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('predict')
    .description(
      'class probabilities of records: WFDB (paths without extension, or .hea files; any rate and lead order) or CPSC 2018 .mat files; ' +
        'for an image model (VizECGNet), PNG/JPEG scans or photos of printouts, or records drawn as pages with --as-image',
    )
    .argument('<inputs...>', 'record paths (e.g. data/A00001), or .png/.jpg/.jpeg images for an image model')
    .option('-m, --model <run|name>', 'a run directory, its model.safetensors, or a bundled model by name (see `ecglab models`); default: the bundled model matching each record by leads (and --task), or the bundled image model for images')
    .option('--task <task>', "with no --model: only bundled models of this task (their card's `task`), e.g. rhythm")
    .option('--models <dir>', "folder of bundled models (default: the repository's models/)")
    .option('--as-image', 'image models: draw each record as a clean page first (the first layout of the model, no artefacts) and classify the page')
    .option('--json', 'print JSON lines: {"id", "model", "prediction", "labels", "probabilities": {class: p}, "record": {fs, samples, leads, resampledFrom, invalidFraction, ...} or "image": {width, height, format, orientation, ...}}; a record more than half invalid is refused')
    .addOption(threadsOption())
    .action(async (inputs: string[], opts: PredictFlags) => {
      const threads = threadsArg(opts.threads);
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { ArgumentError, Predictor, setNumThreads } = await import('@ecglab/models');
      if (threads !== undefined) setNumThreads(threads);
      const show = (p: Prediction | ImagePrediction, model: string, notes: string[]) => {
        if (opts.json) return io.out(`${JSON.stringify({ ...p, model })}\n`);
        const probs = Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(4)}`).join('  ');
        io.out(`${p.id}\t${p.prediction}\t${probs}\t(${notes.join(', ')})\n`);
      };
      const recordNotes = (p: Prediction, fs: number) => {
        const notes = [`${p.record.fs} Hz`, ...(p.record.resampledFrom !== undefined ? [`resampled to ${fs} Hz`] : [])];
        if (p.record.truncatedToSeconds !== undefined) notes.push(`first ${p.record.truncatedToSeconds} s`);
        if (p.record.missingLeads) notes.push(`missing ${p.record.missingLeads.join(', ')} (zeros)`);
        if (p.record.invalidFraction !== undefined) notes.push(`${(100 * p.record.invalidFraction).toFixed(1)} % invalid samples (zeros)`);
        if (opts.asImage) notes.push('drawn as a page');
        return notes;
      };
      const imageNotes = (p: ImagePrediction) => {
        const { width, height, orientation, modelWidth, modelHeight } = p.image;
        return [`${width}×${height} px`, ...(orientation !== 1 ? [`EXIF orientation ${orientation} applied`] : []), `read at ${modelWidth}×${modelHeight}`];
      };
      /** Runs one model over its inputs, after checking that they are what it reads. */
      const run = async (predictor: Predictor, model: string, images: string[], records: string[]) => {
        const out: { at: string; print: () => void }[] = [];
        if (!predictor.readsImages) {
          if (images.length > 0) throw new ArgumentError(`${images[0]}: ${model} is a ${predictor.spec.model.kind} model, which classifies signals; give it records, not images`);
          if (opts.asImage) throw new ArgumentError(`--as-image: ${model} is a ${predictor.spec.model.kind} model, which classifies signals, not pages`);
        } else if (records.length > 0 && !opts.asImage) {
          throw new ArgumentError(`${records[0]}: ${model} classifies images of ECG pages; give PNG/JPEG files, or pass --as-image to draw records as pages first`);
        }
        if (records.length > 0) {
          (await predictor.predictFiles(records)).forEach((p, i) => out.push({ at: records[i]!, print: () => show(p, model, recordNotes(p, predictor.spec.conform.fs)) }));
        }
        if (images.length > 0) {
          (await predictor.predictImages(images)).forEach((p, i) => out.push({ at: images[i]!, print: () => show(p, model, imageNotes(p)) }));
        }
        return out;
      };
      const images = inputs.filter((p) => IMAGE.test(p));
      const records = inputs.filter((p) => !IMAGE.test(p));
      const order = new Map(inputs.map((r, i) => [r, i]));
      const results: { at: string; print: () => void }[] = [];
      if (opts.model !== undefined && isPath(opts.model)) {
        using predictor = Predictor.load(opts.model);
        results.push(...(await run(predictor, opts.model, images, records)));
      } else {
        // Bundled models: by name, or per record by its leads (read from the header alone); images go to the image model.
        const { listModels, findModel, matchModel, modelsDir } = await import('@ecglab/service');
        const { rdheader, CPSC2018_MAT_LEADS } = await import('@ecglab/data');
        const models = listModels(modelsDir(opts.models));
        if (models.length === 0) throw new ArgumentError(`no bundled models in ${modelsDir(opts.models)}; pass --model with a run directory (see models/README.md)`);
        const groups = new Map<string, { images: string[]; records: string[] }>();
        const add = (name: string, input: string, image: boolean) => {
          const g = groups.get(name) ?? { images: [], records: [] };
          (image ? g.images : g.records).push(input);
          groups.set(name, g);
        };
        for (const input of inputs) {
          const image = IMAGE.test(input);
          let name = opts.model;
          if (name !== undefined) findModel(models, name);
          else if (image || opts.asImage) {
            const imageModel = models.find((m) => m.modality === 'image' && (opts.task === undefined || m.meta.task === opts.task));
            if (imageModel === undefined) throw new ArgumentError(`${input}: no bundled image model${opts.task !== undefined ? ` for task '${opts.task}'` : ''}; pass --model with a VizECGNet run`);
            name = imageModel.name;
          } else {
            const leads = /\.mat$/i.test(input) && !existsSync(input.replace(/\.mat$/i, '.hea'))
              ? CPSC2018_MAT_LEADS
              : (await rdheader(input.replace(/\.(hea|mat|dat)$/i, ''))).signals.map((s) => s.description);
            name = matchModel(models, leads, opts.task).name;
          }
          add(name, input, image);
        }
        for (const [name, g] of groups) {
          using predictor = Predictor.load(findModel(models, name).file);
          results.push(...(await run(predictor, name, g.images, g.records)));
        }
      }
      for (const r of results.sort((a, b) => order.get(a.at)! - order.get(b.at)!)) r.print();
    });
}
