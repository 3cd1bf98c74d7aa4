// Geometry read back from pixels: traces, calibration pulse and time axis must sit exactly where
// px = mm × dpi / 25.4 puts them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderPage } from './page.js';
import type { EcgRecord, RenderOptions } from './options.js';
import { readPtbxl } from './testing/ptbxl.js';
import { inkCentroid, interp, traceColumns } from './testing/readback.js';
import { lowpass, smoothRecord } from './testing/signals.js';
import type { RenderedPage } from './page.js';
import type { LeadBox } from './sidecar.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/data/ptbxl/records500/00000/', import.meta.url));
const record = readPtbxl(`${FIXTURES}00017_hr`);

/**
 * Reads each plotted pixel column back as mV and pairs it with a reference from the signal:
 * `point` = the signal at the column's centre; `midrange` = halfway between the extremes of the
 * drawn polyline within the column, which is what the centroid of a pen line in one column
 * measures when the line crosses a peak or a steep edge inside it.
 */
function recover(page: RenderedPage, rec: EcgRecord, lead: LeadBox, ref: 'point' | 'midrange'): { got: number[]; want: number[] } {
  const { pxPerMv, pxPerS } = page.sidecar.page;
  const ys = traceColumns(page, lead.pageBox, lead.baselineY);
  const x0 = Math.ceil(lead.pageBox.x0);
  const got: number[] = [];
  const want: number[] = [];
  const sig = rec.signals[lead.channel] as Float32Array;
  const at = (x: number): number => (lead.tStart + (x - lead.x0) / pxPerS) * rec.fs;
  // Skip 3 px at each end: the round line cap and the neighbouring column's last sample.
  for (let j = 3; j < ys.length - 3; j++) {
    const ia = at(x0 + j);
    const ib = at(x0 + j + 1);
    if (ia < lead.sampleStart || ib > lead.sampleEnd - 1 || Number.isNaN(ys[j]!)) continue;
    got.push((lead.baselineY - ys[j]!) / pxPerMv);
    if (ref === 'point') {
      want.push(interp(sig, (ia + ib) / 2));
    } else {
      let lo = Math.min(interp(sig, ia), interp(sig, ib));
      let hi = Math.max(interp(sig, ia), interp(sig, ib));
      for (let i = Math.ceil(ia); i < ib; i++) {
        lo = Math.min(lo, sig[i]!);
        hi = Math.max(hi, sig[i]!);
      }
      want.push((lo + hi) / 2);
    }
  }
  return { got, want };
}

/** 10·log10(signal variance / error power) in dB. */
function snrDb(got: number[], want: number[]): number {
  const mean = want.reduce((a, b) => a + b, 0) / want.length;
  let sig = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    sig += (want[i]! - mean) ** 2;
    err += (got[i]! - want[i]!) ** 2;
  }
  return 10 * Math.log10(sig / err);
}

function checkAllLeads(page: RenderedPage, rec: EcgRecord, ref: 'point' | 'midrange', minDb: number): number[] {
  assert.equal(page.sidecar.leads.length, 13);
  return page.sidecar.leads.map((lead) => {
    const { got, want } = recover(page, rec, lead, ref);
    // Every plotted column except the trimmed ends must be read back.
    const cols = ((lead.sampleEnd - lead.sampleStart) / rec.fs) * page.sidecar.page.pxPerS;
    assert.ok(got.length > cols - 10, `${lead.lead} col ${lead.col}: read ${got.length} of ${cols.toFixed(0)} columns`);
    const snr = snrDb(got, want);
    assert.ok(snr > minDb, `${lead.lead} (row ${lead.row}, col ${lead.col}): SNR ${snr.toFixed(1)} dB, want > ${minDb}`);
    return snr;
  });
}

const CLEAN: Partial<RenderOptions> = { grid: 'none', labels: false, separators: false, header: false, dpi: 200 };

describe('geometry read back from pixels (PTB-XL 00017, 3x4+II, 200 DPI)', () => {
  for (const grid of ['none', 'red'] as const) {
    test(`smooth 12-lead signals read back at > 35 dB in every lead (grid ${grid})`, async () => {
      const rec = smoothRecord();
      checkAllLeads(await renderPage(rec, { ...CLEAN, grid }), rec, 'point', 35);
    });
  }

  for (const id of ['00017', '00500']) {
    test(`PTB-XL ${id} through a 40 Hz display filter reads back at > 20 dB in every lead`, async () => {
      const raw = readPtbxl(`${FIXTURES}${id}_hr`);
      const rec = { ...raw, signals: raw.signals.map((s) => lowpass(s, 40, raw.fs)) };
      checkAllLeads(await renderPage(rec, { ...CLEAN, grid: 'red' }), rec, 'midrange', 20);
    });
  }

  for (const [speed, gain, dpi] of [
    [25, 10, 200],
    [50, 20, 150],
    [25, 5, 300],
  ] as const) {
    test(`calibration pulse is ${gain} mm tall and 0.2 s wide at ${speed} mm/s, ${dpi} DPI`, async () => {
      const page = await renderPage(record, { ...CLEAN, speed, gain, dpi });
      const k = dpi / 25.4;
      const cal = page.sidecar.page.calibration;
      for (const base of page.sidecar.page.rowBaselinesY) {
        // Baseline level: the 2 mm lead-in; top level: the middle of the 0.2 s plateau.
        const lead = inkCentroid(page, cal.x0 + 0.3 * k, cal.x0 + 1.6 * k, base - 2 * k, base + 2 * k);
        const mid = cal.x0 + (2 + 0.1 * speed) * k;
        const top = inkCentroid(page, mid - 0.05 * speed * k, mid + 0.05 * speed * k, base - (gain + 2) * k, base - (gain - 2) * k);
        assert.ok(Math.abs(lead.y - base) < 0.5, `baseline at ${lead.y}, expected ${base}`);
        assert.ok(Math.abs(lead.y - top.y - gain * k) <= 1, `pulse height ${(lead.y - top.y).toFixed(2)} px, expected ${(gain * k).toFixed(2)} ± 1`);
        // Width: the two vertical edges, read halfway up the pulse.
        const y = base - (gain / 2) * k;
        const up = inkCentroid(page, cal.x0 + 1 * k, cal.x0 + 3 * k, y - 1, y + 1);
        const down = inkCentroid(page, mid + 0.05 * speed * k, mid + (0.1 * speed + 1) * k, y - 1, y + 1);
        assert.ok(Math.abs(down.x - up.x - 0.2 * speed * k) <= 1, `pulse width ${(down.x - up.x).toFixed(2)} px, expected ${(0.2 * speed * k).toFixed(2)}`);
      }
    });
  }

  test('1 s is 25 mm: R peaks of the rhythm strip sit at x0 + t·25 mm·dpi/25.4', async () => {
    const page = await renderPage(record, CLEAN);
    const strip = page.sidecar.leads.find((l) => l.rhythm)!;
    assert.equal(strip.lead, 'II');
    assert.deepEqual([strip.tStart, strip.tEnd, strip.sampleStart, strip.sampleEnd], [0, 10, 0, 5000]);
    const pxPerS = 25 * (200 / 25.4);
    assert.equal(page.sidecar.page.pxPerS, pxPerS);
    const ys = traceColumns(page, strip.pageBox, strip.baselineY);
    const x0 = Math.ceil(strip.pageBox.x0);
    const sig = record.signals[strip.channel] as Float32Array;
    // R peaks: samples that are the maximum of ±0.3 s and above 60 % of the record's maximum.
    const max = Math.max(...sig);
    const peaks: number[] = [];
    for (let i = 150; i < sig.length - 150; i++) {
      let isMax = sig[i]! > 0.6 * max;
      for (let j = i - 150; isMax && j <= i + 150; j++) if (sig[j]! > sig[i]!) isMax = false;
      if (isMax) peaks.push(i);
    }
    assert.ok(peaks.length >= 8, `found ${peaks.length} R peaks`);
    const xs = peaks.map((i) => {
      const expect = strip.x0 + (i / record.fs) * pxPerS;
      let best = -1;
      for (let x = Math.floor(expect) - 6; x <= Math.ceil(expect) + 6; x++) {
        if (best < 0 || ys[x - x0]! < ys[best - x0]!) best = x;
      }
      assert.ok(Math.abs(best + 0.5 - expect) <= 1, `R peak at sample ${i}: x ${best + 0.5}, expected ${expect.toFixed(2)}`);
      return best + 0.5;
    });
    const seconds = (peaks.at(-1)! - peaks[0]!) / record.fs;
    const mmPerS = (xs.at(-1)! - xs[0]!) / seconds / (200 / 25.4);
    assert.ok(Math.abs(mmPerS - 25) < 0.1, `measured ${mmPerS.toFixed(3)} mm/s`);
  });

  test('column c of 3x4+II shows t in [2.5c, 2.5c + 2.5)', async () => {
    const page = await renderPage(record, CLEAN);
    for (const l of page.sidecar.leads.filter((x) => !x.rhythm)) {
      assert.equal(l.tStart, 2.5 * l.col);
      assert.equal(l.sampleStart, 1250 * l.col);
      assert.equal(l.sampleEnd, 1250 * (l.col + 1));
      assert.ok(Math.abs(l.pageBox.x1 - l.pageBox.x0 - 2.5 * 25 * (200 / 25.4)) < 1e-9);
    }
  });
});
