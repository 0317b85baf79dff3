import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { Argv } from 'yargs';
import type { Output } from '../commands/context.js';

/**
 * The one row writer of every query command: `--format table|json|csv`.
 * - table: cli-table3, control characters stripped from text, long text shortened;
 * - json: an array of row objects, as is;
 * - csv: csv-stringify with a header row, spreadsheet formulas escaped (`escape_formulas`).
 */
export const ROW_FORMATS = ['table', 'json', 'csv'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];
export type Row = Record<string, unknown>;

/** Longest text shown in a table cell; json and csv always carry the full text. */
export const TABLE_CELL_MAX = 80;

/** C0/C1 control characters (ESC sequences, bells, backspaces…) and bidi overrides, which could disguise terminal output. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to print on a terminal: no control characters, one line. */
export function terminalText(text: string): string {
  return text.replace(/\r\n|[\r\n\t]/g, ' ').replace(CONTROL, '');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(cell).join(', ');
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  const text = terminalText(String(value));
  return text.length > TABLE_CELL_MAX ? `${text.slice(0, TABLE_CELL_MAX - 1)}…` : text;
}

function csvValue(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.map((v) => String(v)).join('; ');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'string') return value.replace(CONTROL, '');
  return value;
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (
    value &&
    typeof value === 'object' &&
    (value as { type?: string }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    return Buffer.from((value as { data: number[] }).data).toString('hex');
  }
  return value;
}

export interface WriteRowsOptions {
  format: RowFormat;
  /** Column order (default: the keys of the first row). Needed to print headers of an empty result. */
  columns?: readonly string[];
  /** Shown above a table (table format only). */
  title?: string;
}

function isNumeric(rows: readonly Row[], key: string): boolean {
  return (
    rows.some((r) => typeof r[key] === 'number') && rows.every((r) => r[key] === null || r[key] === undefined || typeof r[key] === 'number')
  );
}

/** Writes rows in the chosen format. */
export function writeRows(out: Output, rows: readonly Row[], options: WriteRowsOptions): void {
  const columns = options.columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  if (options.format === 'json') {
    out.write(`${JSON.stringify(rows, jsonValue, 2)}\n`);
    return;
  }
  if (options.format === 'csv') {
    out.write(
      stringify(
        rows.map((r) => columns.map((c) => csvValue(r[c]))),
        {
          header: true,
          columns: columns.map((c) => ({ key: String(columns.indexOf(c)), header: c })),
          escape_formulas: true,
        },
      ),
    );
    return;
  }
  if (options.title) out.write(`${terminalText(options.title)}\n`);
  if (rows.length === 0) {
    out.write('(no rows)\n');
    return;
  }
  const table = new Table({
    head: columns.map((c) => terminalText(c)),
    colAligns: columns.map((c) => (isNumeric(rows, c) ? 'right' : 'left')),
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) table.push(columns.map((c) => cell(row[c])));
  out.write(`${table.toString()}\n`);
}

/** An error in `--format json` has one shape: `{"error": {"code", "message", "hint"?}}`. */
export interface ErrorBody {
  code: string;
  message: string;
  hint?: string;
}

export function formatJsonError(error: ErrorBody): string {
  return `${JSON.stringify({ error: error.hint ? error : { code: error.code, message: error.message } }, null, 2)}\n`;
}

/** Adds `--format` to a command. */
export function withFormatOption<T>(y: Argv<T>) {
  return y.option('format', { choices: ROW_FORMATS, default: 'table' as RowFormat, describe: 'Output format' });
}
