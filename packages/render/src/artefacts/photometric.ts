import type { RgbaImage } from '../image.js';
import type { Rng } from '@ecglab/data';
import { shadeRows } from './shade.js';
import { fieldSums } from './wrinkle-field.js';

/** Params each effect chose, for the sidecar. */
export type Params = Record<string, unknown>;

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Fold lines: a dark shadow on one side of each line and a faint highlight on the other,
 * multiplying the paper and ink alike. 1–4 folds near the halves and thirds of the page.
 */
export function creases(img: RgbaImage, s: number, r: Rng, pxPerMm: number): Params {
  const { width: W, height: H, data } = img;
  const n = 1 + Math.floor(s * 3.999);
  const w = 1.5 * pxPerMm;
  const folds: { vertical: boolean; at: number; angleDeg: number; depth: number }[] = [];
  for (let f = 0; f < n; f++) {
    const vertical = f % 2 === 0 ? r.next() < 0.6 : !folds[f - 1]!.vertical;
    const at = [1 / 3, 1 / 2, 2 / 3][r.int(3)]! + r.uniform(-0.05, 0.05);
    folds.push({ vertical, at, angleDeg: r.uniform(-2, 2), depth: 0.15 + 0.3 * s * r.next() });
  }
  const reach = 4 * w;
  for (const f of folds) {
    const a = (f.angleDeg * Math.PI) / 180;
    // Signed distance to the fold: d = nx·x + ny·y − c, with n the line's unit normal.
    const nx = f.vertical ? Math.cos(a) : -Math.sin(a);
    const ny = f.vertical ? Math.sin(a) : Math.cos(a);
    const c = f.vertical ? f.at * W * nx + (H / 2) * ny : (W / 2) * nx + f.at * H * ny;
    // Only the band |d| ≤ reach changes: solve d(x, y) = ±reach for the span of each row (or column).
    const vertical = Math.abs(nx) >= Math.abs(ny);
    const lines = vertical ? H : W;
    const span = vertical ? W : H;
    const along = vertical ? nx : ny;
    const across = vertical ? ny : nx;
    for (let t = 0; t < lines; t++) {
      const centre = (c - across * t) / along;
      const half = reach / Math.abs(along);
      const from = Math.max(0, Math.floor(centre - half));
      const to = Math.min(span - 1, Math.ceil(centre + half));
      for (let u = from; u <= to; u++) {
        const x = vertical ? u : t;
        const y = vertical ? t : u;
        const d = nx * x + ny * y - c;
        const shade = (d - w / 2) / w;
        const light = (d + w / 2) / w;
        const m = 1 - f.depth * Math.exp(-shade * shade) + 0.35 * f.depth * Math.exp(-light * light);
        const i = (y * W + x) * 4;
        data[i] = clamp(data[i]! * m);
        data[i + 1] = clamp(data[i + 1]! * m);
        data[i + 2] = clamp(data[i + 2]! * m);
      }
    }
  }
  return { folds };
}

/**
 * Crumpled paper under uneven light: a smooth random field of plane waves (wavelengths 6–60 mm)
 * plus a lighting ramp, multiplying brightness. Evaluated every 4 px and interpolated, since the
 * field is smooth at that scale.
 */
export function wrinkles(img: RgbaImage, s: number, r: Rng, pxPerMm: number): Params {
  const { width: W, height: H, data } = img;
  const K = 10;
  const waves = Array.from({ length: K }, () => {
    const lambda = r.uniform(6, 60) * pxPerMm;
    const theta = r.uniform(0, Math.PI);
    const kk = (2 * Math.PI) / lambda;
    return { kx: kk * Math.cos(theta), ky: kk * Math.sin(theta), phase: r.uniform(0, 2 * Math.PI), amp: r.uniform(0.3, 1) };
  });
  const ampSum = waves.reduce((a, w) => a + w.amp, 0);
  const light = { dx: r.uniform(-1, 1), dy: r.uniform(-1, 1) };
  const depth = 0.25 * s;
  const ramp = 0.3 * s;
  const step = 4;
  const gw = Math.ceil(W / step) + 1;
  const gh = Math.ceil(H / step) + 1;
  const field = new Float32Array(gw * gh);
  const norm = Math.abs(light.dx) + Math.abs(light.dy) || 1;
  // f(x, y) = Σ_w amp · cos(kx·x + ky·y + phase) at every grid point, in WebAssembly (wrinkle-field.ts):
  // the same values as this expression in JS, 2.35 M cosines per 200-DPI page.
  const kxX = new Float64Array(K * gw);
  const kyY = new Float64Array(K * gh);
  waves.forEach((w, k) => {
    for (let gx = 0; gx < gw; gx++) kxX[k * gw + gx] = w.kx * (gx * step);
    for (let gy = 0; gy < gh; gy++) kyY[k * gh + gy] = w.ky * (gy * step);
  });
  const sums = fieldSums(kxX, kyY, Float64Array.from(waves, (w) => w.phase), Float64Array.from(waves, (w) => w.amp), gw, gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x = gx * step;
      const y = gy * step;
      const f = sums[gy * gw + gx]!;
      // Ramp in [0, 1] from the lit corner to the far one.
      const t = ((light.dx * (x / W - 0.5) + light.dy * (y / H - 0.5)) / norm + 0.5) * 1;
      field[gy * gw + gx] = (1 + (depth * f) / ampSum) * (1 - ramp * t);
    }
  }
  // Each row's factors, interpolated between grid rows; shadeRows interpolates along the row (a grid point every
  // `step` = 4 pixels, as it expects) and multiplies the pixels.
  shadeRows(data, W, H, gw, (y, row) => {
    const gy = Math.floor(y / step);
    const fy = y / step - gy;
    for (let gx = 0; gx < gw; gx++) row[gx] = field[gy * gw + gx]! * (1 - fy) + field[(gy + 1) * gw + gx]! * fy;
  });
  return { waves: K, depth, ramp, light };
}

/** Warm (t > 0) or cool (t < 0) white balance: red up and blue down, or the reverse. */
export function temperature(img: RgbaImage, s: number, r: Rng): Params {
  const t = s * r.sign();
  const gain = [1 + 0.15 * t, 1 + 0.03 * t, 1 - 0.15 * t];
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) {
    d[i] = clamp(d[i]! * gain[0]!);
    d[i + 1] = clamp(d[i + 1]! * gain[1]!);
    d[i + 2] = clamp(d[i + 2]! * gain[2]!);
  }
  return { t, gain };
}

/** Contrast about mid-grey by `factor` (faded below 1, harsh above) plus a brightness shift. */
export function contrast(img: RgbaImage, s: number, r: Rng): Params {
  const factor = 1 + s * (r.sign() < 0 ? -0.6 : 0.5);
  const shift = s * r.uniform(-20, 20);
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = clamp(Math.round(128 + (v - 128) * factor + shift));
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) {
    d[i] = lut[d[i]!]!;
    d[i + 1] = lut[d[i + 1]!]!;
    d[i + 2] = lut[d[i + 2]!]!;
  }
  return { factor, shift };
}

/** Gaussian blur sigma in pixels: up to 0.35 mm (defocus of a phone photo or a worn scanner). */
export const blurSigmaPx = (s: number, pxPerMm: number): number => s * 0.35 * pxPerMm;

// Byte + noise → byte, for noise in [−512, 512): a lookup instead of a compare-and-clamp per value.
const CLAMP = Uint8Array.from({ length: 1280 }, (_, k) => Math.min(255, Math.max(0, k - 512)));

/**
 * Additive Gaussian noise of sigma up to 20 grey levels, independent per channel, rounded to whole
 * levels. Draws from a table of normals indexed by a fast generator, since one Box–Muller per
 * value is 10× slower.
 */
export function noise(img: RgbaImage, s: number, r: Rng): Params {
  const sigma = s * 20;
  const table = new Int16Array(1 << 16);
  for (let i = 0; i < table.length; i++) table[i] = Math.max(-512, Math.min(511, Math.round(r.gaussian() * sigma)));
  let state = Math.floor(r.next() * 0xffffffff) | 1;
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) {
    // xorshift32: only picks table entries, so its short period is no concern.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    d[i] = CLAMP[d[i]! + table[state & 0xffff]! + 512]!;
    d[i + 1] = CLAMP[d[i + 1]! + table[(state >>> 16) & 0xffff]! + 512]!;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    d[i + 2] = CLAMP[d[i + 2]! + table[state & 0xffff]! + 512]!;
  }
  return { sigma };
}

/** Salt-and-pepper: up to 4 % of pixels set to black or white. */
export function saltPepper(img: RgbaImage, s: number, r: Rng): Params {
  const fraction = s * 0.04;
  const count = Math.round(fraction * img.width * img.height);
  const d = img.data;
  const n = img.width * img.height;
  for (let k = 0; k < count; k++) {
    const i = r.int(n) * 4;
    const v = r.next() < 0.5 ? 0 : 255;
    d[i] = v;
    d[i + 1] = v;
    d[i + 2] = v;
  }
  return { fraction, count };
}
