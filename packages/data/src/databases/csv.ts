import { DatabaseError, DataError } from '../errors.js';
import { readWholeSync } from '../io/read.js';

/** One parsed CSV row with the 1-based line its first field starts on (for error messages). */
export interface CsvRow {
  fields: string[];
  line: number;
}

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes, `""` inside quotes is a quote,
 * quoted fields may hold commas and newlines (ludb.csv's cells do; ptbxl_database.csv's scp_codes
 * hold quoted dicts). CRLF and LF line ends; a trailing newline does not make an empty row; a BOM is
 * dropped. Errors name the file and line.
 */
export function parseCsv(text: string, file = '<csv>'): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const fields: string[] = [];
    const startLine = line;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const openLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new DatabaseError('E_CSV', `${file} line ${openLine}: quoted field is not closed before the end of the file`, file);
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new DatabaseError('E_CSV', `${file} line ${line}: unexpected '${text[i]}' after a closing quote`, file);
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i);
        if (field.includes('"')) throw new DatabaseError('E_CSV', `${file} line ${line}: quote inside an unquoted field '${field}'`, file);
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    rows.push({ fields, line: startLine });
  }
  return rows;
}

/** A CSV file with a header row: column lookup by name, with errors naming file, line and column. */
export class CsvTable {
  readonly header: string[];
  readonly rows: CsvRow[];
  constructor(
    readonly file: string,
    text: string,
    opts: { header?: boolean; columns?: number } = {},
  ) {
    // blank lines (often trailing) carry no row
    const all = parseCsv(text, file).filter((r) => !(r.fields.length === 1 && r.fields[0]!.trim() === ''));
    if (opts.header === false) {
      this.header = [];
      this.rows = all;
    } else {
      if (all.length === 0) throw new DatabaseError('E_CSV', `${file}: is empty, expected a header row`, file);
      this.header = all[0]!.fields.map((h) => h.trim());
      this.rows = all.slice(1);
      for (const r of this.rows) {
        if (r.fields.length !== this.header.length) {
          throw new DatabaseError('E_CSV', `${file} line ${r.line}: has ${r.fields.length} fields, the header has ${this.header.length}`, file);
        }
      }
    }
  }

  /** Reads a CSV file (a regular file within the `maxFileBytes` limit, see limits.ts). */
  static read(file: string, opts: { header?: boolean } = {}): CsvTable {
    let text: string;
    try {
      const bytes = readWholeSync(file);
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    } catch (e) {
      if (e instanceof DataError && e.code === 'E_LIMIT') throw e;
      throw new DatabaseError('E_DB_FILE', `${file}: cannot be read (${(e as Error).message.replace(`${file}: `, '')})`, file);
    }
    return new CsvTable(file, text, opts);
  }

  /** Index of a column by name; an error naming the file and the columns it has if absent. */
  col(name: string): number {
    const i = this.header.indexOf(name);
    if (i < 0) throw new DatabaseError('E_CSV', `${this.file}: has no column '${name}' (columns: ${this.header.join(', ')})`, this.file);
    return i;
  }

  get(row: CsvRow, name: string): string {
    return row.fields[this.col(name)]!;
  }
}
