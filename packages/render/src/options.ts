import { RenderArgumentError } from './errors.js';
import { ARTEFACT_NAMES, type ArtefactStrengths } from './artefacts/names.js';
import { checkPageBudget } from './page-budget.js';

import type { EcgRecord } from '@ecglab/data';

/**
 * The renderer draws @ecglab/data's one record type: one Float32Array per lead in mV (NaN samples leave a
 * gap in the trace), `fs`, lead names matched case-insensitively to the standard 12 leads, and an id, age
 * and sex printed in the header.
 */
export type { EcgRecord };

export type Layout = '3x4+II' | '6x2' | '12x1' | 'strip';
export type GridColour = 'red' | 'pink' | 'blue' | 'green' | 'grey' | 'none';
export type PageSize = 'letter' | 'a4';
export type Orientation = 'landscape' | 'portrait';

export const LAYOUTS: readonly Layout[] = ['3x4+II', '6x2', '12x1', 'strip'];
export const GRID_COLOURS: readonly GridColour[] = ['red', 'pink', 'blue', 'green', 'grey', 'none'];
export const SPEEDS = [25, 50] as const;
export const GAINS = [5, 10, 20] as const;

export interface RenderOptions {
  layout: Layout;
  /** Paper speed in mm/s. */
  speed: 25 | 50;
  /** Gain in mm/mV. */
  gain: 5 | 10 | 20;
  grid: GridColour;
  dpi: number;
  page: PageSize;
  orientation: Orientation;
  /** Record id, age, sex, speed and gain above the grid. */
  header: boolean;
  /** Lead names beside each trace. */
  labels: boolean;
  /** The 1 mV × 0.2 s pulse at the start of each row. */
  calibration: boolean;
  /** Short ticks where one column's lead gives way to the next. */
  separators: boolean;
  /** Lead of the full-length strip in 3x4+II (falls back to the first lead when absent). */
  rhythmLead: string;
  /** Leads drawn by the `strip` layout (default: all, in record order). */
  leads?: string[];
  /** Artefact strengths in [0, 1]; absent or 0 means off. */
  artefacts: ArtefactStrengths;
  /** Seed of every random choice the artefacts make; same seed, same pixels. */
  seed: number;
}

/** Defaults of a typical 12-lead printout: 25 mm/s, 10 mm/mV, red grid, US letter landscape. */
export const DEFAULT_OPTIONS: RenderOptions = {
  layout: '3x4+II',
  speed: 25,
  gain: 10,
  grid: 'red',
  // 200 DPI: what ecg-image-kit and most digitisation papers use, so results compare.
  dpi: 200,
  page: 'letter',
  orientation: 'landscape',
  header: true,
  labels: true,
  calibration: true,
  separators: true,
  rhythmLead: 'II',
  artefacts: {},
  seed: 0,
};

function oneOf<T>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new RenderArgumentError(
      `${fn}: option '${name}' must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function bool(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new RenderArgumentError(`${fn}: option '${name}' must be a boolean, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills defaults and checks every option; throws RenderArgumentError naming the bad one. */
export function resolveOptions(fn: string, opts: Partial<RenderOptions> = {}): RenderOptions {
  const o = { ...DEFAULT_OPTIONS, ...opts };
  oneOf(fn, 'layout', o.layout, LAYOUTS);
  oneOf(fn, 'speed', o.speed, SPEEDS);
  oneOf(fn, 'gain', o.gain, GAINS);
  oneOf(fn, 'grid', o.grid, GRID_COLOURS);
  oneOf(fn, 'page', o.page, ['letter', 'a4'] as const);
  oneOf(fn, 'orientation', o.orientation, ['landscape', 'portrait'] as const);
  if (typeof o.dpi !== 'number' || !Number.isFinite(o.dpi) || o.dpi < 20 || o.dpi > 1200) {
    throw new RenderArgumentError(`${fn}: option 'dpi' must be a number in [20, 1200], got ${JSON.stringify(o.dpi)}`);
  }
  for (const k of ['header', 'labels', 'calibration', 'separators'] as const) bool(fn, k, o[k]);
  if (typeof o.rhythmLead !== 'string') {
    throw new RenderArgumentError(`${fn}: option 'rhythmLead' must be a lead name, got ${JSON.stringify(o.rhythmLead)}`);
  }
  if (o.leads !== undefined && (!Array.isArray(o.leads) || o.leads.some((l) => typeof l !== 'string'))) {
    throw new RenderArgumentError(`${fn}: option 'leads' must be an array of lead names, got ${JSON.stringify(o.leads)}`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new RenderArgumentError(`${fn}: option 'seed' must be an integer in [0, 2^32), got ${JSON.stringify(o.seed)}`);
  }
  if (typeof o.artefacts !== 'object' || o.artefacts === null) {
    throw new RenderArgumentError(`${fn}: option 'artefacts' must be an object of strengths, got ${JSON.stringify(o.artefacts)}`);
  }
  for (const [k, v] of Object.entries(o.artefacts)) {
    if (!(ARTEFACT_NAMES as readonly string[]).includes(k)) {
      throw new RenderArgumentError(`${fn}: unknown artefact '${k}'; known: ${ARTEFACT_NAMES.join(', ')}`);
    }
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new RenderArgumentError(`${fn}: artefact '${k}' strength must be a number in [0, 1], got ${JSON.stringify(v)}`);
    }
  }
  checkPageBudget(fn, o);
  return o;
}

/** Checks a record's shape: 1–12 leads of equal length, finite fs > 0, one name per lead. */
export function checkRecord(fn: string, record: EcgRecord, arg = 'record'): number {
  if (typeof record !== 'object' || record === null) {
    throw new RenderArgumentError(`${fn}: '${arg}' must be an object { signals, fs, leadNames }, got ${String(record)}`);
  }
  const { signals, fs, leadNames } = record;
  if (!Array.isArray(signals) || signals.length < 1 || signals.length > 12) {
    throw new RenderArgumentError(
      `${fn}: '${arg}.signals' must be an array of 1 to 12 leads, got ${Array.isArray(signals) ? `${signals.length} leads` : typeof signals}`,
    );
  }
  if (typeof fs !== 'number' || !Number.isFinite(fs) || fs <= 0) {
    throw new RenderArgumentError(`${fn}: '${arg}.fs' must be a positive number of Hz, got ${JSON.stringify(fs)}`);
  }
  if (!Array.isArray(leadNames) || leadNames.length !== signals.length) {
    throw new RenderArgumentError(
      `${fn}: '${arg}.leadNames' must have one name per lead (${signals.length}), got ${Array.isArray(leadNames) ? leadNames.length : typeof leadNames}`,
    );
  }
  const n = signals[0]?.length ?? 0;
  signals.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number') {
      throw new RenderArgumentError(`${fn}: '${arg}.signals[${i}]' must be a typed array of millivolts`);
    }
    if (s.length !== n) {
      throw new RenderArgumentError(
        `${fn}: '${arg}.signals' must all have the same length; lead 0 has ${n} samples, lead ${i} (${leadNames[i]}) has ${s.length}`,
      );
    }
  });
  if (n < 2) throw new RenderArgumentError(`${fn}: '${arg}.signals' must have at least 2 samples, got ${n}`);
  return n;
}
