import { InvalidArgumentError, type Command } from 'commander';
import { stdio, type CommandIo } from './io.js';
import { convertRecord } from '@ecglab/data';

/** `ecglab convert <record> -o <out> --to wfdb|csv|npy [--fmt 16|212|80] [--dtype float32|int16]` */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('convert')
    .description('convert a WFDB record (MAT-backed ones too) to WFDB, CSV or NPY')
    .argument('<record>', 'record path without extension (or its .hea file)')
    .requiredOption('-o, --out <path>', 'output: a record path without extension for wfdb, a file for csv/npy')
    .requiredOption('--to <kind>', 'wfdb, csv or npy', (v: string) => {
      if (v !== 'wfdb' && v !== 'csv' && v !== 'npy') throw new InvalidArgumentError(`expected wfdb, csv or npy, got '${v}'`);
      return v;
    })
    .option('--fmt <n>', 'WFDB signal format for --to wfdb: 16, 212 or 80', (v: string) => {
      if (v !== '16' && v !== '212' && v !== '80') throw new InvalidArgumentError(`expected 16, 212 or 80, got '${v}'`);
      return Number(v) as 16 | 212 | 80;
    }, 16)
    .option('--dtype <t>', 'NPY element type for --to npy: float32 (physical) or int16 (digital)', (v: string) => {
      if (v !== 'float32' && v !== 'int16') throw new InvalidArgumentError(`expected float32 or int16, got '${v}'`);
      return v;
    }, 'float32')
    .action(async (record: string, opts: { out: string; to: 'wfdb' | 'csv' | 'npy'; fmt: 16 | 212 | 80; dtype: 'float32' | 'int16' }) => {
      const r = await convertRecord(record, opts.out, { to: opts.to, fmt: opts.fmt, dtype: opts.dtype });
      for (const n of r.notes) io.err(`note: ${n}\n`);
      io.out(`${r.files.join('\n')}\n`);
    });
}
