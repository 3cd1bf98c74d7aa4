import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { encodeImage } from './encode.js';
import { readPageImage } from './image-input.js';
import { renderPage } from './page.js';
import { renderToTensor } from './tensor.js';
import { smoothRecord } from './testing/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'ecglab-image-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const rec = smoothRecord(100, 10);

describe('readPageImage', () => {
  test('a PNG of a rendered page reads back to exactly the planes renderToTensor gave, at the page size and resized', async () => {
    const opts = { dpi: 40, seed: 7, artefacts: { rotation: 0.4, padding: 0.5, noise: 0.3 } };
    const page = await renderPage(rec, opts);
    const file = join(dir, 'page.png');
    writeFileSync(file, await encodeImage(page, { format: 'png' }));
    for (const [w, h, fit] of [[page.width, page.height, 'fill'], [440, 340, 'contain'], [300, 260, 'fill']] as const) {
      const batch = await renderToTensor([rec], { ...opts, seeds: [7], width: w, height: h, fit });
      const img = await readPageImage(file, { width: w, height: h, fit });
      assert.deepEqual(img.shape, [1, h, w]);
      assert.deepEqual(img.data, batch.data, `${w}×${h} ${fit}`);
    }
  });

  test('EXIF orientation is honoured: a page stored sideways with orientation 6 reads as the upright page', async () => {
    const page = await renderPage(rec, { dpi: 40 });
    const upright = join(dir, 'upright.png');
    writeFileSync(upright, await encodeImage(page, { format: 'png' }));
    // Stored rotated a quarter counter-clockwise; orientation 6 tells a viewer to turn it 90° clockwise.
    const sideways = join(dir, 'sideways.jpg');
    const q = { quality: 100, chromaSubsampling: '4:4:4' } as const;
    await sharp(upright).rotate(-90).jpeg(q).withMetadata({ orientation: 6 }).toFile(sideways);
    await sharp(upright).jpeg(q).toFile(join(dir, 'upright.jpg'));
    const a = await readPageImage(sideways, { width: 440, height: 340 });
    const b = await readPageImage(join(dir, 'upright.jpg'), { width: 440, height: 340 });
    assert.equal(a.source.orientation, 6);
    assert.deepEqual([a.source.width, a.source.height], [page.width, page.height]);
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) diff += Math.abs(a.data[i]! - b.data[i]!);
    assert.ok(diff / a.data.length < 0.02, `mean |upright − turned back| ${diff / a.data.length}`);
    // Ignoring the tag would have read a portrait image: letterboxed, mostly white paper where the page should be.
  });

  test('grayscale, 16-bit and transparent PNGs come out as white paper and ink', async () => {
    const w = 400;
    const h = 300;
    const grey = Buffer.alloc(w * h, 255);
    grey.fill(0, 150 * w, 151 * w); // one black row
    const g8 = await sharp(grey, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
    const g16 = await sharp(grey, { raw: { width: w, height: h, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const clear = await sharp({ create: { width: w, height: h, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    for (const [bytes, nm] of [[g8, 'g8'], [g16, 'g16']] as const) {
      const img = await readPageImage(bytes, { width: w, height: h, name: nm });
      assert.equal(img.data[0], 1, nm);
      assert.equal(img.data[150 * w + 5], 0, nm);
    }
    const t = await readPageImage(clear, { width: w, height: h, name: 'clear' });
    assert.ok(t.data.every((v) => v === 1), 'transparent pixels are white paper');
  });

  test('unreadable, missing, tiny and banner-shaped images are errors naming the file', async () => {
    const junk = join(dir, 'junk.png');
    writeFileSync(junk, 'not an image');
    const tiny = join(dir, 'tiny.png');
    await sharp({ create: { width: 120, height: 90, channels: 3, background: '#fff' } }).png().toFile(tiny);
    const banner = join(dir, 'banner.jpg');
    await sharp({ create: { width: 2000, height: 400, channels: 3, background: '#fff' } }).jpeg().toFile(banner);
    const gif = join(dir, 'page.gif');
    await sharp({ create: { width: 400, height: 300, channels: 3, background: '#fff' } }).gif().toFile(gif);
    const o = { width: 440, height: 340 };
    await assert.rejects(readPageImage(junk, o), { code: 'RENDER_IMAGE', message: /junk\.png: not a readable PNG or JPEG image/ });
    await assert.rejects(readPageImage(join(dir, 'absent.png'), o), /absent\.png: cannot read the image file \(ENOENT\)/);
    await assert.rejects(readPageImage(tiny, o), /tiny\.png: 120×90 px is too small for an ECG page; the model reads 440×340, so an image needs at least 170 px/);
    await assert.rejects(readPageImage(banner, o), /banner\.jpg: 2000×400 px \(5\.0:1\) is not shaped like an ECG page/);
    await assert.rejects(readPageImage(gif, o), /page\.gif: expected a PNG or JPEG image, got gif/);
    await assert.rejects(readPageImage(junk, { width: 0, height: 340 }), /option 'width' must be an integer/);
  });
});
