// The lock file with real processes: a live holder is named (pid, host), a killed one is taken over, and of
// several processes racing for a free or a stale lock exactly one gets it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LockError } from '../errors.js';
import { acquireLock } from './lock.js';

const dir = mkdtempSync(join(tmpdir(), 'ecglab-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const lockModule = fileURLToPath(new URL('./lock.ts', import.meta.url));
// A child that takes the lock at argv[2] (printing "held PID" or "refused MESSAGE") and holds it until its
// standard input closes, then releases it.
const holder = join(dir, 'holder.ts');
writeFileSync(
  holder,
  `import { acquireLock } from ${JSON.stringify(lockModule)};
const path = process.argv[2]!;
try {
  const lock = acquireLock(path, { purpose: 'lock test' });
  process.stdout.write('held ' + process.pid + '\\n');
  process.stdin.resume();
  process.stdin.on('end', () => { lock.release(); process.exit(0); });
} catch (err) {
  process.stdout.write('refused ' + (err as Error).message + '\\n');
  process.exit(3);
}
`,
);

function start(path: string): { child: ChildProcess; line: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', holder, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const line = new Promise<string>((res) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) res(out.trim());
    });
    child.on('exit', () => res(out.trim()));
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, line, exited };
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

test('a live holder is named by pid and host; once it is killed (-9) its lock is taken over', async () => {
  const path = join(dir, 'a.lock');
  const h = start(path);
  assert.equal(await h.line, `held ${h.child.pid}`);
  assert.throws(() => acquireLock(path), (err: unknown) => {
    assert.ok(err instanceof LockError);
    assert.match(err.message, new RegExp(`a\\.lock: locked by lock test, pid ${h.child.pid} on host ${hostname()} since \\d{4}-`));
    assert.equal(err.holder?.pid, h.child.pid);
    return true;
  });
  h.child.kill('SIGKILL');
  await h.exited;
  const lock = acquireLock(path);
  assert.match(lock.replaced!.reason, new RegExp(`process ${h.child.pid} is no longer running`));
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  lock.release();
  assert.equal(existsSync(path), false);
});

test('four processes racing for a free lock, then for a stale one: exactly one gets it each time', async () => {
  for (const stale of [false, true]) {
    const path = join(dir, `race-${stale}.lock`);
    if (stale) writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), started: 'then', procStart: null, purpose: 'a killed run' }));
    const racers = Array.from({ length: 4 }, () => start(path));
    const lines = await Promise.all(racers.map((r) => r.line));
    for (const r of racers) r.child.stdin!.end();
    const winners = lines.filter((l) => l.startsWith('held'));
    assert.equal(winners.length, 1, lines.join('\n'));
    const winner = Number(winners[0]!.split(' ')[1]);
    // A loser names the winner, or, if it looked between the winner's create and write, says the lock is being taken.
    for (const l of lines.filter((x) => !x.startsWith('held'))) {
      assert.match(l, new RegExp(`^refused .*locked by (lock test, pid ${winner} |a process that is taking it right now)`));
    }
    await Promise.all(racers.map((r) => r.exited));
    assert.equal(existsSync(path), false, 'the winner released it');
  }
});

test('a holder on another host counts as gone only when its heartbeat is older than staleSeconds', () => {
  const path = join(dir, 'remote.lock');
  writeFileSync(path, JSON.stringify({ pid: 1, host: 'elsewhere.example', started: '2026-12-01T00:00:00Z', procStart: null, purpose: 'ecglab train' }));
  assert.throws(() => acquireLock(path, { staleSeconds: 600 }), /locked by ecglab train, pid 1 on host elsewhere\.example since 2026-12-01/);
  const old = new Date(Date.now() - 601_000);
  utimesSync(path, old, old);
  const lock = acquireLock(path, { staleSeconds: 600 });
  assert.match(lock.replaced!.reason, /heartbeat is 60\d s old \(more than 600 s\) and it runs on another host/);
  lock.release();
});

test('an empty lock file is being written (refused) until it is 10 s old (taken over); a pid reused by another process is stale', () => {
  const path = join(dir, 'empty.lock');
  writeFileSync(path, '');
  assert.throws(() => acquireLock(path), /locked by a process that is taking it right now/);
  const old = new Date(Date.now() - 11_000);
  utimesSync(path, old, old);
  const lock = acquireLock(path);
  assert.match(lock.replaced!.reason, /empty or damaged/);
  lock.release();
  if (!existsSync(`/proc/${process.pid}/stat`)) return;
  // Our own (live) pid with another start tick: the pid was reused, the holder is gone.
  writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), started: 'x', procStart: '1', purpose: 'p' }));
  const again = acquireLock(path);
  assert.match(again.replaced!.reason, new RegExp(`pid ${process.pid} now belongs to another process`));
  again.release();
});

test('a second lock in the same process is refused; release leaves a lock that is no longer ours', () => {
  const path = join(dir, 'self.lock');
  const lock = acquireLock(path);
  assert.throws(() => acquireLock(path), new RegExp(`pid ${process.pid}`));
  writeFileSync(path, JSON.stringify({ pid: 7, host: 'other', started: 'y', procStart: null, purpose: 'p' }));
  lock.release();
  assert.equal(existsSync(path), true);
});
