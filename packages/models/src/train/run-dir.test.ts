// The run directory under concurrent, killed, failed and starved runs, with real `ecglab train` processes:
// one run per directory (the other is told the holder's pid), nothing left by a failed start blocks the
// retry, a run killed before it wrote its config resumes, orphaned temp files of dead writers go, and a
// full disk or a read-only folder is said in plain words naming the file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunConfig } from '../config/index.js';
import { train } from './trainer.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(root, 'packages/cli/bin/ecglab.mjs');
const data = join(root, 'fixtures/data/cinc2017/training2017');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-rundir-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, ECGLAB_NUM_THREADS: '1' };

const raw = {
  name: 'tiny',
  seed: 3,
  threads: 1,
  data: { kind: 'cinc2017', path: data, limit: 16 },
  input: { kind: 'max-abs', leads: [0], maxSeconds: 10, maxShiftSeconds: 2 },
  model: { kind: 'ma-liang', width: 8, depth: [1, 1, 1, 1], groups: 4 },
  optimizer: { kind: 'adam', lr: 0.002 },
  train: { epochs: 1, batchSize: 8, valFraction: 0.5 },
};
const config = join(dir, 'tiny.json');
writeFileSync(config, JSON.stringify(raw));
const long = join(dir, 'long.json'); // runs until it is killed
writeFileSync(long, JSON.stringify({ ...raw, train: { ...raw.train, epochs: 10000 } }));

interface Run { status: number | null; stdout: string; stderr: string; pid: number }

/** `ecglab train ...` as a separate process; `shell` prefixes it (e.g. `ulimit -f 300;`). */
function ecglab(args: string[], shell = ''): { pid: number; done: Promise<Run> } {
  const child = shell
    ? spawn('bash', ['-c', `${shell} exec "$0" "$@"`, process.execPath, cli, ...args], { cwd: root, env })
    : spawn(process.execPath, [cli, ...args], { cwd: root, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return { pid: child.pid!, done: new Promise((res) => child.on('close', (status) => res({ status, stdout, stderr, pid: child.pid! }))) };
}

const epochs = (run: string): number[] => readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).epoch as number);
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
const noStack = (r: Run): void => assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, r.stderr);

test('two fresh starts into one --out at once: exactly one trains; a fresh start and a --resume beside a running one are refused naming its pid and host', async () => {
  const out = join(dir, 'race');
  const [a, b] = [ecglab(['train', '--config', config, '--out', out, '--quiet']), ecglab(['train', '--config', config, '--out', out, '--quiet'])];
  const runs = await Promise.all([a.done, b.done]);
  assert.deepEqual(runs.map((r) => r.status).sort(), [0, 1], runs.map((r) => r.stderr).join('\n'));
  const [won, lost] = runs[0]!.status === 0 ? runs : [runs[1]!, runs[0]!];
  // The loser either met the winner's lock, or (started late) the finished run.
  assert.match(lost!.stderr, new RegExp(`in use by ecglab train, pid ${won!.pid} on host ${hostname()} since|already holds a run; pass --resume`));
  noStack(lost!);
  assert.deepEqual(epochs(out), [0]);

  // A running fresh start (until killed): once it trains, a second fresh start and a --resume beside it.
  const out2 = join(dir, 'busy');
  const first = ecglab(['train', '--config', long, '--out', out2, '--quiet']);
  for (let i = 0; i < 1200 && !existsSync(join(out2, 'log.jsonl')); i++) await new Promise((r) => setTimeout(r, 50));
  const [fresh, resume] = await Promise.all([
    ecglab(['train', '--config', long, '--out', out2, '--quiet']).done,
    ecglab(['train', '--config', long, '--out', out2, '--resume', '--quiet']).done,
  ]);
  for (const r of [fresh, resume]) {
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${out2}: this run directory is in use by ecglab train, pid ${first.pid} on host ${hostname()} since \\d{4}-.*wait for that run to end`));
    noStack(r);
  }
  process.kill(first.pid, 'SIGKILL');
  await first.done;
  const logged = epochs(out2);
  assert.deepEqual(logged, logged.map((_, i) => i), 'one run wrote the log');
});

test('a run killed before it wrote config.json resumes from the beginning; orphaned temp files of dead writers are removed, and only those', async () => {
  // What `kill -9` during the first write of config.json leaves: the lock and a partial temp file.
  const out = join(dir, 'killed');
  mkdirSync(out);
  const dead = deadPid();
  writeFileSync(join(out, 'train.lock'), JSON.stringify({ pid: dead, host: hostname(), started: 'then', procStart: null, purpose: 'ecglab train' }));
  writeFileSync(join(out, `.config.json.${dead}.0badc0de.tmp`), '{\n  "name": "ti');
  const r = await ecglab(['train', '--config', config, '--out', out, '--resume']).done;
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /took over the lock of a run that had stopped \(process \d+ is no longer running\)/);
  assert.match(r.stderr, /nothing to resume \(the run was stopped before it wrote config\.json\); starting it from the beginning/);
  assert.match(r.stderr, new RegExp(`removed 1 temp file\\(s\\) of writes cut short: \\.config\\.json\\.${dead}\\.0badc0de\\.tmp`));
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).name, 'tiny');
  // A --resume into a folder that does not exist, or is empty, is a mistyped path: refused, nothing created.
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  for (const [where, why] of [[join(dir, 'typo'), 'no such folder'], [empty, 'the folder is empty']] as const) {
    const t = await ecglab(['train', '--config', config, '--out', where, '--resume']).done;
    assert.equal(t.status, 1);
    assert.match(t.stderr, new RegExp(`${where}: no run to resume \\(${why}\\); start it without --resume`));
  }
  assert.equal(existsSync(join(dir, 'typo')), false);
  assert.deepEqual(readdirSync(empty), []);

  // Leftovers of writes cut short in a finished run: the engine's and the data package's temp names.
  const orphans = [`.model.safetensors.${dead}.tmp`, `.checkpoint-9.safetensors.${dead}.tmp`, `.log.jsonl.${dead}.0a1b2c3d.tmp`];
  const kept = [`.metrics.json.${process.pid}.0a1b2c3d.tmp`, 'notes.tmp', `.model.safetensors.${dead}.tmp.bak`];
  for (const f of [...orphans, ...kept]) writeFileSync(join(out, f), 'x'.repeat(1000));
  const again = await ecglab(['train', '--config', config, '--out', out, '--resume', '--quiet']).done;
  assert.equal(again.status, 0, again.stderr);
  const left = readdirSync(out);
  for (const f of orphans) assert.ok(!left.includes(f), `${f} removed`);
  for (const f of kept) assert.ok(left.includes(f), `${f} kept`);
});

test('a start that fails (groups that do not divide the width, missing data) leaves no folder behind, and the retry trains', async () => {
  const out = join(dir, 'nested', 'failed');
  const bad = parseRunConfig({ ...raw, model: { ...raw.model, groups: 3 } }, 'bad.json');
  await assert.rejects(train(bad, { out, quiet: true }), /groups|divid/i);
  assert.equal(existsSync(join(dir, 'nested')), false, 'the folders it made are gone');
  const missing = parseRunConfig({ ...raw, data: { ...raw.data, path: join(dir, 'no-such-data') } }, 'missing.json');
  await assert.rejects(train(missing, { out, quiet: true }), /no-such-data/);
  assert.equal(existsSync(join(dir, 'nested')), false);
  // A folder the user made stays, empty.
  mkdirSync(out, { recursive: true });
  await assert.rejects(train(bad, { out, quiet: true }));
  assert.deepEqual(readdirSync(out), []);
  const r = await train(parseRunConfig(raw, 'tiny.json'), { out, quiet: true, bootstrapIterations: 10 });
  assert.equal(r.epochsRun, 1);
});

test('an --out that cannot be written: a file, a read-only place, /proc; said in plain words, at once', async () => {
  const cfg = parseRunConfig(raw, 'tiny.json');
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  await assert.rejects(train(cfg, { out: file, quiet: true }), /a-file: is a file, not a folder; choose another --out/);
  await assert.rejects(train(cfg, { out: join(file, 'run') }), /a-file is a file, not a folder/);
  // mkdir under /proc says ENOENT, and Node's recursive mkdir loops on it for ever.
  await assert.rejects(train(cfg, { out: '/proc/ecglab-run/x', quiet: true }), /cannot create the run directory: \/proc is not writable/);
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status !== 0) return; // needs root and mount rights
  try {
    await assert.rejects(train(cfg, { out: join(ro, 'run'), quiet: true }), /ro: is not writable \(the file system is read-only, EROFS\)|cannot create the run directory: .*ro is not writable \(the file system is read-only, EROFS\)/);
    await assert.rejects(train(cfg, { out: ro, quiet: true }), /ro: the run directory is not writable \(the file system is read-only, EROFS\); choose another --out/);
  } finally {
    spawnSync('umount', [ro]);
  }
});

test('a disk that fills up (a file-size limit, ulimit -f) names the file and says what to do; --resume then finishes the run', async () => {
  const out = join(dir, 'full');
  // 300 KiB: config, log and the 170 kB model fit; the 500 kB checkpoint does not.
  const r = await ecglab(['train', '--config', config, '--out', out, '--quiet'], 'ulimit -f 300;').done;
  assert.equal(r.status, 1);
  assert.match(r.stderr, /checkpoint-\d+\.safetensors: cannot write: the file would exceed the file-size limit \(ulimit -f\) \(EFBIG\); raise the limit/);
  noStack(r);
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'no partial file left');
  const again = await ecglab(['train', '--config', config, '--out', out, '--resume', '--quiet']).done;
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(epochs(out), [0]);
});
