// The summary table of RESULTS.md's robustness section, printed from the merged reports that
// docs/robustness/run.sh writes: clean scores with their CIs, accuracy under PGD-20 at each ε and under PGD-100
// with 2 restarts at ε 0.01, the robustness AUCs and NSTDB at 12 dB, each model against the first (CE). The headline
// score is the CinC 2017 F1 for CinC 2017 reports, macro F1 otherwise; multi-label reports (PTB-XL) have no balanced
// accuracy, so macro F1 takes its columns (and accuracy is the exact-match ratio).
//   node --import tsx docs/robustness/summary.ts docs/robustness/cinc2017/robustness.json docs/robustness/cinc2017-pgd100/robustness.json
import { readFileSync } from 'node:fs';

interface Scores { accuracy: number; balancedAccuracy: number; macroF1: number; cinc2017F1: number }
interface Model {
  label: string;
  clean: Scores & { ci: Record<keyof Scores, { lower: number; upper: number }> };
  attack: { eps: number; scores: Scores }[];
  nstdb: { noise: string; snr: number; scores: Scores }[];
  auc: { attack: Scores; white: Scores };
}
interface Report { task: 'single-label' | 'multi-label'; classes: string[]; models: Model[] }

const [sweepFile, pgd100File] = process.argv.slice(2);
if (!sweepFile) throw new Error('usage: summary.ts SWEEP.json [PGD100.json]');
const sweep = JSON.parse(readFileSync(sweepFile, 'utf8')) as Report;
const strong = pgd100File ? (JSON.parse(readFileSync(pgd100File, 'utf8')) as Report) : null;
const f3 = (v: number) => v.toFixed(3);
const ci = (m: Model, k: keyof Scores) => `${f3(m.clean[k])} (${f3(m.clean.ci[k].lower)}–${f3(m.clean.ci[k].upper)})`;
const eps = sweep.models[0]!.attack.map((a) => a.eps);
const at = (m: Model, e: number) => m.attack.find((a) => a.eps === e)?.scores;
const ns = (m: Model, noise: string) => m.nstdb.find((n) => n.noise === noise && n.snr === 12)?.scores.accuracy;
const pgd100 = (label: string, k: keyof Scores = 'accuracy') => strong?.models.find((m) => m.label === label)?.attack.find((a) => a.eps === 0.01)?.scores[k];
const base = sweep.models[0]!;
const cinc = sweep.classes.join() === 'N,A,O,~';
const headline: keyof Scores = cinc ? 'cinc2017F1' : 'macroF1';
const multi = sweep.task === 'multi-label';
const second: keyof Scores = multi ? 'macroF1' : 'balancedAccuracy';
const secondName = multi ? 'macro F1' : 'balanced accuracy';

const header = [
  'model', `clean ${cinc ? 'CinC' : 'macro'} F1 (95 % CI)`, 'clean accuracy (95 % CI)', ...(multi ? [] : ['clean balanced accuracy']),
  `accuracy at PGD-20 ε ${eps.join(' / ')}`, `${secondName} at ε 0.01, PGD-20 / PGD-100 ×2`, 'accuracy at ε 0.01, PGD-100 ×2',
  `Δ accuracy vs ${base.label} at ε 0.01 (PGD-20 / PGD-100), points`, 'attack AUC (accuracy)', 'white-noise AUC (accuracy)',
  'accuracy, NSTDB ma / bw at 12 dB',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${' --- |'.repeat(header.length)}`);
const orDash = (v: number | undefined) => (v === undefined ? '—' : f3(v));
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
const pb = pgd100(base.label);
for (const m of sweep.models) {
  const p = pgd100(m.label);
  const d20 = (at(m, 0.01)!.accuracy - at(base, 0.01)!.accuracy) * 100;
  const d100 = p !== undefined && pb !== undefined ? ` / ${signed((p - pb) * 100)}` : '';
  console.log(
    `| ${m.label} | ${ci(m, headline)} | ${ci(m, 'accuracy')} | ${multi ? '' : `${f3(m.clean.balancedAccuracy)} | `}${eps.map((e) => f3(at(m, e)!.accuracy)).join(' / ')} | ` +
      `${f3(at(m, 0.01)![second])} / ${orDash(pgd100(m.label, second))} | ${orDash(p)} | ` +
      `${m === base ? '—' : `${signed(d20)}${d100}`} | ${f3(m.auc.attack.accuracy)} | ${f3(m.auc.white.accuracy)} | ${f3(ns(m, 'ma')!)} / ${f3(ns(m, 'bw')!)} |`,
  );
}
