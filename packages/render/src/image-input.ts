import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { RenderArgumentError, RenderImageError } from './errors.js';
import type { RgbaImage } from './image.js';
import { resize, rgbaToPlanes } from './tensor.js';

export interface PageImageOptions {
  /** The model's page size: the image is fitted to width × height exactly as renderToTensor fits its pages. */
  width: number;
  height: number;
  /** `fill` stretches, `contain` letterboxes on white (renderToTensor's option of the same name). Default `fill`. */
  fit?: 'fill' | 'contain';
  /** 1: grayscale (BT.601 luma, as renderToTensor); 3: RGB planes. Default 1. */
  channels?: 1 | 3;
  /** Names the image in errors when `input` is bytes (a path names itself). */
  name?: string;
  /**
   * Shorter side, in pixels after EXIF orientation, below which the image is refused as too small to show an
   * ECG at the model's resolution. Default: half the target's shorter side (170 px for 440×340).
   */
  minSide?: number;
  /**
   * Longest allowed ratio of the longer side to the shorter one. Default 3: a printed page is 1.29:1 (letter)
   * or 1.41:1 (A4) and a phone photo of one rarely exceeds 2:1, so a 4:1 banner is not a page.
   */
  maxAspect?: number;
}

/** A decoded page image as the model reads it, and what the file was. */
export interface PageImage {
  /** `[C, H, W]` floats in [0, 1], 1 = white paper: one row of a renderToTensor batch. */
  data: Float32Array;
  shape: [channels: number, height: number, width: number];
  /** The file as decoded: its size after EXIF orientation, its format and its EXIF orientation tag (1 = upright). */
  source: { width: number; height: number; format: string; orientation: number };
}

/**
 * Reads a scan or photo of an ECG printout (PNG or JPEG, any bit depth or colour space) into the tensor layout
 * renderToTensor fills for training: EXIF orientation applied (a phone's portrait shot stored sideways comes
 * upright), transparency flattened on white paper, sRGB, fitted to `width × height` with renderToTensor's own
 * resize (same kernel, same letterbox offsets), then grayscale or RGB planes in [0, 1]. A page written as PNG
 * by renderPage and read here gives exactly the planes renderToTensor gave for it. Unreadable, tiny or
 * banner-shaped images are a RenderImageError naming the file.
 *
 * @example
 * const { data, shape } = await readPageImage('photo.jpg', { width: 440, height: 340, fit: 'contain' }); // [1, 340, 440]
 */
export async function readPageImage(input: string | Uint8Array, opts: PageImageOptions): Promise<PageImage> {
  const { width, height, fit = 'fill', channels = 1 } = opts;
  const name = typeof input === 'string' ? input : (opts.name ?? 'image');
  for (const [k, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 16384) throw new RenderArgumentError(`readPageImage: option '${k}' must be an integer in [1, 16384], got ${JSON.stringify(v)}`);
  }
  if (fit !== 'fill' && fit !== 'contain') throw new RenderArgumentError(`readPageImage: option 'fit' must be 'fill' or 'contain', got ${JSON.stringify(fit)}`);
  if (channels !== 1 && channels !== 3) throw new RenderArgumentError(`readPageImage: option 'channels' must be 1 or 3, got ${JSON.stringify(channels)}`);
  const minSide = opts.minSide ?? Math.ceil(Math.min(width, height) / 2);
  const maxAspect = opts.maxAspect ?? 3;

  let bytes: Uint8Array;
  try {
    bytes = typeof input === 'string' ? await readFile(input) : input;
  } catch (err) {
    throw new RenderImageError(`${name}: cannot read the image file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new RenderImageError(`${name}: not a readable PNG or JPEG image (${(err as Error).message})`);
  }
  if (meta.format !== 'png' && meta.format !== 'jpeg') {
    throw new RenderImageError(`${name}: expected a PNG or JPEG image, got ${meta.format ?? 'an unknown format'}`);
  }
  const orientation = meta.orientation ?? 1;
  // EXIF orientations 5–8 turn the image a quarter: its upright width is the stored height.
  const [w, h] = orientation >= 5 ? [meta.height ?? 0, meta.width ?? 0] : [meta.width ?? 0, meta.height ?? 0];
  if (Math.min(w, h) < minSide) {
    throw new RenderImageError(`${name}: ${w}×${h} px is too small for an ECG page; the model reads ${width}×${height}, so an image needs at least ${minSide} px on its shorter side`);
  }
  if (Math.max(w, h) / Math.min(w, h) > maxAspect) {
    throw new RenderImageError(`${name}: ${w}×${h} px (${(Math.max(w, h) / Math.min(w, h)).toFixed(1)}:1) is not shaped like an ECG page (about 1.3:1); at most ${maxAspect}:1 is accepted`);
  }
  let raw: Buffer;
  try {
    // rotate(): EXIF orientation; flatten: transparency on white paper; srgb + alpha: renderPage's RGBA layout.
    raw = await sharp(bytes, { failOn: 'error' }).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').ensureAlpha(1).raw().toBuffer();
  } catch (err) {
    throw new RenderImageError(`${name}: the image could not be decoded (${(err as Error).message})`);
  }
  let img: RgbaImage = { width: w, height: h, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length) };
  if (img.data.length !== w * h * 4) throw new RenderImageError(`${name}: decoded to ${img.data.length} bytes, expected ${w}×${h}×4`);
  if (w !== width || h !== height) img = (await resize(img, width, height, fit)).img;
  const data = new Float32Array(channels * width * height);
  rgbaToPlanes(img, channels, data, 0);
  return { data, shape: [channels, height, width], source: { width: w, height: h, format: meta.format, orientation } };
}
