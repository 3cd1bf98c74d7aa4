// Runs inside the service's render thread: draws a record as a paper page (Skia through @napi-rs/canvas,
// libvips through sharp), so a 100–300 ms drawing never blocks the event loop.
import type { EcgRecord } from '@ecglab/data';
import { encodeImage, renderPage, type RenderOptions } from '@ecglab/render';

/** The record drawn as a page, encoded as PNG or JPEG. */
export async function render(record: EcgRecord, opts: Partial<RenderOptions>, format: 'png' | 'jpeg'): Promise<{ image: Uint8Array; width: number; height: number }> {
  const page = await renderPage(record, opts);
  const buf = await encodeImage(page, { format });
  // A fresh buffer it fills entirely, so it is transferred rather than copied.
  return { image: new Uint8Array(buf), width: page.width, height: page.height };
}
