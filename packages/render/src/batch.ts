import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { readRecord } from '@ecglab/data';
import { RenderArgumentError } from './errors.js';
import { standardLabel } from './layout.js';
import type { EcgRecord, RenderOptions } from './options.js';
import { renderPage } from './page.js';
import { writePage } from './encode.js';
import type { RenderPool } from './pool.js';

/** Seconds read from a record: more than any layout draws on one page (6 strips of 10 s). */
const MAX_SECONDS = 60;

/**
 * Reads a record (through @ecglab/data's readRecord, in mV) for drawing: its first 60 s, and at most 12
 * leads (the standard ones first when there are more, in file order); channels that are not voltages
 * (respiration, blood pressure) are left out.
 *
 * @example const rec = await readPageRecord('fixtures/data/ptbxl/records500/00000/00017_hr');
 */
export async function readPageRecord(path: string): Promise<EcgRecord> {
  const rec = await readRecord(path, { maxSeconds: MAX_SECONDS, nonVoltage: 'drop' });
  if (rec.signals.length <= 12) return rec;
  const all = rec.leadNames.map((_, i) => i);
  const std = all.filter((i) => standardLabel(rec.leadNames[i]!) !== undefined);
  const keep = [...std, ...all.filter((i) => !std.includes(i))].slice(0, 12).sort((a, b) => a - b);
  return { ...rec, signals: keep.map((i) => rec.signals[i]!), leadNames: keep.map((i) => rec.leadNames[i]!) };
}

/** Record paths (without .hea) of a folder: its WFDB `RECORDS` list when present, else every .hea below it. */
export async function listRecords(dir: string): Promise<string[]> {
  const st = await stat(dir).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) throw new RenderArgumentError(`listRecords: '${dir}' is not a folder`);
  const list = join(dir, 'RECORDS');
  if (existsSync(list)) {
    const names = (await readFile(list, 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    return names.map((n) => join(dir, n));
  }
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.hea')) out.push(p.slice(0, -4));
    }
  };
  await walk(dir);
  return out;
}

/** A seed per record from the page seed and the record's path, so resuming a batch redraws nothing differently. */
export function recordSeed(seed: number, name: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface BatchOptions {
  render: Partial<RenderOptions>;
  format: 'png' | 'jpeg';
  sidecar: boolean;
  /** Draws the pages in these worker threads, several records at a time; default: one at a time on this thread. */
  pool?: RenderPool;
  /** Called after each record: done so far, total, and what happened to this one. */
  onProgress?: (done: number, total: number, rec: string, status: 'rendered' | 'skipped' | 'failed') => void;
}

export interface BatchResult {
  rendered: number;
  skipped: number;
  failed: { record: string; error: string }[];
}

/** One record of a batch: read, drawn with `render` (its seed already the record's), written to `out`. */
export async function renderRecordFile(record: string, out: string, render: Partial<RenderOptions>, sidecar: boolean): Promise<void> {
  const ecg = await readPageRecord(record);
  const page = await renderPage(ecg, render);
  await mkdir(dirname(out), { recursive: true });
  await writePage(out, page, { sidecar });
}

/**
 * Renders every record of `dir` to `outDir`, mirroring sub-folders (`a/b.hea` → `a/b.png`). A page
 * whose image exists is skipped: images are renamed into place last, so one present is complete.
 * With `opts.pool`, records are drawn in its worker threads (the same pages, in any order).
 */
export async function renderBatch(dir: string, outDir: string, opts: BatchOptions): Promise<BatchResult> {
  const records = await listRecords(dir);
  if (records.length === 0) throw new RenderArgumentError(`renderBatch: no records (.hea files or RECORDS) in '${dir}'`);
  const res: BatchResult = { rendered: 0, skipped: 0, failed: [] };
  const ext = opts.format === 'png' ? 'png' : 'jpg';
  let done = 0;
  const one = async (rec: string): Promise<void> => {
    const rel = relative(dir, rec);
    const out = join(outDir, `${rel}.${ext}`);
    let status: 'rendered' | 'skipped' | 'failed' = 'skipped';
    if (existsSync(out)) {
      res.skipped++;
    } else {
      try {
        const render = { ...opts.render, seed: recordSeed(opts.render.seed ?? 0, rel) };
        await (opts.pool ? opts.pool.renderRecordFile(rec, out, render, opts.sidecar) : renderRecordFile(rec, out, render, opts.sidecar));
        res.rendered++;
        status = 'rendered';
      } catch (err) {
        res.failed.push({ record: rec, error: (err as Error).message });
        status = 'failed';
      }
    }
    opts.onProgress?.(++done, records.length, rec, status);
  };
  // Keep every worker busy with one record queued behind it; on this thread, one at a time.
  const lanes = opts.pool ? 2 * opts.pool.size : 1;
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(lanes, records.length) }, async () => {
    while (next < records.length) await one(records[next++] as string);
  }));
  return res;
}
