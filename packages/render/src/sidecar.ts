import type { TraceExtent } from './draw.js';
import { apply, identity, multiply, type Mat3, type Point } from './homography.js';
import type { PageLayout } from './layout.js';
import type { EcgRecord, RenderOptions } from './options.js';

/** Axis-aligned box in pixels: x0 ≤ x < x1, y0 ≤ y < y1 (pixel i covers [i, i+1)). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** One lead on the image: what it shows and where. */
export interface LeadBox {
  lead: string;
  label: string;
  channel: number;
  row: number;
  col: number;
  rhythm: boolean;
  /** Time window shown in seconds, [tStart, tEnd), and the samples plotted, [sampleStart, sampleEnd). */
  tStart: number;
  tEnd: number;
  sampleStart: number;
  sampleEnd: number;
  /** The lead's cell on the clean page (before any geometric artefact), pixels. */
  pageBox: Box;
  /** Ink of the trace on the clean page, pixels. */
  pageTraceBox: Box;
  /** The cell's corners on the output image (TL, TR, BR, BL) after the geometric artefacts. */
  quad: [Point, Point, Point, Point];
  /** Bounding box of `quad` on the output image. */
  box: Box;
  /** Bounding box of the transformed ink extent on the output image. */
  traceBox: Box;
  /** Clean-page y of the 0 mV line and x of t = tStart. */
  baselineY: number;
  x0: number;
}

export interface ArtefactRecord {
  name: string;
  strength: number;
  /** The random choices made (angle, offsets, quality...), so an experiment can be reproduced or inspected. */
  params: Record<string, unknown>;
}

/** Everything needed to map pixels back to millivolts and seconds. */
export interface Sidecar {
  version: 1;
  record: { id?: string; fs: number; leads: string[]; samples: number };
  options: Pick<RenderOptions, 'layout' | 'speed' | 'gain' | 'grid' | 'page' | 'orientation' | 'dpi' | 'header' | 'seed'>;
  /** Geometry of the clean page; map through `transform` to reach the output image. */
  page: {
    dpi: number;
    widthMm: number;
    heightMm: number;
    width: number;
    height: number;
    pxPerMm: number;
    pxPerMv: number;
    pxPerS: number;
    columnSeconds: number;
    rowBaselinesY: number[];
    grid: Box;
    calibration: { x0: number; x1: number };
  };
  /** Clean-page pixels → output-image pixels (row-major 3×3 homography). */
  transform: Mat3;
  image: { width: number; height: number };
  artefacts: ArtefactRecord[];
  leads: LeadBox[];
}

function boxOf(points: Point[]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

function corners(b: Box): [Point, Point, Point, Point] {
  return [
    [b.x0, b.y0],
    [b.x1, b.y0],
    [b.x1, b.y1],
    [b.x0, b.y1],
  ];
}

/** The sidecar of a clean page: identity transform, image = page. */
export function makeSidecar(record: EcgRecord, nSamples: number, L: PageLayout, o: RenderOptions, ink: TraceExtent[]): Sidecar {
  const k = L.pxPerMm;
  const leads: LeadBox[] = L.panels.map((p, i) => {
    const pageBox = { x0: p.xMm * k, y0: p.topMm * k, x1: (p.xMm + p.widthMm) * k, y1: (p.topMm + p.heightMm) * k };
    const e = ink[i] as TraceExtent;
    return {
      lead: p.lead,
      label: p.label,
      channel: p.channel,
      row: p.row,
      col: p.col,
      rhythm: p.rhythm,
      tStart: p.tStart,
      tEnd: p.tEnd,
      sampleStart: p.sampleStart,
      sampleEnd: p.sampleEnd,
      pageBox,
      pageTraceBox: { x0: e.x0, y0: e.y0, x1: e.x1, y1: e.y1 },
      quad: corners(pageBox),
      box: pageBox,
      traceBox: { x0: e.x0, y0: e.y0, x1: e.x1, y1: e.y1 },
      baselineY: p.baselineMm * k,
      x0: p.xMm * k,
    };
  });
  return {
    version: 1,
    record: { id: record.id, fs: record.fs, leads: [...record.leadNames], samples: nSamples },
    options: { layout: o.layout, speed: o.speed, gain: o.gain, grid: o.grid, page: o.page, orientation: o.orientation, dpi: o.dpi, header: o.header, seed: o.seed },
    page: {
      dpi: L.dpi,
      widthMm: L.widthMm,
      heightMm: L.heightMm,
      width: L.widthPx,
      height: L.heightPx,
      pxPerMm: k,
      pxPerMv: L.gain * k,
      pxPerS: L.speed * k,
      columnSeconds: L.columnSeconds,
      rowBaselinesY: L.rowBaselinesMm.map((b) => b * k),
      grid: { x0: L.grid.left * k, y0: L.grid.top * k, x1: L.grid.right * k, y1: L.grid.bottom * k },
      calibration: { x0: L.calibrationXMm * k, x1: (L.calibrationXMm + L.calibrationWidthMm) * k },
    },
    transform: identity(),
    image: { width: L.widthPx, height: L.heightPx },
    artefacts: [],
    leads,
  };
}

/**
 * Follows a geometric change of the image (rotation, warp, crop, resize): `m` maps the current
 * image's pixels to the new image's, of size width × height. Boxes are recomputed from the clean page.
 */
export function transformSidecar(sc: Sidecar, m: Mat3, width: number, height: number): Sidecar {
  const transform = multiply(m, sc.transform);
  const leads = sc.leads.map((l) => {
    const quad = corners(l.pageBox).map(([x, y]) => apply(transform, x, y)) as [Point, Point, Point, Point];
    const ink = corners(l.pageTraceBox).map(([x, y]) => apply(transform, x, y));
    return { ...l, quad, box: boxOf(quad), traceBox: boxOf(ink) };
  });
  return { ...sc, transform, image: { width, height }, leads };
}
