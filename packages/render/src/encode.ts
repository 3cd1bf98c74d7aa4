import { extname } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '@ecglab/data';
import { RenderArgumentError, RenderOutputError } from './errors.js';
import type { RgbaImage } from './image.js';
import type { Sidecar } from './sidecar.js';

export type ImageFormat = 'png' | 'jpeg';

export interface EncodeOptions {
  format: ImageFormat;
  /** JPEG quality 1–100 (default 92). Huffman tables are not optimised: 6 % larger, twice as fast. */
  quality?: number;
  /**
   * PNG zlib level 0–9 (default 1): at 200 DPI a clean 3×4 page is 1.2 MB at level 1 and 0.7 MB
   * at level 6, which takes 2.5× as long; writing training sets, speed matters more.
   */
  compressionLevel?: number;
}

/** Format from a file name: .png, or .jpg/.jpeg. */
export function formatOf(path: string): ImageFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  throw new RenderArgumentError(`formatOf: output '${path}' must end in .png, .jpg or .jpeg, got '${ext || '(none)'}'`);
}

/** Encodes RGBA pixels (alpha dropped) to PNG or JPEG bytes with sharp. */
export async function encodeImage(img: RgbaImage, opts: EncodeOptions): Promise<Buffer> {
  const q = opts.quality ?? 92;
  if (!Number.isInteger(q) || q < 1 || q > 100) {
    throw new RenderArgumentError(`encodeImage: option 'quality' must be an integer in [1, 100], got ${JSON.stringify(opts.quality)}`);
  }
  const level = opts.compressionLevel ?? 1;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new RenderArgumentError(`encodeImage: option 'compressionLevel' must be an integer in [0, 9], got ${JSON.stringify(opts.compressionLevel)}`);
  }
  if (img.data.length !== img.width * img.height * 4) {
    throw new RenderArgumentError(`encodeImage: 'img.data' must hold width × height × 4 = ${img.width * img.height * 4} bytes, got ${img.data.length}`);
  }
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } }).removeAlpha();
  try {
    return opts.format === 'png' ? await s.png({ compressionLevel: level }).toBuffer() : await s.jpeg({ quality: q, optimiseCoding: false }).toBuffer();
  } catch (err) {
    throw new RenderOutputError(`encodeImage: sharp could not encode ${opts.format}: ${(err as Error).message}`);
  }
}

/** Sidecar path beside an image: page.png → page.json. */
export function sidecarPath(imagePath: string): string {
  const ext = extname(imagePath);
  return `${imagePath.slice(0, imagePath.length - ext.length)}.json`;
}

/**
 * Writes a page atomically (format from the extension), and its sidecar JSON beside it when
 * `sidecar` is given. The image is renamed into place last, so a present image means a complete page.
 */
export async function writePage(
  path: string,
  page: RgbaImage & { sidecar?: Sidecar },
  opts: { sidecar?: boolean; quality?: number; compressionLevel?: number } = {},
): Promise<{ image: string; sidecar?: string }> {
  const format = formatOf(path);
  const bytes = await encodeImage(page, { format, ...opts });
  let side: string | undefined;
  if (opts.sidecar === true) {
    if (page.sidecar === undefined) throw new RenderArgumentError(`writePage: 'page.sidecar' is missing but option 'sidecar' is true`);
    side = sidecarPath(path);
    await writeFileAtomic(side, Buffer.from(`${JSON.stringify(page.sidecar, null, 1)}\n`, 'utf8'));
  }
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
    const why = (err as Error).message;
    // The atomic writer's errors already name the file; say it once.
    throw new RenderOutputError(`writePage: could not write ${why.startsWith(`${path}: `) ? why : `'${path}': ${why}`}`);
  }
  return side === undefined ? { image: path } : { image: path, sidecar: side };
}
