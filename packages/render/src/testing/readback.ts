import type { RgbaImage } from '../image.js';
import type { Box } from '../sidecar.js';

/** Ink weight of a pixel: how far its red channel is below 200 (grid lines keep red ≥ 230). */
export function ink(img: RgbaImage, x: number, y: number): number {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return 0;
  return Math.max(0, 200 - img.data[(y * img.width + x) * 4]!);
}

/**
 * Reads a trace back from pixels, one value per pixel column of `box`: the ink-weighted centroid
 * of the run of inked pixels nearest the previous column's value (so neighbouring leads that reach
 * into the box are ignored). Returns y in pixels, NaN where the column has no ink.
 */
export function traceColumns(img: RgbaImage, box: Box, startY: number): Float64Array {
  const x0 = Math.ceil(box.x0);
  const x1 = Math.floor(box.x1);
  const y0 = Math.max(0, Math.floor(box.y0));
  const y1 = Math.min(img.height - 1, Math.ceil(box.y1));
  const out = new Float64Array(x1 - x0).fill(NaN);
  let prev = startY;
  for (let x = x0; x < x1; x++) {
    let best: { c: number; d: number } | undefined;
    let y = y0;
    while (y <= y1) {
      if (ink(img, x, y) === 0) {
        y++;
        continue;
      }
      let w = 0;
      let wy = 0;
      let top = y;
      for (; y <= y1 && ink(img, x, y) > 0; y++) {
        w += ink(img, x, y);
        wy += ink(img, x, y) * (y + 0.5);
      }
      const c = wy / w;
      // Distance from the previous value to the run's nearest edge: a steep QRS makes long runs.
      const d = prev < top ? top - prev : prev > y ? prev - y : 0;
      if (best === undefined || d < best.d) best = { c, d };
      top = y;
    }
    if (best !== undefined) {
      out[x - x0] = best.c;
      prev = best.c;
    }
  }
  return out;
}

/** Ink centroid of a rectangle (x, y ranges inclusive-exclusive). */
export function inkCentroid(img: RgbaImage, x0: number, x1: number, y0: number, y1: number): { x: number; y: number; w: number } {
  let w = 0;
  let wx = 0;
  let wy = 0;
  for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
    for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
      const v = ink(img, x, y);
      w += v;
      wx += v * (x + 0.5);
      wy += v * (y + 0.5);
    }
  }
  return { x: wx / w, y: wy / w, w };
}

/** Linear interpolation of a sampled signal at fractional sample index `i`. */
export function interp(s: ArrayLike<number>, i: number): number {
  const a = Math.max(0, Math.min(s.length - 1, Math.floor(i)));
  const b = Math.min(s.length - 1, a + 1);
  const f = i - a;
  return (s[a] as number) * (1 - f) + (s[b] as number) * f;
}
