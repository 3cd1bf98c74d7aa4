import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { PredictForm, PredictResponse } from '../schemas.js';
import { chooseModel, modelRef } from './choose.js';
import { errors } from './responses.js';
import { withUpload } from './upload.js';

const route = createRoute({
  method: 'post',
  path: '/predict',
  summary: 'Class probabilities of uploaded records',
  description: 'Multipart upload under the field `file` (repeat it for a header and its signal files). Records of any rate, lead order and unit are conformed to the model.',
  request: { body: { required: true, content: { 'multipart/form-data': { schema: PredictForm } } } },
  responses: {
    200: { description: 'The predictions, and the model that made them', content: { 'application/json': { schema: PredictResponse } } },
    ...errors,
  },
});

/** Rounds for JSON: mV to 4 decimals (0.1 µV), saliency to 4 significant digits of its largest value. */
function round(rows: Float32Array[], scale: number): number[][] {
  return rows.map((r) => Array.from(r, (v) => Math.round(v * scale) / scale));
}

export function registerPredict(app: OpenAPIHono<Env>, ctx: ServiceContext): void {
  app.openapi(route, async (c) => {
    const form = c.req.valid('form');
    return withUpload(ctx, form, async (up) => {
      if (up.kind === 'image') {
        // Photos go to an image model (VizECGNet) once one is installed: its worker method and a branch here.
        const img = ctx.models.find((m) => m.modality === 'image');
        if (!img) throw new ServiceError('NO_IMAGE_MODEL', `${up.image.name}: no image model installed; photos of printouts need an image model in the models folder. Send the record's signal files instead`);
        throw new ServiceError('NOT_AVAILABLE', `${up.image.name}: image model '${img.name}' is installed, but this build cannot run image models yet`);
      }
      const model = chooseModel(ctx, up.records, form.model, form.task);
      const [predictions, explanation] = await Promise.all([
        ctx.inference.predict(model.name, up.records),
        form.explain ? ctx.inference.explain(model.name, up.records[0]!) : undefined,
      ]);
      let expl;
      if (explanation) {
        let max = 0;
        for (const r of explanation.saliency) for (const v of r) max = Math.max(max, Math.abs(v));
        expl = {
          fs: explanation.fs, leads: explanation.leads, className: explanation.className,
          signals: round(explanation.signals, 1e4),
          saliency: round(explanation.saliency, max > 0 ? 10 ** (4 - Math.ceil(Math.log10(max))) : 1),
        };
      }
      return c.json({ model: modelRef(model), predictions, ...(expl ? { explanation: expl } : {}) }, 200);
    });
  });
}
