import { writeFileAtomicSync } from '@ecglab/data';

/**
 * Writes a file atomically (@ecglab/data's writeFileAtomicSync: a temp file in the same folder,
 * fsync, rename). A reader, or a run resumed after `kill -9`, sees the old file or the complete new one.
 */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileAtomicSync(path, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

/** {@link writeAtomic} of pretty-printed JSON. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
