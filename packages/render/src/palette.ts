import type { GridColour } from './options.js';

/** Minor (1 mm) and major (5 mm) line colours of each paper; chosen to look like printed ECG paper. */
export const GRID_PALETTE: Record<Exclude<GridColour, 'none'>, { minor: string; major: string }> = {
  red: { minor: 'rgb(248,196,196)', major: 'rgb(232,120,120)' },
  pink: { minor: 'rgb(252,222,232)', major: 'rgb(242,160,190)' },
  blue: { minor: 'rgb(206,222,250)', major: 'rgb(128,160,230)' },
  green: { minor: 'rgb(206,240,212)', major: 'rgb(118,198,140)' },
  grey: { minor: 'rgb(226,226,226)', major: 'rgb(168,168,168)' },
};

export const PAPER = 'rgb(255,255,255)';
export const INK = 'rgb(0,0,0)';

/** Line widths in mm; each is held to a floor in px so low-DPI renders keep visible lines. */
export const LINE_MM = { minor: 0.1, major: 0.2, trace: 0.25 } as const;
export const LINE_MIN_PX = { minor: 0.5, major: 0.8, trace: 1 } as const;
