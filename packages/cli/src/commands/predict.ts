import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';

/** Image files are told from records by their extension. */
const IMAGE = /\.(png|jpe?g)$/i;

/** `ecglab predict <record-or-image...> --model <run> [--as-image] [--json]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('predict')
    .description(
      'class probabilities of records: WFDB (paths without extension, or .hea files; any rate and lead order) or CPSC 2018 .mat files; ' +
        'for an image model (VizECGNet), PNG/JPEG scans or photos of printouts, or records drawn as pages with --as-image',
    )
    .argument('<inputs...>', 'record paths (e.g. data/A00001), or .png/.jpg/.jpeg images for an image model')
    .requiredOption('-m, --model <run>', 'run directory (or its model.safetensors)')
    .option('--as-image', 'image models: draw each record as a clean page first (the first layout of the model, no artefacts) and classify the page')
    .option('--json', 'print JSON lines: {"id", "prediction", "labels", "probabilities": {class: p}, "record": {fs, samples, leads, resampledFrom, ...} or "image": {width, height, format, orientation, ...}}')
    .action(async (inputs: string[], opts: { model: string; asImage?: boolean; json?: boolean }) => {
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { ArgumentError, Predictor } = await import('@ecglab/models');
      using predictor = Predictor.load(opts.model);
      const images = inputs.filter((p) => IMAGE.test(p));
      const records = inputs.filter((p) => !IMAGE.test(p));
      if (!predictor.readsImages) {
        if (images.length > 0) throw new ArgumentError(`${images[0]}: ${opts.model} is a ${predictor.spec.model.kind} model, which classifies signals; give it records, not images`);
        if (opts.asImage) throw new ArgumentError(`--as-image: ${opts.model} is a ${predictor.spec.model.kind} model, which classifies signals, not pages`);
      } else if (records.length > 0 && !opts.asImage) {
        throw new ArgumentError(`${records[0]}: ${opts.model} classifies images of ECG pages; give PNG/JPEG files, or pass --as-image to draw records as pages first`);
      }
      const show = (p: { id: string; prediction: string; probabilities: Record<string, number> }, notes: string[], full: object) => {
        if (opts.json) return io.out(`${JSON.stringify(full)}\n`);
        const probs = Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(4)}`).join('  ');
        io.out(`${p.id}\t${p.prediction}\t${probs}\t(${notes.join(', ')})\n`);
      };
      if (records.length > 0) {
        for (const p of await predictor.predictFiles(records)) {
          const notes = [`${p.record.fs} Hz`, ...(p.record.resampledFrom !== undefined ? [`resampled to ${predictor.spec.conform.fs} Hz`] : [])];
          if (p.record.truncatedToSeconds !== undefined) notes.push(`first ${p.record.truncatedToSeconds} s`);
          if (p.record.missingLeads) notes.push(`missing ${p.record.missingLeads.join(', ')} (zeros)`);
          if (opts.asImage) notes.push('drawn as a page');
          show(p, notes, p);
        }
      }
      if (images.length > 0) {
        for (const p of await predictor.predictImages(images)) {
          const { width, height, orientation, modelWidth, modelHeight } = p.image;
          const notes = [`${width}×${height} px`, ...(orientation !== 1 ? [`EXIF orientation ${orientation} applied`] : []), `read at ${modelWidth}×${modelHeight}`];
          show(p, notes, p);
        }
      }
    });
}
