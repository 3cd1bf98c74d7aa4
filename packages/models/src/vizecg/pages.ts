/**
 * How VizECGNet's pages are drawn: the run config's `pages` section (also stored in the model's InferenceSpec,
 * so a saved model carries its page preprocessing), and the render options of each page, training or test.
 *
 * Training pages vary per epoch and record: a layout among those valid for the record's lead count, a grid
 * colour, and each artefact of the training mix on or off with its own strength. Test pages are fixed by the
 * record's id alone. The "photo" pages use artefacts the training mix leaves out (perspective, JPEG, blur,
 * wrinkles), to measure how a model trained on the others copes with a phone photo.
 */
import { Rng } from '@ecglab/data';
import { ARTEFACT_NAMES, GRID_COLOURS, LAYOUTS, type ArtefactName, type ArtefactStrengths, type GridColour, type Layout, type TensorOptions } from '@ecglab/render';
import { ConfigError } from '../errors.js';

/** The artefacts of the "photo" test set, kept out of the training mix by default. */
export const PHOTO_ARTEFACTS: readonly ArtefactName[] = ['perspective', 'jpeg', 'blur', 'wrinkles'];

/** The training mix: every artefact but the photo ones. */
export const TRAIN_ARTEFACTS: readonly ArtefactName[] = ARTEFACT_NAMES.filter((a) => !PHOTO_ARTEFACTS.includes(a));

export interface PageConfig {
  /** Drawing resolution (40: 1 mm = 1.6 px, a letter page 440×340; reasons in vizecgnet.ts). */
  dpi: number;
  /** The model's input size; pages whose artefacts change their size (crop, padding, perspective) are fitted to it. */
  width: number;
  height: number;
  /** `contain` (letterbox on white): a photo of another aspect keeps its geometry, as the calibration pulse and grid need. */
  fit: 'fill' | 'contain';
  /** 1: grayscale (the grid's colour carries no class information). */
  channels: 1 | 3;
  /** Layouts to draw training pages in, filtered by the record's lead count (see validLayouts); test pages use the first valid one. */
  layouts: Layout[];
  /** Grid colours of training pages; test pages use the first. */
  grids: GridColour[];
  /** Per training page, each artefact of `names` is on with `probability`, at a strength uniform in (0, maxStrength]. */
  artefacts: { names: ArtefactName[]; probability: number; maxStrength: number };
  /**
   * Worker threads that draw training pages while the model trains (0: on the training thread). 1 on 2 cores:
   * a page costs 43–49 ms of CPU against ~180 ms per training pair, so one worker keeps ahead of the step.
   */
  workers: number;
}

export const PAGE_DEFAULTS: PageConfig = {
  dpi: 40,
  width: 440,
  height: 340,
  fit: 'contain',
  channels: 1,
  layouts: [...LAYOUTS],
  grids: ['red', 'pink', 'blue', 'green', 'grey'],
  // Half the artefacts on a page, each at most half strength: pages stay readable while no two look alike.
  artefacts: { names: [...TRAIN_ARTEFACTS], probability: 0.5, maxStrength: 0.5 },
  workers: 1,
};

/**
 * Layouts a record of `leads` leads can be printed in: the 12-lead layouts need the 12 standard leads
 * (with fewer, most of the page is empty slots); `strip` draws each lead in full-width rows, for up to 3 leads.
 */
export function validLayouts(layouts: readonly Layout[], leads: number): Layout[] {
  return layouts.filter((l) => (l === 'strip' ? leads <= 3 : leads >= 12));
}

/** Checks a `pages` section against the model's lead count; errors name the field. */
export function checkPageConfig(p: PageConfig, leads: number, where = '/pages'): void {
  const bad = (field: string, what: string): never => {
    throw new ConfigError(`${where}/${field}: ${what}`);
  };
  if (!(p.dpi >= 20 && p.dpi <= 1200)) bad('dpi', `must be in [20, 1200], got ${p.dpi}`);
  for (const k of ['width', 'height'] as const) if (!Number.isInteger(p[k]) || p[k] < 32 || p[k] > 4096) bad(k, `must be an integer in [32, 4096], got ${p[k]}`);
  if (p.fit !== 'fill' && p.fit !== 'contain') bad('fit', `must be 'fill' or 'contain', got ${JSON.stringify(p.fit)}`);
  if (p.channels !== 1 && p.channels !== 3) bad('channels', `must be 1 or 3, got ${JSON.stringify(p.channels)}`);
  if (p.layouts.length === 0 || p.layouts.some((l) => !LAYOUTS.includes(l))) bad('layouts', `must list some of ${LAYOUTS.join(', ')}, got ${JSON.stringify(p.layouts)}`);
  if (validLayouts(p.layouts, leads).length === 0) {
    bad('layouts', `none of ${p.layouts.join(', ')} can print ${leads} lead${leads === 1 ? '' : 's'} (3x4+II, 6x2 and 12x1 need 12 leads; strip takes 1 to 3)`);
  }
  if (p.grids.length === 0 || p.grids.some((g) => !GRID_COLOURS.includes(g))) bad('grids', `must list some of ${GRID_COLOURS.join(', ')}, got ${JSON.stringify(p.grids)}`);
  const a = p.artefacts;
  if (a.names.some((n) => !ARTEFACT_NAMES.includes(n))) bad('artefacts/names', `must list some of ${ARTEFACT_NAMES.join(', ')}, got ${JSON.stringify(a.names)}`);
  if (!(a.probability >= 0 && a.probability <= 1)) bad('artefacts/probability', `must be in [0, 1], got ${a.probability}`);
  if (!(a.maxStrength >= 0 && a.maxStrength <= 1)) bad('artefacts/maxStrength', `must be in [0, 1], got ${a.maxStrength}`);
  if (!Number.isInteger(p.workers) || p.workers < 0 || p.workers > 64) bad('workers', `must be an integer in [0, 64], got ${p.workers}`);
}

/**
 * Which page a record gets:
 * - `train`: drawn at random per (seed, epoch, record id), the training distribution;
 * - `eval`: the same distribution, fixed by the record's id (validation and test pages);
 * - `strength`: the first valid layout and grid, every artefact of the training mix at `strength` (0 = clean);
 * - `photo`: the first valid layout and grid, the photo artefacts (never in training) at `strength`.
 */
export type PageVariant =
  | { kind: 'train'; seed: number; epoch: number }
  | { kind: 'eval' }
  | { kind: 'strength'; strength: number }
  | { kind: 'photo'; strength: number };

/** Seeds of test pages: a fixed stream apart from every training epoch's. */
const EVAL_STREAM = 0x7e57;

/**
 * The renderToTensor options of one record's page (one record per call, so pages can be drawn anywhere).
 *
 * @example pageOptions(PAGE_DEFAULTS, { kind: 'train', seed: 1, epoch: 3 }, record.id, 12) // { layout: '6x2', grid: 'blue', artefacts: {...}, seed, ... }
 */
export function pageOptions(p: PageConfig, variant: PageVariant, id: string, leads: number): TensorOptions {
  const layouts = validLayouts(p.layouts, leads);
  if (layouts.length === 0) throw new ConfigError(`pages: none of the layouts ${p.layouts.join(', ')} can print ${leads} leads (record ${id})`);
  const common = { dpi: p.dpi, width: p.width, height: p.height, fit: p.fit, channels: p.channels } as const;
  const key = Rng.hashString(id);
  if (variant.kind === 'strength' || variant.kind === 'photo') {
    const names = variant.kind === 'photo' ? PHOTO_ARTEFACTS : p.artefacts.names;
    const artefacts: ArtefactStrengths = variant.strength > 0 ? Object.fromEntries(names.map((n) => [n, variant.strength])) : {};
    const seed = Rng.derive(EVAL_STREAM, key, variant.kind === 'photo' ? 1 : 2).nextU32();
    return { ...common, layout: layouts[0]!, grid: p.grids[0]!, artefacts, seed, seeds: [seed] };
  }
  const rng = variant.kind === 'train' ? Rng.derive(variant.seed, variant.epoch, key) : Rng.derive(EVAL_STREAM, key, 0);
  const layout = layouts[rng.int(layouts.length)]!;
  const grid = p.grids[rng.int(p.grids.length)]!;
  const artefacts: ArtefactStrengths = {};
  for (const n of p.artefacts.names) {
    const on = rng.next() < p.artefacts.probability;
    const s = (1 - rng.next()) * p.artefacts.maxStrength; // (0, max]
    if (on && s > 0) artefacts[n] = s;
  }
  const seed = rng.nextU32();
  return { ...common, layout, grid, artefacts, seed, seeds: [seed] };
}
