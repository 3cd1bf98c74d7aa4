import { open, rename, unlink } from 'node:fs/promises';
import { openSync, writeSync, fsyncSync, closeSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileError } from './fs-error.js';

// The temp file sits in the target's directory so that rename() stays on one filesystem
// and is atomic: readers see the old file or the complete new one, never a partial one.
function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

// `.NAME.PID.HEX8.tmp`, and `.NAME.PID.tmp` of the engine's safetensors writer (which cannot import this one).
const TEMP_NAME = /^\.(.+)\.(\d+)(?:\.[0-9a-f]{8})?\.tmp$/;

/**
 * The name and writer's pid of a temp file that {@link writeFileAtomic} (or the engine's `safetensors.save`)
 * leaves behind when its process dies between creating it and the rename; null for any other name.
 *
 * @example atomicTempOf('.config.json.4242.0a1b2c3d.tmp'); // { target: 'config.json', pid: 4242 }
 */
export function atomicTempOf(name: string): { target: string; pid: number } | null {
  const m = TEMP_NAME.exec(name);
  return m ? { target: m[1]!, pid: Number(m[2]) } : null;
}

/**
 * Removes the temp files of atomic writes in `dir` whose writer is no longer running (a process killed
 * mid-write leaves one, up to a whole partial file); only names of the atomic writers' pattern, only of
 * dead pids on this host, never anything else. Returns the names removed.
 */
export function removeOrphanedTemps(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const t = atomicTempOf(name);
    if (t === null || t.pid === process.pid || processAlive(t.pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(err, join(dir, name), 'remove');
    }
  }
  return removed;
}

/** Whether a process with this pid runs on this host (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `data` (one buffer or several, written in order) to `path` atomically.
 * @example await writeFileAtomic('out/100.hea', Buffer.from('100 2 360 650000\n'));
 */
export async function writeFileAtomic(path: string, data: Uint8Array | Uint8Array[]): Promise<void> {
  const tmp = tempPath(path);
  const fh = await open(tmp, 'w').catch((err: unknown) => { throw fileError(err, path, 'write'); });
  try {
    for (const chunk of Array.isArray(data) ? data : [data]) {
      let off = 0;
      while (off < chunk.byteLength) {
        const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
        off += bytesWritten;
      }
    }
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw fileError(err, path, 'write');
  }
}

/** Synchronous {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: Uint8Array | Uint8Array[]): void {
  const tmp = tempPath(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw fileError(err, path, 'write');
  }
  try {
    for (const chunk of Array.isArray(data) ? data : [data]) {
      let off = 0;
      while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw fileError(err, path, 'write');
  }
}
