import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../context.js';

/** The page's sources (TypeScript, CSS, HTML), and where esbuild writes the bundle (a build output, not committed). */
export const PAGE_SRC = fileURLToPath(new URL('../../page/', import.meta.url));
export const PAGE_OUT = fileURLToPath(new URL('../../dist/page/', import.meta.url));
const FILES = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' } as const;

/**
 * Bundles the page with esbuild: page/main.ts with uPlot and the CSS into dist/page/app.js and app.css
 * (minified, no source maps, nothing fetched at run time), plus index.html. About 60 kB in all.
 */
export async function buildPage(): Promise<{ bytes: number }> {
  const { build } = await import('esbuild');
  mkdirSync(PAGE_OUT, { recursive: true });
  await build({
    entryPoints: { app: join(PAGE_SRC, 'main.ts') },
    outdir: PAGE_OUT,
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    logLevel: 'error',
    legalComments: 'none',
  });
  copyFileSync(join(PAGE_SRC, 'index.html'), join(PAGE_OUT, 'index.html'));
  return { bytes: Object.keys(FILES).reduce((s, f) => s + statSync(join(PAGE_OUT, f)).size, 0) };
}

/** Whether dist/page is missing or older than any source of the page. */
export function pageIsStale(): boolean {
  if (!Object.keys(FILES).every((f) => existsSync(join(PAGE_OUT, f)))) return true;
  const built = Math.min(...Object.keys(FILES).map((f) => statSync(join(PAGE_OUT, f)).mtimeMs));
  return readdirSync(PAGE_SRC).some((f) => statSync(join(PAGE_SRC, f)).mtimeMs > built);
}

export interface PageAssets {
  bytes: number;
  register(app: OpenAPIHono<Env>): void;
}

/** The built page in memory (built first when stale), served at `/`, `/app.js` and `/app.css`. */
export async function loadPage(): Promise<PageAssets> {
  if (pageIsStale()) await buildPage();
  const files = Object.entries(FILES).map(([name, type]) => ({ name, type, body: readFileSync(join(PAGE_OUT, name)) }));
  const csp = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";
  return {
    bytes: files.reduce((s, f) => s + f.body.length, 0),
    register(app) {
      for (const f of files) {
        app.get(f.name === 'index.html' ? '/' : `/${f.name}`, (c) => c.body(new Uint8Array(f.body), 200, { 'content-type': f.type, 'content-security-policy': csp, 'cache-control': 'no-cache' }));
      }
    },
  };
}
