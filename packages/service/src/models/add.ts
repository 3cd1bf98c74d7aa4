import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_FILE, modelFileOf, readSpec } from '@ecglab/models';
import { ServiceError } from '../errors.js';
import { halveModelFile, type HalfDType } from './half.js';

export interface AddModelOptions {
  /** The folder name (letters, digits, '-', '_', '.'). */
  name: string;
  /** The card's `task` (e.g. rhythm, superclass). */
  task?: string;
  title?: string;
  /** Store the weights as float16 or bfloat16. */
  half?: HalfDType;
  /** Replace a model of the same name. */
  force?: boolean;
}

/**
 * Copies a training run's model into a models folder as `NAME/model.safetensors` (optionally halved) and writes
 * `NAME/MODEL.md` from what the run knows: its config, split and validation metrics with the bootstrap CI, for
 * a person to complete from RESULTS.md. An existing card is kept.
 *
 * @example addModel('runs/cinc2017', 'models', { name: 'cinc2017-rhythm', task: 'rhythm', half: 'F16' });
 */
export function addModel(run: string, dir: string, opts: AddModelOptions): { folder: string; bytes: number } {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.name)) throw new ServiceError('BAD_REQUEST', `--name '${opts.name}': use letters, digits, '.', '_' and '-' (at most 64)`);
  const src = modelFileOf(run);
  const spec = readSpec(run); // checks the file and its spec
  const folder = join(dir, opts.name);
  const dst = join(folder, MODEL_FILE);
  if (existsSync(dst) && !opts.force) throw new ServiceError('BAD_REQUEST', `${dst}: exists; pass --force to replace it`);
  mkdirSync(folder, { recursive: true });
  let bytes: number;
  if (opts.half) bytes = halveModelFile(src, dst, opts.half).after;
  else {
    copyFileSync(src, dst);
    bytes = readFileSync(dst).length;
  }
  const card = join(folder, 'MODEL.md');
  if (!existsSync(card)) writeFileSync(card, cardText(run, opts, spec));
  return { folder, bytes };
}

function readJson(path: string): Record<string, unknown> | undefined {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> : undefined;
}

function cardText(run: string, opts: AddModelOptions, spec: ReturnType<typeof readSpec>): string {
  const runDir = run.endsWith('.safetensors') ? join(run, '..') : run;
  const metrics = readJson(join(runDir, 'metrics.json')) as { dataset?: string; split?: { kind: string; valFraction?: number; seed?: number; folds?: unknown; file?: string; val?: string[] }; bestEpoch?: number; epochsRun?: number; ci?: { metric: string; lower: number; upper: number; level: number; iterations: number } } & Record<string, unknown> | undefined;
  const config = readJson(join(runDir, 'config.json')) as { name?: string; data?: { kind?: string } } | undefined;
  const leads = spec.conform.leads ? spec.conform.leads.join(', ') : `${spec.conform.leadIndices!.length} lead(s) by position (${spec.conform.leadIndices!.join(', ')})`;
  const split = metrics?.split;
  const splitText = !split ? 'see the run directory' : split.kind === 'strat_fold' ? `PTB-XL folds ${JSON.stringify(split.folds)} held out (${split.val?.length} records)`
    : split.kind === 'file' ? `the split file ${split.file} (${split.val?.length} held-out records)` : `a stratified ${Math.round(100 * (split.valFraction ?? 0))} % held out, seed ${split.seed} (${split.val?.length} records)`;
  const ci = metrics?.ci;
  const value = ci ? metrics?.[ci.metric] : undefined;
  const title = opts.title ?? `${config?.data?.kind ?? spec.trained?.dataset ?? 'ECG'} ${opts.task ?? ''} (${spec.model.kind})`.replace(/\s+/g, ' ');
  return `---
title: ${title}
task: ${opts.task ?? spec.trained?.dataset ?? 'unknown'}
command: npm run ecglab -- train --config configs/${config?.name ?? 'NAME'}.yaml --out ${runDir}
---
# ${title}

**Research use only. Not a medical device**: not validated for diagnosis, and not to be used for decisions about
patients.

## What it does
Input: ${leads}, resampled to ${spec.conform.fs} Hz, the first ${spec.input.maxSeconds} s; ${spec.input.norm} scaling inside the model.
Output: ${spec.classes.join(', ')} (${spec.task === 'multi-label' ? `multi-label, threshold ${spec.threshold}` : 'single-label'}).
Architecture: ${spec.model.kind}. Trained ${spec.trained?.time ?? ''} from run \`${spec.trained?.run ?? runDir}\`, best epoch ${metrics?.bestEpoch ?? spec.trained?.epoch ?? '?'} of ${metrics?.epochsRun ?? '?'}.

## Data and split
${metrics?.dataset ?? spec.trained?.dataset ?? 'The database'}: ${splitText}. TO COMPLETE: version, licence, record count.

## Metrics (validation split of the run; TO COMPLETE from RESULTS.md)
| metric | value | ${ci ? `${Math.round(ci.level * 100)} % bootstrap CI (${ci.iterations} resamples)` : 'CI'} |
|---|---|---|
| ${ci?.metric ?? '?'} | ${typeof value === 'number' ? value.toFixed(3) : '?'} | ${ci ? `${ci.lower.toFixed(3)}–${ci.upper.toFixed(3)}` : '?'} |

## Intended use and limits
Research on ECG classification and its robustness. Limits: the population and devices of the training data,
records unlike it (rate, length, leads: missing leads are read as zeros), noise and artefacts beyond those tested.
`;
}
