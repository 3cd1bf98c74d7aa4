import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BaseDatabase } from './base.js';
import { CsvTable } from './csv.js';
import { PTBXL } from './facts.js';
import type { DatabaseOpenOptions, FoldOptions, RecordMetadata } from './types.js';
import { SignalArgumentError, DatabaseError } from '../errors.js';
import type { EcgRecord } from '../record/record.js';

/**
 * Which PTB-XL statements become classes:
 * 'superclass' the 5 diagnostic superclasses (NORM, MI, STTC, CD, HYP) via scp_statements.csv's
 * diagnostic_class; 'subclass' the diagnostic_subclass values; 'diagnostic' / 'form' / 'rhythm' the
 * statements flagged so in scp_statements.csv; 'all' every statement.
 */
export type PtbxlLabelSet = 'superclass' | 'subclass' | 'diagnostic' | 'form' | 'rhythm' | 'all';

export interface PtbxlOptions {
  /** Folder holding ptbxl_database.csv, scp_statements.csv, records100/, records500/. */
  dir: string;
  fs?: 100 | 500;
  labelSet?: PtbxlLabelSet;
  /**
   * Keep a statement only if its likelihood (the number in scp_codes) is at least this. Default 0
   * keeps all, as the PTB-XL benchmark does (form and rhythm statements carry likelihood 0).
   */
  minLikelihood?: number;
}

interface Statement {
  diagnostic: boolean;
  form: boolean;
  rhythm: boolean;
  cls: string;
  subclass: string;
}

/** Parses a scp_codes cell such as `{'NORM': 100.0, 'SR': 0.0}` (a Python dict literal). */
export function parseScpCodes(text: string, where: string): Map<string, number> {
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new DatabaseError('E_DB_LABEL', `${where}: scp_codes '${text}' is not a {'CODE': likelihood, ...} dict`);
  const out = new Map<string, number>();
  const inner = body.slice(1, -1).trim();
  if (inner === '') return out;
  for (const part of inner.split(',')) {
    const m = /^\s*'([^']+)'\s*:\s*(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*$/.exec(part);
    if (!m) throw new DatabaseError('E_DB_LABEL', `${where}: scp_codes entry '${part.trim()}' is not 'CODE': number`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/**
 * PTB-XL (12 leads, 10 s, 100 or 500 Hz). Records listed are the rows of ptbxl_database.csv whose
 * signal files exist at the chosen rate (`missing()` names the others). Folds are the official
 * strat_fold (1..10 → 0..9) unless `folds({ k })` asks for computed ones.
 * Example: `openPtbxl({ dir: 'fixtures/data/ptbxl', fs: 100, labelSet: 'superclass' })`.
 */
export class Ptbxl extends BaseDatabase {
  readonly facts = PTBXL;
  readonly classes: string[];
  readonly source: string;
  protected ids: string[] = [];
  private readonly rows = new Map<string, Record<string, string>>();
  private readonly codes = new Map<string, Map<string, number>>();
  private readonly statements = new Map<string, Statement>();
  private readonly paths = new Map<string, string>();
  private readonly absent: string[] = [];
  private readonly labelSet: PtbxlLabelSet;
  private readonly minLikelihood: number;

  constructor(opts: PtbxlOptions, open: DatabaseOpenOptions = {}) {
    super(open);
    const fs = opts.fs ?? 100;
    if (fs !== 100 && fs !== 500) throw new SignalArgumentError(`openPtbxl: 'fs' must be 100 or 500, got ${String(fs)}`);
    this.labelSet = opts.labelSet ?? 'superclass';
    this.minLikelihood = opts.minLikelihood ?? 0;
    const scpFile = join(opts.dir, 'scp_statements.csv');
    const s = CsvTable.read(scpFile);
    const flag = (v: string): boolean => v.trim() !== '' && Number(v) === 1;
    for (const r of s.rows) {
      this.statements.set(r.fields[0]!.trim(), {
        diagnostic: flag(s.get(r, 'diagnostic')),
        form: flag(s.get(r, 'form')),
        rhythm: flag(s.get(r, 'rhythm')),
        cls: s.get(r, 'diagnostic_class').trim(),
        subclass: s.get(r, 'diagnostic_subclass').trim(),
      });
    }
    const all = [...this.statements.keys()];
    const st = (c: string): Statement => this.statements.get(c)!;
    const classesBySet: Record<PtbxlLabelSet, () => string[]> = {
      superclass: () => [...PTBXL.superclasses],
      subclass: () => [...new Set(all.filter((c) => st(c).diagnostic).map((c) => st(c).subclass))].sort(),
      diagnostic: () => all.filter((c) => st(c).diagnostic),
      form: () => all.filter((c) => st(c).form),
      rhythm: () => all.filter((c) => st(c).rhythm),
      all: () => all,
    };
    if (!(this.labelSet in classesBySet)) throw new SignalArgumentError(`openPtbxl: 'labelSet' must be one of ${Object.keys(classesBySet).join(', ')}, got '${this.labelSet}'`);
    this.classes = classesBySet[this.labelSet]();

    const dbFile = join(opts.dir, 'ptbxl_database.csv');
    const t = CsvTable.read(dbFile);
    const fileCol = fs === 100 ? 'filename_lr' : 'filename_hr';
    for (const r of t.rows) {
      const rec = Object.fromEntries(t.header.map((h, i) => [h, r.fields[i]!]));
      const id = rec.ecg_id!.trim();
      const where = `${dbFile} line ${r.line} (ecg_id ${id})`;
      const codes = parseScpCodes(rec.scp_codes!, where);
      for (const c of codes.keys()) if (!this.statements.has(c)) throw new DatabaseError('E_DB_LABEL', `${where}: scp code '${c}' is not in ${scpFile}`, dbFile);
      const fold = Number(rec.strat_fold);
      if (!Number.isInteger(fold) || fold < 1 || fold > 10) throw new DatabaseError('E_DB_LABEL', `${where}: strat_fold '${rec.strat_fold}' is not 1..10`, dbFile);
      this.rows.set(id, rec);
      this.codes.set(id, codes);
      const path = join(opts.dir, rec[fileCol]!.trim());
      if (existsSync(`${path}.hea`)) this.paths.set(id, path);
      else this.absent.push(id);
    }
    this.ids = [...this.paths.keys()].sort((a, b) => Number(a) - Number(b));
    this.source = `ptbxl@${fs}Hz:${resolve(opts.dir)}`;
  }

  /** ecg_ids of table rows whose signal files are absent at this rate. */
  missing(): string[] {
    return [...this.absent];
  }

  /** The statements of a record with their likelihoods, as in scp_codes. */
  scpCodes(id: string): Map<string, number> {
    this.check(id);
    return new Map(this.codes.get(id)!);
  }

  protected classNames(id: string): string[] {
    const out = new Set<string>();
    for (const [c, lik] of this.codes.get(id)!) {
      if (lik < this.minLikelihood) continue;
      const s = this.statements.get(c)!;
      switch (this.labelSet) {
        case 'superclass':
          if (s.diagnostic && s.cls) out.add(s.cls);
          break;
        case 'subclass':
          if (s.diagnostic && s.subclass) out.add(s.subclass);
          break;
        case 'diagnostic':
          if (s.diagnostic) out.add(c);
          break;
        case 'form':
          if (s.form) out.add(c);
          break;
        case 'rhythm':
          if (s.rhythm) out.add(c);
          break;
        case 'all':
          out.add(c);
      }
    }
    return [...out];
  }

  override folds(opts?: FoldOptions): Map<string, number> {
    if (opts?.k !== undefined) return super.folds(opts);
    return new Map(this.ids.map((id) => [id, Number(this.rows.get(id)!.strat_fold) - 1]));
  }

  async load(id: string): Promise<EcgRecord> {
    this.check(id);
    return this.reader(this.paths.get(id)!, { id });
  }

  metadata(id: string): RecordMetadata {
    this.check(id);
    const r = this.rows.get(id)!;
    const age = r.age!.trim() === '' ? null : Number(r.age);
    // ptbxl_database.csv: sex 0 = male, 1 = female; ages over 89 are coded as 300 (de-identification)
    const sex = r.sex!.trim() === '0' ? 'M' : r.sex!.trim() === '1' ? 'F' : null;
    const known = age !== null && Number.isFinite(age) && age < 300;
    return { age: known ? age : null, sex, extra: { ...r, ...(age !== null && age >= 300 ? { ageNote: 'over 89 (coded 300 in PTB-XL)' } : {}) } };
  }
}

export function openPtbxl(opts: PtbxlOptions, open: DatabaseOpenOptions = {}): Ptbxl {
  return new Ptbxl(opts, open);
}
