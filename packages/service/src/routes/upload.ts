import type { EcgRecord } from '@ecglab/data';
import { withRequestDir, type ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import type { UploadedFile } from '../upload/files.js';
import { readUpload, type Upload, type UploadFields } from '../upload/read.js';

/** The `file` field's parts as named bytes. */
async function partsOf(file: File | File[]): Promise<UploadedFile[]> {
  const files = Array.isArray(file) ? file : [file];
  return Promise.all(files.map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) })));
}

/** Reads a request's upload in its own temporary folder (deleted after) and passes what it holds to `fn`. */
export async function withUpload<T>(ctx: ServiceContext, form: { file: File | File[] } & UploadFields, fn: (up: Upload) => Promise<T>): Promise<T> {
  const parts = await partsOf(form.file);
  return withRequestDir(ctx, async (dir) => fn(await readUpload(parts, { fs: form.fs, units: form.units }, dir, ctx.limits)));
}

/** Exactly one record (for /render and /robustness). */
export function oneRecord(up: Upload, endpoint: string): EcgRecord {
  if (up.kind === 'image') throw new ServiceError('UNSUPPORTED_TYPE', `${endpoint} takes a record, not a photo (${up.image.name})`);
  if (up.records.length !== 1) throw new ServiceError('BAD_REQUEST', `${endpoint} takes one record; the upload holds ${up.records.length} (${up.records.map((r) => r.id).slice(0, 5).join(', ')})`);
  return up.records[0]!;
}
