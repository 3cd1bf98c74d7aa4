import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { EcgRecord } from '@ecglab/data';
import { PGD_DEFAULTS } from '@ecglab/models';
import type { Env, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import type { BundledModel } from '../models/registry.js';
import { PgdResponse, RobustnessForm, RobustnessResponse, WhiteNoiseResponse } from '../schemas.js';
import type { z } from '@hono/zod-openapi';
import { chooseModel, modelRef } from './choose.js';
import { errors } from './responses.js';
import { oneRecord, withUpload } from './upload.js';

/** Default white-noise levels (SNR in dB, per lead): from barely visible to noise as strong as the ECG. */
export const DEFAULT_SNR_DB = [24, 18, 12, 6, 0];
export const DEFAULT_REPEATS = 4;
/**
 * Default PGD radii in model units: for a max-abs model 0.1 % to 5 % of each lead's peak, around Ma & Liang's
 * evaluation range (0.01 to 0.1 for CPSC 2018), starting low enough that the prediction usually holds.
 */
export const DEFAULT_EPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05];
/** 20 steps of ε/10 travel 2ε: enough to reach any corner of the ball, at a fifth of Ma & Liang's 100. */
export const DEFAULT_STEPS = 20;
export const DEFAULT_RESTARTS = 1;

type Form = ReturnType<typeof RobustnessForm.parse>;
/** The check's part of the answer: everything but the model and the clean prediction. */
type CheckResult = Omit<z.infer<typeof WhiteNoiseResponse>, 'model' | 'clean'> | Omit<z.infer<typeof PgdResponse>, 'model' | 'clean'>;

/** A bounded robustness check of one record. */
interface RobustnessCheck {
  /** The form fields only this check reads: given to another check, they are refused by name. */
  fields: (keyof Form)[];
  /** Checks the form's parameters against the limits (before any work is queued) and returns the run. */
  prepare(ctx: ServiceContext, form: Form): (model: BundledModel, record: EcgRecord) => Promise<CheckResult>;
}

const CHECKS: Record<'white-noise' | 'pgd', RobustnessCheck> = {
  'white-noise': {
    fields: ['snrDb', 'repeats'],
    prepare(ctx, form) {
      const snr = parseList('snrDb', form.snrDb, DEFAULT_SNR_DB, ctx.limits.robustness.maxLevels, (v) => v >= -20 && v <= 60, 'numbers in [-20, 60] dB');
      const repeats = atMost('repeats', form.repeats ?? DEFAULT_REPEATS, ctx.limits.robustness.maxRepeats);
      return (model, record) => whiteNoise(ctx, model, record, snr, repeats, form);
    },
  },
  pgd: {
    fields: ['eps', 'steps', 'restarts'],
    prepare(ctx, form) {
      const lim = ctx.limits.robustness;
      const eps = parseList('eps', form.eps, DEFAULT_EPS, lim.maxEps, (v) => v > 0 && v <= 1, 'numbers in (0, 1] (model units)');
      const steps = atMost('steps', form.steps ?? DEFAULT_STEPS, lim.maxSteps);
      const restarts = atMost('restarts', form.restarts ?? DEFAULT_RESTARTS, lim.maxRestarts);
      // A sweep that ran into the request's time limit would answer 504 and lose the ε it reached; three
      // quarters of that limit, from the request's arrival (queueing counts), leave room for the clean prediction.
      const deadline = Date.now() + Math.min(lim.maxPgdMs, Math.floor(0.75 * ctx.limits.requestTimeoutMs));
      return (model, record) => pgd(ctx, model, record, { eps, steps, restarts, seed: form.seed ?? 1, deadline, examples: form.examples ?? false });
    },
  },
};

const rows = (a: Float32Array[], scale: number) => a.map((s) => Array.from(s, (v) => Math.round(v * scale) / scale));
const byClass = (classes: readonly string[], p: number[]) => Object.fromEntries(classes.map((c, k) => [c, p[k]!]));

/** The white-noise check: the worker's batch of noisy copies, as JSON. */
async function whiteNoise(ctx: ServiceContext, model: BundledModel, record: EcgRecord, snr: number[], repeats: number, form: Form): Promise<CheckResult> {
  const r = await ctx.inference.whiteNoise(model.name, record, snr, repeats, form.seed ?? 1, form.examples ?? false);
  return {
    check: 'white-noise',
    fs: model.spec.conform.fs,
    levels: r.levels.map((l) => ({
      snrDb: l.snrDb, predictions: l.predictions, agreement: l.agreement,
      probabilities: byClass(model.spec.classes, l.probabilities),
      ...(l.example ? { example: rows(l.example, 1e4) } : {}),
    })),
  };
}

/** The PGD ε sweep: the worker's attacks, as JSON (δ in model units to 1e-7, well below any ε allowed). */
async function pgd(ctx: ServiceContext, model: BundledModel, record: EcgRecord, opts: Parameters<ServiceContext['inference']['pgd']>[2]): Promise<CheckResult> {
  const r = await ctx.inference.pgd(model.name, record, opts);
  const multi = model.spec.task === 'multi-label';
  return {
    check: 'pgd',
    fs: r.fs,
    attack: { kind: 'pgd', norm: 'inf', loss: multi ? 'bce' : 'ce', steps: opts.steps, stepRatio: PGD_DEFAULTS.stepRatio, restarts: opts.restarts, seed: opts.seed },
    samples: r.samples, paddedSamples: r.paddedSamples, scale: r.scale, skipped: r.skipped, passMs: Math.round(r.passMs * 10) / 10,
    levels: r.levels.map((l) => ({
      eps: l.eps, epsMv: l.epsMv, probabilities: byClass(model.spec.classes, l.probabilities), prediction: l.prediction,
      fooled: l.fooled, linf: l.linf, linfMv: l.linfMv,
      ...(l.example ? { example: rows(l.example, 1e4) } : {}),
      ...(l.delta ? { delta: rows(l.delta, 1e7) } : {}),
    })),
  };
}

/** A comma-separated list of numbers, each passing `ok`, at most `max` of them; absent: the defaults. */
function parseList(field: string, text: string | undefined, defaults: number[], max: number, ok: (v: number) => boolean, expected: string): number[] {
  if (text === undefined) return defaults;
  const values = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || !ok(v))) {
    throw new ServiceError('BAD_REQUEST', `field '${field}': '${text.slice(0, 60)}' must be comma-separated ${expected}`);
  }
  if (values.length > max) throw new ServiceError('BAD_REQUEST', `field '${field}': ${values.length} values, more than the limit of ${max}`);
  return values;
}

function atMost(field: string, value: number, max: number): number {
  if (value > max) throw new ServiceError('BAD_REQUEST', `field '${field}': ${value} is more than the limit of ${max}`);
  return value;
}

const route = createRoute({
  method: 'post',
  path: '/robustness',
  summary: 'A bounded quick robustness check of one record',
  description: 'check=white-noise: Gaussian noise at growing levels (SNR per lead, dB), a few seeded copies per level, predicted in one batch; how often the prediction stays. check=pgd: an ε sweep of @ecglab/models\' PGD attack (L∞ in the model\'s input units, steps of ε/10, random starts, masked to the record\'s samples, clipped to the input range) against the model\'s own decision, each ε stopping at the first step that changes it. Capped in levels, copies, ε values, steps, restarts and wall time (see each field).',
  request: { body: { required: true, content: { 'multipart/form-data': { schema: RobustnessForm } } } },
  responses: {
    200: { description: 'The clean prediction and each level', content: { 'application/json': { schema: RobustnessResponse } } },
    ...errors,
  },
});

export function registerRobustness(app: OpenAPIHono<Env>, ctx: ServiceContext): void {
  app.openapi(route, async (c) => {
    const form = c.req.valid('form');
    const name = form.check ?? 'white-noise';
    for (const [other, check] of Object.entries(CHECKS)) {
      if (other === name) continue;
      const given = check.fields.find((f) => form[f] !== undefined);
      if (given) throw new ServiceError('BAD_REQUEST', `field '${given}': applies to check=${other}, not check=${name}`);
    }
    const run = CHECKS[name].prepare(ctx, form);
    return withUpload(ctx, form, async (up) => {
      const record = oneRecord(up, '/robustness');
      const model = chooseModel(ctx, [record], form.model, form.task);
      const [[clean], result] = await Promise.all([ctx.inference.predict(model.name, [record]), run(model, record)]);
      return c.json({ model: modelRef(model), clean: clean!, ...result }, 200);
    });
  });
}
