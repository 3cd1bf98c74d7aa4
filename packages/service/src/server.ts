import { serve as serveNode, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { Service, type ServiceOptions } from './app.js';

export interface ServeOptions extends ServiceOptions {
  host?: string;
  port?: number;
}

/** A running server: its address, and `shutdown()` for SIGTERM. */
export interface RunningServer {
  service: Service;
  url: string;
  /** Stops accepting connections, answers 503 on open ones, finishes in-flight requests, stops the workers. */
  shutdown(): Promise<void>;
}

/**
 * Starts the service on `host:port` (default 127.0.0.1:8080; port 0 picks a free one).
 *
 * @example
 * const s = await serve({ port: 8080 });
 * process.once('SIGTERM', () => void s.shutdown());
 */
export async function serve(opts: ServeOptions = {}): Promise<RunningServer> {
  const service = await Service.create(opts);
  const host = opts.host ?? '127.0.0.1';
  let server!: ServerType;
  await new Promise<void>((resolve, reject) => {
    server = serveNode({ fetch: service.app.fetch, hostname: host, port: opts.port ?? 8080 }, () => resolve());
    server.once('error', reject);
  }).catch(async (err) => {
    await service.close();
    throw err;
  });
  // The request time limit bounds each request; these bound idle and slow clients.
  const http = server as import('node:http').Server;
  http.requestTimeout = service.ctx.limits.requestTimeoutMs + 5000;
  http.headersTimeout = 15_000;
  http.keepAliveTimeout = 5000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  service.ctx.log.info({ url }, 'listening');
  let closing: Promise<void> | undefined;
  return {
    service,
    url,
    shutdown() {
      closing ??= (async () => {
        service.ctx.log.info('shutting down: finishing in-flight requests, refusing new ones');
        service.ctx.draining = true;
        const closed = new Promise<void>((r) => http.close(() => r()));
        http.closeIdleConnections();
        await service.close();
        http.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
