import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataError } from '@ecglab/data';
import { renderBatch, renderRecordFile } from './batch.js';
import { writePage } from './encode.js';
import { RenderArgumentError, RenderLayoutError, RenderWorkerError } from './errors.js';
import { renderPage } from './page.js';
import { RenderPool } from './pool.js';
import { renderToTensor } from './tensor.js';
import { smoothRecord } from './testing/signals.js';

const recs = [smoothRecord(), smoothRecord(250, 8, ['I', 'II', 'V1']), smoothRecord(360, 10)];
const same = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('RenderPool', () => {
  const pool = new RenderPool({ size: 2 });
  after(() => pool.close());

  test('renderToTensor in workers gives the same batch as on this thread (pixels, shape, sidecars)', async () => {
    const opts = { dpi: 60, width: 331, height: 256, channels: 3 as const, artefacts: { wrinkles: 0.5, creases: 0.5, rotation: 0.4, noise: 0.3 }, seed: 11 };
    const here = await renderToTensor(recs, opts);
    const out = new Float32Array(here.data.length);
    const there = await pool.renderToTensor(recs, { ...opts, out });
    assert.equal(there.data, out);
    assert.deepEqual(there.shape, here.shape);
    assert.ok(same(there.data, here.data), 'pixels differ');
    assert.deepEqual(there.sidecars, here.sidecars);
  });

  test('renderPage in a worker: same pixels and sidecar', async () => {
    const opts = { dpi: 80, artefacts: { blur: 0.3, jpeg: 0.4, temperature: 0.5 }, seed: 5 };
    const [a, b] = await Promise.all([pool.renderPage(recs[0]!, opts), renderPage(recs[0]!, opts)]);
    assert.equal(a.width, b.width);
    assert.ok(same(a.data, b.data), 'pixels differ');
    assert.deepEqual(a.sidecar, b.sidecar);
  });

  test('errors keep their class and message: checked here, or thrown in a worker', async () => {
    await assert.rejects(pool.renderToTensor(recs, { width: 10 }), (e: Error) => e instanceof RenderArgumentError && /RenderPool.renderToTensor: options 'width' and 'height' must be given together/.test(e.message));
    await assert.rejects(pool.renderPage(recs[0]!, { dpi: 5 }), (e: Error) => e instanceof RenderArgumentError && /option 'dpi' must be a number in \[20, 1200\]/.test(e.message));
    // thrown inside the worker, by layoutPage
    const bad = { layout: 'strip' as const, leads: ['V9'] };
    const here = await renderPage(recs[0]!, bad).catch((e: Error) => e);
    const there = await pool.renderPage(recs[0]!, bad).catch((e: Error) => e);
    assert.ok(here instanceof RenderLayoutError && there instanceof RenderLayoutError);
    assert.equal(there.message, here.message);
    assert.equal(there.code, 'RENDER_LAYOUT');
    // thrown inside the worker by @ecglab/data: a record that is not there keeps the reader's class, message and code
    const missing = join(tmpdir(), 'ecglab-no-such-record');
    const out = join(tmpdir(), 'ecglab-no-such-record.png');
    const read = await renderRecordFile(missing, out, {}, false).catch((e: Error) => e);
    const readThere = await pool.renderRecordFile(missing, out, {}, false).catch((e: Error) => e);
    assert.ok(read instanceof DataError, String(read));
    assert.equal((readThere as Error).constructor, read.constructor);
    assert.equal((readThere as DataError).message, read.message);
    assert.equal((readThere as DataError).code, read.code);
  });

  test('renderBatch with a pool writes the files it writes without one', async () => {
    const dir = fileURLToPath(new URL('../../../fixtures/data/ptbxl/records500/00000', import.meta.url));
    const a = mkdtempSync(join(tmpdir(), 'ecglab-pool-a-'));
    const b = mkdtempSync(join(tmpdir(), 'ecglab-pool-b-'));
    try {
      const opts = { render: { dpi: 40, artefacts: { crop: 0.5, noise: 0.4 }, seed: 3 }, format: 'png' as const, sidecar: true };
      const ra = await renderBatch(dir, a, opts);
      const rb = await renderBatch(dir, b, { ...opts, pool });
      assert.deepEqual(rb, ra);
      assert.ok(ra.rendered >= 2);
      const files = readdirSync(a).sort();
      assert.deepEqual(readdirSync(b).sort(), files);
      for (const f of files) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs`);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  test('renderToFile in a worker writes what writePage writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecglab-pool-f-'));
    try {
      const opts = { dpi: 50, artefacts: { wrinkles: 0.6, creases: 0.6 }, seed: 9 };
      const res = await pool.renderToFile(join(dir, 'a.png'), recs[2]!, opts, { sidecar: true });
      assert.deepEqual(res, { image: join(dir, 'a.png'), sidecar: join(dir, 'a.json') });
      await writePage(join(dir, 'b.png'), await renderPage(recs[2]!, opts), { sidecar: true });
      assert.ok(readFileSync(join(dir, 'a.png')).equals(readFileSync(join(dir, 'b.png'))));
      assert.ok(readFileSync(join(dir, 'a.json')).equals(readFileSync(join(dir, 'b.json'))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a closed pool rejects new work', async () => {
    const p = new RenderPool({ size: 1 });
    await p.close();
    await assert.rejects(p.renderPage(recs[0]!), RenderWorkerError);
    assert.throws(() => new RenderPool({ size: 0 }), /RenderPool: option 'size' must be an integer in \[1, 256\], got 0/);
  });
});
