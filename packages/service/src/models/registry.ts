import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { checkSpec, MODEL_FILE, specLeads, type InferenceSpec } from '@ecglab/models';
import { ServiceError } from '../errors.js';

/** The repository's `models/` folder: one folder per bundled model, `model.safetensors` + `MODEL.md`. */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL('../../../../models/', import.meta.url));

/** The card's front matter (YAML between `---` lines at the top of MODEL.md). */
export interface CardMeta {
  /** One line: what the model does. */
  title?: string;
  /** What it predicts, for `--task` and matching: `rhythm`, `superclass`, ... */
  task?: string;
  /** The `ecglab train` command that made it. */
  command?: string;
}

/** A model in a models folder, described from its file's header and card without loading the weights. */
export interface BundledModel {
  /** The folder's name: `--model NAME`, `/predict?model=NAME`. */
  name: string;
  file: string;
  /** MODEL.md's path, when the folder has one. */
  card: string | undefined;
  meta: CardMeta;
  spec: InferenceSpec;
  /** Signal models read records; image models read photos of printouts. */
  modality: 'signal' | 'image';
  bytes: number;
  /** Storage of the floating-point weights (float16/bfloat16 files load back to float32). */
  dtype: string;
}

/** Model kinds that read images (VizECGNet and its image-only baseline). */
const IMAGE_KINDS = new Set(['vizecgnet', 'vizecg-image-only']);

/**
 * The models in `dir` (default: the repository's `models/`): each sub-folder holding a `model.safetensors`.
 * Reads only each file's header (its inference spec and dtypes), so listing needs no native addon; a file
 * whose header or spec is wrong is one line naming it. Sorted by name.
 *
 * @example listModels().map((m) => m.name); // ['cinc2017-rhythm', 'ptbxl-superclass']
 */
export function listModels(dir = BUNDLED_MODELS_DIR): BundledModel[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new ServiceError('NO_MODEL', `${dir}: is not a folder of models`);
  const out: BundledModel[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, MODEL_FILE);
    if (!existsSync(file)) continue;
    const header = readHeader(file);
    const meta = header.__metadata__ as Record<string, string> | undefined;
    if (typeof meta?.['ecglab.spec'] !== 'string') throw new ServiceError('NO_MODEL', `${file}: has no 'ecglab.spec' metadata: not a model written by ecglab train`);
    let raw: unknown;
    try {
      raw = JSON.parse(meta['ecglab.spec']);
    } catch (err) {
      throw new ServiceError('NO_MODEL', `${file}: its 'ecglab.spec' metadata is not valid JSON (${(err as Error).message})`);
    }
    const spec = checkSpec(raw, file);
    const dtypes = new Set(Object.entries(header).filter(([k]) => k !== '__metadata__').map(([, v]) => (v as { dtype: string }).dtype).filter((d) => /^(F|BF)\d+$/.test(d)));
    const cardPath = join(dir, name, 'MODEL.md');
    const card = existsSync(cardPath) ? cardPath : undefined;
    out.push({
      name, file, card, meta: card ? cardMeta(cardPath) : {}, spec,
      modality: IMAGE_KINDS.has(spec.model.kind) ? 'image' : 'signal',
      bytes: statSync(file).size,
      dtype: [...dtypes].map((d) => ({ F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64' })[d] ?? d).join('+') || 'none',
    });
  }
  return out;
}

/** The JSON header of a safetensors file (8-byte little-endian length, then JSON), without the tensors. */
function readHeader(file: string): Record<string, unknown> {
  const fd = openSync(file, 'r');
  try {
    const len = Buffer.alloc(8);
    if (readSync(fd, len, 0, 8, 0) !== 8) throw new ServiceError('NO_MODEL', `${file}: shorter than a safetensors header`);
    const n = Number(len.readBigUInt64LE(0));
    if (n > 100 * 1024 * 1024 || n > statSync(file).size - 8) throw new ServiceError('NO_MODEL', `${file}: header length ${n} is past the end of the file: not a safetensors file`);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, 8);
    return JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    throw new ServiceError('NO_MODEL', `${file}: not a readable safetensors model file (${(err as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** MODEL.md's front matter; a card without one has none. */
export function cardMeta(path: string): CardMeta {
  const text = readFileSync(path, 'utf8');
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m) return {};
  let v: unknown;
  try {
    v = parseYaml(m[1]!);
  } catch (err) {
    throw new ServiceError('NO_MODEL', `${path}: its front matter is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (typeof v !== 'object' || v === null) return {};
  const o = v as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? { [k]: o[k] as string } : {});
  return { ...str('title'), ...str('task'), ...str('command') };
}

/** A model by name; the error lists the names there are. */
export function findModel(models: readonly BundledModel[], name: string): BundledModel {
  const m = models.find((x) => x.name === name);
  if (!m) throw new ServiceError('NO_MODEL', `no model named '${name}' (${models.length ? `models: ${models.map((x) => x.name).join(', ')}` : 'no models installed'})`);
  return m;
}

/** Whether a record with these leads has what a model reads, and what is missing. */
export function leadFit(spec: InferenceSpec, leadNames: readonly string[]): { ok: boolean; missing: string[]; byName: boolean } {
  const have = new Set(leadNames.map((l) => l.toLowerCase()));
  if (spec.conform.leads) {
    const missing = spec.conform.leads.filter((l) => !have.has(l.toLowerCase()));
    return { ok: missing.length === 0, missing, byName: true };
  }
  const need = Math.max(...spec.conform.leadIndices!) + 1;
  return { ok: leadNames.length >= need, missing: leadNames.length >= need ? [] : [`${need - leadNames.length} more lead(s) by position`], byName: false };
}

/**
 * The signal model for a record: of the models whose leads the record has (by name; models that read leads
 * by position come after), the one reading the most leads, then by name. `task` narrows to models whose
 * card's `task` (or name) matches. None fits: an error naming the record's leads and each model's.
 *
 * @example matchModel(listModels(), ['I', 'II', 'V1', ...]).name; // 'ptbxl-superclass'
 */
export function matchModel(models: readonly BundledModel[], leadNames: readonly string[], task?: string): BundledModel {
  const candidates = models.filter((m) => m.modality === 'signal' && (task === undefined || m.meta.task === task || m.name === task));
  if (candidates.length === 0) {
    throw new ServiceError('NO_MODEL', task === undefined ? 'no signal model installed' : `no signal model for task '${task}' (tasks: ${[...new Set(models.map((m) => m.meta.task ?? m.name))].join(', ') || 'none'})`);
  }
  const fits = candidates.filter((m) => leadFit(m.spec, leadNames).ok);
  if (fits.length === 0) {
    const needs = candidates.map((m) => `${m.name} reads ${m.spec.conform.leads?.join(',') ?? `${specLeads(m.spec)} lead(s) by position`}`).join('; ');
    throw new ServiceError('WRONG_LEADS', `no model reads a record with leads ${leadNames.join(',')}: ${needs}`);
  }
  fits.sort((a, b) => Number(leadFit(b.spec, leadNames).byName) - Number(leadFit(a.spec, leadNames).byName) || specLeads(b.spec) - specLeads(a.spec) || a.name.localeCompare(b.name));
  return fits[0]!;
}

/** `dir` resolved against the working directory, or the bundled folder. */
export function modelsDir(dir?: string): string {
  return dir === undefined ? BUNDLED_MODELS_DIR : resolve(dir);
}
