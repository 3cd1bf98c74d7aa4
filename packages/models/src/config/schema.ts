/**
 * JSON schemas (draft-07, checked by ajv) of a run config. Discriminated unions (`data`, `model`,
 * `input`, `schedule`) are a table of one schema per `kind`; the loader validates `kind` first and then the
 * variant, so an error names the field of the variant that was meant.
 */
import { ARTEFACT_NAMES, GRID_COLOURS, LAYOUTS } from '@ecglab/render';

type Schema = Record<string, unknown>;

// Every number has a finite upper bound: YAML's `.inf` is a number (and passes `integer` in ajv 6), and an
// infinite epoch count or batch size would otherwise validate and then train for ever or not at all.
const BIG = 1e9;
const nonNegNumber = { type: 'number', minimum: 0, maximum: BIG };
const posInt = { type: 'integer', minimum: 1, maximum: BIG };
const nonNegInt = { type: 'integer', minimum: 0, maximum: BIG };
const seconds = { type: 'number', exclusiveMinimum: 0, maximum: 3600 };
const fraction = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 };

/** A list of PTB-XL strat_fold numbers; duplicates and overlaps are checked in load.ts with a clearer message. */
function foldList(minItems: number): Schema {
  return { type: 'array', items: { type: 'integer', minimum: 1, maximum: 10 }, minItems };
}

const nonEmpty = { type: 'string', minLength: 1 };
/** Fields of every dataset read through a generic @ecglab/data adapter (types.ts AdapterDataFields). */
const adapterFields = {
  path: nonEmpty,
  limit: nonNegInt,
  fs: { type: 'number', exclusiveMinimum: 0, maximum: 100000 },
  leads: { type: 'array', items: nonEmpty, minItems: 1 },
};

function object(properties: Record<string, unknown>, required: string[] = []): Schema {
  return { type: 'object', properties, required, additionalProperties: false };
}

const maLiang = object({
  kind: { enum: ['ma-liang'] },
  pooling: { enum: ['avg', 'max'] },
  width: { type: 'integer', minimum: 1, maximum: 4096 },
  depth: { type: 'array', items: posInt, minItems: 1, maxItems: 8 },
  groups: posInt,
  stemKernel: { type: 'integer', minimum: 1, maximum: 63 },
  slope: nonNegNumber,
  maskThreshold: { type: 'number', minimum: 0, maximum: 1 },
});

/** VizECGNet's image stream and attention blocks (vizecg/config.ts). */
const pageNet = object({
  channels: { enum: [1, 3] },
  patch: { type: 'integer', minimum: 1, maximum: 64 },
  stemWidth: { type: 'integer', minimum: 1, maximum: 4096 },
  widths: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 4096 }, minItems: 1, maxItems: 8 },
  blocks: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 16 }, minItems: 1, maxItems: 8 },
});
const attention = object({
  heads: { type: 'integer', minimum: 1, maximum: 64 },
  mlpRatio: { type: 'number', exclusiveMinimum: 0, maximum: 16 },
  dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
});
const kd = { anyOf: [{ type: 'null' }, object({ temperature: { type: 'number', exclusiveMinimum: 0, maximum: 100 }, direction: { enum: ['signal-to-image', 'mutual'] } })] };

/** The `pages` section (vizecg/pages.ts). */
export const PAGES_SCHEMA: Schema = object({
  dpi: { type: 'number', minimum: 20, maximum: 1200 },
  width: { type: 'integer', minimum: 32, maximum: 4096 },
  height: { type: 'integer', minimum: 32, maximum: 4096 },
  fit: { enum: ['fill', 'contain'] },
  channels: { enum: [1, 3] },
  layouts: { type: 'array', items: { enum: [...LAYOUTS] }, minItems: 1 },
  grids: { type: 'array', items: { enum: [...GRID_COLOURS] }, minItems: 1 },
  artefacts: object({
    names: { type: 'array', items: { enum: [...ARTEFACT_NAMES] } },
    probability: { type: 'number', minimum: 0, maximum: 1 },
    maxStrength: { type: 'number', minimum: 0, maximum: 1 },
  }),
  workers: { type: 'integer', minimum: 0, maximum: 64 },
});

/** Union sections: the schema of each variant, keyed by `kind`. */
export const VARIANTS: Record<'data' | 'model' | 'input' | 'schedule' | 'objective', Record<string, Schema>> = {
  data: {
    cinc2017: { ...object({ kind: { enum: ['cinc2017'] }, path: { type: 'string', minLength: 1 }, limit: nonNegInt }), required: ['kind', 'path'] },
    ptbxl: {
      ...object({
        kind: { enum: ['ptbxl'] },
        path: { type: 'string', minLength: 1 },
        limit: nonNegInt,
        fs: { enum: [100, 500] },
        labels: { enum: ['superclass', 'norm-vs-abnormal'] },
        folds: object({ train: foldList(1), val: foldList(1), test: foldList(0) }, ['train', 'val']),
      }),
      required: ['kind', 'path'],
    },
    cpsc2018: {
      ...object({
        kind: { enum: ['cpsc2018'] }, ...adapterFields, reference: nonEmpty, wfdbDir: nonEmpty, matDir: nonEmpty,
        labelMode: { enum: ['all', 'first'] },
        perClassSplit: object({ val: nonNegInt, test: nonNegInt }, ['val', 'test']),
      }),
      required: ['kind', 'path'],
    },
    cinc2021: {
      ...object({ kind: { enum: ['cinc2021'] }, ...adapterFields, scored: nonEmpty, recursive: { type: 'boolean' } }),
      required: ['kind', 'path'],
    },
    'wfdb-folder': {
      ...object({
        kind: { enum: ['wfdb-folder'] },
        ...adapterFields,
        labels: nonEmpty,
        idColumn: nonEmpty,
        labelColumn: nonEmpty,
        separator: nonEmpty,
        classes: { type: 'array', items: nonEmpty, minItems: 1 },
        recursive: { type: 'boolean' },
        task: { enum: ['single-label', 'multi-label'] },
      }),
      required: ['kind', 'path'],
    },
  },
  model: {
    'ma-liang': maLiang,
    xresnet1d: object({
      kind: { enum: ['xresnet1d'] },
      widths: { type: 'array', items: posInt, minItems: 1, maxItems: 8 },
      depth: { type: 'array', items: posInt, minItems: 1, maxItems: 8 },
      kernel: { type: 'integer', minimum: 1, maximum: 31 },
      cropSeconds: seconds,
      cropStrideSeconds: seconds,
    }),
    vizecgnet: object({ kind: { enum: ['vizecgnet'] }, image: pageNet, signal: maLiang, attention, smam: { type: 'boolean' }, cmam: { type: 'boolean' }, kd }),
    'vizecg-image-only': object({ kind: { enum: ['vizecg-image-only'] }, image: pageNet, attention, smam: { type: 'boolean' } }),
  },
  input: {
    'max-abs': object({
      kind: { enum: ['max-abs'] },
      leads: { type: 'array', items: nonNegInt, minItems: 1 },
      maxSeconds: seconds,
      maxShiftSeconds: { type: 'number', minimum: 0, maximum: 3600 },
    }),
    'mv-zscore': object({
      kind: { enum: ['mv-zscore'] },
      leads: { type: 'array', items: nonNegInt, minItems: 1 },
      maxSeconds: seconds,
      maxShiftSeconds: { type: 'number', minimum: 0, maximum: 3600 },
    }),
  },
  objective: {
    ce: object({ kind: { enum: ['ce'] }, labelSmoothing: { type: 'number', minimum: 0, exclusiveMaximum: 1 } }),
    advls: object({
      kind: { enum: ['advls'] },
      eps: { type: 'number', minimum: 0, maximum: 10 },
      beta: { type: 'number', minimum: 0, maximum: 1 },
      startEpoch: nonNegInt,
      ramp: { type: 'boolean' },
      steps: { type: 'integer', minimum: 1, maximum: 1000 },
      stepRatio: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
      randomStart: { type: 'boolean' },
      norm: { enum: ['inf', '2'] },
      loss: { enum: ['ce', 'margin'] },
      range: { type: ['array', 'null'], items: { type: 'number', minimum: -1e6, maximum: 1e6 }, minItems: 2, maxItems: 2 },
    }),
    jacobian: object({
      kind: { enum: ['jacobian'] },
      beta: { type: 'number', minimum: 0, maximum: 1e6 },
      startEpoch: nonNegInt,
      estimator: { enum: ['exact', 'projection'] },
      projections: { type: 'integer', minimum: 1, maximum: 100 },
    }),
    nsr: object({
      kind: { enum: ['nsr'] },
      beta1: { type: 'number', minimum: 0, maximum: 1e6 },
      beta2: { type: 'number', minimum: 0, maximum: 1e6 },
      epsMax: { type: 'number', minimum: 0, maximum: 1e6 },
      startEpoch: nonNegInt,
      weightedMse: { type: 'boolean' },
    }),
    vizecg: object({ kind: { enum: ['vizecg'] }, lambdaCls: { type: 'number', minimum: 0, maximum: 1000 }, lambdaKd: { type: 'number', minimum: 0, maximum: 1000 } }),
  },
  schedule: {
    constant: object({ kind: { enum: ['constant'] }, warmupEpochs: nonNegInt }),
    cosine: object({ kind: { enum: ['cosine'] }, warmupEpochs: nonNegInt, minLrFraction: { type: 'number', minimum: 0, maximum: 1 } }),
  },
};

/** The top level; union sections are only required to be objects with a `kind` here. */
export const RUN_SCHEMA: Schema = object(
  {
    name: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9._-]+$' },
    seed: nonNegInt,
    threads: { type: 'integer', minimum: 1, maximum: 256 },
    data: { type: 'object', required: ['kind'], properties: { kind: { enum: Object.keys(VARIANTS.data) } } },
    input: { type: 'object', required: ['kind'], properties: { kind: { enum: Object.keys(VARIANTS.input) } } },
    model: { type: 'object', required: ['kind'], properties: { kind: { enum: Object.keys(VARIANTS.model) } } },
    pages: PAGES_SCHEMA,
    optimizer: object({
      kind: { enum: ['adam', 'adamw'] },
      lr: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
      weightDecay: nonNegNumber,
      betas: { type: 'array', items: fraction, minItems: 2, maxItems: 2 },
    }),
    schedule: { type: 'object', required: ['kind'], properties: { kind: { enum: Object.keys(VARIANTS.schedule) } } },
    train: object({
      epochs: { type: 'integer', minimum: 1, maximum: 100000 },
      batchSize: { type: 'integer', minimum: 1, maximum: 4096 },
      gradClip: nonNegNumber,
      classWeights: { enum: ['balanced', 'none'] },
      sampling: { enum: ['shuffle', 'balanced'] },
      bucketByLength: { type: 'boolean' },
      monitor: { enum: ['cinc2017F1', 'macroF1', 'macroAuroc', 'accuracy'] },
      patience: nonNegInt,
      selectFrom: nonNegInt,
      valFraction: fraction,
      objective: { type: 'object', required: ['kind'], properties: { kind: { enum: Object.keys(VARIANTS.objective) } } },
      checkpointMinutes: nonNegNumber,
      valSplit: nonEmpty,
      precision: { enum: ['fp32', 'bf16'] },
    }),
  },
  ['name', 'data'],
);
