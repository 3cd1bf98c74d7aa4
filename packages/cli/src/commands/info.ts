import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';
import { summarizeRecord, type RecordSummary } from '@ecglab/data';

const fmtNum = (x: number | null, digits = 4): string => (x === null ? '-' : Number(x.toFixed(digits)).toString());

/** Plain-text rendering of a record summary (what `ecglab info` prints without --json). */
export function formatSummary(s: RecordSummary): string {
  const lines = [
    `record ${s.record}: ${s.nSig} signals, ${s.fs} Hz, ${s.sigLen} samples (${fmtNum(s.durationS, 3)} s)` +
      (s.segments !== null ? `, ${s.segments} segments` : ''),
  ];
  if (s.baseTime !== null || s.baseDate !== null) lines.push(`start: ${[s.baseTime, s.baseDate].filter((x) => x !== null).join(' ')}`);
  const who = [s.info.age !== undefined ? `age ${s.info.age}` : '', s.info.sex ? `sex ${s.info.sex}` : '', s.info.dx ? `Dx ${s.info.dx.join(',')}` : ''].filter(Boolean);
  if (who.length) lines.push(who.join(', '));
  const rows = [['#', 'name', 'units', 'gain', 'baseline', 'fmt', 'min', 'max', 'mean', 'invalid', 'checksum']];
  s.signals.forEach((g, i) => rows.push([String(i), g.name, g.units, String(g.gain), String(g.baseline), String(g.fmt), fmtNum(g.min), fmtNum(g.max), fmtNum(g.mean), String(g.invalid), g.checksum]));
  const width = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) lines.push(r.map((v, c) => v.padEnd(width[c]!)).join('  ').trimEnd());
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

/** `ecglab info <record> [--json]`: header fields and a per-signal summary. */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('info')
    .description('header fields and per-signal summary (physical min/max/mean, checksum status) of a WFDB record')
    .argument('<record>', 'record path without extension (or its .hea file), e.g. data/100')
    .option('--json', 'print the summary as JSON')
    .action(async (record: string, opts: { json?: boolean }) => {
      const s = await summarizeRecord(record);
      io.out(opts.json ? `${JSON.stringify(s, null, 1)}\n` : formatSummary(s));
    });
}
