import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DspError } from '../dsp/errors.js';
import { rdrecord } from '../wfdb/index.js';
import type { LoadedRecord } from './types.js';

/** Record ids (header names without `.hea`) of a folder → path without extension; optionally recursive. */
export function listWfdbRecords(dir: string, recursive = false): Map<string, string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DspError('E_DB_FILE', `${dir}: is not a directory of WFDB records`, dir);
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name.endsWith('.hea')) {
        const id = name.slice(0, -4);
        if (out.has(id)) throw new DspError('E_DB_RECORD', `${p}: record id '${id}' also exists at ${out.get(id)}.hea`, p);
        out.set(id, p.slice(0, -4));
      } else if (recursive && !name.startsWith('.') && statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Reads a WFDB record as a LoadedRecord. Samples that WFDB marks invalid (NaN) are set to 0 and
 * counted in `invalid`, so downstream filters never see NaN.
 */
export async function loadWfdb(id: string, path: string): Promise<LoadedRecord & { invalid: number }> {
  const rec = await rdrecord(path, { physical: true });
  const signal = rec.physical!;
  let invalid = 0;
  for (const lead of signal) {
    for (let i = 0; i < lead.length; i++) {
      if (Number.isNaN(lead[i]!)) {
        lead[i] = 0;
        invalid++;
      }
    }
  }
  return { id, signal, fs: rec.fs, leads: rec.sigName, invalid };
}
