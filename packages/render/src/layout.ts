import { RenderLayoutError } from './errors.js';
import type { EcgRecord, RenderOptions } from './options.js';

/** Page sizes in mm, portrait (width < height). */
export const PAGE_MM = { letter: [215.9, 279.4], a4: [210, 297] } as const;

/** The standard 12 leads in printing order; records are matched to these case-insensitively. */
export const STANDARD_LEADS = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;

/** Seconds per column each layout asks for at 25 mm/s; shortened when the page is too narrow. */
const LAYOUT_GRID = {
  '3x4+II': { cols: 4, rows: 4, seconds: 2.5 },
  '6x2': { cols: 2, rows: 6, seconds: 5 },
  '12x1': { cols: 1, rows: 12, seconds: 10 },
  strip: { cols: 1, rows: 0, seconds: 10 },
} as const;

const MARGIN_MM = 5;
const HEADER_MM = 15;
/** Fraction of a row's height above its baseline: QRS complexes point up more often than down. */
const BASELINE_FRACTION = 0.6;

/** One lead drawn in one cell: where (mm, page coordinates from the top-left) and what (samples). */
export interface Panel {
  /** The record's own lead name. */
  lead: string;
  /** Printed label (standard spelling, e.g. aVR). */
  label: string;
  /** Index into record.signals. */
  channel: number;
  row: number;
  col: number;
  /** True for the full-length rhythm strip of 3x4+II. */
  rhythm: boolean;
  /** Time window shown, seconds from the record start: [tStart, tEnd). */
  tStart: number;
  tEnd: number;
  /** Samples plotted: [sampleStart, sampleEnd). */
  sampleStart: number;
  sampleEnd: number;
  xMm: number;
  widthMm: number;
  topMm: number;
  heightMm: number;
  baselineMm: number;
}

/** Everything about the page in mm, with the one mm→px factor used for all drawing. */
export interface PageLayout {
  widthMm: number;
  heightMm: number;
  dpi: number;
  /** px = mm × pxPerMm, pxPerMm = dpi / 25.4. */
  pxPerMm: number;
  widthPx: number;
  heightPx: number;
  speed: number;
  gain: number;
  /** Grid rectangle in mm: every grid line lies an integer number of mm from its top-left corner. */
  grid: { left: number; top: number; right: number; bottom: number };
  rows: number;
  rowBaselinesMm: number[];
  /** Seconds per column (2.5 for 3x4+II at 25 mm/s on letter). */
  columnSeconds: number;
  /** x of the calibration pulse's start and its width in mm (per row). */
  calibrationXMm: number;
  calibrationWidthMm: number;
  headerMm: number;
  panels: Panel[];
}

export function standardLabel(name: string): string | undefined {
  const up = name.trim().toUpperCase();
  return STANDARD_LEADS.find((s) => s.toUpperCase() === up);
}

/** Maps the record's channels onto the 12 standard slots: named leads first, others fill the gaps. */
function assignSlots(leadNames: string[]): (number | undefined)[] {
  const slots: (number | undefined)[] = new Array(12).fill(undefined);
  const rest: number[] = [];
  leadNames.forEach((name, ch) => {
    const label = standardLabel(name);
    const at = label === undefined ? -1 : STANDARD_LEADS.indexOf(label as (typeof STANDARD_LEADS)[number]);
    if (at >= 0 && slots[at] === undefined) slots[at] = ch;
    else rest.push(ch);
  });
  for (const ch of rest) {
    const free = slots.indexOf(undefined);
    if (free >= 0) slots[free] = ch;
  }
  return slots;
}

function findLead(leadNames: string[], name: string): number | undefined {
  const up = name.trim().toUpperCase();
  const i = leadNames.findIndex((l) => l.trim().toUpperCase() === up);
  return i < 0 ? undefined : i;
}

/** First sample at or after time t (s); the small epsilon keeps 2.5 × 500 = 1250 from rounding up. */
function sampleAt(t: number, fs: number): number {
  return Math.max(0, Math.ceil(t * fs - 1e-9));
}

/**
 * Lays out a page in mm. Column c of a multi-column layout shows t ∈ [c·T, (c+1)·T), as on
 * real printouts; T is 2.5 s for 3x4+II unless the page is too narrow for it at this speed.
 *
 * @example layoutPage({ signals, fs: 500, leadNames }, resolveOptions('x')).panels.length // 13
 */
export function layoutPage(record: EcgRecord, nSamples: number, o: RenderOptions): PageLayout {
  const [pw, ph] = PAGE_MM[o.page];
  const [widthMm, heightMm] = o.orientation === 'landscape' ? [ph, pw] : [pw, ph];
  const pxPerMm = o.dpi / 25.4;
  const headerMm = o.header ? HEADER_MM : 0;
  const gridW = Math.floor(widthMm - 2 * MARGIN_MM);
  const gridH = Math.floor(heightMm - 2 * MARGIN_MM - headerMm);
  const left = (widthMm - gridW) / 2;
  const top = MARGIN_MM + headerMm;
  const grid = { left, top, right: left + gridW, bottom: top + gridH };

  // Calibration pulse: 2 mm of baseline, 0.2 s at 1 mV, 2 mm of baseline; traces start 1 mm later.
  const calibrationWidthMm = 4 + 0.2 * o.speed;
  const calibrationXMm = left + 1;
  const traceX = Math.ceil(calibrationXMm + calibrationWidthMm + 1 - left) + left;
  const avail = grid.right - 1 - traceX;

  const spec = LAYOUT_GRID[o.layout];
  const fit = avail / (spec.cols * o.speed);
  const T = Math.min(spec.seconds, Math.floor(fit / 0.25 + 1e-9) * 0.25);
  if (T < 0.25) {
    throw new RenderLayoutError(
      `layoutPage: layout '${o.layout}' at ${o.speed} mm/s needs ${(spec.cols * 0.25 * o.speed).toFixed(0)} mm of width, page '${o.page}' ${o.orientation} has ${avail.toFixed(0)} mm`,
    );
  }
  const { fs, leadNames } = record;
  const duration = nSamples / fs;

  // Rows: fixed by the layout, or for strips one per lead and window, as many as fit.
  type Cell = { channel: number; row: number; col: number; rhythm: boolean; t0: number; t1: number };
  const cells: Cell[] = [];
  let rows: number = spec.rows;
  if (o.layout === 'strip') {
    const chosen = (o.leads ?? leadNames).map((name) => {
      const ch = findLead(leadNames, name);
      if (ch === undefined) {
        throw new RenderLayoutError(`layoutPage: option 'leads' names '${name}', not among the record's leads ${leadNames.join(', ')}`);
      }
      return ch;
    });
    const pitch = Math.max(20, 3 * o.gain);
    const maxRows = Math.floor(gridH / pitch);
    for (const ch of chosen) {
      for (let t0 = 0; t0 < duration - 1e-9 && cells.length < maxRows; t0 += T) {
        cells.push({ channel: ch, row: cells.length, col: 0, rhythm: false, t0, t1: t0 + T });
      }
    }
    rows = Math.max(1, cells.length);
  } else {
    const slots = assignSlots(leadNames);
    const perCol = o.layout === '3x4+II' ? 3 : spec.rows;
    slots.forEach((ch, slot) => {
      if (ch === undefined) return;
      const col = Math.floor(slot / perCol);
      const t0 = o.layout === '12x1' ? 0 : col * T;
      cells.push({ channel: ch, row: slot % perCol, col, rhythm: false, t0, t1: t0 + T });
    });
    if (o.layout === '3x4+II') {
      const ch = findLead(leadNames, o.rhythmLead) ?? 0;
      cells.push({ channel: ch, row: 3, col: 0, rhythm: true, t0: 0, t1: 4 * T });
    }
  }
  const pitch = o.layout === 'strip' ? Math.max(20, 3 * o.gain) : Math.floor(gridH / rows);
  if (pitch < 8) {
    throw new RenderLayoutError(`layoutPage: ${rows} rows need at least ${rows * 8} mm of height, page has ${gridH} mm`);
  }
  const rowBaselinesMm = Array.from({ length: rows }, (_, r) => top + r * pitch + Math.round(BASELINE_FRACTION * pitch));

  const panels: Panel[] = cells.map((c) => {
    const name = leadNames[c.channel] as string;
    const sampleStart = Math.min(nSamples, sampleAt(c.t0, fs));
    const sampleEnd = Math.min(nSamples, sampleAt(c.t1, fs));
    const span = c.rhythm ? 4 : 1;
    return {
      lead: name,
      label: standardLabel(name) ?? name,
      channel: c.channel,
      row: c.row,
      col: c.col,
      rhythm: c.rhythm,
      tStart: c.t0,
      tEnd: c.t1,
      sampleStart,
      sampleEnd,
      xMm: traceX + c.col * T * o.speed,
      widthMm: span * T * o.speed,
      topMm: top + c.row * pitch,
      heightMm: pitch,
      baselineMm: rowBaselinesMm[c.row] as number,
    };
  });

  return {
    widthMm,
    heightMm,
    dpi: o.dpi,
    pxPerMm,
    widthPx: Math.round(widthMm * pxPerMm),
    heightPx: Math.round(heightMm * pxPerMm),
    speed: o.speed,
    gain: o.gain,
    grid,
    rows,
    rowBaselinesMm,
    columnSeconds: T,
    calibrationXMm,
    calibrationWidthMm,
    headerMm,
    panels,
  };
}
