import { dirname } from 'node:path';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import type { Explanation, ImageResult } from '../inference.js';
import type { ImageUpload } from '../upload/read.js';
import { PredictForm, PredictResponse } from '../schemas.js';
import { chooseImageModel, chooseModel, modelRef } from './choose.js';
import { errors } from './responses.js';
import { withUpload } from './upload.js';

const route = createRoute({
  method: 'post',
  path: '/predict',
  summary: 'Class probabilities of uploaded records, or of a photo of a printout',
  description: 'Multipart upload under the field `file` (repeat it for a header and its signal files). Records of any rate, lead order and unit are conformed to a signal model; a PNG/JPEG photo or scan of a printout goes to an image model (VizECGNet), read with its EXIF orientation and fitted to the model\'s page size as its training pages were.',
  request: { body: { required: true, content: { 'multipart/form-data': { schema: PredictForm } } } },
  responses: {
    200: { description: 'The predictions, and the model that made them', content: { 'application/json': { schema: PredictResponse } } },
    ...errors,
  },
});

/** Rows of values for JSON, each rounded to 4 significant digits of the largest |value| of all rows. */
function round4(rows: Float32Array[]): number[][] {
  let max = 0;
  for (const r of rows) for (const v of r) max = Math.max(max, Math.abs(v));
  return round(rows, max > 0 ? 10 ** (4 - Math.ceil(Math.log10(max))) : 1);
}

/** Rounds for JSON: mV to 4 decimals (0.1 µV) with scale 1e4. */
function round(rows: Float32Array[], scale: number): number[][] {
  return rows.map((r) => Array.from(r, (v) => Math.round(v * scale) / scale));
}

function signalExplanation(e: Explanation) {
  return { kind: 'signal' as const, fs: e.fs, leads: e.leads, className: e.className, signals: round(e.signals, 1e4), saliency: round4(e.saliency) };
}

function imageAnswer(image: ImageUpload, r: ImageResult) {
  const { id: _path, ...prediction } = r.prediction;
  const e = r.explanation;
  return {
    predictions: [{ id: image.name, ...prediction }],
    ...(e
      ? {
        explanation: {
          kind: 'image' as const, className: e.className, width: e.width, height: e.height, region: e.region,
          saliency: round4(Array.from({ length: e.height }, (_, y) => e.saliency.subarray(y * e.width, (y + 1) * e.width))),
        },
      }
      : {}),
  };
}

export function registerPredict(app: OpenAPIHono<Env>, ctx: ServiceContext): void {
  app.openapi(route, async (c) => {
    const form = c.req.valid('form');
    return withUpload(ctx, form, async (up) => {
      if (up.kind === 'image') {
        const model = chooseImageModel(ctx, up.image.name, form.model, form.task);
        const result = await ctx.inference.image(model.name, up.image.path, form.explain ?? false).catch((e: Error) => {
          // The reader names the file by its path in the request's folder: the client knows it by its name.
          if (e instanceof ServiceError) throw new ServiceError(e.code, e.message.split(`${dirname(up.image.path)}/`).join(''), { cause: e });
          throw e;
        });
        return c.json({ model: modelRef(model), ...imageAnswer(up.image, result) }, 200);
      }
      const model = chooseModel(ctx, up.records, form.model, form.task);
      const [predictions, explanation] = await Promise.all([
        ctx.inference.predict(model.name, up.records),
        form.explain ? ctx.inference.explain(model.name, up.records[0]!) : undefined,
      ]);
      return c.json({ model: modelRef(model), predictions, ...(explanation ? { explanation: signalExplanation(explanation) } : {}) }, 200);
    });
  });
}
