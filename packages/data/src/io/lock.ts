// An exclusive lock file: created with O_EXCL (so of two processes exactly one gets it), holding the
// holder's pid, host, start time and (on Linux) the kernel's start tick of that pid, and touched as a
// heartbeat while held. A lock whose holder is gone is taken over: on this host when its pid no longer
// runs (or now belongs to another process), from another host (a shared file system) when its heartbeat
// is older than `staleSeconds`. Take-overs are serialised by a second, short-lived lock (a folder made
// with mkdir), so two processes finding the same stale lock cannot both take it.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LockError } from '../errors.js';
import { processAlive } from './atomic.js';
import { fileError } from './fs-error.js';

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  /** Field 22 of /proc/PID/stat (start time in clock ticks since boot), against pid reuse; null off Linux. */
  procStart: string | null;
  /** What holds it, for messages: `ecglab train`. */
  purpose: string;
}

export interface LockOptions {
  /** Named in the messages others get (default `ecglab`). */
  purpose?: string;
  /**
   * A holder on another host whose heartbeat is older than this counts as gone. Default: the environment
   * variable `ECGLAB_LOCK_STALE_SECONDS`, else 600.
   */
  staleSeconds?: number;
  /** How often the lock file is touched while held (default: a quarter of `staleSeconds`, at most 60 s). */
  heartbeatSeconds?: number;
}

/** A lock file damaged or still empty this long (seconds) counts as left by a dead process. */
const UNREADABLE_GRACE_S = 10;
/** A take-over folder older than this (seconds) was left by a process that died taking over. */
const STEAL_GRACE_S = 30;

/** The start tick of `pid` (field 22 of /proc/PID/stat), or null where /proc cannot tell. */
function procStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null; // fields from the 3rd (state) on
  } catch {
    return null;
  }
}

function staleSeconds(opts: LockOptions, path: string): number {
  const env = process.env.ECGLAB_LOCK_STALE_SECONDS;
  const s = opts.staleSeconds ?? (env !== undefined && env.trim() !== '' ? Number(env) : 600);
  if (!(Number.isFinite(s) && s > 0)) throw new LockError(`ECGLAB_LOCK_STALE_SECONDS must be a number of seconds > 0, found '${env}'`, path, null);
  return s;
}

interface Seen {
  raw: string;
  mtimeMs: number;
  holder: LockHolder | null;
}

function inspect(path: string): Seen | null {
  try {
    const mtimeMs = statSync(path).mtimeMs;
    const raw = readFileSync(path, 'utf8');
    let holder: LockHolder | null = null;
    try {
      const h = JSON.parse(raw) as Partial<LockHolder>;
      if (typeof h.pid === 'number' && typeof h.host === 'string') {
        holder = { pid: h.pid, host: h.host, started: String(h.started ?? '?'), procStart: h.procStart ?? null, purpose: String(h.purpose ?? 'ecglab') };
      }
    } catch {
      holder = null;
    }
    return { raw, mtimeMs, holder };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // released meanwhile
    throw fileError(err, path, 'read');
  }
}

/** Why the lock `seen` is stale, or null while its holder may still run. */
function staleReason(seen: Seen, staleS: number, now = Date.now()): string | null {
  const age = (now - seen.mtimeMs) / 1000;
  const h = seen.holder;
  if (h === null) return age > UNREADABLE_GRACE_S ? `the lock file is empty or damaged and ${age.toFixed(0)} s old` : null;
  if (h.host === hostname()) {
    if (!processAlive(h.pid)) return `process ${h.pid} is no longer running`;
    const start = procStartOf(h.pid);
    if (h.procStart !== null && start !== null && start !== h.procStart) return `pid ${h.pid} now belongs to another process`;
    return null;
  }
  return age > staleS ? `its heartbeat is ${age.toFixed(0)} s old (more than ${staleS} s) and it runs on another host` : null;
}

/** `ecglab train, pid 4242 on host lab1 since 2026-12-07T00:57:12.000Z` */
export function describeHolder(h: LockHolder): string {
  return `${h.purpose}, pid ${h.pid} on host ${h.host} since ${h.started}`;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Removes the stale lock `seen` unless it changed meanwhile; false when another process is taking it over. */
function takeOver(path: string, seen: Seen): boolean {
  const guard = `${path}.steal`;
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(err, guard, 'lock');
    try {
      if ((Date.now() - statSync(guard).mtimeMs) / 1000 > STEAL_GRACE_S) rmdirSync(guard);
    } catch {
      // removed by its owner meanwhile
    }
    return false;
  }
  try {
    const now = inspect(path);
    if (now !== null && now.raw === seen.raw && now.mtimeMs === seen.mtimeMs) unlinkSync(path);
    return true;
  } finally {
    rmdirSync(guard);
  }
}

/**
 * An exclusive lock on `path`, held until `release()` (or `using`). Throws a {@link LockError} naming the
 * holder's pid, host and start when a live process holds it; a lock left by a dead process is taken over,
 * and `replaced` says whose it was and why it counted as stale.
 *
 * @example using lock = acquireLock('runs/x/train.lock', { purpose: 'ecglab train' });
 */
export function acquireLock(path: string, opts: LockOptions = {}): FileLock {
  const staleS = staleSeconds(opts, path);
  const heartbeatS = opts.heartbeatSeconds ?? Math.min(60, staleS / 4);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), procStart: procStartOf(process.pid), purpose: opts.purpose ?? 'ecglab' };
  let replaced: { holder: LockHolder | null; reason: string } | null = null;
  for (let attempt = 0; attempt < 50; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(err, path, 'lock');
      const seen = inspect(path);
      if (seen === null) continue;
      const reason = staleReason(seen, staleS);
      if (reason === null) {
        const who = seen.holder ? describeHolder(seen.holder) : 'a process that is taking it right now';
        throw new LockError(`${path}: locked by ${who}`, path, seen.holder);
      }
      if (takeOver(path, seen)) replaced = { holder: seen.holder, reason };
      else sleepSync(20);
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(me)}\n`);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      unlinkSync(path);
      throw fileError(err, path, 'lock');
    }
    closeSync(fd);
    return new FileLock(path, me, heartbeatS, replaced);
  }
  throw new LockError(`${path}: could not take the lock: other processes kept taking it over at the same time`, path, null);
}

/** A held lock (see acquireLock). */
export class FileLock implements Disposable {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(
    readonly path: string,
    readonly holder: LockHolder,
    heartbeatSeconds: number,
    /** The stale lock this one replaced, and why it was stale. */
    readonly replaced: { holder: LockHolder | null; reason: string } | null,
  ) {
    if (heartbeatSeconds > 0 && Number.isFinite(heartbeatSeconds)) {
      this.timer = setInterval(() => this.touch(), heartbeatSeconds * 1000);
      this.timer.unref();
    }
  }

  /** Marks the lock as alive now (the heartbeat; also called by long loops at their checkpoints). */
  touch(): void {
    try {
      const now = new Date();
      utimesSync(this.path, now, now);
    } catch {
      // a heartbeat that fails (the file was taken over, the disk is gone) is noticed at release
    }
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const seen = inspect(this.path);
    if (seen?.holder && seen.holder.pid === this.holder.pid && seen.holder.host === this.holder.host && seen.holder.started === this.holder.started) {
      try {
        unlinkSync(this.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(err, this.path, 'remove');
      }
    }
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
