import { resolve } from 'node:path';
import { rdheaderSync, type CommentInfo } from '../wfdb/index.js';
import { BaseDatabase } from './base.js';
import { CsvTable } from './csv.js';
import { CINC2021 } from './facts.js';
import type { DatabaseOpenOptions, RecordMetadata } from './types.js';
import { listWfdbRecords } from './wfdb-files.js';
import { DatabaseError } from '../errors.js';
import type { EcgRecord } from '../record/record.js';

export interface Cinc2021Options {
  /** Folder of records (`*.hea` + MAT v4 `.mat`); searched recursively when `recursive`. */
  dir: string;
  /** The challenge's dx_mapping_scored.csv (columns Dx, SNOMEDCTCode, Abbreviation, ...). */
  scored: string;
  /** dx_mapping_unscored.csv, to name unscored codes in metadata (optional). */
  unscored?: string;
  recursive?: boolean;
}

/**
 * PhysioNet/CinC Challenge 2020/2021 records with SNOMED CT `#Dx` codes. Classes are the scored
 * codes of dx_mapping_scored.csv, in its row order, with the challenge's equivalent pairs merged
 * into one class named `A|B` (e.g. `CRBBB|RBBB`), as in weights.csv. Unscored codes give no label.
 * Example: `openCinc2021({ dir: 'x/training_data', scored: 'x/dx_mapping_scored.csv' })`.
 */
export class Cinc2021 extends BaseDatabase {
  readonly facts = CINC2021;
  readonly classes: string[] = [];
  readonly source: string;
  /** SNOMED codes of each class (two for a merged pair). */
  readonly classCodes: string[][] = [];
  protected ids: string[];
  private readonly codeToClass = new Map<string, number>();
  private readonly codeName = new Map<string, string>();
  private readonly info = new Map<string, CommentInfo>();
  private readonly paths: Map<string, string>;

  constructor(opts: Cinc2021Options, open: DatabaseOpenOptions = {}) {
    super(open);
    const t = CsvTable.read(opts.scored);
    const partner = new Map<string, string>();
    for (const [a, b] of CINC2021.equivalent) {
      partner.set(a, b);
      partner.set(b, a);
    }
    const rows = t.rows.map((r) => ({ code: t.get(r, 'SNOMEDCTCode').trim(), abbr: t.get(r, 'Abbreviation').trim(), line: r.line }));
    for (const { code, abbr, line } of rows) {
      if (!/^\d+$/.test(code)) throw new DatabaseError('E_DB_LABEL', `${opts.scored} line ${line}: SNOMEDCTCode '${code}' is not a number`, opts.scored);
      this.codeName.set(code, abbr);
    }
    for (const { code } of rows) {
      if (this.codeToClass.has(code)) continue;
      const p = partner.get(code);
      const pair = p !== undefined && this.codeName.has(p) ? CINC2021.equivalent.find(([a, b]) => a === code || b === code)! : null;
      const codes = pair ? [...pair] : [code];
      this.classes.push(codes.map((c) => this.codeName.get(c)!).join('|'));
      this.classCodes.push(codes);
      for (const c of codes) this.codeToClass.set(c, this.classes.length - 1);
    }
    if (opts.unscored) {
      const u = CsvTable.read(opts.unscored);
      for (const r of u.rows) this.codeName.set(u.get(r, 'SNOMEDCTCode').trim(), u.get(r, 'Abbreviation').trim());
    }
    this.paths = listWfdbRecords(opts.dir, opts.recursive ?? false);
    for (const [id, p] of this.paths) {
      const info = rdheaderSync(p).info;
      if (info.dx === undefined) throw new DatabaseError('E_DB_LABEL', `${p}.hea: has no '#Dx:' line (CinC 2020/2021 headers list SNOMED CT codes there)`, `${p}.hea`);
      for (const c of info.dx) {
        if (!/^\d+$/.test(c)) throw new DatabaseError('E_DB_LABEL', `${p}.hea: Dx '${c}' is not a SNOMED CT code (is this the early abbreviation-coded CinC 2020 release? use openCpsc2018 for it)`, `${p}.hea`);
      }
      this.info.set(id, info);
    }
    this.ids = [...this.paths.keys()];
    this.source = `cinc2021:${resolve(opts.dir)}`;
  }

  protected classNames(id: string): string[] {
    const idx = new Set(this.info.get(id)!.dx!.map((c) => this.codeToClass.get(c)).filter((i): i is number => i !== undefined));
    return [...idx].sort((a, b) => a - b).map((i) => this.classes[i]!);
  }

  async load(id: string): Promise<EcgRecord> {
    this.check(id);
    return this.reader(this.paths.get(id)!, { id });
  }

  metadata(id: string): RecordMetadata {
    this.check(id);
    const info = this.info.get(id)!;
    const dx = info.dx ?? [];
    return {
      age: info.age ?? null,
      sex: info.sex ?? null,
      extra: { ...info.fields, dxNames: dx.map((c) => this.codeName.get(c) ?? `unknown:${c}`).join(',') },
    };
  }
}

export function openCinc2021(opts: Cinc2021Options, open: DatabaseOpenOptions = {}): Cinc2021 {
  return new Cinc2021(opts, open);
}
