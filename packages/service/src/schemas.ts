// The request and response schemas: the same zod objects validate requests (through @hono/zod-openapi's
// route validators) and generate /openapi.json.
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: 'BAD_RECORD' }),
    message: z.string().openapi({ example: "A00001.hea line 2: gain 'abc' is not a number" }),
  }),
  requestId: z.string().optional(),
}).openapi('Error');

const FileField = z.custom<File>((v) => v instanceof File, { message: 'must be a file part' }).openapi({ type: 'string', format: 'binary' });
/** One file or several under the field `file`. */
const Files = z.union([FileField, z.array(FileField).min(1)]).openapi({
  description: 'The record: a WFDB header with its signal files (several parts), a .mat (CPSC 2018 form), a .zip of those, a .csv of leads (with fs), or a PNG/JPEG photo of a printout',
});
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const Fs = z.coerce.number().positive().max(20_000).optional().openapi({ type: 'number', description: 'Sampling rate in Hz of a CSV upload', example: 500 });
const Units = z.enum(['mV', 'uV', 'V']).optional().openapi({ description: 'Unit of a CSV upload (default mV)' });

export const PredictForm = z.object({
  file: Files,
  model: z.string().max(100).optional().openapi({ description: 'A model by name (GET /models); default: the installed model matching the record by leads and task' }),
  task: z.string().max(100).optional().openapi({ description: "Narrows the automatic choice to models of this task (their card's `task`), e.g. rhythm" }),
  fs: Fs,
  units: Units,
  explain: bool.optional().openapi({ type: 'string', enum: ['true', 'false'], description: 'Also return the input-gradient saliency: over what the model reads of the (first) record, or over the page an image model reads of a photo' }),
}).openapi('PredictForm');

export const RecordSummarySchema = z.object({
  fs: z.number(),
  samples: z.number(),
  leads: z.array(z.string()),
  modelLeads: z.array(z.string()),
  resampledFrom: z.number().optional(),
  missingLeads: z.array(z.string()).optional(),
  truncatedToSeconds: z.number().optional(),
  invalidSamples: z.number().optional(),
  invalidFraction: z.number().optional().openapi({ description: 'Share of the samples the file marked invalid (stored as 0); a record with more than 0.5 is refused' }),
});

export const PredictionSchema = z.object({
  id: z.string(),
  prediction: z.string().openapi({ example: 'N' }),
  labels: z.array(z.string()),
  probabilities: z.record(z.string(), z.number()).openapi({ example: { N: 0.91, A: 0.03, O: 0.05, '~': 0.01 } }),
  record: RecordSummarySchema,
}).openapi('Prediction');

export const ImagePredictionSchema = z.object({
  id: z.string().openapi({ description: "The photo's file name" }),
  prediction: z.string(),
  labels: z.array(z.string()),
  probabilities: z.record(z.string(), z.number()),
  image: z.object({
    width: z.number().openapi({ description: 'Pixels after EXIF orientation' }),
    height: z.number(),
    format: z.string().openapi({ example: 'jpeg' }),
    orientation: z.number().openapi({ description: 'EXIF orientation tag (1 = stored upright)' }),
    modelWidth: z.number().openapi({ description: "The model's page size the photo was fitted to" }),
    modelHeight: z.number(),
  }),
}).openapi('ImagePrediction');

export const ExplanationSchema = z.object({
  kind: z.literal('signal'),
  fs: z.number(),
  leads: z.array(z.string()),
  signals: z.array(z.array(z.number())).openapi({ description: '[lead][sample] mV as the model reads it (its leads, at its rate)' }),
  saliency: z.array(z.array(z.number())).openapi({ description: '[lead][sample] gradient of the predicted class logit w.r.t. the input (1/mV)' }),
  className: z.string(),
}).openapi('Explanation');

export const ImageExplanationSchema = z.object({
  kind: z.literal('image'),
  width: z.number().openapi({ description: "The model's page width in pixels (saliency columns)" }),
  height: z.number(),
  region: z.object({ left: z.number(), top: z.number(), width: z.number(), height: z.number() }).openapi({ description: "Where the photo lies in the model's page (pixels): all of it for fit 'fill', the letterboxed rectangle for 'contain'" }),
  saliency: z.array(z.array(z.number())).openapi({ description: '[row][column] gradient of the predicted class logit w.r.t. the brightness of each page pixel (0 black, 1 paper)' }),
  className: z.string(),
}).openapi('ImageExplanation');

export const ModelRefSchema = z.object({ name: z.string(), title: z.string().optional(), card: z.string().openapi({ description: 'URL of the model card (Markdown)' }) });

export const PredictResponse = z.object({
  model: ModelRefSchema,
  predictions: z.array(z.union([PredictionSchema, ImagePredictionSchema])).openapi({ description: 'One per record; one for a photo' }),
  explanation: z.discriminatedUnion('kind', [ExplanationSchema, ImageExplanationSchema]).optional(),
}).openapi('PredictResponse');

export const ModelSchema = z.object({
  name: z.string().openapi({ example: 'cinc2017-rhythm' }),
  title: z.string().optional(),
  task: z.string().optional(),
  modality: z.enum(['signal', 'image']),
  classes: z.array(z.string()),
  multiLabel: z.boolean(),
  leads: z.array(z.string()).openapi({ description: 'Leads read by name, or #i for leads read by position' }),
  fs: z.number(),
  maxSeconds: z.number(),
  model: z.string().openapi({ description: 'Architecture', example: 'ma-liang' }),
  bytes: z.number(),
  dtype: z.string(),
  card: z.string().optional().openapi({ description: 'URL of the model card (Markdown)' }),
}).openapi('Model');

export const ModelsResponse = z.object({ models: z.array(ModelSchema) }).openapi('Models');

export const HealthResponse = z.object({
  status: z.enum(['ok', 'draining']),
  models: z.number(),
  queue: z.object({ waiting: z.number(), busy: z.boolean() }),
  workerRestarts: z.number().openapi({ description: 'Times the inference thread died and was started again' }),
  uptimeSeconds: z.number(),
}).openapi('Health');

export const RenderForm = z.object({
  file: Files,
  fs: Fs,
  units: Units,
  layout: z.enum(['3x4+II', '6x2', '12x1', 'strip']).optional().openapi({ description: 'Default: 3x4+II for a record with the 12 standard leads, else strip' }),
  dpi: z.coerce.number().int().min(50).max(300).optional().openapi({ type: 'integer', description: 'Default 100' }),
  grid: z.enum(['red', 'pink', 'blue', 'green', 'grey', 'none']).optional(),
  artefacts: z.string().max(300).optional().openapi({ description: 'Photo artefacts as `name=strength,...` (as `ecglab render --artefacts`), e.g. rotation=0.3,blur=0.2' }),
  seed: z.coerce.number().int().min(0).max(0xffffffff).optional().openapi({ type: 'integer' }),
  format: z.enum(['png', 'jpeg']).optional(),
}).openapi('RenderForm');

export const RobustnessForm = z.object({
  file: Files,
  model: z.string().max(100).optional(),
  task: z.string().max(100).optional(),
  fs: Fs,
  units: Units,
  check: z.enum(['white-noise', 'pgd']).optional().openapi({ description: 'white-noise (default): seeded Gaussian noise at growing SNR; pgd: an ε sweep of the robustness module\'s PGD attack (L∞, in the model\'s input units, masked to the record\'s samples) against the model\'s own decision' }),
  snrDb: z.string().max(200).optional().openapi({ description: 'white-noise: comma-separated SNR levels in dB, highest first (default 24,18,12,6,0; at most limits.robustness.maxLevels, default 8)', example: '24,12,0' }),
  repeats: z.coerce.number().int().min(1).optional().openapi({ type: 'integer', description: 'white-noise: noisy copies per level (default 4; at most limits.robustness.maxRepeats, default 8)' }),
  eps: z.string().max(200).optional().openapi({ description: 'pgd: comma-separated ε in model units (max-abs: a fraction of each lead\'s peak), each in (0, 1] (default 0.001,0.002,0.005,0.01,0.02,0.05; at most limits.robustness.maxEps, default 8)', example: '0.005,0.01,0.02' }),
  steps: z.coerce.number().int().min(1).optional().openapi({ type: 'integer', description: 'pgd: steps per run, each of ε/10 (default 20; at most limits.robustness.maxSteps, default 100)' }),
  restarts: z.coerce.number().int().min(1).optional().openapi({ type: 'integer', description: 'pgd: runs from random starts per ε (default 1; at most limits.robustness.maxRestarts, default 4). A sweep ends by limits.robustness.maxPgdMs from the arrival of the request (default 20,000 ms, at most 3/4 of the request time limit): an ε whose worst case, (steps + 1) · restarts gradient passes at the pace measured on the record, could end later is not started and is listed in `skipped`' }),
  seed: z.coerce.number().int().min(0).max(0xffffffff).optional().openapi({ type: 'integer', description: 'Seeds the noise draws (white-noise) or the random starts (pgd: ε number i uses Rng.derive(seed, i)); default 1' }),
  examples: bool.optional().openapi({ type: 'string', enum: ['true', 'false'], description: 'white-noise: the first noisy copy of each level; pgd: each perturbed record (mV) and its perturbation (model units, padding included); both as the model reads the record' }),
}).openapi('RobustnessForm');

export const NoiseLevelSchema = z.object({
  snrDb: z.number(),
  probabilities: z.record(z.string(), z.number()),
  predictions: z.array(z.string()),
  agreement: z.number().openapi({ description: 'Fraction of noisy copies predicted as the clean record' }),
  example: z.array(z.array(z.number())).optional(),
});

export const PgdLevelSchema = z.object({
  eps: z.number().openapi({ description: 'ε in model units' }),
  epsMv: z.array(z.number()).openapi({ description: 'ε in mV, per lead (ε × the lead\'s scale)' }),
  probabilities: z.record(z.string(), z.number()),
  prediction: z.string(),
  fooled: z.boolean().openapi({ description: 'The attack changed the decision' }),
  linf: z.number().openapi({ description: 'Largest |δ| in model units (≤ ε)' }),
  linfMv: z.number().openapi({ description: 'Largest |δ| in mV' }),
  example: z.array(z.array(z.number())).optional().openapi({ description: '[lead][sample] the perturbed record, mV, its real samples' }),
  delta: z.array(z.array(z.number())).optional().openapi({ description: '[lead][paddedSamples] δ in model units, padding included (zero there)' }),
});

const RobustnessCommon = {
  model: ModelRefSchema,
  clean: PredictionSchema,
  fs: z.number().openapi({ description: 'Rate of the examples (the model rate)' }),
};

export const WhiteNoiseResponse = z.object({
  ...RobustnessCommon,
  check: z.literal('white-noise'),
  levels: z.array(NoiseLevelSchema),
}).openapi('WhiteNoiseResponse');

export const PgdResponse = z.object({
  ...RobustnessCommon,
  check: z.literal('pgd'),
  attack: z.object({
    kind: z.literal('pgd'), norm: z.literal('inf'), loss: z.string(), steps: z.number(), stepRatio: z.number(), restarts: z.number(), seed: z.number(),
  }).openapi({ description: 'The attack as run by @ecglab/models attack()' }),
  samples: z.number().openapi({ description: 'Samples of the record the model reads' }),
  paddedSamples: z.number().openapi({ description: 'Length of its padded batch (the length of delta)' }),
  scale: z.array(z.number()).openapi({ description: 'mV per model unit, per lead' }),
  levels: z.array(PgdLevelSchema),
  skipped: z.array(z.number()).openapi({ description: 'ε values not attacked: their worst case could have run past the wall-time limit' }),
  passMs: z.number().openapi({ description: 'Milliseconds per gradient pass on this record, the pace the limit was kept by' }),
}).openapi('PgdResponse');

export const RobustnessResponse = z.discriminatedUnion('check', [WhiteNoiseResponse, PgdResponse]).openapi('RobustnessResponse');
