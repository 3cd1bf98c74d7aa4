// The pictures of docs/vizecg: pages exactly as VizECGNet reads them (40 DPI, grayscale, 440×340) for one PTB-XL
// record in each page variant, and where a trained model's image SMAM looked (attentionMap) on test-fold pages.
//
//   ECGLAB_DATA=../shared/data node --import tsx docs/vizecg/make-images.ts [--model runs/vizecg-ptbxl] [--records 00017_lr,...]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fromArray, noGrad, tidy } from '@ecglab/engine';
import { readRecord, type EcgRecord } from '@ecglab/data';
import { renderToTensor } from '@ecglab/render';
import { loadModel, pageOptions, VizECGNet, PAGE_DEFAULTS, type PageConfig, type PageVariant } from '../../packages/models/src/index.js';
import { dataDir } from '@ecglab/data';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};

/** Planes `[1, H, W]` in [0, 1] → an 8-bit grayscale PNG. */
async function grayPng(file: string, data: Float32Array, w: number, h: number): Promise<void> {
  const bytes = Buffer.from(Uint8Array.from(data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
  await sharp(bytes, { raw: { width: w, height: h, channels: 1 } }).png().toFile(file);
}

async function page(rec: EcgRecord, pages: PageConfig, variant: PageVariant): Promise<Float32Array> {
  return (await renderToTensor([rec], pageOptions(pages, variant, rec.id, rec.signals.length))).data;
}

// Sample pages of PTB-XL 00017 (atrial flutter), from the fixtures, in every variant the study uses.
const pages: PageConfig = { ...PAGE_DEFAULTS, layouts: ['3x4+II'] };
const sample = await readRecord(join(root, 'fixtures/data/ptbxl/records100/00000/00017_lr'));
const variants: [string, PageVariant][] = [
  ['train-epoch0', { kind: 'train', seed: 1, epoch: 0 }],
  ['train-epoch1', { kind: 'train', seed: 1, epoch: 1 }],
  ['train-epoch2', { kind: 'train', seed: 1, epoch: 2 }],
  ['eval', { kind: 'eval' }],
  ['strength-0', { kind: 'strength', strength: 0 }],
  ['strength-1', { kind: 'strength', strength: 1 }],
  ['photo-0.5', { kind: 'photo', strength: 0.5 }],
];
for (const [name, v] of variants) await grayPng(join(here, `page-${name}.png`), await page(sample, pages, v), pages.width, pages.height);

// Attention of a trained model on clean test-fold pages: the page in gray, the attention each grid cell received
// (averaged over heads and querying positions) in red, scaled so the most-attended cell is full red.
const model = opt('model', join(root, 'runs/vizecg-ptbxl'));
const { model: net, spec } = loadModel(model);
if (!(net instanceof VizECGNet) || !spec.pages) throw new Error(`${model}: not a VizECGNet model`);
const ids = opt('records', '00038_lr,00063_lr,00065_lr').split(',');
const w = spec.pages.width;
const h = spec.pages.height;
const tiles: Buffer[] = [];
for (const id of ids) {
  const rec = await readRecord(join(dataDir(), `ptbxl/records100/00000/${id}`));
  const data = await page(rec, spec.pages, { kind: 'strength', strength: 0 });
  const { map, grid } = noGrad(() =>
    tidy(() => {
      const r = net.attentionMap(fromArray(data, [1, spec.pages!.channels, h, w]));
      return { map: r.map.toArray() as Float32Array, grid: r.grid };
    }),
  );
  const max = Math.max(...map);
  const cells = Buffer.from(Uint8Array.from(map, (v) => Math.round((255 * v) / max)));
  // Nearest-neighbour upsampling keeps the grid cells visible: each is 32×32 page pixels (PageNet's stride).
  const heat = await sharp(cells, { raw: { width: grid[1], height: grid[0], channels: 1 } }).resize(w, h, { kernel: 'nearest', fit: 'fill' }).raw().toBuffer();
  const rgb = Buffer.alloc(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const g = Math.round(data[p]! * 255);
    const a = heat[p]! / 255;
    rgb[3 * p] = Math.round(g * (1 - 0.6 * a) + 255 * 0.6 * a);
    rgb[3 * p + 1] = Math.round(g * (1 - 0.6 * a));
    rgb[3 * p + 2] = Math.round(g * (1 - 0.6 * a));
  }
  tiles.push(rgb);
  console.log(`${id}: attention grid ${grid.join('×')}, max cell ${max.toFixed(4)} (uniform ${(1 / (grid[0] * grid[1])).toFixed(4)})`);
}
// The tiles side by side.
const sheet = Buffer.alloc(w * tiles.length * h * 3);
tiles.forEach((t, i) => {
  for (let y = 0; y < h; y++) t.copy(sheet, (y * w * tiles.length + i * w) * 3, y * w * 3, (y + 1) * w * 3);
});
await sharp(sheet, { raw: { width: w * tiles.length, height: h, channels: 3 } }).png().toFile(join(here, 'attention.png'));
net.dispose();
