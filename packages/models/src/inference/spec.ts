import type { DatasetConfig, RunConfig } from '../config/types.js';
import { RunError } from '../errors.js';
import type { InputNormKind } from '../models/input-norm.js';
import type { AnyModelConfig } from '../models/index.js';
import { checkPageConfig, type PageConfig } from '../vizecg/pages.js';
import type { Task } from '../task.js';

export const SPEC_FORMAT = 'ecglab.model';
export const SPEC_VERSION = 1;

/**
 * Everything a saved model needs to be used, stored beside its weights (safetensors metadata `ecglab.spec`):
 * what it predicts, how records are read for it, and how to build it. Small and versioned, so prediction
 * never depends on the training config's schema. Older model files (metadata `ecglab` with the whole run
 * config) are migrated when loaded (see `migrateLegacy`).
 */
export interface InferenceSpec {
  format: typeof SPEC_FORMAT;
  version: typeof SPEC_VERSION;
  task: Task;
  classes: string[];
  /** How every record is conformed: leads by name (case-insensitive) or by position, and the rate (Hz). */
  conform: { leads?: string[]; leadIndices?: number[]; fs: number };
  /** Scaling (the model's first stage) and the longest input: longer records keep their first `maxSeconds`. */
  input: { norm: InputNormKind; maxSeconds: number };
  model: AnyModelConfig;
  /**
   * VizECGNet models: how pages are drawn from records and how image files are fitted (dpi, width, height,
   * fit, channels; the layouts, grids and training artefact mix), so a saved model carries its page
   * preprocessing. Absent for signal models.
   */
  pages?: PageConfig;
  /** Multi-label: a class is predicted when its probability is at least this. */
  threshold: number;
  /** Records per inference batch. */
  batchSize: number;
  /** Where the weights came from. */
  trained?: { run: string; dataset: string; data: Omit<DatasetConfig, 'path'>; epoch: number; monitor: string; seed: number; time: string };
}

/** Whether a model config is VizECGNet's, which reads pages (and classifies from the image alone). */
export function isImageModel(model: AnyModelConfig): model is Extract<AnyModelConfig, { kind: 'vizecgnet' | 'vizecg-image-only' }> {
  return model.kind === 'vizecgnet' || model.kind === 'vizecg-image-only';
}

/** Number of input leads of a spec's model. */
export function specLeads(spec: InferenceSpec): number {
  return spec.conform.leads?.length ?? spec.conform.leadIndices?.length ?? 0;
}

/**
 * Checks a parsed spec's shape (a model file's metadata is input like any other): each field present with
 * the right type; `file` names the model in errors.
 */
export function checkSpec(raw: unknown, file: string): InferenceSpec {
  const bad = (what: string): never => {
    throw new RunError(`${file}: its 'ecglab.spec' metadata ${what}; the file was not written by this version of ecglab, or is damaged`);
  };
  if (typeof raw !== 'object' || raw === null) return bad('is not an object');
  const s = raw as Partial<InferenceSpec>;
  if (s.format !== SPEC_FORMAT) bad(`has format ${JSON.stringify(s.format)}, expected '${SPEC_FORMAT}'`);
  if (s.version !== SPEC_VERSION) bad(`has version ${JSON.stringify(s.version)}; this ecglab reads version ${SPEC_VERSION}`);
  if (s.task !== 'single-label' && s.task !== 'multi-label') bad(`has task ${JSON.stringify(s.task)}`);
  if (!Array.isArray(s.classes) || s.classes.length < 1 || !s.classes.every((c) => typeof c === 'string')) bad('has no class list');
  const c = s.conform;
  if (typeof c !== 'object' || c === null || !(typeof c.fs === 'number' && c.fs > 0 && Number.isFinite(c.fs))) bad('has no sampling rate (conform.fs)');
  const byName = Array.isArray(c!.leads) && c!.leads.length > 0 && c!.leads.every((l) => typeof l === 'string');
  const byIndex = Array.isArray(c!.leadIndices) && c!.leadIndices.length > 0 && c!.leadIndices.every((i) => Number.isInteger(i) && i >= 0);
  if (byName === byIndex) bad('must name its leads by name or by position (conform.leads or conform.leadIndices), not both or neither');
  if (typeof s.input !== 'object' || s.input === null || !['max-abs', 'z-score', 'none'].includes(s.input.norm) || !(s.input.maxSeconds > 0)) bad('has no valid input section');
  if (typeof s.model !== 'object' || s.model === null || typeof s.model.kind !== 'string') bad('has no model config');
  if (isImageModel(s.model!)) {
    if (typeof s.pages !== 'object' || s.pages === null) bad(`has no 'pages' section, which a ${s.model!.kind} model needs to read images`);
    try {
      checkPageConfig(s.pages!, specLeads(s as InferenceSpec), 'pages');
    } catch (err) {
      bad(`has an invalid ${(err as Error).message}`);
    }
  }
  if (!(typeof s.threshold === 'number' && s.threshold > 0 && s.threshold < 1)) bad(`has threshold ${JSON.stringify(s.threshold)}`);
  if (!(Number.isInteger(s.batchSize) && s.batchSize! >= 1 && s.batchSize! <= 4096)) bad(`has batchSize ${JSON.stringify(s.batchSize)}`);
  return s as InferenceSpec;
}

/** The input scaling a run config's `input.kind` stands for. */
export function normOf(input: RunConfig['input']): InputNormKind {
  return input.kind === 'max-abs' ? 'max-abs' : 'z-score';
}

/** What model files written before the spec existed stored: the whole run config and a few facts. */
interface LegacyInfo {
  config: RunConfig;
  classes: string[];
  task?: Task;
  leads: number;
  fs: number;
  leadNames?: string[];
}

/** The spec of a model file written before specs existed (metadata `ecglab`), read as it was then used. */
export function migrateLegacy(raw: unknown, file: string): InferenceSpec {
  const info = raw as Partial<LegacyInfo>;
  const cfg = info.config;
  if (!cfg?.input || !cfg.model || !cfg.train || !Array.isArray(info.classes) || typeof info.fs !== 'number') {
    throw new RunError(`${file}: its 'ecglab' metadata lacks config, classes or fs; the file is damaged or was not written by ecglab train`);
  }
  const leads = info.leadNames ? { leads: cfg.input.leads.map((i) => info.leadNames![i]!) } : { leadIndices: [...cfg.input.leads] };
  return {
    format: SPEC_FORMAT,
    version: SPEC_VERSION,
    task: info.task ?? 'single-label', // models written before multi-label support were all single-label
    classes: info.classes,
    conform: { ...leads, fs: info.fs },
    input: { norm: normOf(cfg.input), maxSeconds: cfg.input.maxSeconds },
    model: cfg.model,
    threshold: 0.5,
    batchSize: cfg.train.batchSize,
    trained: { run: cfg.name, dataset: cfg.data.kind, data: withoutPath(cfg.data), epoch: -1, monitor: cfg.train.monitor, seed: cfg.seed, time: '' },
  };
}

export function withoutPath(d: DatasetConfig): Omit<DatasetConfig, 'path'> {
  const { path: _path, ...rest } = d;
  return rest;
}
