import { fromQuad, identity, invert, multiply, rotateAbout, translate, type Mat3, type Point } from '../homography.js';
import type { RgbaImage } from '../image.js';
import { rngFor } from '../rng.js';
import type { ArtefactRecord } from '../sidecar.js';
import type { ArtefactStrengths } from './names.js';

/** The camera/scanner geometry of a page: one homography from page pixels to image pixels. */
export interface GeometryPlan {
  matrix: Mat3;
  width: number;
  height: number;
  /** Colour of what lies outside the paper (table, scanner lid). */
  fill: [number, number, number];
  /** The cropped picture's place on the output; outside it is padding (fill). */
  content: { x0: number; y0: number; x1: number; y1: number };
  records: ArtefactRecord[];
}

/** Largest effects at strength 1; the ranges of ecg-image-kit's defaults and real phone photos. */
export const GEOMETRY_MAX = {
  rotationDeg: 10,
  /** Each corner moves inward by up to this fraction of the page side. */
  perspective: 0.08,
  crop: 0.08,
  padding: 0.1,
} as const;

/**
 * Plans perspective, then rotation about the page centre, then crop and padding. Positive angles
 * turn the page clockwise on screen (y points down).
 */
export function planGeometry(w: number, h: number, s: ArtefactStrengths, seed: number): GeometryPlan | undefined {
  const on = (['perspective', 'rotation', 'crop', 'padding'] as const).filter((n) => (s[n] ?? 0) > 0);
  if (on.length === 0) return undefined;
  const records: ArtefactRecord[] = [];
  let m = identity();
  const persp = s.perspective ?? 0;
  if (persp > 0) {
    const r = rngFor(seed, 'perspective');
    const src: Point[] = [
      [0, 0],
      [w, 0],
      [w, h],
      [0, h],
    ];
    const inward: Point[] = [
      [1, 1],
      [-1, 1],
      [-1, -1],
      [1, -1],
    ];
    const dst = src.map(([x, y], i): Point => [
      x + inward[i]![0] * persp * GEOMETRY_MAX.perspective * w * r.next(),
      y + inward[i]![1] * persp * GEOMETRY_MAX.perspective * h * r.next(),
    ]);
    m = multiply(fromQuad(src, dst), m);
    records.push({ name: 'perspective', strength: persp, params: { corners: dst } });
  }
  const rot = s.rotation ?? 0;
  if (rot > 0) {
    const angleDeg = rot * GEOMETRY_MAX.rotationDeg * rngFor(seed, 'rotation').sign();
    m = multiply(rotateAbout((angleDeg * Math.PI) / 180, w / 2, h / 2), m);
    records.push({ name: 'rotation', strength: rot, params: { angleDeg, centre: [w / 2, h / 2] } });
  }
  const edges = (name: 'crop' | 'padding', frac: number) => {
    const r = rngFor(seed, name);
    const k = (s[name] ?? 0) * frac;
    return { left: Math.round(k * w * r.next()), top: Math.round(k * h * r.next()), right: Math.round(k * w * r.next()), bottom: Math.round(k * h * r.next()) };
  };
  const crop = edges('crop', GEOMETRY_MAX.crop);
  const pad = edges('padding', GEOMETRY_MAX.padding);
  if ((s.crop ?? 0) > 0) records.push({ name: 'crop', strength: s.crop!, params: crop });
  if ((s.padding ?? 0) > 0) records.push({ name: 'padding', strength: s.padding!, params: pad });
  m = multiply(translate(pad.left - crop.left, pad.top - crop.top), m);
  const fr = rngFor(seed, 'fill');
  const grey = fr.uniform(70, 200);
  const fill: [number, number, number] = [grey + fr.uniform(-10, 10), grey + fr.uniform(-10, 10), grey + fr.uniform(-10, 10)].map((v) =>
    Math.round(Math.min(255, Math.max(0, v))),
  ) as [number, number, number];
  return {
    matrix: m,
    width: w - crop.left - crop.right + pad.left + pad.right,
    height: h - crop.top - crop.bottom + pad.top + pad.bottom,
    fill,
    content: { x0: pad.left, y0: pad.top, x1: w - crop.left - crop.right + pad.left, y1: h - crop.top - crop.bottom + pad.top },
    records,
  };
}

/**
 * Resamples `img` through the plan's homography (inverse mapping, bilinear); pixels that fall
 * outside the page take the fill colour, blended at the paper's edge.
 */
export function warp(img: RgbaImage, plan: GeometryPlan): RgbaImage {
  const { width: W, height: H } = plan;
  const sw = img.width;
  const sh = img.height;
  const src = img.data;
  const out = new Uint8Array(W * H * 4);
  const inv = invert(plan.matrix);
  const [fr, fg, fb] = plan.fill;
  const c = plan.content;
  const m = plan.matrix;
  if (m[0] === 1 && m[1] === 0 && m[3] === 0 && m[4] === 1 && m[6] === 0 && m[7] === 0 && m[8] === 1 && Number.isInteger(m[2]) && Number.isInteger(m[5])) {
    return shift(img, plan, m[2], m[5]);
  }
  for (let y = 0; y < H; y++) {
    // Pixel centres: output (x + 0.5, y + 0.5) maps to a continuous source point; subtract 0.5 to index.
    let X = inv[0] * 0.5 + inv[1] * (y + 0.5) + inv[2];
    let Y = inv[3] * 0.5 + inv[4] * (y + 0.5) + inv[5];
    let Z = inv[6] * 0.5 + inv[7] * (y + 0.5) + inv[8];
    let o = y * W * 4;
    for (let x = 0; x < W; x++, X += inv[0], Y += inv[3], Z += inv[6], o += 4) {
      if (x < c.x0 || x >= c.x1 || y < c.y0 || y >= c.y1) {
        out[o] = fr;
        out[o + 1] = fg;
        out[o + 2] = fb;
        out[o + 3] = 255;
        continue;
      }
      const sx = X / Z - 0.5;
      const sy = Y / Z - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const ax = sx - x0;
      const ay = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 < sw - 1 && y0 < sh - 1) {
        // Inside the page (nearly every pixel): the four neighbours without bounds checks.
        const i = (y0 * sw + x0) * 4;
        const j = i + sw * 4;
        const w00 = (1 - ax) * (1 - ay);
        const w01 = ax * (1 - ay);
        const w10 = (1 - ax) * ay;
        const w11 = ax * ay;
        out[o] = w00 * src[i]! + w01 * src[i + 4]! + w10 * src[j]! + w11 * src[j + 4]! + 0.5;
        out[o + 1] = w00 * src[i + 1]! + w01 * src[i + 5]! + w10 * src[j + 1]! + w11 * src[j + 5]! + 0.5;
        out[o + 2] = w00 * src[i + 2]! + w01 * src[i + 6]! + w10 * src[j + 2]! + w11 * src[j + 6]! + 0.5;
        out[o + 3] = 255;
        continue;
      }
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < 4; j++) {
        const xx = x0 + (j & 1);
        const yy = y0 + (j >> 1);
        const wgt = (j & 1 ? ax : 1 - ax) * (j >> 1 ? ay : 1 - ay);
        if (wgt === 0) continue;
        if (xx < 0 || yy < 0 || xx >= sw || yy >= sh) {
          r += wgt * fr;
          g += wgt * fg;
          b += wgt * fb;
        } else {
          const i = (yy * sw + xx) * 4;
          r += wgt * src[i]!;
          g += wgt * src[i + 1]!;
          b += wgt * src[i + 2]!;
        }
      }
      out[o] = r + 0.5;
      out[o + 1] = g + 0.5;
      out[o + 2] = b + 0.5;
      out[o + 3] = 255;
    }
  }
  return { width: W, height: H, data: out };
}

/** Crop and padding alone move the page by whole pixels: copy rows instead of resampling. */
function shift(img: RgbaImage, plan: GeometryPlan, dx: number, dy: number): RgbaImage {
  const { width: W, height: H, content: c } = plan;
  const out = new Uint8Array(W * H * 4);
  // One 32-bit store per pixel: RGBA bytes in little-endian order.
  const [r, g, b] = plan.fill;
  new Uint32Array(out.buffer).fill((r | (g << 8) | (b << 16) | (255 << 24)) >>> 0);
  const x0 = Math.max(c.x0, dx);
  const x1 = Math.min(c.x1, dx + img.width);
  for (let y = Math.max(c.y0, dy); y < Math.min(c.y1, dy + img.height); y++) {
    if (x1 <= x0) break;
    const from = ((y - dy) * img.width + (x0 - dx)) * 4;
    out.set(img.data.subarray(from, from + (x1 - x0) * 4), (y * W + x0) * 4);
  }
  return { width: W, height: H, data: out };
}
