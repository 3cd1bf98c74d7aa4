import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { stdio, type CommandIo } from './io.js';
import { numberArg, threadsArg, threadsOption } from './parse.js';

interface AttackFlags {
  model: string;
  out: string;
  eps: string;
  attack: 'pgd' | 'fgsm' | 'ifgsm' | 'smooth';
  norm: 'inf' | '2';
  steps?: string;
  restarts?: string;
  stepRatio?: string;
  loss: 'ce' | 'margin';
  seed: string;
  json?: boolean;
  threads?: string;
}

/** `ecglab attack --model RUN --eps 0.01 [--norm inf|2] [--steps 100] [--restarts 2] RECORD... -o DIR` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('attack')
    .description("attack records with a model (against its own decision); writes each adversarial record as WFDB (mV) and a PNG of clean vs adversarial signal with both predictions")
    .argument('<records...>', 'record paths (WFDB with or without .hea, CPSC .mat)')
    .requiredOption('-m, --model <run>', 'run directory or model file')
    .requiredOption('-o, --out <dir>', 'output folder: <record>-adv.hea/.dat and <record>-adv.png per record')
    .requiredOption('--eps <eps>', "ε in model units (max-abs models: a fraction of each lead's peak), e.g. 0.01")
    .addOption(new Option('--attack <kind>', 'attack').choices(['pgd', 'fgsm', 'ifgsm', 'smooth']).default('pgd'))
    .addOption(new Option('--norm <norm>', 'perturbation norm').choices(['inf', '2']).default('inf'))
    .option('--steps <n>', "iterations (default: the attack's, PGD 100)")
    .option('--restarts <n>', 'random starts of pgd and smooth (default 2)')
    .option('--step-ratio <r>', "step size as a fraction of ε (default: the attack's, PGD 0.1)")
    .addOption(new Option('--loss <loss>', 'attack loss of single-label models (multi-label ones use bce)').choices(['ce', 'margin']).default('ce'))
    .option('--seed <n>', 'seed of the random starts', '1')
    .option('--json', 'print one JSON line per record (predictions, probabilities, fooled, L∞ in mV, files)')
    .addOption(threadsOption())
    .action(async (records: string[], f: AttackFlags) => {
      const threads = threadsArg(f.threads);
      const eps = numberArg('--eps', f.eps, { min: 0 });
      const seed = numberArg('--seed', f.seed, { min: 0, integer: true });
      const steps = f.steps === undefined ? undefined : numberArg('--steps', f.steps, { min: 1, integer: true });
      const restarts = f.restarts === undefined ? undefined : numberArg('--restarts', f.restarts, { min: 1, integer: true });
      const stepRatio = f.stepRatio === undefined ? undefined : numberArg('--step-ratio', f.stepRatio, { min: Number.MIN_VALUE });
      // Loaded on use, so `ecglab --help` and other commands work without the native addon.
      const m = await import('@ecglab/models');
      if (threads !== undefined) m.setNumThreads(threads);
      const { readRecord } = await import('@ecglab/data');
      const it = { ...(steps ? { steps } : {}), ...(stepRatio ? { stepRatio } : {}) };
      const config: import('@ecglab/models').AttackConfig =
        f.attack === 'fgsm' ? { ...m.FGSM_DEFAULTS, norm: f.norm, loss: f.loss, eps }
        : f.attack === 'ifgsm' ? { ...m.IFGSM_DEFAULTS, norm: f.norm, loss: f.loss, eps, ...it }
        : f.attack === 'smooth' ? { ...m.SMOOTH_DEFAULTS, loss: f.loss, eps, ...it, ...(restarts ? { restarts } : {}) }
        : { ...m.PGD_DEFAULTS, norm: f.norm, loss: f.loss, eps, ...it, ...(restarts ? { restarts } : {}) };
      using predictor = m.Predictor.load(f.model);
      const loaded = [];
      for (const p of records) loaded.push(await readRecord(resolve(p), { id: p, nonVoltage: 'drop', maxSeconds: predictor.spec.input.maxSeconds + 1 }));
      const text = `${m.describeAttack(config, predictor.spec.task)}, ε ${eps}`;
      const attacked = await m.attackRecords(predictor, loaded, config, seed);
      const paths = await m.writeAdversarialRecords(attacked, f.out, text);
      // The written file, read back and predicted: format 16's quantisation could undo a marginal attack.
      const fromFile = await predictor.predictFiles(paths);
      attacked.forEach((r, i) => {
        const back = fromFile[i]!;
        if (f.json) {
          io.out(`${JSON.stringify({
            id: r.id, record: paths[i], png: `${paths[i]}.png`, attack: text, fooled: r.fooled, linf: r.linf, linfMv: r.linfMv,
            cleanPrediction: r.cleanPrediction, adversarialPrediction: r.adversarialPrediction, fileAdversarialPrediction: back.prediction,
            cleanProbabilities: r.cleanProbabilities, adversarialProbabilities: r.adversarialProbabilities,
          })}\n`);
          return;
        }
        io.out(`${r.id}\t${r.cleanPrediction} → ${r.adversarialPrediction}\t${r.fooled ? 'fooled' : 'not fooled'}\tL∞ ${(r.linfMv * 1000).toFixed(1)} µV\t${paths[i]} (read back: ${back.prediction})\n`);
      });
    });
}
