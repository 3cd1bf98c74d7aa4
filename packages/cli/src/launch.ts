// `ecglab train --nproc N`: a local launcher as torchrun's, for one machine. It starts N copies of an ecglab
// command with torchrun's variables (MASTER_ADDR, MASTER_PORT on a free port, WORLD_SIZE, RANK, LOCAL_RANK,
// LOCAL_WORLD_SIZE), forwards their output (other ranks' stderr prefixed with their rank), and waits. When a
// worker fails, the others stop by themselves (their next collective fails and names the rank); a worker
// that has not stopped within `graceMs` is terminated. The launcher then fails with each rank's outcome.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The `ecglab` entry point the workers run. */
export const ECGLAB_BIN = fileURLToPath(new URL('../bin/ecglab.mjs', import.meta.url));

/** Set in each worker: the launcher's pid, so a worker stops when its launcher is gone (see watchLauncher). */
export const LAUNCHER_ENV = 'ECGLAB_LAUNCHER_PID';

export interface LaunchOptions {
  nproc: number;
  /** The ecglab arguments of each worker (`train --config ...`, without --nproc). */
  args: string[];
  /** How long the other workers get to stop after one fails, before they are terminated (ms). */
  graceMs: number;
  /** Where the workers' stderr goes, line by line (default: this process's stderr). */
  err?: (line: string) => void;
}

/** A free TCP port on the loopback interface, for the rendezvous store. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface Outcome {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The worker's last `ecglab: ...` error line. */
  error: string | null;
  /** Terminated by the launcher after the grace period. */
  terminated: boolean;
}

/**
 * Runs `ecglab <args>` in `nproc` local processes that form one process group (env://) and resolves when all
 * have exited; rejects with every failed rank's outcome when any fails.
 * @example await launchLocal({ nproc: 2, args: ['train', '--config', 'configs/main-job.yaml'], graceMs: 60_000 });
 */
export async function launchLocal(opts: LaunchOptions): Promise<void> {
  const { nproc } = opts;
  const err = opts.err ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const port = await freePort();
  const outcomes: Outcome[] = [];
  const workers: ChildProcess[] = [];
  let firstFailure: number | null = null;
  let killTimer: NodeJS.Timeout | null = null;

  const exits = Array.from({ length: nproc }, (_, rank) => new Promise<void>((done) => {
    const w = spawn(process.execPath, [ECGLAB_BIN, ...opts.args], {
      stdio: ['ignore', 'inherit', 'pipe'],
      env: {
        ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: String(nproc), RANK: String(rank),
        LOCAL_RANK: String(rank), LOCAL_WORLD_SIZE: String(nproc), [LAUNCHER_ENV]: String(process.pid),
      },
    });
    workers.push(w);
    const outcome: Outcome = { rank, code: null, signal: null, error: null, terminated: false };
    outcomes[rank] = outcome;
    const lines = createInterface({ input: w.stderr! });
    lines.on('line', (line) => {
      if (line.startsWith('ecglab: ')) outcome.error = line.slice('ecglab: '.length);
      err(rank === 0 ? line : `[rank ${rank}] ${line}`);
    });
    const closed = new Promise<void>((r) => lines.on('close', () => r()));
    w.on('error', (e) => {
      outcome.error = `could not start: ${e.message}`;
    });
    w.on('close', (code, signal) => {
      outcome.code = code;
      outcome.signal = signal;
      if ((code !== 0 || signal !== null) && firstFailure === null) {
        firstFailure = rank;
        // The others stop by themselves once their collectives fail; those that do not are terminated.
        killTimer = setTimeout(() => {
          for (const [r, p] of workers.entries()) {
            if (p.exitCode === null && p.signalCode === null) {
              outcomes[r]!.terminated = true;
              p.kill('SIGTERM');
              setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
            }
          }
        }, opts.graceMs);
      }
      void closed.then(done);
    });
  }));
  const forward = (signal: NodeJS.Signals) => () => {
    for (const w of workers) w.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    await Promise.all(exits);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (killTimer) clearTimeout(killTimer);
  }
  const failed = outcomes.filter((o) => o.code !== 0 || o.signal !== null);
  if (failed.length === 0) return;
  // The rank that failed first leads (usually the one that died; the others say how they noticed).
  failed.sort((a, b) => (a.rank === firstFailure ? -1 : b.rank === firstFailure ? 1 : a.rank - b.rank));
  const says = (o: Outcome): string => {
    const how = o.terminated ? `did not stop within ${Math.round(opts.graceMs / 1000)} s of rank ${firstFailure}'s failure and was terminated`
      : o.signal !== null ? `was killed by ${o.signal}` : `exited with code ${o.code}`;
    return `rank ${o.rank} ${how}${o.error ? `: ${o.error}` : ''}`;
  };
  throw new LaunchError(`${nproc} workers: ${failed.map(says).join('; ')}`);
}

/** A local data-parallel run failed: the message holds each failed rank's outcome. */
export class LaunchError extends Error {
  readonly code = 'LAUNCH';
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

/**
 * In a worker started by launchLocal: exits when the launcher is gone (killed with SIGKILL, say), so that no
 * orphaned rank trains on. Does nothing elsewhere (under torchrun, whose agent stops its workers itself).
 */
export function watchLauncher(): void {
  const launcher = Number(process.env[LAUNCHER_ENV]);
  if (!Number.isInteger(launcher) || launcher <= 0) return;
  setInterval(() => {
    if (process.ppid !== launcher) {
      process.stderr.write(`ecglab: rank ${process.env.RANK}: the launcher (pid ${launcher}) is gone; stopping\n`);
      process.exit(1);
    }
  }, 2000).unref();
}
