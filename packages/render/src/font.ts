import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';
import { RenderError } from './errors.js';

/** Family name the renderer draws text with. */
export const FONT_FAMILY = 'EcgSans';

let registered = false;

/**
 * Registers DejaVu Sans from the @fontsource package once. A bare Debian machine has no system
 * fonts, and Skia then draws no text at all, so the renderer never relies on fontconfig.
 */
export function ensureFont(): void {
  if (registered) return;
  const require = createRequire(import.meta.url);
  const path = require.resolve('@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff2');
  if (GlobalFonts.registerFromPath(path, FONT_FAMILY) === null) {
    throw new RenderError('RENDER_FONT', `ensureFont: could not load the font file ${path}`);
  }
  registered = true;
}
