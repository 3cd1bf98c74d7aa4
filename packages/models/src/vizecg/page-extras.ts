import type { ExtraInput, ExtrasContext, PipelineOptions } from '@ecglab/data';
import type { PageRenderer } from './page-renderer.js';
import { pageOptions, type PageConfig, type PageVariant } from './pages.js';

export interface PageExtrasOptions {
  pages: PageConfig;
  renderer: PageRenderer;
  /**
   * Which page each record gets: `train` draws anew per epoch (its seed and epoch come from the pipeline);
   * any other variant is fixed per record and kept in memory up to `cacheBytes`, so validation pages are
   * drawn once for all epochs (past the budget they are drawn again, the same pixels).
   */
  variant: 'train' | Exclude<PageVariant, { kind: 'train' }>;
  /** Default 256 MiB: 440 pages of 440×340 floats. */
  cacheBytes?: number;
}

/** What a page hook has done: pages drawn and reused, time spent waiting for pages in the hook. */
export interface PageExtrasStats {
  batches: number;
  drawn: number;
  cached: number;
  /** Milliseconds between a batch asking for its pages and getting them (overlapping the previous steps' compute when prefetched). */
  waitMs: number;
  /** Pages drawn for each epoch's batches and the milliseconds drawing them took (whenever they were drawn). */
  epochs: Record<number, { drawn: number; renderMs: number }>;
}

/**
 * The input pipeline's `extras` hook that adds each batch's pages as `extras.page` `[N, C, H, W]`: the batch's
 * records as windowed (the page shows exactly the signal the signal stream reads), drawn by `renderer` with
 * `pageOptions`. The pipeline prepares `prefetch` batches ahead, so with a worker renderer the pages of the
 * next batches are drawn while the model trains on this one.
 *
 * @example
 * const { extras } = pageExtras({ pages: cfg.pages, renderer: new PageRenderer(1), variant: 'train' });
 * const pipe = await InputPipeline.create({ ...trainOptions, extras });
 */
export function pageExtras(o: PageExtrasOptions): { extras: NonNullable<PipelineOptions['extras']>; stats: PageExtrasStats } {
  const stats: PageExtrasStats = { batches: 0, drawn: 0, cached: 0, waitMs: 0, epochs: {} };
  const cache = new Map<string, Float32Array>();
  const budget = o.cacheBytes ?? 256 * 2 ** 20;
  let bytes = 0;
  const extras = async (ctx: ExtrasContext): Promise<Record<string, ExtraInput>> => {
    const t0 = performance.now();
    const variant: PageVariant = o.variant === 'train' ? { kind: 'train', seed: ctx.seed, epoch: ctx.epoch } : o.variant;
    const pages = await Promise.all(
      ctx.records.map(async (rec) => {
        const hit = o.variant === 'train' ? undefined : cache.get(rec.id);
        if (hit) {
          stats.cached++;
          return hit;
        }
        const { planes: page, ms } = await o.renderer.page(rec, pageOptions(o.pages, variant, rec.id, rec.signals.length));
        stats.drawn++;
        const e = (stats.epochs[ctx.epoch] ??= { drawn: 0, renderMs: 0 });
        e.drawn++;
        e.renderMs += ms;
        if (o.variant !== 'train' && bytes + page.byteLength <= budget) {
          cache.set(rec.id, page);
          bytes += page.byteLength;
        }
        return page;
      }),
    );
    const { channels: c, height: h, width: w } = o.pages;
    const size = c * h * w;
    const data = new Float32Array(pages.length * size); // [N, C, H, W]
    pages.forEach((p, i) => data.set(p, i * size));
    stats.batches++;
    stats.waitMs += performance.now() - t0;
    return { page: { data, shape: [pages.length, c, h, w] } };
  };
  return { extras, stats };
}
