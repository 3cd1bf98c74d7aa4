import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import Ajv from 'ajv';
import { dataDir } from '@ecglab/data';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors.js';
import { objectiveDefaults } from '../objectives/index.js';
import { RUN_DEFAULTS, dataDefaults, inputDefaults, modelDefaults, scheduleDefaults } from './defaults.js';
import { RUN_SCHEMA, VARIANTS } from './schema.js';
import { checkPageConfig, PAGE_DEFAULTS } from '../vizecg/pages.js';
import type { PtbxlFolds, RunConfig } from './types.js';

type Json = Record<string, unknown>;
interface AjvError {
  keyword: string;
  dataPath: string;
  params: Record<string, unknown>;
  parentSchema?: Json;
  data?: unknown;
}

const ajv = new Ajv({ allErrors: true, jsonPointers: true, verbose: true });
const validateTop = ajv.compile(RUN_SCHEMA);
const validateVariant = Object.fromEntries(
  Object.entries(VARIANTS).map(([section, table]) => [section, Object.fromEntries(Object.entries(table).map(([k, s]) => [k, ajv.compile(s)]))]),
) as Record<keyof typeof VARIANTS, Record<string, ReturnType<typeof ajv.compile>>>;

/** Says what a schema node accepts: `a number > 0`, `one of "adam", "adamw"`, `an array of 2 numbers`. */
export function describeSchema(s: Json): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const bounds: string[] = [];
  if (typeof s.exclusiveMinimum === 'number') bounds.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.minimum === 'number') bounds.push(`>= ${s.minimum}`);
  if (typeof s.exclusiveMaximum === 'number') bounds.push(`< ${s.exclusiveMaximum}`);
  if (typeof s.maximum === 'number') bounds.push(`<= ${s.maximum}`);
  const b = bounds.length > 0 ? ` ${bounds.join(' and ')}` : '';
  switch (s.type) {
    case 'number':
      return `a number${b}`;
    case 'integer':
      return `an integer${b}`;
    case 'string':
      return typeof s.pattern === 'string' ? `a string matching ${s.pattern}` : s.minLength ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    case 'array': {
      const each = s.items ? ` (each ${describeSchema(s.items as Json)})` : '';
      if (s.minItems !== undefined && s.minItems === s.maxItems) return `an array of ${s.minItems} items${each}`;
      return `an array${typeof s.minItems === 'number' && s.minItems > 0 ? ` of at least ${s.minItems} items` : ''}${each}`;
    }
    default:
      return 'a valid value';
  }
}

function formatErrors(errors: AjvError[], prefix: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors) {
    const path = prefix + e.dataPath;
    let msg: string;
    if (e.keyword === 'required') msg = `${path || '/'}: missing required field '${e.params.missingProperty}'`;
    else if (e.keyword === 'additionalProperties') {
      const allowed = Object.keys((e.parentSchema?.properties as Json | undefined) ?? {}).join(', ');
      msg = `${path || '/'}: unknown field '${e.params.additionalProperty}' (allowed: ${allowed})`;
    } else if (e.keyword === 'minItems' || e.keyword === 'maxItems') {
      msg = `${path} must be ${describeSchema(e.parentSchema ?? {})}, got ${JSON.stringify(e.data)}`;
    } else msg = `${path} must be ${describeSchema(e.parentSchema ?? {})}, got ${JSON.stringify(e.data)}`;
    if (!seen.has(msg)) {
      seen.add(msg);
      out.push(msg);
    }
  }
  return out;
}

/** Deep merge of plain objects; arrays and scalars from `over` replace those of `base`. */
function merge<T>(base: T, over: unknown): T {
  if (over === undefined) return structuredClone(base);
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) {
    return structuredClone(over) as T;
  }
  const out: Json = structuredClone(base) as Json;
  for (const [k, v] of Object.entries(over as Json)) out[k] = merge(out[k], v);
  return out as T;
}

/**
 * Validates a parsed config object and fills in defaults. `source` names the file in errors.
 *
 * @example parseRunConfig({ name: 'x', data: { kind: 'cinc2017', path: 'd' } }, 'run.yaml').optimizer.lr; // 3e-4
 */
export function parseRunConfig(raw: unknown, source: string, baseDir = process.cwd()): RunConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: the top level must be an object (a mapping), got ${Array.isArray(raw) ? 'an array' : JSON.stringify(raw)}`);
  }
  const problems: string[] = [];
  if (!validateTop(raw)) problems.push(...formatErrors((validateTop.errors ?? []) as unknown as AjvError[], ''));
  const obj = raw as Json;
  const objective = (obj.train as Json | undefined)?.objective as Json | undefined;
  for (const section of ['data', 'model', 'input', 'schedule', 'objective'] as const) {
    const v = section === 'objective' ? objective : (obj[section] as Json | undefined);
    if (v === undefined || typeof v !== 'object' || v === null) continue;
    const path = section === 'objective' ? '/train/objective' : `/${section}`;
    const check = validateVariant[section][String(v.kind)];
    if (check && !check(v)) problems.push(...formatErrors((check.errors ?? []) as unknown as AjvError[], path)); // an unknown kind is named by the top-level schema
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${source}: ${p}`).join('\n'));

  const cfg: RunConfig = {
    ...merge(RUN_DEFAULTS, { ...obj, model: undefined, input: undefined, schedule: undefined }),
    name: obj.name as string,
    data: merge(dataDefaults(((obj.data as Json).kind ?? 'cinc2017') as RunConfig['data']['kind']), obj.data),
    model: merge(modelDefaults(((obj.model as Json | undefined)?.kind ?? 'ma-liang') as RunConfig['model']['kind']), obj.model),
    input: merge(inputDefaults(((obj.input as Json | undefined)?.kind ?? 'max-abs') as RunConfig['input']['kind']), obj.input),
    schedule: merge(scheduleDefaults(((obj.schedule as Json | undefined)?.kind ?? 'cosine') as RunConfig['schedule']['kind']), obj.schedule),
  };
  const vizecg = cfg.model.kind === 'vizecgnet' || cfg.model.kind === 'vizecg-image-only';
  // VizECGNet trains with its own loss (λ1·L_cls + λ2·L_KD) unless the file names another.
  cfg.train.objective = merge(objectiveDefaults((objective?.kind ?? (vizecg ? 'vizecg' : 'ce')) as RunConfig['train']['objective']['kind']), objective);
  delete cfg.pages;
  if (vizecg) checkVizEcg(cfg, obj, source);
  else if (obj.pages !== undefined) throw new ConfigError(`${source}: /pages: only VizECGNet models (model.kind 'vizecgnet' or 'vizecg-image-only') draw pages; remove the section for '${cfg.model.kind}'`);
  // Defaults that depend on the dataset, applied only where the file is silent: the 12-lead databases
  // read every lead they load (all 12, or those named in data.leads), and every dataset but CinC 2017
  // (whose classes the CinC F1 needs) monitors macro AUROC.
  if ((obj.input as Json | undefined)?.leads === undefined && ['ptbxl', 'cpsc2018', 'cinc2021'].includes(cfg.data.kind)) {
    const named = (cfg.data as { leads?: string[] }).leads;
    cfg.input.leads = Array.from({ length: named?.length ?? 12 }, (_, i) => i);
  }
  if ((obj.train as Json | undefined)?.monitor === undefined && cfg.data.kind !== 'cinc2017') cfg.train.monitor = 'macroAuroc';
  // `path` and the optional label files resolve against the config's folder, after `${ECGLAB_DATA}`.
  const files = cfg.data as unknown as Record<string, unknown>;
  const fileKeys = cfg.data.kind === 'ptbxl' ? ['path'] : ['path', 'reference', 'wfdbDir', 'matDir', 'scored', 'labels']; // PTB-XL's `labels` names a label set
  for (const key of fileKeys) {
    if (typeof files[key] === 'string') files[key] = resolve(baseDir, expandDataDir(files[key], `${source}: /data/${key}`));
  }
  if (cfg.train.valSplit !== undefined) {
    cfg.train.valSplit = resolve(baseDir, expandDataDir(cfg.train.valSplit, `${source}: /train/valSplit`));
    if (cfg.data.kind === 'ptbxl' && cfg.data.folds) throw new ConfigError(`${source}: /train/valSplit cannot be used with /data/folds, which already choose the validation records; remove one`);
  }
  if (cfg.data.kind === 'cpsc2018' && cfg.data.perClassSplit) {
    if (cfg.data.labelMode !== 'first') throw new ConfigError(`${source}: /data/perClassSplit is Ma & Liang's single-label protocol and needs /data/labelMode 'first', got '${cfg.data.labelMode ?? 'all'}'`);
    if (cfg.train.valSplit !== undefined) throw new ConfigError(`${source}: /train/valSplit cannot be used with /data/perClassSplit, which already chooses the validation records; remove one`);
    if ((obj.train as Json | undefined)?.valFraction !== undefined) throw new ConfigError(`${source}: /train/valFraction cannot be used with /data/perClassSplit, which already chooses the validation records; remove one`);
  }
  if (cfg.data.kind === 'ptbxl' && cfg.data.folds) {
    cfg.data.folds.test ??= [];
    checkFolds(cfg.data.folds, (obj.train as Json | undefined)?.valFraction, source);
  }
  if (cfg.train.selectFrom >= cfg.train.epochs) {
    throw new ConfigError(`${source}: /train/selectFrom must be < /train/epochs (${cfg.train.epochs}), got ${cfg.train.selectFrom}: no epoch's model could be kept`);
  }
  if (cfg.schedule.warmupEpochs >= cfg.train.epochs) {
    throw new ConfigError(`${source}: /schedule/warmupEpochs must be < /train/epochs (${cfg.train.epochs}), got ${cfg.schedule.warmupEpochs}`);
  }
  return cfg;
}

/** Fills `pages` for a VizECGNet config and checks that pages, model and objective agree. */
function checkVizEcg(cfg: RunConfig, obj: Json, source: string): void {
  const pages = merge(PAGE_DEFAULTS, obj.pages);
  const leads = cfg.input.leads.length;
  try {
    checkPageConfig(pages, leads);
  } catch (err) {
    throw new ConfigError(`${source}: ${(err as Error).message}`);
  }
  cfg.pages = pages;
  const m = cfg.model as { kind: string; image: { channels: number } };
  if (m.image.channels !== pages.channels) {
    throw new ConfigError(`${source}: /model/image/channels (${m.image.channels}) must equal /pages/channels (${pages.channels}): the image stream reads the pages as drawn`);
  }
  if (m.kind === 'vizecgnet' && cfg.train.objective.kind !== 'vizecg') {
    throw new ConfigError(`${source}: /train/objective/kind '${cfg.train.objective.kind}' trains only the image head; model 'vizecgnet' needs 'vizecg' (λ1·L_cls + λ2·L_KD over both streams)`);
  }
}

/** Replaces `${ECGLAB_DATA}` in a path; any other `${...}` is an error naming `where`. */
function expandDataDir(path: string, where: string): string {
  const other = /\$\{(?!ECGLAB_DATA\})[^}]*\}/.exec(path);
  if (other) throw new ConfigError(`${where}: unknown variable ${other[0]} (only \${ECGLAB_DATA} is expanded)`);
  return path.replaceAll('${ECGLAB_DATA}', dataDir());
}

/** No fold twice in one list or in two lists; `train.valFraction` would be silently ignored beside folds, so it is an error. */
function checkFolds(folds: PtbxlFolds, valFraction: unknown, source: string): void {
  const problems: string[] = [];
  const owner = new Map<number, string>();
  for (const part of ['train', 'val', 'test'] as const) {
    for (const f of folds[part]) {
      const other = owner.get(f);
      if (other === part) problems.push(`/data/folds/${part} lists fold ${f} twice`);
      else if (other !== undefined) problems.push(`/data/folds: fold ${f} is in both ${other} and ${part}; each fold belongs to one split`);
      else owner.set(f, part);
    }
  }
  if (valFraction !== undefined) problems.push(`/train/valFraction (${JSON.stringify(valFraction)}) cannot be used with /data/folds, which already chooses the validation records; remove one`);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${source}: ${p}`).join('\n'));
}

/**
 * Reads a `.json`, `.yaml` or `.yml` run config, validates it and fills in defaults; relative data paths
 * resolve against the file's folder. `dataPath` replaces the config's `data.path` (`ecglab train --data`;
 * relative to the working directory), `seed` its seed (`ecglab train --seed`: the seeds of one study from one
 * file). A top-level `extends: base.yaml` (relative to the file) starts from that file's fields and deep-merges
 * this file's over them (arrays and scalars replace; a section whose `kind` changes replaces the base's section),
 * so the ablations of one study share its budget and differ only in what they change. Relative paths resolve against the extending file's folder.
 */
export function loadRunConfig(file: string, opts: { dataPath?: string; seed?: number } = {}): RunConfig {
  const raw = readConfigFile(file, []);
  if (opts.seed !== undefined && typeof raw === 'object' && raw !== null) (raw as Json).seed = opts.seed; // validated with the rest
  if (opts.dataPath !== undefined && typeof raw === 'object' && raw !== null && typeof (raw as Json).data === 'object' && (raw as Json).data !== null) {
    ((raw as Json).data as Json).path = resolve(opts.dataPath);
  }
  return parseRunConfig(raw, basename(file), dirname(resolve(file)));
}

/** A config file's parsed contents with its `extends` chain merged in; `chain` names the files that extend it (cycles). */
function readConfigFile(file: string, chain: string[]): unknown {
  const name = basename(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const ext = extname(file).toLowerCase();
  let raw: unknown;
  if (ext === '.json') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${name}: invalid JSON: ${(err as Error).message}`);
    }
  } else if (ext === '.yaml' || ext === '.yml') {
    try {
      raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
    } catch (err) {
      const e = err as YAMLParseError;
      throw new ConfigError(`${name}: invalid YAML${e.linePos ? ` at line ${e.linePos[0].line}` : ''}: ${e.message.split('\n')[0]}`);
    }
  } else {
    throw new ConfigError(`${file}: a config must end in .json, .yaml or .yml, got '${ext || '(none)'}'`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('extends' in raw)) return raw;
  const { extends: base, ...own } = raw as Json;
  if (typeof base !== 'string' || base === '') throw new ConfigError(`${name}: /extends must be the path of a base config file, got ${JSON.stringify(base)}`);
  const baseFile = resolve(dirname(resolve(file)), base);
  if ([...chain, resolve(file)].includes(baseFile)) throw new ConfigError(`${name}: /extends ${base} extends this file again (${[...chain, resolve(file), baseFile].map((f) => basename(f)).join(' → ')})`);
  return mergeOver(readConfigFile(baseFile, [...chain, resolve(file)]), own);
}

/** `over` deep-merged onto `base`; a union section whose `kind` changes replaces the base's section whole. */
function mergeOver(base: unknown, over: unknown): unknown {
  const plain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!plain(base) || !plain(over) || ('kind' in over && over.kind !== base.kind)) return structuredClone(over);
  const out: Json = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = mergeOver(out[k], v);
  return out;
}
