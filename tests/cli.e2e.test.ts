// End to end through the `ecglab` command, as a user runs it: train a tiny CNN on the CinC 2017
// sample in fixtures/, then check that `eval` and `predict` (two separate code paths over the same
// run directory) agree with each other and with REFERENCE.csv, and that bad input gets a clear error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/ecglab.mjs');
const data = join(root, 'fixtures/data/cinc2017/training2017');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, 'run');

function ecglab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
}

function ok(args: string[]): string {
  const r = ecglab(args);
  assert.equal(r.status, 0, `ecglab ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** A failing command: a non-zero exit, one clear message naming `what`, and no JS stack trace. */
function fails(args: string[], ...what: (string | RegExp)[]): void {
  const r = ecglab(args);
  assert.notEqual(r.status, 0, `ecglab ${args.join(' ')} should fail`);
  for (const w of what) assert.match(r.stderr, typeof w === 'string' ? new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : w);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${r.stderr}`);
}

const reference = new Map(
  readFileSync(join(data, 'REFERENCE.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(',') as [string, string]),
);

test('train → eval → predict: eval\'s confusion matrix and CinC F1 equal those rebuilt from predict and REFERENCE.csv', () => {
  const config = join(dir, 'tiny.yaml');
  writeFileSync(
    config,
    `name: e2e
seed: 3
threads: 2
data: { kind: cinc2017, path: ${data}, limit: 48 }
input: { kind: max-abs, leads: [0], maxSeconds: 20, maxShiftSeconds: 2 }
model: { kind: ma-liang, width: 8, depth: [1, 1, 1, 1], groups: 4 }
optimizer: { kind: adam, lr: 0.002 }
train: { epochs: 2, batchSize: 8, classWeights: balanced, valFraction: 0.5 }
`,
  );
  ok(['train', '--config', config, '--out', run, '--quiet']);
  const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
  const val: string[] = metrics.split.val;
  assert.ok(val.length >= 20, `validation split of ${val.length} records`);
  const splitFile = join(dir, 'val.txt');
  writeFileSync(splitFile, `${val.join('\n')}\n`);

  const ev = JSON.parse(ok(['eval', '--model', run, '--data', `cinc2017:${data}:${splitFile}`, '--bootstrap', '200', '--json']));
  assert.equal(ev.n, val.length);
  assert.deepEqual(ev.classes, ['N', 'A', 'O', '~']);

  const lines = ok(['predict', '--model', run, '--json', ...val.map((id) => join(data, id))]).trim().split('\n');
  assert.equal(lines.length, val.length);
  const confusion: number[][] = ev.classes.map(() => ev.classes.map(() => 0));
  for (const [i, line] of lines.entries()) {
    const p = JSON.parse(line);
    assert.equal(p.id, join(data, val[i]!));
    assert.equal(p.record.fs, 300);
    const probs = ev.classes.map((c: string) => p.probabilities[c] as number);
    assert.ok(Math.abs(probs.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5, `probabilities sum to 1: ${line}`);
    assert.equal(p.prediction, ev.classes[probs.indexOf(Math.max(...probs))]);
    confusion[ev.classes.indexOf(reference.get(val[i]!))]![ev.classes.indexOf(p.prediction)]! += 1;
  }
  assert.deepEqual(ev.confusion, confusion);
  // CinC 2017 F1: the mean of the N, A and O F1s, each 2·TP / (row sum + column sum).
  const f1 = (k: number) => {
    const row = confusion[k]!.reduce((a, b) => a + b, 0);
    const col = confusion.reduce((a, r) => a + r[k]!, 0);
    return row + col === 0 ? 0 : (2 * confusion[k]![k]!) / (row + col);
  };
  assert.ok(Math.abs(ev.cinc2017F1 - (f1(0) + f1(1) + f1(2)) / 3) < 1e-12);
  assert.ok(ev.ci.lower <= ev.cinc2017F1 && ev.cinc2017F1 <= ev.ci.upper, JSON.stringify(ev.ci));

  // The human-readable form carries the same numbers.
  const text = ok(['predict', '--model', run, join(data, val[0]!)]);
  assert.match(text, new RegExp(`^${join(data, val[0]!)}\\t${JSON.parse(lines[0]!).prediction}\\tN 0\\.\\d{4}  A 0\\.\\d{4}  O 0\\.\\d{4}  ~ 0\\.\\d{4}\\t\\(300 Hz.*\\)\\n$`));
});

test('bad input: a clear error naming the file, field or argument, never a stack trace', () => {
  fails(['predict', '--model', run, join(dir, 'no-such-record')], 'no-such-record');
  fails(['predict', '--model', join(dir, 'no-such-run'), join(data, 'A00067')], 'no-such-run');
  fails(['eval', '--model', run, '--data', `nosuchkind:${data}`], 'nosuchkind');
  fails(['eval', '--model', run, '--data', `cinc2017:${data}`, '--bootstrap', 'many'], '--bootstrap', 'many');
  const config = join(dir, 'bad.yaml');
  writeFileSync(config, `name: bad\ndata: { kind: cinc2017, path: ${data} }\nmodel: { kind: ma-liang, width: wide }\n`);
  fails(['train', '--config', config, '--out', join(dir, 'bad')], 'bad.yaml', 'width');
  fails(['train', '--config', join(dir, 'missing.yaml'), '--out', join(dir, 'bad')], 'missing.yaml');
  fails(['train', '--config', config, '--seed', 'x', '--out', join(dir, 'bad')], "--seed must be a whole number >= 0, got 'x'");
  fails(['train', '--config', config, '--seed', '1.5', '--out', join(dir, 'bad')], '--seed', '1.5');
  fails(['train', '--resume', '--out', run, '--seed', '2'], '--seed goes with --config');
});
