import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';
import { threadsArg, threadsOption } from './parse.js';

/** `ecglab eval --model <run dir> --data <KIND:PATH[:KEY=FILE][:SELECTOR]> [--json]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('eval')
    .description('evaluate a trained model on a labelled dataset, e.g. --data cinc2017:/data/training2017[:split.txt]')
    .requiredOption('-m, --model <run>', 'run directory (or its model.safetensors)')
    .requiredOption('-d, --data <spec>', 'dataset spec KIND:PATH[:KEY=FILE][:SPLITFILE | :fold=N[,N...]] (see below)')
    .option('--bootstrap <n>', 'bootstrap iterations for the confidence interval', '1000')
    .option('--ci <metrics>', 'further bootstrap CIs, comma-separated: a metric (macroF1, macroAuroc, ...) or one class\'s f1:CLASS / auroc:CLASS')
    .option('--json', 'print the metrics as JSON')
    .addOption(threadsOption())
    .addHelpText(
      'after',
      `
Dataset specs (KIND:PATH[:KEY=FILE][:SELECTOR]):
  cinc2017:DIR                 REFERENCE.csv + records (CinC 2017)
  ptbxl100:DIR                 PTB-XL at 100 Hz, 5 superclasses; ptbxl100-normal:DIR for NORM vs abnormal
  cpsc2018:DIR                 REFERENCE.csv with Training_WFDB/ (WFDB form) and/or TrainingSet1/ (.mat form),
                               or the records themselves, in DIR; :reference=FILE for another label file
  cinc2021:DIR                 CinC 2020/2021 records (subfolders searched) with DIR/dx_mapping_scored.csv;
                               :scored=FILE for another table
  wfdb-folder:DIR              WFDB records with DIR/labels.csv (record,labels; labels ';'-separated);
                               :labels=FILE for another CSV
SELECTOR: a split file listing record IDs, one per line, or for PTB-XL fold=N[,N...] (official strat_folds).
cpsc2018, cinc2021 and wfdb-folder records are read as the model was trained: its rate (resampled),
its leads by name, and for wfdb-folder its classes, task and CSV columns.
Examples:
  ecglab eval -m runs/cpsc -d cpsc2018:/data/cpsc2018:val.txt
  ecglab eval -m runs/mine -d wfdb-folder:/data/records:labels=/data/test-labels.csv`,
    )
    .action(async (opts: { model: string; data: string; bootstrap: string; ci?: string; json?: boolean; threads?: string }) => {
      const threads = threadsArg(opts.threads);
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const { ArgumentError, checkMetricName, evaluateDataset, setNumThreads } = await import('@ecglab/models');
      if (threads !== undefined) setNumThreads(threads);
      const iterations = Number(opts.bootstrap);
      // Each resample recomputes the metric over every record: 10^5 of them is minutes already.
      if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100_000) throw new ArgumentError(`eval: --bootstrap must be an integer from 1 to 100000, got '${opts.bootstrap}'`);
      const ciMetrics = opts.ci ? opts.ci.split(',').map((m) => m.trim()).filter(Boolean) : [];
      if (opts.ci !== undefined && ciMetrics.length === 0) throw new ArgumentError(`eval: --ci needs at least one metric, got '${opts.ci}'`);
      for (const metric of ciMetrics) checkMetricName(metric, undefined, 'eval: --ci');
      const r = await evaluateDataset(opts.model, opts.data, iterations, ciMetrics);
      if (opts.json) {
        io.out(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const lines = [
        `records ${r.n}  accuracy ${r.accuracy.toFixed(4)}  macro F1 ${r.macroF1.toFixed(4)}${r.balancedAccuracy !== undefined ? `  balanced acc ${r.balancedAccuracy.toFixed(4)}` : ""}  macro AUROC ${r.macroAuroc.toFixed(4)}  macro AUPRC ${r.macroAuprc.toFixed(4)}`,
        ...(r.cinc2017F1 !== undefined ? [`CinC 2017 F1 ${r.cinc2017F1.toFixed(4)}`] : []),
        ...(r.cpsc2018 ? [`CPSC 2018 score F1 ${r.cpsc2018.f1.toFixed(4)}  F_AF ${r.cpsc2018.fAF.toFixed(4)}  F_Block ${r.cpsc2018.fBlock.toFixed(4)}  F_PC ${r.cpsc2018.fPC.toFixed(4)}  F_ST ${r.cpsc2018.fST.toFixed(4)}`] : []),
        `${r.ci.metric}: ${Math.round(r.ci.level * 100)}% bootstrap CI ${r.ci.lower.toFixed(4)}–${r.ci.upper.toFixed(4)} (${r.ci.iterations} resamples)`,
        ...r.cis.map((c) => `${c.metric} ${c.estimate.toFixed(4)}: ${Math.round(c.level * 100)}% bootstrap CI ${c.lower.toFixed(4)}–${c.upper.toFixed(4)} (${c.iterations} resamples)`),
        `per-class F1: ${Object.entries(r.perClassF1).map(([c, f]) => `${c} ${f.toFixed(4)}`).join('  ')}`,
        ...(r.confusion ? [`confusion (rows true ${r.classes.join('/')}): ${JSON.stringify(r.confusion)}`] : []),
        ...(r.perClassAuroc ? [`per-class AUROC: ${Object.entries(r.perClassAuroc).map(([c, v]) => `${c} ${v.toFixed(4)}`).join('  ')}`] : []),
      ];
      io.out(`${lines.join('\n')}\n`);
    });
}
