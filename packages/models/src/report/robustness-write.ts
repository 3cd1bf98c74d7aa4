import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@ecglab/data';
import { accuracyVsEpsPlot, accuracyVsNstdbPlot, accuracyVsWhiteNoisePlot, type RobustnessCurve } from './plots.js';
import type { ModelRobustness, ReportAttack, RobustnessReport, Scores } from './robustness-eval.js';

/** The two scores plotted and tabulated: balanced accuracy (single-label; exact-match accuracy for multi-label) and macro F1. */
function plottedScores(report: RobustnessReport): { key: keyof Scores; name: string; file: string }[] {
  const first = report.task === 'single-label'
    ? { key: 'balancedAccuracy' as const, name: 'balanced accuracy', file: 'balanced-accuracy' }
    : { key: 'accuracy' as const, name: 'exact-match accuracy', file: 'accuracy' };
  return [first, { key: 'macroF1', name: 'macro F1', file: 'macro-f1' }];
}

/** One line of text for an attack config: `PGD L∞, 100 steps of 0.1ε, 2 random starts, loss ce`. */
export function describeAttack(c: ReportAttack, task: RobustnessReport['task']): string {
  const norm = 'norm' in c ? (c.norm === 'inf' ? 'L∞' : 'L2') : 'L∞';
  const loss = task === 'multi-label' ? 'bce' : c.loss;
  switch (c.kind) {
    case 'fgsm':
      return `FGSM ${norm}, loss ${loss}`;
    case 'ifgsm':
      return `I-FGSM ${norm}, ${c.steps} steps of ${c.stepRatio}ε, loss ${loss}`;
    case 'pgd':
      return `PGD-${c.steps} ${norm}, steps of ${c.stepRatio}ε, ${c.randomStart ? `${c.restarts} random start${c.restarts > 1 ? 's' : ''}` : 'from the clean input'}, loss ${loss}`;
    case 'smooth':
      return `smooth PGD-${c.steps} L∞ (Han et al.), steps of ${c.stepRatio}ε, ${c.restarts} random start${c.restarts > 1 ? 's' : ''}, loss ${loss}`;
  }
}

const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(3));

function cleanTable(report: RobustnessReport): string[] {
  const keys = (Object.keys(report.models[0]!.clean) as (keyof Scores | 'ci')[]).filter((k): k is keyof Scores => k !== 'ci');
  const names: Record<keyof Scores, string> = { accuracy: report.task === 'single-label' ? 'accuracy' : 'exact-match accuracy', balancedAccuracy: 'balanced accuracy', macroF1: 'macro F1', cinc2017F1: 'CinC 2017 F1' };
  const level = report.models[0]!.clean.ci[keys[0]!]?.level ?? 0.95;
  return [
    `| model | ${keys.map((k) => `${names[k]} (${Math.round(level * 100)} % CI)`).join(' | ')} |`,
    `|---|${keys.map(() => '---|').join('')}`,
    ...report.models.map((m) => `| ${m.label} | ${keys.map((k) => `${fmt(m.clean[k])} (${fmt(m.clean.ci[k]?.lower)}–${fmt(m.clean.ci[k]?.upper)})`).join(' | ')} |`),
  ];
}

/** A table of one score by level: the clean score, a column per level, optionally the AUC. `rows` gives the clean score first. */
function levelTable(models: ModelRobustness[], levels: number[], rows: (m: ModelRobustness) => (number | undefined)[], auc?: (m: ModelRobustness) => number | undefined): string[] {
  return [
    `| model | clean | ${levels.map(String).join(' | ')} |${auc ? ' AUC |' : ''}`,
    `|---|---|${levels.map(() => '---|').join('')}${auc ? '---|' : ''}`,
    ...models.map((m) => `| ${m.label} | ${rows(m).map(fmt).join(' | ')} |${auc ? ` ${fmt(auc(m))} |` : ''}`),
  ];
}

/** The Markdown report: the setup, the clean scores with CIs, and a table per section and score (with the AUCs). */
export function robustnessMarkdown(report: RobustnessReport): string {
  const scores = plottedScores(report);
  const lines: string[] = [
    '# Robustness report',
    '',
    `Data \`${report.data}\`: ${report.records} records, ${report.task} over ${report.classes.join(', ')}. Seed ${report.seed}; written ${report.time}.`,
    '',
    '## Clean',
    '',
    ...cleanTable(report),
  ];
  const models = report.models;
  if (report.attack) {
    const eps = report.attack.eps;
    lines.push('', `## ${describeAttack(report.attack.config, report.task)}`, '',
      'ε in model units (after max-abs scaling: a fraction of each lead\'s peak). Only records the model gets right are attacked; the others keep their clean prediction. ' +
        'AUC: Ma & Liang\'s robustness AUC, the trapezoidal area under the score from ε = 0 (clean) to the largest ε, divided by it.');
    for (const s of scores) {
      lines.push('', `${s.name} by ε:`, '', ...levelTable(models, eps, (m) => [m.clean[s.key], ...m.attack!.map((a) => a.scores[s.key])], (m) => m.auc.attack?.[s.key]));
    }
    lines.push('', 'fooled (fraction of all records whose decision the attack changed) and mean perturbation of the attacked records in mV (largest |δ|):', '',
      `| model | ${eps.map((e) => `ε ${e}`).join(' | ')} |`, `|---|${eps.map(() => '---|').join('')}`,
      ...models.map((m) => `| ${m.label} | ${m.attack!.map((a) => `${fmt(a.fooled)}, ${(a.meanLinfMv * 1000).toFixed(1)} µV`).join(' | ')} |`));
  }
  if (report.white) {
    lines.push('', `## Uniform white noise`, '', `x + level·U(−1, 1) in model units${report.white.masked ? ', on the real samples only' : ', on the padding too (Ma & Liang)'}, clipped to the valid input range.`);
    for (const s of scores) {
      lines.push('', `${s.name} by noise level:`, '', ...levelTable(models, report.white.levels, (m) => [m.clean[s.key], ...m.white!.map((w) => w.scores[s.key])], (m) => m.auc.white?.[s.key]));
    }
  }
  if (report.nstdb) {
    const { snrs, kinds } = report.nstdb;
    lines.push('', '## MIT-BIH NSTDB noise', '', `Real noise records (${report.nstdb.noise.join(', ')}) added to every lead at each SNR in dB (NSTDB convention).`);
    for (const kind of kinds) {
      for (const s of scores) {
        lines.push('', `${kind === 'bw' ? 'baseline wander' : 'muscle artefact'} (${kind}), ${s.name} by SNR (dB):`, '',
          ...levelTable(models, snrs, (m) => [m.clean[s.key], ...m.nstdb!.filter((r) => r.noise === kind).map((r) => r.scores[s.key])]));
      }
    }
  }
  lines.push('', '## Time', '', '| model | clean s | attack s | white noise s | NSTDB s |', '|---|---|---|---|---|',
    ...models.map((m) => `| ${m.label} | ${m.seconds.clean.toFixed(1)} | ${m.seconds.attack.toFixed(1)} | ${m.seconds.white.toFixed(1)} | ${m.seconds.nstdb.toFixed(1)} |`));
  return `${lines.join('\n')}\n`;
}

/**
 * Writes a robustness report into `dir`, each file atomically: `robustness.json` (everything), `robustness.md`
 * (the tables) and PNG plots, one line per model: `attack-<score>.png` against ε, `white-<score>.png` against
 * the noise level, `nstdb-<bw|ma>-<score>.png` against the SNR, for balanced accuracy (exact-match accuracy
 * for multi-label models) and macro F1. Returns the paths written.
 *
 * @example writeRobustnessReport(await evaluateRobustness({ ... }), 'reports/robustness');
 */
export function writeRobustnessReport(report: RobustnessReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, data: Buffer | string) => {
    const path = join(dir, name);
    writeFileAtomicSync(path, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    written.push(path);
  };
  write('robustness.json', `${JSON.stringify(report, null, 2)}\n`);
  write('robustness.md', robustnessMarkdown(report));
  const models = report.models;
  for (const s of plottedScores(report)) {
    const curve = (m: ModelRobustness, levels: number[], values: (number | undefined)[]): RobustnessCurve => ({ label: m.label, levels, scores: values.map((v) => v ?? Number.NaN) });
    if (report.attack) {
      const levels = [0, ...report.attack.eps];
      write(`attack-${s.file}.png`, accuracyVsEpsPlot(models.map((m) => curve(m, levels, [m.clean[s.key], ...m.attack!.map((a) => a.scores[s.key])])), { attack: describeAttack(report.attack.config, report.task), metric: s.name, logEps: true }).png);
    }
    if (report.white) {
      const levels = [0, ...report.white.levels];
      write(`white-${s.file}.png`, accuracyVsWhiteNoisePlot(models.map((m) => curve(m, levels, [m.clean[s.key], ...m.white!.map((w) => w.scores[s.key])])), { metric: s.name }).png);
    }
    for (const kind of report.nstdb?.kinds ?? []) {
      const levels = report.nstdb!.snrs;
      write(`nstdb-${kind}-${s.file}.png`, accuracyVsNstdbPlot(models.map((m) => curve(m, levels, m.nstdb!.filter((r) => r.noise === kind).map((r) => r.scores[s.key]))), { metric: s.name, noise: kind === 'bw' ? 'baseline wander' : 'muscle artefact' }).png);
    }
  }
  return written;
}
