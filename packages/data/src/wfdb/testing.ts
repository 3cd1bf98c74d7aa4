// Helpers shared by the WFDB tests: fixture paths and the rdsamp/rdann text outputs as numbers.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** fixtures/data/wfdb at the repository root (small copies of wfdb-python's sample-data). */
export const WFDB_FIXTURES = fileURLToPath(new URL('../../../../fixtures/data/wfdb/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));

/** A target-output file's text (gunzipped when it ends in .gz). */
export function targetText(name: string): string {
  const buf = readFileSync(`${WFDB_FIXTURES}target-output/${name}`);
  return (name.endsWith('.gz') ? gunzipSync(buf) : buf).toString('latin1');
}

/** rdsamp's columns as rows of numbers. */
export function targetRows(name: string): number[][] {
  return targetText(name).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
}

/** Compares channel arrays with rdsamp rows (rdsamp's `-` for an invalid sample reads as NaN); returns the first difference or undefined. */
export function firstDifference(got: ArrayLike<number>[], want: number[][], tol = 0): string | undefined {
  for (let i = 0; i < want.length; i++) {
    for (let c = 0; c < want[i]!.length; c++) {
      const g = got[c]![i]!, w = want[i]![c]!;
      if (!(Math.abs(g - w) <= tol) && !(Number.isNaN(g) && Number.isNaN(w))) return `row ${i} channel ${c}: got ${g}, rdsamp gives ${w}`;
    }
  }
  return undefined;
}
