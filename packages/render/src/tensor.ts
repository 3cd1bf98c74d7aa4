import sharp from 'sharp';
import { RenderArgumentError } from './errors.js';
import { multiply, scale, translate, type Mat3 } from './homography.js';
import type { RgbaImage } from './image.js';
import type { EcgRecord, RenderOptions } from './options.js';
import { renderPage } from './page.js';
import { transformSidecar, type Sidecar } from './sidecar.js';

export interface TensorOptions extends Partial<RenderOptions> {
  /** 1: grayscale (ITU-R BT.601 luma); 3: RGB planes. Default 1. */
  channels?: 1 | 3;
  /** Target size; pages are resized to it. Default: the page's own size. */
  width?: number;
  height?: number;
  /**
   * How a page meets the target size: `fill` stretches it (default); `contain` keeps its aspect
   * and centres it on white, as letterboxing does.
   */
  fit?: 'fill' | 'contain';
  /** Per-record seeds; default `seed + i`, so every page of a batch differs. */
  seeds?: number[];
  /** Batch buffer to fill, of length N·C·H·W; allocated when absent. */
  out?: Float32Array;
}

export interface TensorBatch {
  /** [N, C, H, W], values in [0, 1], 1 = white paper. */
  data: Float32Array;
  shape: [number, number, number, number];
  sidecars: Sidecar[];
}

/**
 * Resizes to w × h and returns the pixel map from the old image to the new one. The letterbox
 * offsets are computed here, not left to sharp's `contain`, so the sidecar's boxes follow exactly.
 * Also what `readPageImage` fits a scan or photo with, so a file meets a model as its training pages did.
 */
export async function resize(img: RgbaImage, w: number, h: number, fit: 'fill' | 'contain'): Promise<{ img: RgbaImage; m: Mat3 }> {
  let rw = w;
  let rh = h;
  let left = 0;
  let top = 0;
  if (fit === 'contain') {
    const s = Math.min(w / img.width, h / img.height);
    rw = Math.min(w, Math.max(1, Math.round(img.width * s)));
    rh = Math.min(h, Math.max(1, Math.round(img.height * s)));
    left = Math.floor((w - rw) / 2);
    top = Math.floor((h - rh) / 2);
  }
  let pipe = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } }).resize(rw, rh, { fit: 'fill', kernel: 'linear' });
  if (rw !== w || rh !== h) {
    pipe = pipe.extend({ left, top, right: w - rw - left, bottom: h - rh - top, background: { r: 255, g: 255, b: 255, alpha: 1 } });
  }
  const raw = await pipe.raw().toBuffer();
  const m = multiply(translate(left, top), scale(rw / img.width, rh / img.height));
  return { img: { width: w, height: h, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length) }, m };
}

/** Copies RGBA bytes into planes of `out` at `offset`: [C, H, W] floats in [0, 1]. */
export function rgbaToPlanes(img: RgbaImage, channels: 1 | 3, out: Float32Array, offset: number): void {
  const d = img.data;
  const n = img.width * img.height;
  const k = 1 / 255;
  if (channels === 1) {
    for (let p = 0, i = 0; p < n; p++, i += 4) out[offset + p] = (0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!) * k;
    return;
  }
  for (let p = 0, i = 0; p < n; p++, i += 4) {
    out[offset + p] = d[i]! * k;
    out[offset + n + p] = d[i + 1]! * k;
    out[offset + 2 * n + p] = d[i + 2]! * k;
  }
}

function positiveInt(name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 16384) {
    throw new RenderArgumentError(`renderToTensor: option '${name}' must be an integer in [1, 16384], got ${JSON.stringify(v)}`);
  }
  return v as number;
}

/**
 * Renders a batch of records straight into a Float32Array [N, C, H, W] for training, without
 * touching disk. Sidecars follow the resize, so their boxes are in tensor pixels.
 *
 * @example
 * const { data, shape } = await renderToTensor(records, { dpi: 100, width: 512, height: 384, artefacts: { rotation: 0.3 } });
 */
export async function renderToTensor(records: EcgRecord[], opts: TensorOptions = {}): Promise<TensorBatch> {
  if (!Array.isArray(records) || records.length === 0) {
    throw new RenderArgumentError(`renderToTensor: 'records' must be a non-empty array, got ${Array.isArray(records) ? 'an empty array' : typeof records}`);
  }
  const { channels = 1, width, height, fit = 'fill', seeds, out, ...render } = opts;
  if (fit !== 'fill' && fit !== 'contain') {
    throw new RenderArgumentError(`renderToTensor: option 'fit' must be 'fill' or 'contain', got ${JSON.stringify(fit)}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new RenderArgumentError(`renderToTensor: option 'channels' must be 1 or 3, got ${JSON.stringify(channels)}`);
  }
  if ((width === undefined) !== (height === undefined)) {
    throw new RenderArgumentError(`renderToTensor: options 'width' and 'height' must be given together`);
  }
  if (width !== undefined) positiveInt('width', width);
  if (height !== undefined) positiveInt('height', height);
  if (seeds !== undefined && (!Array.isArray(seeds) || seeds.length !== records.length)) {
    throw new RenderArgumentError(`renderToTensor: option 'seeds' must have one seed per record (${records.length}), got ${Array.isArray(seeds) ? seeds.length : typeof seeds}`);
  }
  const base = render.seed ?? 0;
  let data = out;
  let shape: [number, number, number, number] | undefined;
  const sidecars: Sidecar[] = [];
  for (let i = 0; i < records.length; i++) {
    const seed = seeds?.[i] ?? (base + i) >>> 0;
    let page: RgbaImage & { sidecar: Sidecar } = await renderPage(records[i] as EcgRecord, { ...render, seed });
    if (width !== undefined && height !== undefined && (page.width !== width || page.height !== height)) {
      const small = await resize(page, width, height, fit);
      page = { ...small.img, sidecar: transformSidecar(page.sidecar, small.m, width, height) };
    }
    if (shape === undefined) {
      shape = [records.length, channels, page.height, page.width];
      const need = shape.reduce((a, b) => a * b, 1);
      if (data === undefined) data = new Float32Array(need);
      else if (data.length !== need) {
        throw new RenderArgumentError(`renderToTensor: option 'out' must have length N·C·H·W = ${need} for shape [${shape.join(', ')}], got ${data.length}`);
      }
    } else if (page.width !== shape[3] || page.height !== shape[2]) {
      throw new RenderArgumentError(
        `renderToTensor: record ${i} rendered to ${page.width}×${page.height}, record 0 to ${shape[3]}×${shape[2]}; crop/padding change the size, so set options 'width' and 'height'`,
      );
    }
    rgbaToPlanes(page, channels, data as Float32Array, i * channels * page.width * page.height);
    sidecars.push(page.sidecar);
  }
  return { data: data as Float32Array, shape: shape as [number, number, number, number], sidecars };
}
