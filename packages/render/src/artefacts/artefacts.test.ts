// Each artefact: deterministic for a seed, and changes pixels the way it says it does. Geometric
// ones must carry the sidecar's boxes along.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { apply } from '../homography.js';
import type { RgbaImage } from '../image.js';
import type { RenderOptions } from '../options.js';
import { renderPage, type RenderedPage } from '../page.js';
import { readPtbxl } from '../testing/ptbxl.js';
import { ARTEFACT_NAMES, parseArtefacts, type ArtefactName } from './names.js';

const record = readPtbxl(fileURLToPath(new URL('../../../../fixtures/data/ptbxl/records500/00000/00017_hr', import.meta.url)));
const BASE: Partial<RenderOptions> = { dpi: 100, grid: 'red', seed: 7 };
const render = (a: Partial<Record<ArtefactName, number>>, seed = 7): Promise<RenderedPage> =>
  renderPage(record, { ...BASE, seed, artefacts: a });
const clean = await render({});

// Buffer.equals: assert.deepEqual on megapixel arrays prints minutes of diff when it fails.
const same = (a: RgbaImage, b: RgbaImage): boolean =>
  a.width === b.width && a.height === b.height && Buffer.from(a.data.buffer, a.data.byteOffset, a.data.length).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.length));
const px = (img: RgbaImage, x: number, y: number, c = 0): number => img.data[(y * img.width + x) * 4 + c]!;
const isInk = (img: RgbaImage, x: number, y: number): boolean =>
  x >= 0 && y >= 0 && x < img.width && y < img.height && px(img, x, y) < 100;
const params = (p: RenderedPage, name: string): Record<string, unknown> => {
  const a = p.sidecar.artefacts.find((r) => r.name === name);
  assert.ok(a, `sidecar lists artefact '${name}'`);
  return a.params;
};

/** Fraction of the clean page's ink pixels that land on ink (within 1 px) after the page's transform. */
function inkFollows(page: RenderedPage): number {
  let hit = 0;
  let n = 0;
  for (let y = 0; y < clean.height; y += 2) {
    for (let x = 0; x < clean.width; x += 2) {
      if (!isInk(clean, x, y)) continue;
      const [u, v] = apply(page.sidecar.transform, x + 0.5, y + 0.5);
      if (u < 2 || v < 2 || u > page.width - 2 || v > page.height - 2) continue;
      n++;
      let found = false;
      for (let dy = -1; dy <= 1 && !found; dy++) {
        for (let dx = -1; dx <= 1 && !found; dx++) found = px(page, Math.floor(u) + dx, Math.floor(v) + dy) < 160;
      }
      if (found) hit++;
    }
  }
  assert.ok(n > 1000, `only ${n} ink pixels checked`);
  return hit / n;
}

function psnr(a: RgbaImage, b: RgbaImage): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) if ((i & 3) !== 3) se += (a.data[i]! - b.data[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / ((a.data.length / 4) * 3)));
}

describe('artefacts', () => {
  for (const name of ARTEFACT_NAMES) {
    test(`${name}: same seed gives the same pixels; strength 0 changes nothing`, async () => {
      const a = await render({ [name]: 0.6 });
      const b = await render({ [name]: 0.6 });
      assert.ok(same(a, b), `${name}: same seed, different pixels`);
      assert.ok(!same(a, clean), `${name} at 0.6 must change pixels`);
      assert.ok(same(await render({ [name]: 0 }), clean), `${name} at 0 must change nothing`);
      if (name !== 'blur' && name !== 'jpeg') {
        const c = await render({ [name]: 0.6 }, 8);
        assert.ok(!same(a, c), `${name}: seed 8 must differ from seed 7`);
      }
    });
  }

  test('rotation: ink moves to its rotated position and the lead boxes turn with it', async () => {
    const page = await render({ rotation: 0.6 });
    const { angleDeg } = params(page, 'rotation') as { angleDeg: number };
    assert.equal(Math.abs(angleDeg), 6);
    assert.equal([page.width, page.height].join(), [clean.width, clean.height].join());
    assert.ok(inkFollows(page) > 0.97);
    const [cx, cy] = [clean.width / 2, clean.height / 2];
    const r = (angleDeg * Math.PI) / 180;
    for (const lead of page.sidecar.leads) {
      const { x0, y0 } = lead.pageBox;
      const want = [cx + (x0 - cx) * Math.cos(r) - (y0 - cy) * Math.sin(r), cy + (x0 - cx) * Math.sin(r) + (y0 - cy) * Math.cos(r)];
      assert.ok(Math.hypot(lead.quad[0][0] - want[0]!, lead.quad[0][1] - want[1]!) < 1e-6, `${lead.lead}: top-left corner`);
      assert.ok(lead.box.x0 <= Math.min(...lead.quad.map((q) => q[0])) + 1e-9);
    }
    // A point of ink read off the image: the calibration pulse's top-left corner of row 0.
    const cal = clean.sidecar.page.calibration;
    const k = clean.sidecar.page.pxPerMm;
    const corner = [cal.x0 + 2 * k, clean.sidecar.page.rowBaselinesY[0]! - 10 * k];
    const [u, v] = apply(page.sidecar.transform, corner[0]!, corner[1]!);
    // The corner of a ~1 px line, resampled after rotation: ink within a pixel of where the homography says.
    const near = [-1, 0, 1].flatMap((dx) => [-1, 0, 1].map((dy) => isInk(page, Math.floor(u) + dx, Math.floor(v) + dy)));
    assert.ok(near.some(Boolean), `no ink within 1 px of (${u.toFixed(1)}, ${v.toFixed(1)}) at ${angleDeg}°`);
  });

  test('perspective: page corners go where the sidecar says, ink follows', async () => {
    const page = await render({ perspective: 0.8 });
    const { corners } = params(page, 'perspective') as { corners: [number, number][] };
    const src = [
      [0, 0],
      [clean.width, 0],
      [clean.width, clean.height],
      [0, clean.height],
    ];
    src.forEach(([x, y], i) => {
      const [u, v] = apply(page.sidecar.transform, x!, y!);
      assert.ok(Math.hypot(u - corners[i]![0], v - corners[i]![1]) < 1e-6);
    });
    assert.ok(inkFollows(page) > 0.95);
    // Outside the paper: the fill colour (the top-left corner moved inward).
    const { fill } = params(page, 'perspective') as { fill: number[] };
    if (corners[0]![0] > 3 && corners[0]![1] > 3) assert.equal(px(page, 0, 0), fill[0]);
  });

  test('crop and padding: the image is the page shifted by whole pixels, boxes shift too', async () => {
    const page = await render({ crop: 0.7, padding: 0.7 });
    const crop = params(page, 'crop') as Record<'left' | 'top' | 'right' | 'bottom', number>;
    const pad = params(page, 'padding') as Record<'left' | 'top' | 'right' | 'bottom', number> & { fill: number[] };
    assert.equal(page.width, clean.width - crop.left - crop.right + pad.left + pad.right);
    assert.equal(page.height, clean.height - crop.top - crop.bottom + pad.top + pad.bottom);
    const dx = pad.left - crop.left;
    const dy = pad.top - crop.top;
    for (let y = crop.top; y < clean.height - crop.bottom; y += 7) {
      for (let x = crop.left; x < clean.width - crop.right; x += 7) {
        assert.equal(px(page, x + dx, y + dy, 1), px(clean, x, y, 1), `pixel (${x}, ${y})`);
      }
    }
    if (pad.left > 0) assert.deepEqual([0, 1, 2].map((c) => px(page, 0, Math.floor(page.height / 2), c)), pad.fill);
    const l0 = page.sidecar.leads[0]!;
    assert.ok(Math.abs(l0.box.x0 - (l0.pageBox.x0 + dx)) < 1e-9 && Math.abs(l0.box.y1 - (l0.pageBox.y1 + dy)) < 1e-9);
  });

  test('creases: darken along each fold and leave the rest of the page alone', async () => {
    const page = await render({ creases: 0.3 });
    const { folds } = params(page, 'creases') as { folds: { vertical: boolean; at: number }[] };
    assert.equal(folds.length, 2);
    const k = clean.sidecar.page.pxPerMm;
    const f = folds[0]!;
    // On the fold's shadow side (about 0.75 mm past it) the paper is darker; 10 mm away it is untouched.
    const line = f.vertical ? f.at * clean.width : f.at * clean.height;
    let darker = 0;
    let same = 0;
    for (let t = 50; t < (f.vertical ? clean.height : clean.width) - 50; t += 10) {
      const at = (d: number): [number, number] => (f.vertical ? [Math.round(line + d), t] : [t, Math.round(line + d)]);
      const [sx, sy] = at(0.75 * k);
      if (px(page, sx, sy, 1) < px(clean, sx, sy, 1)) darker++;
      const [fx, fy] = at(-10 * k);
      const other = folds[1]!;
      const near = other.vertical ? Math.abs(fx - other.at * clean.width) < 8 * k : Math.abs(fy - other.at * clean.height) < 8 * k;
      if (!near && px(page, fx, fy, 1) === px(clean, fx, fy, 1)) same++;
    }
    assert.ok(darker > 20, `darker on the fold at ${darker} points`);
    assert.ok(same > 15, `unchanged away from the fold at ${same} points`);
  });

  test('wrinkles: smooth shading of the paper; ink stays where it was', async () => {
    const page = await render({ wrinkles: 1 });
    let lo = 255;
    let hi = 0;
    let inkKept = 0;
    let inkN = 0;
    for (let i = 0; i < clean.data.length; i += 4 * 3) {
      const x = (i / 4) % clean.width;
      const y = Math.floor(i / 4 / clean.width);
      if (isInk(clean, x, y)) {
        inkN++;
        if (page.data[i]! < 120) inkKept++;
      } else if (clean.data[i] === 255 && clean.data[i + 1] === 255) {
        lo = Math.min(lo, page.data[i + 1]!);
        hi = Math.max(hi, page.data[i + 1]!);
      }
    }
    assert.ok(hi - lo > 40, `paper shading spans ${lo}..${hi}`);
    assert.ok(inkKept / inkN > 0.97);
  });

  test('temperature and contrast: white paper takes the recorded gains', async () => {
    const warm = await render({ temperature: 1 });
    const { gain } = params(warm, 'temperature') as { gain: number[] };
    const [x, y] = [5, 5];
    assert.equal(px(clean, x, y), 255);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(px(warm, x, y, c) - Math.min(255, 255 * gain[c]!)) <= 1);
    const faded = await render({ contrast: 1 });
    const { factor, shift } = params(faded, 'contrast') as { factor: number; shift: number };
    assert.ok(Math.abs(px(faded, x, y) - Math.min(255, Math.max(0, 128 + 127 * factor + shift))) <= 1);
  });

  test('blur: ink spreads over more pixels, its total darkness is kept', async () => {
    // Without the grid: rounding its faint, regular lines back to bytes shifts their darkness by ~2 %.
    const sharp = await renderPage(record, { ...BASE, grid: 'none' });
    const page = await renderPage(record, { ...BASE, grid: 'none', artefacts: { blur: 1 } });
    const mass = (img: RgbaImage): [number, number] => {
      let m = 0;
      let n = 0;
      for (let i = 0; i < img.data.length; i += 4) {
        m += 255 - img.data[i]!;
        if (img.data[i]! < 200) n++;
      }
      return [m, n];
    };
    const [m0, n0] = mass(sharp);
    const [m1, n1] = mass(page);
    assert.ok(Math.abs(m1 / m0 - 1) < 0.005, `darkness ${m0} → ${m1}`);
    assert.ok(n1 > n0 * 1.2, `inked pixels ${n0} → ${n1}`);
  });

  test('noise: white paper gets Gaussian noise of the recorded sigma (clipped at 255)', async () => {
    const page = await render({ noise: 0.5 });
    const { sigma } = params(page, 'noise') as { sigma: number };
    let se = 0;
    let n = 0;
    for (let i = 0; i < clean.data.length; i += 4) {
      if (clean.data[i] !== 255 || clean.data[i + 1] !== 255) continue;
      se += (page.data[i + 1]! - 255) ** 2;
      n++;
    }
    // Only the negative half survives clipping: E[min(e, 0)²] = sigma² / 2.
    const rms = Math.sqrt(se / n);
    assert.ok(Math.abs(rms / (sigma / Math.SQRT2) - 1) < 0.1, `rms ${rms.toFixed(2)}, sigma ${sigma}`);
  });

  test('salt and pepper: about the recorded number of pixels turn black or white', async () => {
    const page = await render({ saltpepper: 0.5 });
    const { count } = params(page, 'saltpepper') as { count: number };
    let changed = 0;
    for (let i = 0; i < clean.data.length; i += 4) {
      if (page.data[i] !== clean.data[i] || page.data[i + 1] !== clean.data[i + 1]) {
        assert.ok(page.data[i] === 0 || page.data[i] === 255);
        changed++;
      }
    }
    // Some land on pixels already white (paper), so fewer change than were drawn.
    assert.ok(changed > count * 0.4 && changed <= count, `${changed} changed of ${count}`);
  });

  test('jpeg: lower quality, larger error', async () => {
    const mild = await render({ jpeg: 0.2 });
    const harsh = await render({ jpeg: 1 });
    assert.equal((params(harsh, 'jpeg') as { quality: number }).quality, 10);
    const [p1, p2] = [psnr(clean, mild), psnr(clean, harsh)];
    assert.ok(p1 > p2 + 3 && p2 > 15 && p1 < 60, `PSNR ${p1.toFixed(1)} / ${p2.toFixed(1)} dB`);
  });

  test('thickness: the trace covers proportionally more pixels', async () => {
    const page = await render({ thickness: 1 });
    const { multiplier } = params(page, 'thickness') as { multiplier: number };
    const count = (img: RgbaImage): number => {
      let n = 0;
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i]! < 100) n++;
      return n;
    };
    const ratio = count(page) / count(clean);
    assert.ok(multiplier >= 2 && multiplier <= 3);
    assert.ok(ratio > 0.6 * multiplier && ratio < 1.3 * multiplier, `ink ratio ${ratio.toFixed(2)} for width × ${multiplier.toFixed(2)}`);
  });

  test('all artefacts together: boxes still enclose their lead', async () => {
    const page = await render(parseArtefacts('all=0.5'));
    assert.equal(page.sidecar.artefacts.length, ARTEFACT_NAMES.length);
    for (const l of page.sidecar.leads) {
      for (const [x, y] of l.quad) {
        assert.ok(x >= l.box.x0 - 1e-9 && x <= l.box.x1 + 1e-9 && y >= l.box.y0 - 1e-9 && y <= l.box.y1 + 1e-9);
      }
    }
  });

  test('parseArtefacts: names, defaults and errors', () => {
    assert.deepEqual(parseArtefacts('rotation=0.5, salt-and-pepper=0.1,blur'), { rotation: 0.5, saltpepper: 0.1, blur: 1 });
    assert.throws(() => parseArtefacts('wobble=0.2'), /unknown artefact 'wobble'/);
    assert.throws(() => parseArtefacts('noise=2'), /strength of 'noise' must be a number in \[0, 1\], got '2'/);
  });
});
