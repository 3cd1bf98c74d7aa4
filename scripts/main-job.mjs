#!/usr/bin/env node
// The main job (`npm run main-job`, the README's first command's last step): trains Ma & Liang's
// CNN on the 300-record CinC 2017 sample in fixtures/data/cinc2017 with configs/main-job.yaml,
// evaluates it on its held-out stratified validation split, predicts two records, and leaves
// everything in runs/main-job/:
//   config.json, log.jsonl, model.safetensors, metrics.json   (from `ecglab train`)
//   val-split.txt, eval.json                                   (from `ecglab eval`)
//   predictions.jsonl                                          (from `ecglab predict --json`)
// An interrupted job (checkpoint but no metrics.json) is resumed; a finished one is replaced.
import { existsSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/ecglab.mjs');
const out = join(root, 'runs/main-job');
const data = join(root, 'fixtures/data/cinc2017/training2017');

function ecglab(args, opts = {}) {
  console.error(`$ ecglab ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`main-job: 'ecglab ${args[0]}' failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
}

const started = Date.now();
const interrupted = existsSync(join(out, 'checkpoint.json')) && !existsSync(join(out, 'metrics.json'));
if (!interrupted) rmSync(out, { recursive: true, force: true });
ecglab(['train', '--config', join(root, 'configs/main-job.yaml'), '--out', out, ...(interrupted ? ['--resume'] : [])]);

const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
writeFileSync(join(out, 'val-split.txt'), `${metrics.split.val.join('\n')}\n`);
const evalJson = ecglab(['eval', '--model', out, '--data', `cinc2017:${data}:${join(out, 'val-split.txt')}`, '--json'], { capture: true });
writeFileSync(join(out, 'eval.json'), evalJson);
const preds = ecglab(['predict', '--model', out, '--json', ...metrics.split.val.slice(0, 2).map((id) => join(data, id))], { capture: true });
writeFileSync(join(out, 'predictions.jsonl'), preds);

const ev = JSON.parse(evalJson);
const minutes = ((Date.now() - started) / 60000).toFixed(1);
console.log(
  `main-job: ${ev.n} held-out CinC 2017 records: CinC F1 ${ev.cinc2017F1.toFixed(3)} ` +
    `(95% CI ${ev.ci.lower.toFixed(3)}–${ev.ci.upper.toFixed(3)}), accuracy ${ev.accuracy.toFixed(3)}, ` +
    `macro AUROC ${ev.macroAuroc.toFixed(3)}; run in ${out} (${minutes} min)`,
);
