// How large a page the renderer will draw. The resolution alone is no bound on memory: a letter page at
// 1200 dpi is 134.6 million pixels, and drawing it with every artefact took 3.5 GB. The budget is in
// pixels (what memory grows with), set by ECGLAB_MAX_PAGE_PIXELS; SECURITY.md lists it with the data limits.
import { RenderArgumentError } from './errors.js';
import { PAGE_MM } from './layout.js';
import type { RenderOptions } from './options.js';

/** 40 million pixels: letter or A4 at 600 dpi (33.7 and 34.8 Mpx), about 1.1 GB with every artefact. */
export const DEFAULT_MAX_PAGE_PIXELS = 40_000_000;

/** The environment variable that raises or lowers the budget. */
export const MAX_PAGE_PIXELS_VARIABLE = 'ECGLAB_MAX_PAGE_PIXELS';

/**
 * Peak memory of one process drawing one page, measured on 2026-12-07 (`/usr/bin/time -f %M ecglab render
 * fixtures/data/ptbxl/records500/00000/00017_hr -o x.png --dpi D [--artefacts all=0.5]`, letter landscape):
 * 164 / 267 MB at 150 / 300 dpi without artefacts, 200 / 404 / 647 MB at 150 / 300 / 450 dpi with all.
 * About 150 MB of it is the process; the rest grows as ~16 bytes per pixel, ~27 with artefacts
 * (the warps and blurs keep several RGBA and float copies of the page).
 */
const BASE_BYTES = 150e6;
const BYTES_PER_PIXEL = { plain: 16, artefacts: 27 };

/** Width × height in pixels of the page `o` describes. */
export function pagePixels(o: Pick<RenderOptions, 'page' | 'orientation' | 'dpi'>): { width: number; height: number } {
  const [pw, ph] = PAGE_MM[o.page];
  const [wMm, hMm] = o.orientation === 'landscape' ? [ph, pw] : [pw, ph];
  return { width: Math.round((wMm * o.dpi) / 25.4), height: Math.round((hMm * o.dpi) / 25.4) };
}

/** The page budget in force: ECGLAB_MAX_PAGE_PIXELS when set (a positive integer), else the default. */
export function maxPagePixels(): number {
  const raw = process.env[MAX_PAGE_PIXELS_VARIABLE];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_PAGE_PIXELS;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new RenderArgumentError(`${MAX_PAGE_PIXELS_VARIABLE} must be a positive integer, found '${raw}'`);
  }
  return n;
}

/**
 * Throws RenderArgumentError when the page `o` describes has more pixels than the budget, saying how large
 * it is, about how much memory drawing it takes, and the largest resolution that fits. `option` names what
 * the caller set (`option 'dpi'`, or `--dpi` on the command line).
 *
 * @example checkPageBudget('render', { page: 'letter', orientation: 'landscape', dpi: 1200, artefacts: {} }); // throws
 */
export function checkPageBudget(fn: string, o: Pick<RenderOptions, 'page' | 'orientation' | 'dpi' | 'artefacts'>, option = "option 'dpi'"): void {
  const { width, height } = pagePixels(o);
  const max = maxPagePixels();
  if (width * height <= max) return;
  const withArtefacts = Object.values(o.artefacts).some((v) => v > 0);
  const gb = (BASE_BYTES + width * height * BYTES_PER_PIXEL[withArtefacts ? 'artefacts' : 'plain']) / 1e9;
  // Pixels grow as dpi², so the largest dpi within the budget is dpi·sqrt(max / pixels), rounded down.
  const fits = Math.floor(o.dpi * Math.sqrt(max / (width * height)));
  throw new RenderArgumentError(
    `${fn}: ${option} ${o.dpi} makes a ${width}×${height} page (${(width * height / 1e6).toFixed(1)} million pixels, about ${gb.toFixed(1)} GB to draw` +
      `${withArtefacts ? ' with these artefacts' : ''}), more than the ${(max / 1e6).toFixed(1)} million allowed; use ${option} ${fits} or less, or raise ${MAX_PAGE_PIXELS_VARIABLE}`,
  );
}
