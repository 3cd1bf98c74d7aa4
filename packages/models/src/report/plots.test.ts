// Plots: the PNG decodes (sharp) to the requested size, and the series' colours are on the canvas where their
// points and segments lie (pixels read back), for the robustness curves and the training curves.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { accuracyVsEpsPlot, accuracyVsNstdbPlot, accuracyVsWhiteNoisePlot, readRunLog, SERIES_COLOURS, trainingCurvesPlot, writeTrainingCurves } from './plots.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-plots-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

async function decode(png: Buffer): Promise<{ width: number; height: number; at: (x: number, y: number) => [number, number, number] }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x, y) => { const i = (Math.round(y) * info.width + Math.round(x)) * 3; return [data[i]!, data[i + 1]!, data[i + 2]!]; } };
}

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** True when a pixel within `r` of (x, y) has the colour (within 40 per channel: anti-aliasing). */
function inkNear(img: Awaited<ReturnType<typeof decode>>, x: number, y: number, colour: [number, number, number], r = 2): boolean {
  for (let dx = -r; dx <= r; dx++) {
    for (let dy = -r; dy <= r; dy++) {
      const p = img.at(x + dx, y + dy);
      if (p.every((v, k) => Math.abs(v - colour[k]!) <= 40)) return true;
    }
  }
  return false;
}

const CURVES = [
  { label: 'CE', levels: [0, 0.001, 0.003, 0.01, 0.03], scores: [0.82, 0.7, 0.45, 0.12, 0.02] },
  { label: 'advls ε=0.01', levels: [0, 0.001, 0.003, 0.01, 0.03], scores: [0.8, 0.78, 0.74, 0.6, 0.31] },
];

test('accuracy-vs-ε, white-noise and NSTDB plots: PNG of the requested size with each line drawn through its points', async () => {
  const charts = [
    accuracyVsEpsPlot(CURVES, { attack: 'PGD-100 L∞', metric: 'balanced accuracy' }),
    accuracyVsWhiteNoisePlot(CURVES, { metric: 'balanced accuracy' }),
    accuracyVsNstdbPlot(CURVES.map((c) => ({ ...c, levels: [24, 18, 12, 6, 0] })), { metric: 'macro F1', noise: 'baseline wander' }),
  ];
  for (const chart of charts) {
    const img = await decode(chart.png);
    assert.deepEqual([img.width, img.height], [900, 560]);
    chart.pixels.forEach((pts, s) => {
      const colour = rgb(SERIES_COLOURS[s]!);
      pts.forEach((p, i) => {
        assert.ok(p.x > 0 && p.x < 900 && p.y > 0 && p.y < 560, `point inside the canvas: ${p.x}, ${p.y}`);
        assert.ok(inkNear(img, p.x, p.y, colour), `series ${s} point ${i}: no ${SERIES_COLOURS[s]} ink at (${p.x.toFixed(0)}, ${p.y.toFixed(0)})`);
        if (i > 0) {
          const q = pts[i - 1]!;
          assert.ok(inkNear(img, (p.x + q.x) / 2, (p.y + q.y) / 2, colour), `series ${s}: no line between points ${i - 1} and ${i}`);
        }
      });
    });
    // The plot area is mostly white paper, not a blank or a black canvas.
    assert.deepEqual(img.at(450, 250).map((v) => v > 200), [true, true, true]);
  }
  // NSTDB: SNR falls to the right (24 dB left of 0 dB).
  const nstdb = charts[2]!.pixels[0]!;
  assert.ok(nstdb[0]!.x < nstdb[4]!.x);
  // Accuracy axis is fixed to [0, 1]: a score of 0.82 sits higher (smaller y) than 0.02.
  assert.ok(charts[0]!.pixels[0]![0]!.y < charts[0]!.pixels[0]![4]!.y);
});

test('training curves from log.jsonl: three panels (loss, monitored metric, learning rate), ink in each', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'plots-'));
  const path = join(dir, 'log.jsonl');
  const lines = Array.from({ length: 12 }, (_, e) => JSON.stringify({ epoch: e, trainLoss: 1.4 * Math.exp(-e / 4), valLoss: 1.3 * Math.exp(-e / 5) + 0.1, lr: 1e-3 * Math.cos((Math.PI * e) / 24), val: { cinc2017F1: 0.3 + 0.03 * e }, seconds: 40 }));
  writeFileSync(path, lines.join('\n') + '\n');
  const log = readRunLog(path);
  assert.equal(log.length, 12);
  const { png, metric } = trainingCurvesPlot([{ label: 'ce', log }, { label: 'nsr', log: log.map((e) => ({ ...e, trainLoss: e.trainLoss * 1.2, lr: e.lr / 2, val: { cinc2017F1: e.val!.cinc2017F1! / 2 } })) }]);
  assert.equal(metric, 'cinc2017F1');
  const img = await decode(png);
  assert.deepEqual([img.width, img.height], [1860, 480]);
  for (let panel = 0; panel < 3; panel++) {
    let blue = 0;
    let orange = 0;
    for (let x = panel * 620 + 60; x < panel * 620 + 600; x++) {
      for (let y = 40; y < 400; y++) {
        const p = img.at(x, y);
        if (p.every((v, k) => Math.abs(v - rgb(SERIES_COLOURS[0]!)[k]!) <= 40)) blue++;
        if (p.every((v, k) => Math.abs(v - rgb(SERIES_COLOURS[1]!)[k]!) <= 40)) orange++;
      }
    }
    assert.ok(blue > 200 && orange > 200, `panel ${panel}: ${blue} blue and ${orange} orange pixels`);
  }
  const written = writeTrainingCurves(dir);
  assert.equal(written, join(dir, 'curves.png'));
  assert.deepEqual(await sharp(readFileSync(written)).metadata().then((m) => [m.format, m.width, m.height]), ['png', 1860, 480]);
  writeFileSync(join(dir, 'bad.jsonl'), '{"epoch": 0, "trainLoss": 1, "lr": 0.1}\n{"epoch": 1}\n');
  assert.throws(() => readRunLog(join(dir, 'bad.jsonl')), /bad\.jsonl line 2: needs numeric 'epoch', 'trainLoss' and 'lr'/);
});
