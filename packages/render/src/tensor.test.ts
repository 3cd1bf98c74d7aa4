import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderPage } from './page.js';
import { renderToTensor } from './tensor.js';
import { smoothRecord } from './testing/signals.js';

const recs = [smoothRecord(), smoothRecord(250, 8, ['I', 'II', 'V1'])];

describe('renderToTensor', () => {
  test('grayscale [N, 1, H, W] equals the luma of renderPage, 1 = white paper', async () => {
    const { data, shape, sidecars } = await renderToTensor(recs, { dpi: 60, grid: 'red' });
    const page = await renderPage(recs[1]!, { dpi: 60, grid: 'red', seed: 1 });
    assert.deepEqual(shape, [2, 1, page.height, page.width]);
    const n = page.width * page.height;
    for (let p = 0; p < n; p += 13) {
      const want = (0.299 * page.data[p * 4]! + 0.587 * page.data[p * 4 + 1]! + 0.114 * page.data[p * 4 + 2]!) / 255;
      assert.ok(Math.abs(data[n + p]! - want) < 1e-6);
    }
    assert.equal(data[0], 1);
    assert.equal(sidecars[1]!.leads.length, 4);
  });

  test('RGB planes, resize to a target size with sidecar boxes scaled, batch buffer reused', async () => {
    const out = new Float32Array(2 * 3 * 192 * 256);
    const batch = await renderToTensor(recs, { dpi: 100, channels: 3, width: 256, height: 192, out, artefacts: { rotation: 0.5, padding: 0.5 } });
    assert.equal(batch.data, out);
    assert.deepEqual(batch.shape, [2, 3, 192, 256]);
    const big = await renderPage(recs[0]!, { dpi: 100, seed: 0, artefacts: { rotation: 0.5, padding: 0.5 } });
    const sx = 256 / big.width;
    const sy = 192 / big.height;
    const [a, b] = [big.sidecar.leads[4]!, batch.sidecars[0]!.leads[4]!];
    assert.ok(Math.abs(b.box.x0 - a.box.x0 * sx) < 1e-6 && Math.abs(b.box.y1 - a.box.y1 * sy) < 1e-6);
    assert.deepEqual(batch.sidecars[0]!.image, { width: 256, height: 192 });
    // Red grid: the red plane is brighter than the green one on average.
    const plane = 192 * 256;
    let r = 0;
    let g = 0;
    for (let p = 0; p < plane; p++) {
      r += out[p]!;
      g += out[plane + p]!;
    }
    assert.ok(r > g);
    assert.ok(out.every((v) => v >= 0 && v <= 1));
  });

  test("fit 'contain' keeps the page's aspect, centred on white; boxes follow", async () => {
    const { data, shape, sidecars } = await renderToTensor([recs[0]!], { dpi: 50, grid: 'none', width: 300, height: 300, fit: 'contain' });
    assert.deepEqual(shape, [1, 1, 300, 300]);
    // Letter landscape is 279.4 × 215.9 mm: 300 × 232 px, 34 px of white above and below.
    const sc = sidecars[0]!;
    const r6 = (v: number): number => Math.round(v * 1e6) / 1e6;
    assert.deepEqual(sc.transform.map(r6), [300 / 550, 0, 0, 0, 232 / 425, 34, 0, 0, 1].map(r6));
    for (let x = 0; x < 300; x++) assert.equal(data[x], 1);
    const lead = sc.leads[0]!;
    assert.ok(Math.abs(lead.box.y0 - (lead.pageBox.y0 * (232 / 425) + 34)) < 1e-9);
    // The calibration pulse's top, read from the tensor, sits where the transform puts it.
    const k = sc.page.pxPerMm;
    const [cx, cy] = [(sc.page.calibration.x0 + 3 * k) * (300 / 550), (sc.page.rowBaselinesY[0]! - 10 * k) * (232 / 425) + 34];
    let best = 1;
    for (let y = Math.floor(cy) - 1; y <= Math.floor(cy) + 1; y++) best = Math.min(best, data[y * 300 + Math.floor(cx)]!);
    assert.ok(best < 0.85, `ink at the pulse top: ${best}`); // a line under 1 px wide after the downscale
    assert.equal(data[(Math.floor(cy) - 6) * 300 + Math.floor(cx)], 1, 'paper 6 px above the pulse');
  });

  test('each record gets its own seed; errors name the option', async () => {
    const same = [recs[0]!, recs[0]!];
    const { data } = await renderToTensor(same, { dpi: 40, artefacts: { noise: 0.5 } });
    const half = data.length / 2;
    assert.notEqual(data.subarray(0, half).join(), data.subarray(half).join());
    await assert.rejects(renderToTensor([], {}), /'records' must be a non-empty array, got an empty array/);
    await assert.rejects(renderToTensor(same, { dpi: 40, out: new Float32Array(3) }), /option 'out' must have length N·C·H·W/);
    await assert.rejects(renderToTensor(same, { dpi: 40, width: 10 }), /'width' and 'height' must be given together/);
    await assert.rejects(renderToTensor(same, { dpi: 40, artefacts: { crop: 0.5 } }), /crop\/padding change the size, so set options 'width' and 'height'/);
  });
});
