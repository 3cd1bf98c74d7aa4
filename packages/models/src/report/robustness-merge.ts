import { readFileSync } from 'node:fs';
import { ArgumentError } from '../errors.js';
import type { RobustnessReport } from './robustness-eval.js';

/** The fields two reports must share for their models to be rows of one report. */
const SHARED = ['format', 'version', 'data', 'records', 'task', 'classes', 'seed', 'attack', 'white', 'nstdb'] as const;

/**
 * One report from several `robustness.json` files of the same data and conditions (e.g. one model per machine
 * or per process): the random starts and noise draws depend on the seed, condition and batch but not on the
 * model (`conditionRng`), so the rows equal those of one run over all the models. Differences are named.
 *
 * @example writeRobustnessReport(mergeRobustnessReports(['a/robustness.json', 'b/robustness.json']), 'reports/all');
 */
export function mergeRobustnessReports(files: readonly string[]): RobustnessReport {
  if (files.length === 0) throw new ArgumentError('mergeRobustnessReports: give at least one robustness.json');
  const reports = files.map((f) => {
    try {
      return JSON.parse(readFileSync(f, 'utf8')) as RobustnessReport;
    } catch (err) {
      throw new ArgumentError(`${f}: not a readable robustness.json (${(err as Error).message})`);
    }
  });
  const first = reports[0]!;
  if (first.format !== 'ecglab.robustness') throw new ArgumentError(`${files[0]}: format '${String(first.format)}', expected 'ecglab.robustness'`);
  reports.forEach((r, i) => {
    for (const key of SHARED) {
      if (JSON.stringify(r[key]) !== JSON.stringify(first[key])) {
        throw new ArgumentError(`${files[i]}: '${key}' differs from ${files[0]}'s (${JSON.stringify(r[key])?.slice(0, 80)} vs ${JSON.stringify(first[key])?.slice(0, 80)}); only reports of the same data and conditions merge`);
      }
    }
  });
  const models = reports.flatMap((r) => r.models);
  const labels = models.map((m) => m.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new ArgumentError(`model label '${twice}' appears in more than one report; relabel one (--label) before merging`);
  return { ...first, models, time: new Date().toISOString() };
}
