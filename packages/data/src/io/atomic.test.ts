// The atomic writer's failures: a full disk names the file in plain words and leaves no temp file; the
// orphan sweep removes only temp files of the atomic writers' pattern whose writer is dead.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError } from '../errors.js';
import { atomicTempOf, removeOrphanedTemps, writeFileAtomic, writeFileAtomicSync } from './atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'ecglab-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a full disk (a 64 kB tmpfs) is "the disk is full (ENOSPC)" naming the file, with no temp file left', async (t) => {
  const small = join(dir, 'small');
  mkdirSync(small);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]).status !== 0) return t.skip('mounting a tmpfs needs root and mount rights');
  try {
    const big = new Uint8Array(1 << 20);
    for (const write of [() => writeFileAtomicSync(join(small, 'model.bin'), big), () => writeFileAtomic(join(small, 'model.bin'), [big, big])]) {
      await assert.rejects(async () => write(), (err: unknown) => {
        assert.ok(err instanceof FileError);
        assert.equal(err.errno, 'ENOSPC');
        assert.match(err.message, /small\/model\.bin: cannot write: the disk is full \(ENOSPC\); free some space and run again$/);
        return true;
      });
      assert.deepEqual(readdirSync(small), []);
    }
  } finally {
    spawnSync('umount', [small]);
  }
});

test('a missing folder is named as such, not as a missing file', () => {
  assert.throws(() => writeFileAtomicSync(join(dir, 'nope', 'x.json'), new Uint8Array(1)), /nope\/x\.json: cannot write: its folder does not exist \(ENOENT\)/);
  // /proc exists and answers ENOENT to a new file: not "does not exist".
  assert.throws(() => writeFileAtomicSync('/proc/x.png', new Uint8Array(1)), /^FileError: \/proc\/x\.png: cannot write: its folder \/proc exists but takes no new files \(a virtual file system such as \/proc\?\) \(ENOENT\)$/);
});

test('orphaned temp files: only the atomic writers\' names, only of dead writers', () => {
  const sweep = join(dir, 'sweep');
  mkdirSync(sweep);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const gone = [`.config.json.${dead}.0a1b2c3d.tmp`, `.model.safetensors.${dead}.tmp`];
  const kept = [`.config.json.${process.pid}.0a1b2c3d.tmp`, 'x.tmp', `.a.${dead}.tmp.old`, `config.json.${dead}.0a1b2c3d.tmp`, `.a.${dead}.0A1B2C3D.tmp`];
  for (const f of [...gone, ...kept]) writeFileSync(join(sweep, f), '');
  assert.deepEqual(removeOrphanedTemps(sweep).sort(), gone.sort());
  assert.deepEqual(readdirSync(sweep).sort(), kept.sort());
  assert.deepEqual(atomicTempOf('.config.json.4242.0a1b2c3d.tmp'), { target: 'config.json', pid: 4242 });
});
