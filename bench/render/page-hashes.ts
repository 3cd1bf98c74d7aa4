// SHA-256 (first 16 hex digits) of 20 rendered outputs for fixed seeds: clean and artefact pages' RGBA
// pixels, a clean page's PNG bytes, other layouts, a training batch and its sidecars. Run before and after
// a change to the renderer and diff: a seed must keep drawing the same page.
//   node --import tsx bench/render/page-hashes.ts > after.json && diff bench/render/results/page-hashes-990697f.json after.json
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readPageRecord, renderPage, renderToTensor, encodeImage, parseArtefacts } from '@ecglab/render';
const rec = await readPageRecord(fileURLToPath(new URL('../../fixtures/data/ptbxl/records500/00000/00017_hr', import.meta.url)));
const h = (b: ArrayBufferView) => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex').slice(0, 16);
const out: Record<string, string> = {};
const base = { layout: '3x4+II' as const, dpi: 200, grid: 'red' as const };
out['clean'] = h((await renderPage(rec, base)).data);
out['clean.png'] = h(await encodeImage(await renderPage(rec, base), { format: 'png' }));
for (let seed = 0; seed < 3; seed++) {
  out[`wc${seed}`] = h((await renderPage(rec, { ...base, artefacts: { wrinkles: 0.5, creases: 0.5 }, seed })).data);
  out[`wc${seed}.s1`] = h((await renderPage(rec, { ...base, artefacts: { wrinkles: 1, creases: 1 }, seed })).data);
  out[`all${seed}`] = h((await renderPage(rec, { ...base, artefacts: parseArtefacts('all=0.5'), seed })).data);
  out[`wrn${seed}`] = h((await renderPage(rec, { ...base, artefacts: { wrinkles: 0.5, rotation: 0.5, noise: 0.5 }, seed })).data);
}
for (const layout of ['6x2', '12x1', 'strip'] as const) out[layout] = h((await renderPage(rec, { ...base, layout, dpi: 100 })).data);
const t = await renderToTensor([rec, rec, rec], { dpi: 60, width: 662, height: 512, artefacts: parseArtefacts('all=0.5'), seed: 7 });
out['tensor60'] = h(t.data);
out['tensor60.sidecars'] = createHash('sha256').update(JSON.stringify(t.sidecars)).digest('hex').slice(0, 16);
const t3 = await renderToTensor([rec], { dpi: 100, channels: 3, artefacts: { creases: 0.7 }, seed: 3 });
out['tensor100rgb'] = h(t3.data);
console.log(JSON.stringify(out, null, 1));
