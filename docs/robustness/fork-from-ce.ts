// Starts a defended run of the robustness study from the CE run's checkpoint at the end of epoch 8 (the defences'
// start epoch): before it, every cinc2017-*.yaml run trains the same model on the same data with the same seed,
// and the defence objectives compute plain CE (startEpoch 8), so the first 8 epochs need not be trained again
// (not checked bit for bit against a defended run trained from epoch 0). The defended run keeps its best epoch among epochs 9–12
// (best reset), so its model is a defended one.
//   node --import tsx docs/robustness/fork-from-ce.ts runs/robust/ce-epoch8 configs/robustness/cinc2017-nsr.yaml runs/robust/cinc2017-nsr
//   npm run ecglab -- train --config configs/robustness/cinc2017-nsr.yaml --out runs/robust/cinc2017-nsr --resume
// runs/robust/ce-epoch8 is a copy of runs/robust/cinc2017-ce taken when its checkpoint.json read epoch 8, batch 0
// (checkpoint.json, the checkpoint tensors it names, log.jsonl, config.json).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunConfig } from '@ecglab/models';

const [snap, config, out] = process.argv.slice(2) as [string, string, string];
if (existsSync(join(out, 'config.json'))) throw new Error(`${out}: already holds a run`);
const cfg = loadRunConfig(config);
const ck = JSON.parse(readFileSync(join(snap, 'checkpoint.json'), 'utf8'));
if (ck.state.epoch !== 8 || ck.state.batchInEpoch !== 0) throw new Error(`${snap}: not at the end of epoch 8`);
mkdirSync(out, { recursive: true });
copyFileSync(join(snap, ck.tensors), join(out, ck.tensors));
const log = readFileSync(join(snap, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0).slice(0, 8);
writeFileSync(join(out, 'log.jsonl'), `${log.join('\n')}\n`);
ck.state = { ...ck.state, best: null, bestEpoch: -1, badEpochs: 0 };
writeFileSync(join(out, 'checkpoint.json'), `${JSON.stringify(ck, null, 2)}\n`);
writeFileSync(join(out, 'config.json'), `${JSON.stringify(cfg, null, 2)}\n`);
console.log(`${out}: forked from ${snap} (epoch 8) with ${config}`);
