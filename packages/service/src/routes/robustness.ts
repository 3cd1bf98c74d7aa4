import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { EcgRecord } from '@ecglab/data';
import type { Env, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import type { BundledModel } from '../models/registry.js';
import { RobustnessForm, RobustnessResponse } from '../schemas.js';
import { chooseModel, modelRef } from './choose.js';
import { errors } from './responses.js';
import { oneRecord, withUpload } from './upload.js';

/** Default white-noise levels (SNR in dB, per lead): from barely visible to noise as strong as the ECG. */
export const DEFAULT_SNR_DB = [24, 18, 12, 6, 0];
export const DEFAULT_REPEATS = 4;

type Form = ReturnType<typeof RobustnessForm.parse>;

/** The result of one quick check: the levels of a perturbation of growing strength and the predictions at each. */
interface CheckResult {
  fs: number;
  levels: { snrDb: number; probabilities: Record<string, number>; predictions: string[]; agreement: number; example?: number[][] }[];
}

/**
 * A bounded robustness check of one record. `white-noise` is built in; the PGD ε sweep registers here when
 * the robustness work lands (a worker method running the attack under the same caps, and an entry below).
 */
interface RobustnessCheck {
  /** Checks the form's parameters against the limits (before any work is queued) and returns the run. */
  prepare(ctx: ServiceContext, form: Form): (model: BundledModel, record: EcgRecord) => Promise<CheckResult>;
}

const CHECKS: Record<string, RobustnessCheck | { unavailable: string }> = {
  'white-noise': {
    prepare(ctx, form) {
      const snr = parseLevels(form.snrDb, ctx.limits.robustness.maxLevels);
      const repeats = form.repeats ?? DEFAULT_REPEATS;
      if (repeats > ctx.limits.robustness.maxRepeats) throw new ServiceError('BAD_REQUEST', `field 'repeats': ${repeats} is more than the limit of ${ctx.limits.robustness.maxRepeats}`);
      return (model, record) => whiteNoise(ctx, model, record, snr, repeats, form);
    },
  },
  pgd: { unavailable: 'the PGD ε sweep arrives with the robustness work (attacks in @ecglab/models); only white-noise is available in this build' },
};

/** The white-noise check: the worker's batch of noisy copies, as JSON. */
async function whiteNoise(ctx: ServiceContext, model: BundledModel, record: EcgRecord, snr: number[], repeats: number, form: Form): Promise<CheckResult> {
  const r = await ctx.inference.whiteNoise(model.name, record, snr, repeats, form.seed ?? 1, form.examples ?? false);
  const classes = model.spec.classes;
  return {
    fs: model.spec.conform.fs,
    levels: r.levels.map((l) => ({
      snrDb: l.snrDb, predictions: l.predictions, agreement: l.agreement,
      probabilities: Object.fromEntries(classes.map((c, k) => [c, l.probabilities[k]!])),
      ...(l.example ? { example: l.example.map((s) => Array.from(s, (v) => Math.round(v * 1e4) / 1e4)) } : {}),
    })),
  };
}

function parseLevels(text: string | undefined, max: number): number[] {
  if (text === undefined) return DEFAULT_SNR_DB;
  const levels = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (levels.length === 0 || levels.some((v) => !Number.isFinite(v) || v < -20 || v > 60)) {
    throw new ServiceError('BAD_REQUEST', `field 'snrDb': '${text.slice(0, 60)}' must be comma-separated numbers in [-20, 60] dB`);
  }
  if (levels.length > max) throw new ServiceError('BAD_REQUEST', `field 'snrDb': ${levels.length} levels, more than the limit of ${max}`);
  return levels;
}

const route = createRoute({
  method: 'post',
  path: '/robustness',
  summary: 'A bounded quick robustness check of one record',
  description: 'White Gaussian noise at growing levels (SNR per lead, dB), a few seeded copies per level, predicted in one batch; how often the prediction stays. Capped in levels and copies (see limits).',
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
    const check = CHECKS[name]!;
    if ('unavailable' in check) throw new ServiceError('NOT_AVAILABLE', `field 'check': ${check.unavailable}`);
    const run = check.prepare(ctx, form);
    return withUpload(ctx, form, async (up) => {
      const record = oneRecord(up, '/robustness');
      const model = chooseModel(ctx, [record], form.model, form.task);
      const [[clean], result] = await Promise.all([ctx.inference.predict(model.name, [record]), run(model, record)]);
      return c.json({ model: modelRef(model), check: name, clean: clean!, ...result }, 200);
    });
  });
}
