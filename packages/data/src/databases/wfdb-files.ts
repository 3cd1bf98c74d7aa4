import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError } from '../errors.js';

/** Record ids (header names without `.hea`) of a folder → path without extension; optionally recursive. */
export function listWfdbRecords(dir: string, recursive = false): Map<string, string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatabaseError('E_DB_FILE', `${dir}: is not a directory of WFDB records`, dir);
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name.endsWith('.hea')) {
        const id = name.slice(0, -4);
        if (out.has(id)) throw new DatabaseError('E_DB_RECORD', `${p}: record id '${id}' also exists at ${out.get(id)}.hea`, p);
        out.set(id, p.slice(0, -4));
      } else if (recursive && !name.startsWith('.') && statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}
