import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { pino, type Logger } from 'pino';
import { TorchWorker } from '@ecglab/engine';
import type { Env, ServiceContext } from './context.js';
import { ServiceError, type ErrorBody } from './errors.js';
import { Inference } from './inference.js';
import { LimitsSchema, type LimitsInput } from './limits.js';
import { listModels, modelsDir } from './models/registry.js';
import { loadPage, type PageAssets } from './page/assets.js';
import { WorkQueue } from './queue.js';
import { registerInfo } from './routes/info.js';
import { registerPredict } from './routes/predict.js';
import { registerRender } from './routes/render.js';
import { registerRobustness } from './routes/robustness.js';

export interface ServiceOptions {
  /** Folder of models (default: the repository's `models/`). */
  modelsDir?: string;
  /** Overrides of the limits (see limits.ts for the defaults and why). */
  limits?: LimitsInput;
  /** A pino logger (default: JSON lines on stdout at level info). */
  logger?: Logger;
  /** libtorch threads in the inference worker (default: the engine's, i.e. all cores). */
  numThreads?: number;
  /** Where the service makes its temporary folder (default: the OS's). */
  tmpDir?: string;
}

/**
 * The ecglab HTTP service: the models loaded once in a worker thread, a render thread, the routes, the web
 * page. `app.request()` answers in-process (tests); `serve()` (server.ts) puts it on a port.
 *
 * @example
 * const svc = await Service.create({ modelsDir: 'models' });
 * const res = await svc.app.request('/health');
 * await svc.close();
 */
export class Service {
  private constructor(readonly app: OpenAPIHono<Env>, readonly ctx: ServiceContext) {}

  static async create(opts: ServiceOptions = {}): Promise<Service> {
    const limits = LimitsSchema.parse(opts.limits ?? {});
    const log = opts.logger ?? pino({ base: { service: 'ecglab' } });
    const models = listModels(modelsDir(opts.modelsDir));
    const tmpRoot = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ecglab-service-'));
    const page = await loadPage();
    const inference = await Inference.start(models, limits, opts.numThreads === undefined ? {} : { numThreads: opts.numThreads });
    let renderWorker: TorchWorker;
    try {
      renderWorker = await TorchWorker.start(new URL('./worker/render.ts', import.meta.url), { numThreads: 1 });
    } catch (err) {
      await inference.stop();
      throw err;
    }
    const ctx: ServiceContext = {
      models, inference, limits, tmpRoot, log, started: Date.now(), draining: false, inflight: { count: 0, idle: [] },
      render: { worker: renderWorker, queue: new WorkQueue({ name: 'render', maxQueue: limits.maxQueue, maxBatch: 1, runBatch: () => Promise.reject(new Error('render jobs are calls')) }) },
    };
    log.info({ models: models.map((m) => m.name), limits, tmpRoot }, 'service ready');
    return new Service(buildApp(ctx, page), ctx);
  }

  /**
   * Stops taking requests (they get 503), waits for the queued and running work, stops the workers and
   * deletes the temporary folder. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.ctx.draining = true;
    this.#closing = this.#close();
    return this.#closing;
  }

  #closing: Promise<void> | undefined;

  async #close(): Promise<void> {
    // Requests still reading their upload have not reached a queue yet: wait for them too.
    const { inflight } = this.ctx;
    if (inflight.count > 0) await new Promise<void>((r) => inflight.idle.push(r));
    await Promise.all([this.ctx.inference.stop(), this.ctx.render.queue.idle().then(() => this.ctx.render.worker.terminate())]);
    await rm(this.ctx.tmpRoot, { recursive: true, force: true });
    this.ctx.log.info('service stopped');
  }
}

function errorBody(code: ServiceError['code'], message: string, id: string | undefined): ErrorBody {
  return { error: { code, message }, ...(id ? { requestId: id } : {}) };
}

/** The routes over a context: request ids, JSON logs, limits, validation errors as 400s naming the field. */
export function buildApp(ctx: ServiceContext, page: PageAssets): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0]!;
      const field = issue.path.join('.') || 'body';
      const message = issue.code === 'invalid_type' && issue.path.length === 1 && issue.message.includes('undefined')
        ? `field '${field}' is required`
        : `field '${field}': ${issue.message}`;
      return c.json(errorBody('BAD_REQUEST', message, c.get('requestId')), 400);
    },
  });
  app.use(requestId());
  app.use(secureHeaders()); // nosniff, frame denial, same-origin resources; the page sets its own CSP
  app.use(async (c, next) => {
    const t0 = performance.now();
    if (ctx.draining && c.req.path !== '/health') {
      return c.json(errorBody('SHUTTING_DOWN', 'the service is shutting down; retry on another instance', c.get('requestId')), 503, { connection: 'close' });
    }
    ctx.inflight.count++;
    try {
      await next();
    } finally {
      if (--ctx.inflight.count === 0) for (const r of ctx.inflight.idle.splice(0)) r();
    }
    const entry = { reqId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - t0) };
    if (c.res.status >= 500) ctx.log.error(entry, 'request');
    else if (c.res.status >= 400) ctx.log.warn(entry, 'request');
    else ctx.log.info(entry, 'request');
  });
  for (const path of ['/predict', '/render', '/robustness']) {
    app.use(path, bodyLimit({
      maxSize: ctx.limits.maxUploadBytes,
      onError: (c) => c.json(errorBody('TOO_LARGE', `the request body is larger than the limit of ${ctx.limits.maxUploadBytes} bytes`, c.get('requestId')), 413),
    }));
  }
  app.onError((err, c) => {
    const id = c.get('requestId');
    if (err instanceof ServiceError) {
      if (err.status >= 500) ctx.log.error({ reqId: id, code: err.code, err: err.message }, 'error');
      else ctx.log.warn({ reqId: id, code: err.code, err: err.message }, 'refused');
      return c.json(errorBody(err.code, err.message, id), err.status as 400);
    }
    if (err instanceof HTTPException) {
      // hono's own: a body that is not multipart (415), or a malformed multipart body (400).
      if (err.status === 415) {
        const type = c.req.header('content-type') ?? 'none';
        return c.json(errorBody('UNSUPPORTED_TYPE', `${c.req.path} takes multipart/form-data with the record under the field 'file'; got content-type '${type.slice(0, 80)}'`, id), 415);
      }
      return c.json(errorBody('BAD_REQUEST', err.message || 'malformed request', id), err.status as 400);
    }
    if ((err as { code?: string }).code === 'RUN' || err.name === 'RunError') {
      return c.json(errorBody('INTERNAL', err.message, id), 500);
    }
    ctx.log.error({ reqId: id, err: { name: err.name, message: err.message, stack: err.stack } }, 'unhandled');
    return c.json(errorBody('INTERNAL', `internal error: ${err.message}`, id), 500);
  });
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see /openapi.json`, c.get('requestId')), 404));
  registerInfo(app, ctx);
  registerPredict(app, ctx);
  registerRender(app, ctx);
  registerRobustness(app, ctx);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'ecglab service', version: '0.1.0', description: 'ECG classification from records (and, with an image model, photos of printouts). Research use only: not a medical device.' },
  });
  page.register(app);
  return app;
}
