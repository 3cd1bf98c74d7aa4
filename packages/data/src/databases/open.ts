import { Cinc2017 } from './cinc2017.js';
import { Cinc2021, type Cinc2021Options } from './cinc2021.js';
import { Cpsc2018, type Cpsc2018Options } from './cpsc2018.js';
import { Ludb, type LudbOptions } from './ludb.js';
import { Ptbxl, type PtbxlOptions } from './ptbxl.js';
import type { DatabaseOpenOptions, EcgDatabase } from './types.js';
import { WfdbFolder, type WfdbFolderOptions } from './wfdb-folder.js';
import { SignalArgumentError } from '../errors.js';

/** Any database adapter, as a config value: one variant per adapter (for run configs and the CLI). */
export type DatabaseSpec =
  | { kind: 'cinc2017'; path: string; reference?: string }
  | ({ kind: 'cpsc2018' } & Cpsc2018Options)
  | ({ kind: 'cinc2021' } & Cinc2021Options)
  | ({ kind: 'ptbxl' } & PtbxlOptions)
  | ({ kind: 'ludb' } & LudbOptions)
  | ({ kind: 'wfdb-folder' } & WfdbFolderOptions);

/**
 * Opens the adapter a spec names; `open` says how its records are read (see DatabaseOpenOptions).
 * Example: `openDatabase({ kind: 'ptbxl', dir: 'data/ptbxl', fs: 500 })`.
 */
export function openDatabase(spec: DatabaseSpec, open: DatabaseOpenOptions = {}): EcgDatabase {
  switch (spec.kind) {
    case 'cinc2017':
      return new Cinc2017(spec.path, spec.reference, open);
    case 'cpsc2018':
      return new Cpsc2018(spec, open);
    case 'cinc2021':
      return new Cinc2021(spec, open);
    case 'ptbxl':
      return new Ptbxl(spec, open);
    case 'ludb':
      return new Ludb(spec, open);
    case 'wfdb-folder':
      return new WfdbFolder(spec, open);
    default:
      throw new SignalArgumentError(`openDatabase: 'kind' must be cinc2017, cpsc2018, cinc2021, ptbxl, ludb or wfdb-folder, got '${String((spec as { kind: unknown }).kind)}'`);
  }
}
