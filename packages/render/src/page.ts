import { createCanvas, type Canvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { planGeometry, warp } from './artefacts/geometric.js';
import { blurSigmaPx, contrast, creases, noise, saltPepper, temperature, wrinkles, type Params } from './artefacts/photometric.js';
import { drawPage, drawPaper } from './draw.js';
import type { RgbaImage } from './image.js';
import { layoutPage, type PageLayout } from './layout.js';
import { checkRecord, resolveOptions, type EcgRecord, type RenderOptions } from './options.js';
import { RenderArgumentError } from './errors.js';
import { rngFor } from './rng.js';
import { makeSidecar, transformSidecar, type Sidecar } from './sidecar.js';

/** A rendered page: RGBA pixels and the sidecar that says where each lead is. */
export interface RenderedPage extends RgbaImage {
  sidecar: Sidecar;
}

// Canvases reused across pages, at most a few of each kind (15 MB each at 200 DPI): one to draw on
// per page size, and the paper with its grid per size and colour, copied in rather than redrawn
// (a third of a clean page's drawing time at 200 DPI).
const canvases = new Map<string, Canvas>();
const papers = new Map<string, Canvas>();
function cached(map: Map<string, Canvas>, key: string, w: number, h: number, init?: (c: Canvas) => void): Canvas {
  let c = map.get(key);
  if (c === undefined) {
    if (map.size >= 4) map.clear();
    c = createCanvas(w, h);
    init?.(c);
    map.set(key, c);
  }
  return c;
}
function paperFor(L: PageLayout, grid: RenderOptions['grid']): Canvas {
  const g = L.grid;
  const key = `${L.widthPx}x${L.heightPx}:${L.pxPerMm}:${grid}:${g.left},${g.top},${g.right},${g.bottom}`;
  return cached(papers, key, L.widthPx, L.heightPx, (c) => drawPaper(c.getContext('2d'), L, grid));
}

/** JPEG quality 95 at strength 0 down to 10 at strength 1. */
export const jpegQuality = (s: number): number => Math.round(95 - 85 * s);

/**
 * Renders one record to RGBA pixels with its sidecar. Everything is in mm first and mapped to
 * pixels by px = mm × dpi / 25.4; artefacts follow `opts.artefacts` with `opts.seed`.
 *
 * @example
 * const page = await renderPage({ signals, fs: 500, leadNames }, { layout: '3x4+II', dpi: 100 });
 * page.sidecar.leads[0].box // { x0, y0, x1, y1 } of lead I on the image
 */
export async function renderPage(record: EcgRecord, opts: Partial<RenderOptions> = {}): Promise<RenderedPage> {
  const o = resolveOptions('renderPage', opts);
  let page = renderClean('renderPage', record, o);
  const a = o.artefacts;
  const done = page.sidecar.artefacts;
  const raw = (img: RgbaImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } });
  const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
  // Blur through libvips: a JS Gaussian on 3.7 Mpx took 5× as long. Noise comes after it (sensor
  // noise is added after the optics blur), and JPEG last.
  const sigma = blurSigmaPx(a.blur ?? 0, page.sidecar.page.pxPerMm);
  if ((a.blur ?? 0) > 0) {
    // libvips needs sigma ≥ 0.3; below that a blur changes no pixel at 8 bits anyway.
    if (sigma >= 0.3) page = { ...page, data: bytes(await raw(page).blur(sigma).raw().toBuffer()) };
    done.push({ name: 'blur', strength: a.blur!, params: { sigmaPx: sigma } });
  }
  if ((a.noise ?? 0) > 0) done.push({ name: 'noise', strength: a.noise!, params: noise(page, a.noise!, rngFor(o.seed, 'noise')) });
  if ((a.saltpepper ?? 0) > 0) done.push({ name: 'saltpepper', strength: a.saltpepper!, params: saltPepper(page, a.saltpepper!, rngFor(o.seed, 'saltpepper')) });
  const s = a.jpeg ?? 0;
  if (s > 0) {
    const quality = jpegQuality(s);
    const jpg = await raw(page).removeAlpha().jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
    page = { ...page, data: bytes(await sharp(jpg).ensureAlpha().raw().toBuffer()) };
    done.push({ name: 'jpeg', strength: s, params: { quality } });
  }
  return page;
}

/**
 * renderPage for callers that cannot wait: every artefact but those that run through libvips
 * (`blur`, `jpeg`), and `noise` and `saltpepper`, which come after the blur.
 */
export function renderPageSync(record: EcgRecord, opts: Partial<RenderOptions> = {}): RenderedPage {
  const o = resolveOptions('renderPageSync', opts);
  for (const name of ['blur', 'noise', 'saltpepper', 'jpeg'] as const) {
    if ((o.artefacts[name] ?? 0) > 0) {
      throw new RenderArgumentError(`renderPageSync: artefact '${name}' runs in the async part of the pipeline; use renderPage instead`);
    }
  }
  return renderClean('renderPageSync', record, o);
}

function renderClean(fn: string, record: EcgRecord, o: RenderOptions): RenderedPage {
  const n = checkRecord(fn, record);
  const L = layoutPage(record, n, o);
  const a = o.artefacts;
  const k = L.pxPerMm;
  const done: { name: string; strength: number; params: Params }[] = [];

  const thick = a.thickness ?? 0;
  const thickness = 1 + 2 * thick * (0.5 + 0.5 * rngFor(o.seed, 'thickness').next());
  if (thick > 0) done.push({ name: 'thickness', strength: thick, params: { multiplier: thickness } });

  const canvas = cached(canvases, `${L.widthPx}x${L.heightPx}`, L.widthPx, L.heightPx);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const ink = drawPage(ctx, record, L, o, thickness, paperFor(L, o.grid));
  const buf = canvas.data();
  let img: RgbaImage = { width: L.widthPx, height: L.heightPx, data: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) };
  let sidecar = makeSidecar(record, n, L, o, ink);

  // Paper-space shading first: folds and wrinkles belong to the paper and move with it.
  if ((a.creases ?? 0) > 0) done.push({ name: 'creases', strength: a.creases!, params: creases(img, a.creases!, rngFor(o.seed, 'creases'), k) });
  if ((a.wrinkles ?? 0) > 0) done.push({ name: 'wrinkles', strength: a.wrinkles!, params: wrinkles(img, a.wrinkles!, rngFor(o.seed, 'wrinkles'), k) });

  const plan = planGeometry(img.width, img.height, a, o.seed);
  if (plan !== undefined) {
    img = warp(img, plan);
    sidecar = transformSidecar(sidecar, plan.matrix, plan.width, plan.height);
    done.push(...plan.records.map((r) => ({ ...r, params: { ...r.params, fill: plan.fill } })));
  }

  if ((a.temperature ?? 0) > 0) done.push({ name: 'temperature', strength: a.temperature!, params: temperature(img, a.temperature!, rngFor(o.seed, 'temperature')) });
  if ((a.contrast ?? 0) > 0) done.push({ name: 'contrast', strength: a.contrast!, params: contrast(img, a.contrast!, rngFor(o.seed, 'contrast')) });

  sidecar.artefacts = done;
  return { ...img, sidecar };
}
