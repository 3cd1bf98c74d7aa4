import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { parseArtefacts, RenderError, STANDARD_LEADS, type RenderOptions } from '@ecglab/render';
import type { Env, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { RenderForm } from '../schemas.js';
import { errors } from './responses.js';
import { oneRecord, withUpload } from './upload.js';

const route = createRoute({
  method: 'post',
  path: '/render',
  summary: 'The record drawn as an ECG paper page',
  description: 'One record (any form /predict takes) drawn by @ecglab/render: 25 mm/s, 10 mm/mV, at 100 DPI unless asked; with `artefacts`, as a photo of a printout.',
  request: { body: { required: true, content: { 'multipart/form-data': { schema: RenderForm } } } },
  responses: {
    200: { description: 'The page', content: { 'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } },
    ...errors,
  },
});

export function registerRender(app: OpenAPIHono<Env>, ctx: ServiceContext): void {
  app.openapi(route, async (c) => {
    const form = c.req.valid('form');
    return withUpload(ctx, form, async (up) => {
      const record = oneRecord(up, '/render');
      const standard = STANDARD_LEADS.every((l) => record.leadNames.some((n) => n.toLowerCase() === l.toLowerCase()));
      let artefacts;
      try {
        artefacts = form.artefacts ? parseArtefacts(form.artefacts) : {};
      } catch (err) {
        throw new ServiceError('BAD_REQUEST', `field 'artefacts': ${(err as Error).message}`);
      }
      const opts: Partial<RenderOptions> = {
        layout: form.layout ?? (standard ? '3x4+II' : 'strip'),
        dpi: form.dpi ?? 100,
        ...(form.grid ? { grid: form.grid } : {}),
        artefacts,
        seed: form.seed ?? 0,
      };
      const format = form.format ?? 'png';
      const out = await ctx.render.queue.submit({
        kind: 'call',
        run: () => ctx.render.worker.call<{ image: Uint8Array; width: number; height: number }>('render', record, opts, format).catch((e: Error) => {
          if (e.name.startsWith('Render') || e instanceof RenderError) throw new ServiceError('BAD_REQUEST', e.message);
          throw e;
        }),
      }, ctx.limits.requestTimeoutMs);
      return c.body(out.image as Uint8Array<ArrayBuffer>, 200, { 'content-type': `image/${format}`, 'x-page-size': `${out.width}x${out.height}` });
    });
  });
}
