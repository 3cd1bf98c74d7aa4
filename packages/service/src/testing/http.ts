// Helpers for in-process requests: multipart bodies from fixture files or bytes.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export type Part = string | { name: string; data: Uint8Array | string };

/** A multipart form: `file` parts (fixture paths, or names with bytes) and text fields. */
export function formOf(parts: Part[], fields: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const p of parts) {
    if (typeof p === 'string') fd.append('file', new File([readFileSync(p)], basename(p)));
    else fd.append('file', new File([typeof p.data === 'string' ? p.data : new Uint8Array(p.data)], p.name));
  }
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
}

