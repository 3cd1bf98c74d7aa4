import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assertFinite, safetensors, TorchError, type nn } from '@ecglab/engine';
import { fileError } from '@ecglab/data';
import { RunError } from '../errors.js';
import { buildModel, type AnyModel } from '../models/index.js';
import { checkSpec, migrateLegacy, specLeads, type InferenceSpec } from './spec.js';

/** A run directory's model: the best epoch's weights, its inference spec in the metadata. */
export const MODEL_FILE = 'model.safetensors';

/**
 * Writes a model file: the weights (readable by PyTorch and Hugging Face's `safetensors`) and the inference
 * spec as metadata `ecglab.spec` (atomically, through the engine's safetensors writer).
 */
export function saveModel(file: string, model: nn.Module, spec: InferenceSpec, extra: Record<string, string> = {}): void {
  try {
    safetensors.save(file, model.stateDict(), { ...extra, 'ecglab.spec': JSON.stringify(spec) });
  } catch (err) {
    throw fileError(err, file, 'write'); // a full disk says so, naming the model file
  }
}

/** A run directory or a `.safetensors` file → the model file's path. */
export function modelFileOf(runOrFile: string): string {
  if (runOrFile.endsWith('.safetensors')) return runOrFile;
  if (existsSync(runOrFile) && !statSync(runOrFile).isDirectory()) throw new RunError(`${runOrFile}: expected a run directory or a .safetensors model file`);
  return join(runOrFile, MODEL_FILE);
}

/** Reads a model file's inference spec without building the model. */
export function readSpec(runOrFile: string): InferenceSpec {
  return readFile(runOrFile).spec;
}

/**
 * Loads a model (a run directory or its `model.safetensors`) in eval mode, with its inference spec. Every
 * problem is one line naming the file: missing, unreadable, no ecglab metadata, weights that do not fit the
 * model the spec describes. A signal spec gives an EcgClassifier, a VizECGNet spec a VizECGNet (see `spec.model.kind`).
 *
 * @example const { model, spec } = loadModel('runs/cinc2017'); spec.classes; // ['N', 'A', 'O', '~']
 */
export function loadModel(runOrFile: string): { model: AnyModel; spec: InferenceSpec } {
  const { file, spec, tensors } = readFile(runOrFile, true);
  for (const [name, t] of tensors!) {
    try {
      assertFinite(t, name);
    } catch (err) {
      for (const x of tensors!.values()) x.dispose();
      // A prediction from such weights is NaN for every record: say so once, at load, naming the tensor.
      throw new RunError(`${file}: weight ${(err as Error).message}; the model file is damaged (train again, or copy it again)`);
    }
  }
  let model: AnyModel | undefined;
  try {
    model = buildModel(spec.model, specLeads(spec), spec.classes.length, spec.conform.fs, spec.input.norm);
    model.loadStateDict(tensors!);
  } catch (err) {
    model?.dispose();
    const why = err instanceof TorchError ? err.message.split('\n')[0] : (err as Error).message;
    throw new RunError(`${file}: the weights do not fit the model its spec describes (${spec.model.kind}, ${specLeads(spec)} leads, ${spec.classes.length} classes): ${why}`);
  } finally {
    for (const t of tensors!.values()) t.dispose();
  }
  model.eval();
  return { model, spec };
}

function readFile(runOrFile: string, withTensors = false): { file: string; spec: InferenceSpec; tensors?: Map<string, import('@ecglab/engine').Tensor> } {
  const file = modelFileOf(runOrFile);
  if (!existsSync(file)) throw new RunError(`${file}: no trained model here (training writes it after the first epoch)`);
  let loaded: ReturnType<typeof safetensors.load>;
  try {
    loaded = safetensors.load(file);
  } catch (err) {
    throw new RunError(`${file}: not a readable safetensors model file (${(err as Error).message.split('\n')[0]})`);
  }
  const { tensors, metadata } = loaded;
  try {
    const spec = specFromMetadata(metadata ?? {}, file);
    if (withTensors) return { file, spec, tensors };
    for (const t of tensors.values()) t.dispose();
    return { file, spec };
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
}

function specFromMetadata(metadata: Record<string, string>, file: string): InferenceSpec {
  const parse = (key: string): unknown => {
    try {
      return JSON.parse(metadata[key]!);
    } catch (err) {
      throw new RunError(`${file}: its '${key}' metadata is not valid JSON (${(err as Error).message})`);
    }
  };
  if (typeof metadata['ecglab.spec'] === 'string') return checkSpec(parse('ecglab.spec'), file);
  if (typeof metadata.ecglab === 'string') return migrateLegacy(parse('ecglab'), file);
  throw new RunError(`${file}: has no 'ecglab.spec' metadata: not a model written by ecglab train`);
}
