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

function positiveInt(fn: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 16384) {
    throw new RenderArgumentError(`${fn}: option '${name}' must be an integer in [1, 16384], got ${JSON.stringify(v)}`);
  }
  return v as number;
}

/** renderToTensor's options, checked, with one seed per record. */
export interface TensorPlan {
  n: number;
  channels: 1 | 3;
  width?: number;
  height?: number;
  fit: 'fill' | 'contain';
  render: Partial<RenderOptions>;
  seeds: number[];
  out?: Float32Array;
}

/** Checks renderToTensor's arguments (throwing what it throws) and fixes each page's seed. */
export function planTensor(fn: string, records: EcgRecord[], opts: TensorOptions): TensorPlan {
  if (!Array.isArray(records) || records.length === 0) {
    throw new RenderArgumentError(`${fn}: 'records' must be a non-empty array, got ${Array.isArray(records) ? 'an empty array' : typeof records}`);
  }
  const { channels = 1, width, height, fit = 'fill', seeds, out, ...render } = opts;
  if (fit !== 'fill' && fit !== 'contain') {
    throw new RenderArgumentError(`${fn}: option 'fit' must be 'fill' or 'contain', got ${JSON.stringify(fit)}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new RenderArgumentError(`${fn}: option 'channels' must be 1 or 3, got ${JSON.stringify(channels)}`);
  }
  if ((width === undefined) !== (height === undefined)) {
    throw new RenderArgumentError(`${fn}: options 'width' and 'height' must be given together`);
  }
  if (width !== undefined) positiveInt(fn, 'width', width);
  if (height !== undefined) positiveInt(fn, 'height', height);
  if (seeds !== undefined && (!Array.isArray(seeds) || seeds.length !== records.length)) {
    throw new RenderArgumentError(`${fn}: option 'seeds' must have one seed per record (${records.length}), got ${Array.isArray(seeds) ? seeds.length : typeof seeds}`);
  }
  const base = render.seed ?? 0;
  const all = records.map((_, i) => seeds?.[i] ?? (base + i) >>> 0);
  return { n: records.length, channels, ...(width === undefined ? {} : { width }), ...(height === undefined ? {} : { height }), fit, render, seeds: all, ...(out === undefined ? {} : { out }) };
}

/** Page `i` of a tensor batch: rendered with its seed and resized to the target size. */
export async function tensorPage(record: EcgRecord, i: number, plan: TensorPlan): Promise<RgbaImage & { sidecar: Sidecar }> {
  const { width, height, fit } = plan;
  let page: RgbaImage & { sidecar: Sidecar } = await renderPage(record, { ...plan.render, seed: plan.seeds[i]! });
  if (width !== undefined && height !== undefined && (page.width !== width || page.height !== height)) {
    const small = await resize(page, width, height, fit);
    page = { ...small.img, sidecar: transformSidecar(page.sidecar, small.m, width, height) };
  }
  return page;
}

/**
 * Assembles a batch page by page, in record order: fixes the shape from page 0, allocates or
 * checks `out`, and checks that every later page has page 0's size. `put` writes page i's planes.
 */
export class TensorAssembler {
  #plan: TensorPlan;
  #fn: string;
  data: Float32Array | undefined;
  shape: [number, number, number, number] | undefined;
  readonly sidecars: Sidecar[] = [];
  constructor(fn: string, plan: TensorPlan) {
    this.#fn = fn;
    this.#plan = plan;
    this.data = plan.out;
  }

  /** Offset of page i's planes in `data`, after the shape checks. */
  place(i: number, width: number, height: number, sidecar: Sidecar): number {
    const { n, channels } = this.#plan;
    if (this.shape === undefined) {
      this.shape = [n, channels, height, width];
      const need = this.shape.reduce((a, b) => a * b, 1);
      if (this.data === undefined) this.data = new Float32Array(need);
      else if (this.data.length !== need) {
        throw new RenderArgumentError(`${this.#fn}: option 'out' must have length N·C·H·W = ${need} for shape [${this.shape.join(', ')}], got ${this.data.length}`);
      }
    } else if (width !== this.shape[3] || height !== this.shape[2]) {
      throw new RenderArgumentError(
        `${this.#fn}: record ${i} rendered to ${width}×${height}, record 0 to ${this.shape[3]}×${this.shape[2]}; crop/padding change the size, so set options 'width' and 'height'`,
      );
    }
    this.sidecars.push(sidecar);
    return i * channels * width * height;
  }

  result(): TensorBatch {
    return { data: this.data as Float32Array, shape: this.shape as [number, number, number, number], sidecars: this.sidecars };
  }
}

/**
 * Renders a batch of records straight into a Float32Array [N, C, H, W] for training, without
 * touching disk, on the calling thread. Sidecars follow the resize, so their boxes are in tensor
 * pixels. RenderPool.renderToTensor gives the same batch, drawn in worker threads.
 *
 * @example
 * const { data, shape } = await renderToTensor(records, { dpi: 100, width: 512, height: 384, artefacts: { rotation: 0.3 } });
 */
export async function renderToTensor(records: EcgRecord[], opts: TensorOptions = {}): Promise<TensorBatch> {
  const plan = planTensor('renderToTensor', records, opts);
  const batch = new TensorAssembler('renderToTensor', plan);
  for (let i = 0; i < records.length; i++) {
    const page = await tensorPage(records[i] as EcgRecord, i, plan);
    const offset = batch.place(i, page.width, page.height, page.sidecar);
    rgbaToPlanes(page, plan.channels, batch.data as Float32Array, offset);
  }
  return batch.result();
}
