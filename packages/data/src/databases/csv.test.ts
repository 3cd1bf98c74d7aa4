import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvTable, parseCsv } from './csv.js';

test('parseCsv handles quotes, doubled quotes, commas and newlines in quotes, CRLF', () => {
  const rows = parseCsv('a,b,c\r\n1,"x, ""y""",\n2,"multi\nline",z\n');
  assert.deepEqual(rows.map((r) => r.fields), [['a', 'b', 'c'], ['1', 'x, "y"', ''], ['2', 'multi\nline', 'z']]);
  assert.deepEqual(rows.map((r) => r.line), [1, 2, 3]);
  assert.deepEqual(parseCsv('x\n\ny').map((r) => r.fields), [['x'], [''], ['y']]);
  // tables drop blank lines
  assert.deepEqual(new CsvTable('t.csv', 'a,b\n1,2\n\n\n').rows.map((r) => r.fields), [['1', '2']]);
});

test('parseCsv reads a PTB-XL scp_codes dict as one field', () => {
  const [r] = parseCsv(`1,15709.0,"{'NORM': 100.0, 'LVOLT': 0.0, 'SR': 0.0}",,3\n`);
  assert.deepEqual(r!.fields, ['1', '15709.0', "{'NORM': 100.0, 'LVOLT': 0.0, 'SR': 0.0}", '', '3']);
});

test('CSV errors name the file and line', () => {
  assert.throws(() => parseCsv('a,b\n1,"open\n', 'x.csv'), /x\.csv line 2: quoted field is not closed/);
  assert.throws(() => parseCsv('a,b"c\n', 'x.csv'), /x\.csv line 1: quote inside an unquoted field/);
  assert.throws(() => new CsvTable('t.csv', 'a,b\n1,2,3\n'), /t\.csv line 2: has 3 fields, the header has 2/);
  assert.throws(() => new CsvTable('t.csv', 'a,b\n1,2\n').col('c'), /t\.csv: has no column 'c' \(columns: a, b\)/);
});

test('CsvTable.read refuses a FIFO (which would block), a device and a file over maxFileBytes, naming the file', async (t) => {
  const { mkdtempSync, rmSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { LimitError } = await import('../errors.js');
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('mkfifo', [join(dir, 'labels.csv')]);
  assert.throws(() => CsvTable.read(join(dir, 'labels.csv')), /labels\.csv: cannot be read \(is a FIFO, expected a regular file\)/);
  symlinkSync('/dev/zero', join(dir, 'zero.csv'));
  assert.throws(() => CsvTable.read(join(dir, 'zero.csv')), /zero\.csv: cannot be read \(is a device, expected a regular file\)/);
  writeFileSync(join(dir, 'big.csv'), 'a,b\n1,2\n');
  process.env.ECGLAB_MAX_FILE_BYTES = '4';
  try {
    assert.throws(() => CsvTable.read(join(dir, 'big.csv')), (e: unknown) => e instanceof LimitError && /big\.csv: file of 8 bytes is larger than a file read whole may be; the limit is 4/.test((e as Error).message));
  } finally {
    delete process.env.ECGLAB_MAX_FILE_BYTES;
  }
  assert.deepEqual(CsvTable.read(join(dir, 'big.csv')).rows.map((r) => r.fields), [['1', '2']]);
});
