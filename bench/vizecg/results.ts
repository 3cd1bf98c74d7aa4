// The VizECGNet study's numbers (docs/vizecg/RESULTS-SECTION.md): each trained run scored on one test set with
// macro precision, recall, F1 and AUROC and their bootstrap CIs; image models also on pages of growing artefact
// strength (every training artefact at s, 0 … 1) and on the "photo" pages (perspective, JPEG, blur, wrinkles:
// artefacts no training page had).
//
//   ECGLAB_DATA=../shared/data node --import tsx bench/vizecg/results.ts \
//     --data ptbxl100:${ECGLAB_DATA}/ptbxl:fold=10 --runs runs/vizecg-ptbxl,runs/vizecg-ptbxl-image-only,... \
//     [--strengths 0,0.25,0.5,0.75,1] [--photo 0.5] [--iterations 1000] [--json out.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  argmaxRows, bootstrapCI, evalDatasetConfig, macroF1, macroPrecisionRecall, macroRanking, multiLabelF1, oneHot, openDataset, parseDatasetSpec, pick,
  Predictor, type PageVariant, type Task,
} from '@ecglab/models';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    runs: { type: 'string' },
    strengths: { type: 'string', default: '0,0.25,0.5,0.75,1' },
    photo: { type: 'string', default: '0.5' },
    iterations: { type: 'string', default: '1000' },
    json: { type: 'string' },
  },
});
if (!values.data || !values.runs) throw new Error('results: --data SPEC and --runs DIR[,DIR...] are required');
const iterations = Number(values.iterations);
const strengths = values.strengths!.split(',').map(Number);
const photo = Number(values.photo);

type Metric = 'macroPrecision' | 'macroRecall' | 'macroF1' | 'macroAuroc';
const METRICS: Metric[] = ['macroPrecision', 'macroRecall', 'macroF1', 'macroAuroc'];

/** One metric of decisions at `threshold` (multi-label) or argmax (single-label), on the records at `idx`. */
function metric(m: Metric, task: Task, targets: number[][], probs: number[][], threshold: number, idx: ArrayLike<number>): number {
  const t = pick(targets, idx);
  const p = pick(probs, idx);
  const k = t[0]!.length;
  const decided = task === 'single-label' ? oneHot(argmaxRows(p), k) : p.map((row) => row.map((v) => (v >= threshold ? 1 : 0)));
  switch (m) {
    case 'macroPrecision':
      return macroPrecisionRecall(t, decided).macroPrecision;
    case 'macroRecall':
      return macroPrecisionRecall(t, decided).macroRecall;
    case 'macroF1':
      return task === 'single-label' ? macroF1(t.map((r) => r.indexOf(1)), argmaxRows(p), k) : multiLabelF1(t, decided).macro;
    case 'macroAuroc':
      return macroRanking(t, p, 'auroc').macro;
  }
}

interface Scored {
  pages: string;
  n: number;
  metrics: Record<Metric, { estimate: number; lower: number; upper: number }>;
}

const ds = parseDatasetSpec(values.data);
const rows: { run: string; kind: string; scored: Scored[] }[] = [];
for (const run of values.runs.split(',')) {
  using predictor = Predictor.load(run);
  const spec = predictor.spec;
  const data = await openDataset(evalDatasetConfig(ds, spec), { inputLeads: [0], only: ds.only, folds: ds.folds });
  const targets = data.targets.map((t) => Array.from(t));
  type TestPages = Exclude<PageVariant, { kind: 'train' }>;
  const variants: [string, TestPages | null][] = predictor.readsImages
    ? [['eval', { kind: 'eval' }], ...strengths.map((s): [string, TestPages] => [`strength ${s}`, { kind: 'strength', strength: s }]), [`photo ${photo}`, { kind: 'photo', strength: photo }]]
    : [['signal', null]];
  const scored: Scored[] = [];
  for (const [name, variant] of variants) {
    const t0 = performance.now();
    const pipe = await predictor.pipeline(data.source(), {}, variant ?? undefined);
    const probs = await predictor.probabilities(pipe);
    const metrics = Object.fromEntries(
      METRICS.map((m) => {
        const r = bootstrapCI(targets.length, (idx) => metric(m, spec.task, targets, probs, spec.threshold, idx), { iterations, seed: spec.trained?.seed ?? 0 });
        return [m, { estimate: r.estimate, lower: r.lower, upper: r.upper }];
      }),
    ) as Scored['metrics'];
    scored.push({ pages: name, n: targets.length, metrics });
    const f = (m: Metric) => `${metrics[m].estimate.toFixed(3)} (${metrics[m].lower.toFixed(3)}–${metrics[m].upper.toFixed(3)})`;
    console.log(`${run}\t${name}\tn ${targets.length}\tP ${f('macroPrecision')}\tR ${f('macroRecall')}\tF1 ${f('macroF1')}\tAUROC ${f('macroAuroc')}\t${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  rows.push({ run, kind: spec.model.kind, scored });
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ data: values.data, iterations, time: new Date().toISOString(), rows }, null, 2)}\n`);
