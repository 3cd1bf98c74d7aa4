// VizECGNet's paired data: page choices per epoch and record, pages drawn in worker threads equal to those drawn
// on the calling thread, and the input pipeline's page hook (training pages new each epoch and exactly the same
// when an epoch is run again or resumed; validation pages drawn once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputPipeline, memorySource, readRecord, type EcgRecord } from '@ecglab/data';
import { renderToTensor } from '@ecglab/render';
import { pageExtras } from './page-extras.js';
import { PageRenderer } from './page-renderer.js';
import { checkPageConfig, PAGE_DEFAULTS, PHOTO_ARTEFACTS, pageOptions, validLayouts, type PageConfig } from './pages.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const ptbxl = ['00001', '00002', '00017', '00026'].map((n) => join(root, `fixtures/data/ptbxl/records100/00000/${n}_lr`));

test('page choices: layouts valid for the lead count, photo artefacts never in training, seeded per epoch and record', () => {
  assert.deepEqual(validLayouts(PAGE_DEFAULTS.layouts, 12), ['3x4+II', '6x2', '12x1']);
  assert.deepEqual(validLayouts(PAGE_DEFAULTS.layouts, 1), ['strip']);
  const seen = new Set<string>();
  for (let epoch = 0; epoch < 40; epoch++) {
    const o = pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 1, epoch }, 'rec-a', 12);
    seen.add(o.layout!);
    for (const name of Object.keys(o.artefacts!)) assert.ok(!PHOTO_ARTEFACTS.includes(name as never), `training page uses photo artefact ${name}`);
    for (const s of Object.values(o.artefacts!)) assert.ok(s! > 0 && s! <= 0.5);
    assert.deepEqual(pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 1, epoch }, 'rec-a', 12), o, 'same seed, epoch and record: same page');
    assert.equal(pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 1, epoch }, 'rec-a', 1).layout, 'strip');
  }
  assert.deepEqual([...seen].sort(), ['12x1', '3x4+II', '6x2']);
  const a0 = pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 1, epoch: 0 }, 'rec-a', 12);
  assert.notDeepEqual(pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 1, epoch: 1 }, 'rec-a', 12).seed, a0.seed);
  assert.notDeepEqual(pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 1, epoch: 0 }, 'rec-b', 12).seed, a0.seed);
  const photo = pageOptions(PAGE_DEFAULTS, { kind: 'photo', strength: 0.5 }, 'rec-a', 12);
  assert.deepEqual(photo.artefacts, { perspective: 0.5, jpeg: 0.5, blur: 0.5, wrinkles: 0.5 });
  assert.equal(photo.layout, '3x4+II');
  assert.deepEqual(pageOptions(PAGE_DEFAULTS, { kind: 'strength', strength: 0 }, 'rec-a', 12).artefacts, {});
  assert.equal(Object.keys(pageOptions(PAGE_DEFAULTS, { kind: 'strength', strength: 1 }, 'rec-a', 12).artefacts!).length, 9);
  assert.throws(() => checkPageConfig({ ...PAGE_DEFAULTS, layouts: ['3x4+II'] }, 1), /\/pages\/layouts: none of 3x4\+II can print 1 lead/);
  assert.throws(() => checkPageConfig({ ...PAGE_DEFAULTS, fit: 'cover' as never }, 12), /\/pages\/fit: must be 'fill' or 'contain'/);
});

test('pages drawn in worker threads are the pixels drawn on the calling thread', async () => {
  const rec = await readRecord(ptbxl[2]!);
  const opts = pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 3, epoch: 2 }, rec.id, 12);
  const here = (await renderToTensor([rec], opts)).data;
  const workers = new PageRenderer(2);
  try {
    const [a, b] = await Promise.all([workers.page(rec, opts), workers.page(rec, opts)]);
    assert.deepEqual(a.planes, here);
    assert.deepEqual(b.planes, here);
    assert.ok(a.ms > 0);
    assert.equal(workers.stats.pages, 2);
    await assert.rejects(workers.page({ ...rec, signals: [] }, opts), /page of record .*00017_lr.*signals' must be an array of 1 to 12 leads/);
  } finally {
    await workers.close();
  }
});

test('the page hook: training pages change per epoch and repeat exactly when an epoch is run again from any batch; validation pages are drawn once', async () => {
  const records: EcgRecord[] = await Promise.all(ptbxl.map((p) => readRecord(p)));
  const pages: PageConfig = { ...PAGE_DEFAULTS, dpi: 20, width: 220, height: 170, workers: 1 };
  const renderer = new PageRenderer(1);
  try {
    const train = pageExtras({ pages, renderer, variant: 'train' });
    const pipe = await InputPipeline.create({ source: memorySource(records), batchSize: 2, seed: 5, order: 'shuffle', random: true, extras: train.extras });
    const epoch = async (e: number, from = 0) => {
      const out: { ids: string[]; page: Float32Array; shape: number[] }[] = [];
      for await (const b of pipe.epoch(e, { from })) out.push({ ids: b.ids, page: b.extras.page!.data, shape: b.extras.page!.shape });
      return out;
    };
    const e0 = await epoch(0);
    assert.deepEqual(e0[0]!.shape, [2, 1, 170, 220]);
    assert.deepEqual((await epoch(0, 1))[0], e0[1], 'a resumed epoch draws the same pages');
    const e1 = await epoch(1);
    const byId = (ep: typeof e0, id: string) => {
      const b = ep.find((x) => x.ids.includes(id))!;
      const i = b.ids.indexOf(id);
      return b.page.subarray(i * 170 * 220, (i + 1) * 170 * 220);
    };
    assert.notDeepEqual(byId(e0, records[0]!.id), byId(e1, records[0]!.id), 'a new epoch draws a new page');

    const val = pageExtras({ pages, renderer, variant: { kind: 'eval' } });
    const vpipe = await InputPipeline.create({ source: memorySource(records), batchSize: 3, seed: 0, extras: val.extras });
    const first: Float32Array[] = [];
    for await (const b of vpipe.epoch(0)) first.push(b.extras.page!.data);
    for await (const b of vpipe.epoch(1)) assert.deepEqual(b.extras.page!.data, first.shift());
    assert.deepEqual([val.stats.drawn, val.stats.cached], [4, 4]);
    assert.deepEqual([train.stats.epochs[0]!.drawn, train.stats.epochs[1]!.drawn], [6, 4], 'epoch 0 once whole and once from batch 1, epoch 1 once');
  } finally {
    await renderer.close();
  }
});
