import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { encodeImage, formatOf, sidecarPath, writePage } from './encode.js';
import { renderPage } from './page.js';
import type { Sidecar } from './sidecar.js';
import { smoothRecord } from './testing/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'ecglab-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const page = await renderPage(smoothRecord(), { dpi: 100, artefacts: { rotation: 0.3 }, seed: 1 });

describe('encode and write', () => {
  test('PNG round-trips the exact pixels; the sidecar JSON sits beside it; no temp files remain', async () => {
    const out = join(dir, 'page.png');
    const res = await writePage(out, page, { sidecar: true });
    assert.deepEqual(res, { image: out, sidecar: join(dir, 'page.json') });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [page.width, page.height, 3]);
    for (let p = 0; p < page.width * page.height; p += 97) {
      for (let c = 0; c < 3; c++) assert.equal(data[p * 3 + c], page.data[p * 4 + c]);
    }
    const side = JSON.parse(readFileSync(res.sidecar!, 'utf8')) as Sidecar;
    assert.equal(side.leads.length, 13);
    assert.deepEqual(side.transform, page.sidecar.transform);
    assert.deepEqual(side.image, { width: page.width, height: page.height });
    assert.equal(side.page.pxPerMm, 100 / 25.4);
    assert.deepEqual(readdirSync(dir).sort(), ['page.json', 'page.png']);
  });

  test('JPEG: decodes to the page within JPEG error; quality is honoured', async () => {
    const hi = await encodeImage(page, { format: 'jpeg', quality: 95 });
    const lo = await encodeImage(page, { format: 'jpeg', quality: 20 });
    assert.ok(lo.length < hi.length);
    const meta = await sharp(hi).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', page.width, page.height]);
    const raw = await sharp(hi).raw().toBuffer();
    let se = 0;
    for (let p = 0; p < page.width * page.height; p++) se += (raw[p * 3 + 1]! - page.data[p * 4 + 1]!) ** 2;
    const psnr = 10 * Math.log10((255 * 255) / (se / (page.width * page.height)));
    assert.ok(psnr > 30, `PSNR ${psnr.toFixed(1)} dB`);
    await writePage(join(dir, 'p.jpg'), page);
    assert.equal((await sharp(join(dir, 'p.jpg')).metadata()).format, 'jpeg');
  });

  test('bad arguments name themselves', async () => {
    assert.throws(() => formatOf('x.gif'), /output 'x.gif' must end in .png, .jpg or .jpeg, got '.gif'/);
    assert.equal(sidecarPath('/a/b.page.jpeg'), '/a/b.page.json');
    await assert.rejects(encodeImage(page, { format: 'jpeg', quality: 0 }), /option 'quality' must be an integer in \[1, 100\], got 0/);
    await assert.rejects(encodeImage({ ...page, data: page.data.subarray(8) }, { format: 'png' }), /'img.data' must hold width × height × 4/);
    await assert.rejects(writePage(join(dir, 'missing', 'p.png'), page), /writePage: could not write/);
  });
});
