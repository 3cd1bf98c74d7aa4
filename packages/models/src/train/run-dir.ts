import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { acquireLock, describeHolder, FileError, LockError, plainErrno, removeOrphanedTemps, writeFileAtomicSync, type FileLock } from '@ecglab/data';
import { RunError } from '../errors.js';
import type { RunConfig } from '../config/types.js';
import { MODEL_FILE } from '../inference/model-file.js';

/**
 * A run directory:
 *   config.json                   the resolved config (defaults filled in)
 *   log.jsonl                     one JSON object per epoch
 *   checkpoint.json + checkpoint-<step>.safetensors   the latest full training state (for --resume)
 *   model.safetensors             the best epoch's weights with its inference spec (see inference/spec.ts)
 *   metrics.json                  final validation metrics of the best model, with a bootstrap CI
 *   curves.png                    training curves (loss, monitored metric, learning rate by epoch), written at the end
 *   test-split.txt                the held-out test records' ids, when the split makes them (CPSC 2018 perClassSplit)
 *   train.lock                    while a run trains: its pid, host and start (see RunDir)
 */
export const RUN_FILES = { config: 'config.json', log: 'log.jsonl', model: MODEL_FILE, metrics: 'metrics.json', testSplit: 'test-split.txt', lock: 'train.lock', checkpoint: 'checkpoint.json' } as const;

/** Writes pretty-printed JSON atomically (a reader, or a run resumed after `kill -9`, sees the old file or the new one). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomicSync(path, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'));
}

/**
 * A run directory opened for training: locked, checked and cleaned; released by `using` or `release()`.
 *
 * - The lock (`train.lock`: pid, host, start, heartbeat; see @ecglab/data's acquireLock) is taken before
 *   anything is checked, so of two `ecglab train` into one `--out` (fresh or `--resume`) exactly one runs;
 *   the other is told the holder's pid and host. A lock left by a killed run is taken over.
 * - A fresh start refuses a folder that holds a run (its `config.json`), and writes `config.json` only at
 *   `begin()`, once the data and the model are set up: a start that fails before (bad groups, missing data)
 *   leaves no run behind (and removes the folders it made, when empty), so the retry is not blocked.
 * - `--resume` of a folder without `config.json` and without a checkpoint (killed before the first write of
 *   its config: its lock is left) starts the run from the beginning, with a note; with a checkpoint but no
 *   config it refuses, as it does a folder that does not exist or is empty (a mistyped --out).
 * - Temp files of atomic writes whose writer died (a kill mid-write) are removed, only those.
 */
export class RunDir implements Disposable {
  private begun = false;
  private constructor(
    readonly dir: string,
    private readonly cfg: RunConfig,
    /** True when this opening starts the run (no config.json yet). */
    readonly fresh: boolean,
    private readonly lock: FileLock,
    /** Folders this opening created, outermost first (removed again if the start fails). */
    private readonly created: string[],
  ) {}

  /**
   * Locks and checks `dir` for training `cfg` (fresh, or continuing with `resume`). `note` hears what was
   * done besides (a stale lock taken over, orphaned temp files removed, a resume that starts afresh).
   */
  static open(dir: string, cfg: RunConfig, resume: boolean, note: (text: string) => void = () => undefined): RunDir {
    // A --resume into a folder that did not exist, or held nothing, is a wrong path rather than a run killed
    // before its config (which leaves at least its lock): refuse it instead of training from scratch.
    if (resume && (!existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0))) {
      throw new RunError(`${dir}: no run to resume (${existsSync(dir) ? 'the folder is empty' : 'no such folder'}); start it without --resume`);
    }
    const created = makeDirs(dir);
    let lock: FileLock;
    try {
      lock = acquireLock(join(dir, RUN_FILES.lock), { purpose: 'ecglab train' });
    } catch (err) {
      removeEmpty(created);
      if (err instanceof LockError) {
        const who = err.holder ? describeHolder({ procStart: null, purpose: 'ecglab train', ...err.holder }) : 'another process';
        throw new RunError(`${dir}: this run directory is in use by ${who}; wait for that run to end (or stop it), or choose another --out`);
      }
      if (err instanceof FileError && ['EROFS', 'EACCES', 'EPERM'].includes(err.errno)) {
        throw new RunError(`${dir}: the run directory is not writable (${plainErrno(err.errno)}, ${err.errno}); choose another --out`);
      }
      throw err;
    }
    try {
      if (lock.replaced) note(`${dir}: took over the lock of a run that had stopped (${lock.replaced.reason})`);
      const cfgPath = join(dir, RUN_FILES.config);
      let fresh = !existsSync(cfgPath);
      if (resume && fresh) {
        if (existsSync(join(dir, RUN_FILES.checkpoint))) throw new RunError(`${cfgPath}: missing, but the run has a checkpoint; put back the config.json it was started with, or start a new --out`);
        note(`${dir}: nothing to resume (the run was stopped before it wrote config.json); starting it from the beginning`);
      } else if (resume) {
        const diff = firstDifference(readRunConfig(dir), cfg, '');
        if (diff !== null) throw new RunError(`${cfgPath}: the run was started with a different config (${diff}); resume with the same config or start a new --out`);
        fresh = false;
      } else if (!fresh) {
        throw new RunError(`${dir}: already holds a run; pass --resume to continue it or choose another --out`);
      }
      const removed = removeOrphanedTemps(dir);
      if (removed.length > 0) note(`${dir}: removed ${removed.length} temp file(s) of writes cut short: ${removed.join(', ')}`);
      return new RunDir(dir, cfg, fresh, lock, created);
    } catch (err) {
      lock.release();
      removeEmpty(created);
      throw err;
    }
  }

  /** The run exists from here on: a fresh start writes its config.json. Call once setup has succeeded. */
  begin(): void {
    if (this.fresh && !this.begun) writeJsonAtomic(join(this.dir, RUN_FILES.config), this.cfg);
    this.begun = true;
  }

  /** Marks the lock alive (the heartbeat timer does it too, when the event loop is free). */
  touch(): void {
    this.lock.touch();
  }

  /** Releases the lock; a fresh start that never began also removes the folders it created (if empty). */
  release(): void {
    this.lock.release();
    if (this.fresh && !this.begun) removeEmpty(this.created);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * `mkdir -p` with plain errors, returning the folders it created (outermost first). Node's own recursive
 * mkdir loops for ever under /proc (whose mkdir says ENOENT); this walks up once and creates downwards.
 */
function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new RunError(`${dir}: cannot use ${p} (${plainErrno(code)}, ${code})`);
      missing.unshift(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new RunError(`${dir}: ${p === resolve(dir) ? 'is' : `${p} is`} a file, not a folder; choose another --out`);
    break;
  }
  const created: string[] = [];
  for (const m of missing) {
    try {
      mkdirSync(m);
      created.push(m);
    } catch (err) {
      removeEmpty(created);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue; // made by a concurrent start
      const why = code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' ? `${dirname(m)} is not writable (${code === 'ENOENT' ? 'it does not take new folders' : plainErrno(code)}, ${code})` : `${plainErrno(code)} (${code})`;
      throw new RunError(`${dir}: cannot create the run directory: ${why}; choose another --out`);
    }
  }
  return created;
}

/** Removes `dirs` (outermost first) from the innermost out, as long as they are empty. */
function removeEmpty(dirs: readonly string[]): void {
  for (const d of [...dirs].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (or gone): leave it and its parents
    }
  }
}

/** Reads the config a run was started with (for `--resume` without `--config`). */
export function readRunConfig(dir: string): RunConfig {
  const cfgPath = join(dir, RUN_FILES.config);
  if (!existsSync(cfgPath)) throw new RunError(`${dir}: no run to resume (config.json is missing); start it without --resume`);
  try {
    return JSON.parse(readFileSync(cfgPath, 'utf8')) as RunConfig;
  } catch (err) {
    throw new RunError(`${cfgPath}: not valid JSON (${(err as Error).message})`);
  }
}

function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return JSON.stringify(a) === JSON.stringify(b) ? null : `${path || '/'}: ${JSON.stringify(a)} then, ${JSON.stringify(b)} now`;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`);
    if (d !== null) return d;
  }
  return null;
}
