// Kill -9 a tiny training after its first checkpoint, resume it, and check that it ends exactly
// where an uninterrupted run with the same seed ends (same log, same final weights, same metrics).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { safetensors } from '@ecglab/engine';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(root, 'packages/cli/bin/ecglab.mjs');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'tiny.yaml');
writeFileSync(
  config,
  `name: tiny
seed: 11
threads: 2
data: { kind: cinc2017, path: ${join(root, 'fixtures/data/cinc2017/training2017')}, limit: 24 }
input: { kind: max-abs, leads: [0], maxSeconds: 10, maxShiftSeconds: 2 }
model: { kind: ma-liang, width: 8, depth: [1, 1, 1, 1], groups: 4 }
optimizer: { kind: adamw, lr: 0.001, weightDecay: 0.01 }
schedule: { kind: cosine, warmupEpochs: 1, minLrFraction: 0.1 }
train: { epochs: 4, batchSize: 8, sampling: balanced, valFraction: 0.25 }
`,
);

function run(args: string[]): void {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `ecglab ${args.join(' ')} failed:\n${r.stderr}`);
}

function weights(runDir: string): Map<string, number[]> {
  const { tensors } = safetensors.load(join(runDir, 'model.safetensors'));
  const out = new Map([...tensors].map(([k, t]) => [k, Array.from(t.toArray() as Float32Array)]));
  for (const t of tensors.values()) t.dispose();
  return out;
}

function epochsLogged(runDir: string): number[] {
  return readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch as number);
}

test('a run killed with SIGKILL after a checkpoint resumes and ends as an uninterrupted run', async () => {
  const a = join(dir, 'a');
  run(['train', '--config', config, '--out', a, '--quiet']);

  const b = join(dir, 'b');
  const child = spawn(process.execPath, [cli, 'train', '--config', config, '--out', b, '--quiet'], { cwd: root, stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  // Wait for the first checkpoint, then kill -9 in the middle of the next epoch.
  const ckpt = join(b, 'checkpoint.json');
  for (let i = 0; i < 1200 && !(existsSync(ckpt) && JSON.parse(readFileSync(ckpt, 'utf8')).state.epoch >= 1); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  assert.equal(existsSync(join(b, 'metrics.json')), false, 'the run was killed before it finished');
  const killedAt = JSON.parse(readFileSync(ckpt, 'utf8')).state.epoch as number;
  assert.ok(killedAt >= 1 && killedAt < 4, `checkpoint at epoch ${killedAt}`);

  run(['train', '--out', b, '--resume', '--quiet']);
  assert.deepEqual(epochsLogged(b), [0, 1, 2, 3], 'each epoch logged once');
  assert.deepEqual(epochsLogged(a), [0, 1, 2, 3]);
  const la = readFileSync(join(a, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const lb = readFileSync(join(b, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lb.map((r) => r.trainLoss), la.map((r) => r.trainLoss), 'same training losses');
  assert.deepEqual(weights(b), weights(a), 'same final weights');
  const ma = JSON.parse(readFileSync(join(a, 'metrics.json'), 'utf8'));
  const mb = JSON.parse(readFileSync(join(b, 'metrics.json'), 'utf8'));
  assert.deepEqual(mb, ma, 'same metrics');
});

test('a run killed in the middle of an epoch resumes at the next batch and ends as an uninterrupted run', async () => {
  // The same run, checkpointing every few milliseconds (train.checkpointMinutes), killed after a mid-epoch checkpoint.
  const midConfig = join(dir, 'tiny-mid.yaml');
  writeFileSync(midConfig, readFileSync(config, 'utf8').replace('valFraction: 0.25 }', 'valFraction: 0.25, checkpointMinutes: 0.0001 }'));
  const c = join(dir, 'c');
  const child = spawn(process.execPath, [cli, 'train', '--config', midConfig, '--out', c, '--quiet'], { cwd: root, stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const ckpt = join(c, 'checkpoint.json');
  const state = () => (existsSync(ckpt) ? JSON.parse(readFileSync(ckpt, 'utf8')).state : { epoch: 0, batchInEpoch: 0 });
  for (let i = 0; i < 6000 && !(state().batchInEpoch >= 1); i++) await new Promise((r) => setTimeout(r, 4));
  child.kill('SIGKILL');
  await exited;
  const at = state();
  assert.ok(at.batchInEpoch >= 1, `killed after a mid-epoch checkpoint (epoch ${at.epoch}, batch ${at.batchInEpoch})`);
  assert.equal(existsSync(join(c, 'metrics.json')), false);
  run(['train', '--out', c, '--resume', '--quiet']);
  const a = join(dir, 'a');
  assert.deepEqual(epochsLogged(c), [0, 1, 2, 3]);
  const la = readFileSync(join(a, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const lc = readFileSync(join(c, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lc.map((r) => r.trainLoss), la.map((r) => r.trainLoss), 'same training losses, the interrupted epoch included');
  assert.deepEqual(weights(c), weights(a), 'same final weights');
});

test('a run directory is not overwritten without --resume, and --resume needs a run', () => {
  const a = join(dir, 'a');
  const r = spawnSync(process.execPath, [cli, 'train', '--config', config, '--out', a], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /already holds a run; pass --resume/);
  const r2 = spawnSync(process.execPath, [cli, 'train', '--config', config, '--out', join(dir, 'none'), '--resume'], { cwd: root, encoding: 'utf8' });
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /no run to resume/);
});
