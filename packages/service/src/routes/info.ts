import { readFile } from 'node:fs/promises';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { findModel, type BundledModel } from '../models/registry.js';
import { ErrorSchema, HealthResponse, ModelsResponse } from '../schemas.js';

const health = createRoute({
  method: 'get', path: '/health', summary: 'Liveness and queue state',
  responses: {
    200: { description: 'Serving', content: { 'application/json': { schema: HealthResponse } } },
    503: { description: 'Shutting down: finishing in-flight requests, refusing new ones', content: { 'application/json': { schema: HealthResponse } } },
  },
});

const models = createRoute({
  method: 'get', path: '/models', summary: 'The installed models',
  responses: { 200: { description: 'Each model: what it reads and predicts, its size and card', content: { 'application/json': { schema: ModelsResponse } } } },
});

const card = createRoute({
  method: 'get', path: '/models/{name}/card', summary: "A model's card (MODEL.md)",
  request: { params: z.object({ name: z.string().max(100).openapi({ param: { name: 'name', in: 'path' }, example: 'cinc2017-rhythm' }) }) },
  responses: {
    200: { description: 'The card, Markdown', content: { 'text/markdown': { schema: z.string() } } },
    404: { description: 'No such model, or it has no card', content: { 'application/json': { schema: ErrorSchema } } },
  },
});

/** A model as GET /models lists it. */
export function describe(m: BundledModel) {
  const s = m.spec;
  return {
    name: m.name,
    ...(m.meta.title ? { title: m.meta.title } : {}),
    ...(m.meta.task ? { task: m.meta.task } : {}),
    modality: m.modality,
    classes: s.classes,
    multiLabel: s.task === 'multi-label',
    leads: s.conform.leads ?? s.conform.leadIndices!.map((i) => `#${i}`),
    fs: s.conform.fs,
    maxSeconds: s.input.maxSeconds,
    model: s.model.kind,
    bytes: m.bytes,
    dtype: m.dtype,
    ...(m.card ? { card: `/models/${encodeURIComponent(m.name)}/card` } : {}),
  };
}

export function registerInfo(app: OpenAPIHono<Env>, ctx: ServiceContext): void {
  app.openapi(health, (c) => c.json({
    status: ctx.draining ? 'draining' as const : 'ok' as const,
    models: ctx.models.length,
    queue: { waiting: ctx.inference.queue.waiting, busy: ctx.inference.queue.busy },
    workerRestarts: ctx.inference.restarts,
    uptimeSeconds: Math.round((Date.now() - ctx.started) / 1000),
  }, ctx.draining ? 503 : 200));
  app.openapi(models, (c) => c.json({ models: ctx.models.map(describe) }, 200));
  app.openapi(card, async (c) => {
    const m = findModel(ctx.models, c.req.valid('param').name);
    if (!m.card) throw new ServiceError('NOT_FOUND', `model '${m.name}' has no MODEL.md`);
    return c.body(await readFile(m.card, 'utf8'), 200, { 'content-type': 'text/markdown; charset=utf-8' });
  });
}
