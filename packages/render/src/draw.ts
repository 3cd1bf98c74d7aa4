import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { FONT_FAMILY, ensureFont } from './font.js';
import type { PageLayout, Panel } from './layout.js';
import type { EcgRecord, RenderOptions } from './options.js';
import { GRID_PALETTE, INK, LINE_MIN_PX, LINE_MM, PAPER } from './palette.js';

/** Pixel extent of the ink one panel's trace put down (clean page coordinates). */
export interface TraceExtent {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const TEXT_MM = 3.5;

function drawGrid(ctx: SKRSContext2D, L: PageLayout, grid: RenderOptions['grid']): void {
  if (grid === 'none') return;
  const k = L.pxPerMm;
  const { left, top, right, bottom } = L.grid;
  const colours = GRID_PALETTE[grid];
  // Minor lines first so the major ones (every 5 mm) are drawn over them.
  for (const major of [false, true]) {
    ctx.strokeStyle = major ? colours.major : colours.minor;
    ctx.lineWidth = Math.max((major ? LINE_MM.major : LINE_MM.minor) * k, major ? LINE_MIN_PX.major : LINE_MIN_PX.minor);
    ctx.beginPath();
    for (let i = 0; left + i <= right + 1e-9; i++) {
      if ((i % 5 === 0) !== major) continue;
      const x = (left + i) * k;
      ctx.moveTo(x, top * k);
      ctx.lineTo(x, bottom * k);
    }
    for (let j = 0; top + j <= bottom + 1e-9; j++) {
      if ((j % 5 === 0) !== major) continue;
      const y = (top + j) * k;
      ctx.moveTo(left * k, y);
      ctx.lineTo(right * k, y);
    }
    ctx.stroke();
  }
}

/** The 1 mV × 0.2 s pulse: 2 mm of baseline, up by `gain` mm, 0.2 s across, down, 2 mm of baseline. */
function drawCalibration(ctx: SKRSContext2D, L: PageLayout): void {
  const k = L.pxPerMm;
  ctx.beginPath();
  for (const base of L.rowBaselinesMm) {
    const x0 = L.calibrationXMm;
    const up = base - L.gain;
    const w = 0.2 * L.speed;
    ctx.moveTo(x0 * k, base * k);
    ctx.lineTo((x0 + 2) * k, base * k);
    ctx.lineTo((x0 + 2) * k, up * k);
    ctx.lineTo((x0 + 2 + w) * k, up * k);
    ctx.lineTo((x0 + 2 + w) * k, base * k);
    ctx.lineTo((x0 + L.calibrationWidthMm) * k, base * k);
  }
  ctx.stroke();
}

/** Strokes one panel's samples; NaN samples break the line. Returns the ink's extent. */
function drawTrace(ctx: SKRSContext2D, L: PageLayout, p: Panel, signal: ArrayLike<number>, fs: number): TraceExtent {
  const k = L.pxPerMm;
  const x0 = p.xMm * k;
  const pxPerSample = (L.speed * k) / fs;
  const pxPerMv = L.gain * k;
  const base = p.baselineMm * k;
  // Sample i sits at t = i / fs, so its x is measured from the window start tStart, not sampleStart.
  const offset = (p.sampleStart - p.tStart * fs) * pxPerSample;
  let y0 = Infinity;
  let y1 = -Infinity;
  let pen = false;
  // With several samples per pixel column, only each column's lowest and highest sample (in time
  // order) change what is inked; drawing those alone keeps the picture and cuts the path Skia strokes.
  const decimate = pxPerSample < 0.5;
  let col = NaN;
  let aX = 0;
  let aY = 0;
  let bX = 0;
  let bY = 0;
  let count = 0;
  const flush = (): void => {
    if (count === 0) return;
    const [fx, fy, sx, sy] = aX <= bX ? [aX, aY, bX, bY] : [bX, bY, aX, aY];
    if (pen) ctx.lineTo(fx, fy);
    else ctx.moveTo(fx, fy);
    pen = true;
    if (count > 1) ctx.lineTo(sx, sy);
    count = 0;
  };
  ctx.beginPath();
  for (let i = p.sampleStart; i < p.sampleEnd; i++) {
    const v = signal[i] as number;
    if (!Number.isFinite(v)) {
      flush();
      pen = false;
      continue;
    }
    const x = x0 + offset + (i - p.sampleStart) * pxPerSample;
    const y = base - v * pxPerMv;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (!decimate) {
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
      continue;
    }
    const c = Math.floor(x);
    if (c !== col) {
      flush();
      col = c;
    }
    // a: the column's highest point on paper (min y), b: its lowest (max y).
    if (count === 0 || y < aY) [aX, aY] = [x, y];
    if (count === 0 || y > bY) [bX, bY] = [x, y];
    count++;
  }
  flush();
  ctx.stroke();
  const n = p.sampleEnd - p.sampleStart;
  if (!Number.isFinite(y0)) return { x0, y0: base, x1: x0, y1: base };
  return { x0: x0 + offset, y0, x1: x0 + offset + (n - 1) * pxPerSample, y1 };
}

function headerLines(record: EcgRecord, o: RenderOptions): string[] {
  const m = record.meta ?? {};
  const who = [
    `ID: ${record.id || '-'}`,
    `Age: ${m.age ?? '-'}`,
    `Sex: ${m.sex ?? '-'}`,
  ].join('    ');
  const how = `${o.speed} mm/s    ${o.gain} mm/mV    ${record.fs} Hz    ${o.layout}`;
  return [who, how];
}

/** White paper and its grid: the part of a page that does not depend on the record. */
export function drawPaper(ctx: SKRSContext2D, L: PageLayout, grid: RenderOptions['grid']): void {
  ctx.save();
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, L.widthPx, L.heightPx);
  ctx.lineCap = 'butt';
  ctx.lineJoin = 'miter';
  drawGrid(ctx, L, grid);
  ctx.restore();
}

/**
 * Draws the clean page (paper, grid, calibration, traces, labels, header) in page pixels.
 * `thickness` multiplies the trace's line width (the thickness artefact). `paper`, when given, is
 * a canvas holding drawPaper's result for this layout, copied instead of redrawn.
 */
export function drawPage(
  ctx: SKRSContext2D,
  record: EcgRecord,
  L: PageLayout,
  o: RenderOptions,
  thickness = 1,
  paper?: Canvas,
): TraceExtent[] {
  // The canvas is reused between pages: start every page from the default state and leave it there.
  ctx.save();
  try {
    if (paper === undefined) drawPaper(ctx, L, o.grid);
    else ctx.drawImage(paper, 0, 0);
    return drawOn(ctx, record, L, o, thickness);
  } finally {
    ctx.restore();
  }
}

function drawOn(ctx: SKRSContext2D, record: EcgRecord, L: PageLayout, o: RenderOptions, thickness: number): TraceExtent[] {
  const k = L.pxPerMm;
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  ctx.lineWidth = Math.max(LINE_MM.trace * k, LINE_MIN_PX.trace) * thickness;
  if (o.calibration) drawCalibration(ctx, L);
  const extents = L.panels.map((p) => drawTrace(ctx, L, p, record.signals[p.channel] as ArrayLike<number>, record.fs));

  if (o.separators) {
    ctx.beginPath();
    for (const p of L.panels) {
      if (p.col === 0) continue;
      ctx.moveTo(p.xMm * k, (p.baselineMm - 3) * k);
      ctx.lineTo(p.xMm * k, (p.baselineMm + 3) * k);
    }
    ctx.stroke();
  }
  if (o.labels || o.header) {
    ensureFont();
    ctx.font = `${(TEXT_MM * k).toFixed(2)}px ${FONT_FAMILY}`;
    ctx.textBaseline = 'alphabetic';
  }
  if (o.labels) {
    for (const p of L.panels) {
      ctx.fillText(p.label, (p.xMm + 1) * k, (p.baselineMm - Math.min(0.5 * p.heightMm, 7)) * k);
    }
  }
  if (o.header) {
    headerLines(record, o).forEach((line, i) => {
      ctx.fillText(line, (L.grid.left + 1) * k, (5 + 4.5 + i * 5) * k);
    });
  }
  return extents;
}
