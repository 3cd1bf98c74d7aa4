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
  explain: bool.optional().openapi({ type: 'string', enum: ['true', 'false'], description: 'Also return what the model reads of the (first) record and its input-gradient saliency' }),
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

export const ExplanationSchema = z.object({
  fs: z.number(),
  leads: z.array(z.string()),
  signals: z.array(z.array(z.number())).openapi({ description: '[lead][sample] mV as the model reads it (its leads, at its rate)' }),
  saliency: z.array(z.array(z.number())).openapi({ description: '[lead][sample] gradient of the predicted class logit w.r.t. the input (1/mV)' }),
  className: z.string(),
}).openapi('Explanation');

export const ModelRefSchema = z.object({ name: z.string(), title: z.string().optional(), card: z.string().openapi({ description: 'URL of the model card (Markdown)' }) });

export const PredictResponse = z.object({
  model: ModelRefSchema,
  predictions: z.array(PredictionSchema),
  explanation: ExplanationSchema.optional(),
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
  check: z.enum(['white-noise', 'pgd']).optional().openapi({ description: "white-noise (default), or pgd (the ε sweep: arrives with the robustness work; 501 until then)" }),
  snrDb: z.string().max(200).optional().openapi({ description: 'Comma-separated SNR levels in dB, highest first (default 24,18,12,6,0)', example: '24,12,0' }),
  repeats: z.coerce.number().int().min(1).optional().openapi({ type: 'integer', description: 'Noisy copies per level (default 4)' }),
  seed: z.coerce.number().int().min(0).max(0xffffffff).optional().openapi({ type: 'integer' }),
  examples: bool.optional().openapi({ type: 'string', enum: ['true', 'false'], description: 'Return the first noisy copy of each level (as the model reads it)' }),
}).openapi('RobustnessForm');

export const NoiseLevelSchema = z.object({
  snrDb: z.number(),
  probabilities: z.record(z.string(), z.number()),
  predictions: z.array(z.string()),
  agreement: z.number().openapi({ description: 'Fraction of noisy copies predicted as the clean record' }),
  example: z.array(z.array(z.number())).optional(),
});

export const RobustnessResponse = z.object({
  model: ModelRefSchema,
  check: z.string(),
  clean: PredictionSchema,
  fs: z.number().openapi({ description: 'Rate of the examples (the model rate)' }),
  levels: z.array(NoiseLevelSchema),
}).openapi('RobustnessResponse');
