import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';

/** `ecglab models [--models DIR] [--check] [--json]` */
export function register(program: Command, io: CommandIo = stdio): void {
  const cmd = program
    .command('models')
    .description('list the bundled models (each folder of models/ with a model.safetensors and its MODEL.md)')
    .option('--models <dir>', 'folder of models (default: the repository\'s models/)')
    .option('--check', 'also load each model: its spec and the shapes of its weights (one line per problem)')
    .option('--json', 'print one JSON object per model')
    .action(async (opts: { models?: string; check?: boolean; json?: boolean }) => {
      const { listModels, modelsDir } = await import('@ecglab/service');
      const dir = modelsDir(opts.models);
      const models = listModels(dir);
      if (models.length === 0) {
        io.out(`no models in ${dir} (see models/README.md: a folder per model with model.safetensors and MODEL.md)\n`);
        return;
      }
      let failed = 0;
      for (const m of models) {
        let status = '';
        if (opts.check) {
          const { Predictor } = await import('@ecglab/models');
          try {
            Predictor.load(m.file).dispose();
            status = 'ok';
          } catch (err) {
            status = (err as Error).message;
            failed++;
          }
        }
        const s = m.spec;
        const leads = s.conform.leads ? (s.conform.leads.length === 12 ? '12 leads' : s.conform.leads.join(',')) : `${s.conform.leadIndices!.length} lead(s) by position`;
        if (opts.json) {
          io.out(`${JSON.stringify({ name: m.name, title: m.meta.title, task: m.meta.task, modality: m.modality, classes: s.classes, task_kind: s.task, leads: s.conform.leads ?? s.conform.leadIndices, fs: s.conform.fs, model: s.model.kind, bytes: m.bytes, dtype: m.dtype, card: m.card, ...(opts.check ? { check: status } : {}) })}\n`);
        } else {
          const size = `${(m.bytes / 1024).toFixed(0)} kB ${m.dtype}`;
          // An image model reads photos at its page size; its leads and rate are those of its training signals.
          const input = m.modality === 'image' && s.pages ? `photos as ${s.pages.width}×${s.pages.height} pages` : `${leads} at ${s.conform.fs} Hz`;
          io.out(`${m.name}\t${m.meta.task ?? '-'}\t${input}\t${s.classes.join(' ')}${s.task === 'multi-label' ? ' (multi-label)' : ''}\t${s.model.kind}, ${size}${m.meta.title ? `\t${m.meta.title}` : ''}${opts.check ? `\t${status}` : ''}\n`);
        }
      }
      if (failed) throw new Error(`${failed} of ${models.length} models failed to load`);
    });
  cmd
    .command('add')
    .description('copy a training run\'s model into the models folder with a model card to complete')
    .argument('<run>', 'run directory (or its model.safetensors)')
    .requiredOption('--name <name>', 'folder name, e.g. cinc2017-rhythm')
    .option('--task <task>', "the card's task, e.g. rhythm or superclass")
    .option('--title <title>', "the card's title")
    .option('--half <dtype>', 'store the weights as float16 or bfloat16 (half the bytes; loads back to float32)')
    .option('--force', 'replace a model of the same name')
    .action(async (run: string, opts: { name: string; task?: string; title?: string; half?: string; force?: boolean }) => {
      const { addModel, modelsDir } = await import('@ecglab/service');
      const half = opts.half === undefined ? undefined : ({ float16: 'F16', f16: 'F16', bfloat16: 'BF16', bf16: 'BF16' } as const)[opts.half.toLowerCase() as 'f16'];
      if (opts.half !== undefined && !half) throw new Error(`--half must be float16 or bfloat16, got '${opts.half}'`);
      const dir = modelsDir(cmd.opts<{ models?: string }>().models);
      const r = addModel(run, dir, { name: opts.name, ...(opts.task ? { task: opts.task } : {}), ...(opts.title ? { title: opts.title } : {}), ...(half ? { half } : {}), ...(opts.force ? { force: true } : {}) });
      io.out(`${r.folder}: model.safetensors (${(r.bytes / 1024).toFixed(0)} kB) and MODEL.md (complete it from RESULTS.md)\n`);
    });
}
