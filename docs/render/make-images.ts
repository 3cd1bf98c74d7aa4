// Remakes the images of docs/render from PTB-XL record 00017 (fixtures/data/ptbxl, CC BY 4.0):
//   node --import tsx docs/render/make-images.ts
// 100 DPI JPEGs (quality 80) keep the folder small; the library's default is 200 DPI.
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@ecglab/data';
import { ARTEFACT_NAMES, encodeImage, readPageRecord, renderPage, type RenderOptions } from '@ecglab/render';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const rec = await readPageRecord(here('../../fixtures/data/ptbxl/records500/00000/00017_hr'));
// ptbxl_database.csv, ecg_id 17: age 56, sex 0 (male); scp_codes AFLT (atrial flutter).
rec.meta = { ...rec.meta, age: 56, sex: 'M' };

const pages: [string, Partial<RenderOptions>][] = [
  ['clean-3x4', {}],
  ['clean-6x2-blue', { layout: '6x2', grid: 'blue' }],
  ['clean-12x1-a4-portrait', { layout: '12x1', page: 'a4', orientation: 'portrait', grid: 'pink' }],
  ['clean-strip-II-50mms-green', { layout: 'strip', leads: ['II'], speed: 50, grid: 'green', gain: 20 }],
  ...ARTEFACT_NAMES.map((name): [string, Partial<RenderOptions>] => [`artefact-${name}`, { artefacts: { [name]: name === 'jpeg' ? 0.9 : 0.7 }, seed: 2 }]),
  ['artefacts-all-0.5', { artefacts: Object.fromEntries(ARTEFACT_NAMES.map((n) => [n, 0.5])), seed: 5 }],
  ['artefacts-photo', { artefacts: { perspective: 0.6, rotation: 0.4, wrinkles: 0.7, creases: 0.5, padding: 0.6, temperature: 0.6, blur: 0.3, noise: 0.2, jpeg: 0.5 }, seed: 11 }],
];

for (const [name, opts] of pages) {
  const page = await renderPage(rec, { dpi: 100, ...opts });
  await writeFileAtomic(here(`./${name}.jpg`), await encodeImage(page, { format: 'jpeg', quality: 80 }));
  process.stdout.write(`${name}.jpg ${page.width}×${page.height}\n`);
}
