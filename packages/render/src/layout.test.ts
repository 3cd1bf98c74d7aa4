import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { layoutPage } from './layout.js';
import { checkRecord, resolveOptions, type RenderOptions } from './options.js';
import { renderPageSync } from './page.js';
import { smoothRecord, TWELVE } from './testing/signals.js';

const rec = smoothRecord();
const lay = (o: Partial<RenderOptions>, r = rec) => layoutPage(r, r.signals[0]!.length, resolveOptions('test', o));

describe('layoutPage', () => {
  test('3x4+II: 12 standard leads in their printed places, plus lead II over 10 s', () => {
    const L = lay({});
    assert.equal(L.panels.length, 13);
    assert.deepEqual(
      L.panels.filter((p) => !p.rhythm).map((p) => `${p.label}@${p.row},${p.col}`),
      ['I@0,0', 'II@1,0', 'III@2,0', 'aVR@0,1', 'aVL@1,1', 'aVF@2,1', 'V1@0,2', 'V2@1,2', 'V3@2,2', 'V4@0,3', 'V5@1,3', 'V6@2,3'],
    );
    const strip = L.panels.find((p) => p.rhythm)!;
    assert.deepEqual([strip.label, strip.row, strip.tStart, strip.tEnd, strip.widthMm], ['II', 3, 0, 10, 250]);
    assert.equal(L.columnSeconds, 2.5);
    // Letter landscape, every mm mapped by dpi / 25.4.
    assert.deepEqual([L.widthMm, L.heightMm, L.widthPx, L.heightPx], [279.4, 215.9, 2200, 1700]);
  });

  test('50 mm/s halves the seconds per column on the same page; portrait A4 fits fewer seconds', () => {
    const fast = lay({ speed: 50 });
    assert.equal(fast.columnSeconds, 1.25);
    assert.equal(fast.panels[3]!.tStart, 1.25);
    assert.equal(fast.panels[3]!.sampleStart, 625);
    const a4 = lay({ page: 'a4', orientation: 'portrait' });
    assert.deepEqual([a4.widthMm, a4.heightMm], [210, 297]);
    assert.ok(a4.columnSeconds < 2.5 && a4.columnSeconds >= 1.5);
  });

  test('6x2 and 12x1: consecutive 5 s windows, and 12 rows of 10 s', () => {
    const six = lay({ layout: '6x2' });
    assert.deepEqual(six.panels.map((p) => p.tStart), [0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5]);
    assert.equal(six.rows, 6);
    const twelve = lay({ layout: '12x1' });
    assert.equal(twelve.rows, 12);
    assert.ok(twelve.panels.every((p, i) => p.row === i && p.sampleEnd === 5000));
  });

  test('strip: one lead wraps over consecutive windows; lead choice is checked', () => {
    const long = smoothRecord(300, 30, ['MLII']);
    const L = lay({ layout: 'strip' }, long);
    assert.deepEqual(L.panels.map((p) => [p.tStart, p.sampleStart, p.sampleEnd]), [
      [0, 0, 3000],
      [10, 3000, 6000],
      [20, 6000, 9000],
    ]);
    assert.equal(lay({ layout: 'strip', leads: ['V2'] }).panels[0]!.label, 'V2');
    assert.throws(() => lay({ layout: 'strip', leads: ['V9'] }), /option 'leads' names 'V9'/);
  });

  test('fewer or non-standard leads fill the empty places; rhythm falls back to lead 0', () => {
    const two = { ...smoothRecord(500, 10, ['V1', 'ECG2']) };
    const L = lay({}, two);
    assert.deepEqual(L.panels.map((p) => `${p.lead}@${p.row},${p.col}${p.rhythm ? 'R' : ''}`), ['ECG2@0,0', 'V1@0,2', 'V1@3,0R']);
    const short = smoothRecord(500, 3);
    const s = lay({}, short);
    // 3 s of record: columns past 3 s have no samples, and the strip stops at sample 1500.
    assert.deepEqual(s.panels.filter((p) => p.label === 'V4').map((p) => [p.sampleStart, p.sampleEnd]), [[1500, 1500]]);
    assert.equal(s.panels.find((p) => p.rhythm)!.sampleEnd, 1500);
  });

  test('header and labels put ink on the page (the bundled font renders without system fonts)', () => {
    const inked = (header: boolean, labels: boolean): number => {
      const p = renderPageSync(rec, { dpi: 100, grid: 'none', header, labels });
      const k = p.sidecar.page.pxPerMm;
      let n = 0;
      // The header band: above the grid, where nothing else is drawn.
      for (let y = 0; y < Math.floor(p.sidecar.page.grid.y0 - k); y++) {
        for (let x = 0; x < p.width; x++) if (p.data[(y * p.width + x) * 4]! < 128) n++;
      }
      return n;
    };
    assert.equal(inked(false, false), 0);
    assert.ok(inked(true, false) > 500, 'header text is drawn');
    const off = renderPageSync(rec, { dpi: 100, grid: 'none', header: false, labels: false });
    const on = renderPageSync(rec, { dpi: 100, grid: 'none', header: false, labels: true });
    let diff = 0;
    for (let i = 0; i < on.data.length; i += 4) if (on.data[i] !== off.data[i]) diff++;
    assert.ok(diff > 500, `labels change ${diff} pixels`);
  });

  test('options and records are checked with messages that name the argument', () => {
    assert.throws(() => resolveOptions('renderPage', { speed: 30 as 25 }), /renderPage: option 'speed' must be one of 25, 50, got 30/);
    assert.throws(() => resolveOptions('renderPage', { dpi: 5 }), /option 'dpi' must be a number in \[20, 1200\], got 5/);
    assert.throws(() => resolveOptions('renderPage', { artefacts: { blur: 1.5 } }), /artefact 'blur' strength must be a number in \[0, 1\], got 1.5/);
    assert.throws(() => checkRecord('renderPage', { ...rec, fs: 0 }), /'record.fs' must be a positive number of Hz, got 0/);
    assert.throws(() => checkRecord('renderPage', { ...rec, leadNames: ['I'] }), /'record.leadNames' must have one name per lead \(12\), got 1/);
    const ragged = { ...rec, signals: [...rec.signals.slice(0, 11), new Float32Array(10)] };
    assert.throws(() => renderPageSync(ragged), /lead 0 has 5000 samples, lead 11 \(V6\) has 10/);
    assert.throws(() => renderPageSync({ ...rec, signals: [] , leadNames: [] }), /must be an array of 1 to 12 leads, got 0 leads/);
    assert.throws(() => renderPageSync(rec, { artefacts: { jpeg: 0.5 } }), /artefact 'jpeg' runs in the async part/);
    assert.equal(TWELVE.length, 12);
  });
});
