// File-system errors in plain words. Node's own messages name the system call and sometimes not the
// file (`ENOSPC: no space left on device, write`); these say which file, what was being done and what
// the code means, and keep the errno code for callers that branch on it.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileError } from '../errors.js';

const PLAIN: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file would exceed the file-size limit (ulimit -f)',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  EIO: 'an input/output error (a failing disk?)',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
};

/** What an errno code means, in plain words (`ENOSPC` → `the disk is full`); the code itself when unknown. */
export function plainErrno(code: string | undefined): string {
  return (code !== undefined && PLAIN[code]) || `system error ${code ?? 'unknown'}`;
}

/**
 * Wraps a file-system error as a {@link FileError} naming `file` and saying, in plain words, what failed:
 * `runs/x/model.safetensors: cannot write: the disk is full (ENOSPC)`. Errors that are not errno errors
 * (ours, with their own message) pass through unchanged.
 *
 * @example try { writeSync(fd, buf) } catch (err) { throw fileError(err, path, 'write') }
 */
export function fileError(err: unknown, file: string, action: 'read' | 'write' | 'create' | 'remove' | 'lock'): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const syscall = (err as NodeJS.ErrnoException | undefined)?.syscall;
  if (!(err instanceof Error) || typeof code !== 'string' || syscall === undefined) return err;
  const what = code === 'ENOENT' && (action === 'write' || action === 'create' || action === 'lock') ? missingOnWrite(file) : plainErrno(code);
  const hint = code === 'ENOSPC' || code === 'EDQUOT' ? '; free some space and run again' : code === 'EFBIG' ? '; raise the limit (ulimit -f unlimited) and run again' : '';
  return new FileError(`${file}: cannot ${action}: ${what} (${code})${hint}`, file, code, { cause: err });
}

/**
 * ENOENT when creating a file: usually its folder is missing, but a virtual file system (/proc, /sys) says
 * ENOENT too for a folder that exists and takes no new files; "does not exist" would send the user looking
 * for a folder that is there.
 */
function missingOnWrite(file: string): string {
  const folder = dirname(file);
  const isFolder = ((): boolean => {
    try {
      return statSync(folder).isDirectory();
    } catch {
      return false;
    }
  })();
  return isFolder ? `its folder ${folder} exists but takes no new files (a virtual file system such as /proc?)` : 'its folder does not exist';
}
