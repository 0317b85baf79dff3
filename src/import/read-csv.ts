import type { Position, Problem } from '../problems.js';
import type { ForeignRecord } from './facts.js';
import type { InputFile } from './inputs.js';

interface Cell {
  text: string;
  at: Position;
}

/**
 * A spreadsheet export (RFC 4180: commas, double quotes, `""` inside quotes, line breaks inside
 * quotes): the first row names the columns, each later row is one record. Every syntax problem
 * is reported with its line and column.
 */
export function readCsvRecords(input: InputFile): { records: ForeignRecord[]; problems: Problem[] } {
  const { rows, problems } = csvRows(input);
  const [header, ...data] = rows.filter((row) => !(row.length === 1 && row[0]!.text === ''));
  if (!header)
    return {
      records: [],
      problems: [...problems, at(input, { line: 1, column: 1 }, 'the file is empty: the first row names the columns')],
    };
  const names = header.map((c) => c.text.trim());
  names.forEach((n, i) => {
    if (!n) problems.push(at(input, header[i]!.at, `column ${i + 1} has no name in the first row`));
    else if (names.indexOf(n) !== i) problems.push(at(input, header[i]!.at, `column "${n}" is named twice in the first row`));
  });
  const records: ForeignRecord[] = [];
  for (const row of data) {
    if (row.length !== names.length) {
      problems.push(at(input, row[0]!.at, `this row has ${row.length} cells; the first row names ${names.length} columns`));
      continue;
    }
    const values: Record<string, unknown> = {};
    const positions: Record<string, Position> = {};
    row.forEach((cell, i) => {
      values[names[i]!] = cell.text;
      positions[names[i]!] = cell.at;
    });
    records.push({ file: input.shown, at: row[0]!.at, values, positions });
  }
  return { records, problems };
}

const at = (input: InputFile, position: Position, message: string): Problem => ({
  file: input.shown,
  ...position,
  severity: 'error',
  ruleId: 'import-syntax',
  message,
});

function csvRows(input: InputFile): { rows: Cell[][]; problems: Problem[] } {
  const text = input.text;
  const rows: Cell[][] = [];
  const problems: Problem[] = [];
  let row: Cell[] = [];
  let line = 1;
  let column = 1;
  let i = 0;
  const advance = (ch: string) => {
    if (ch === '\n') {
      line++;
      column = 1;
    } else column++;
    i++;
  };
  while (i <= text.length) {
    const start = { line, column };
    let value = '';
    if (text[i] === '"') {
      advance('"');
      let closed = false;
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '"' && text[i + 1] === '"') {
          value += '"';
          advance(ch);
          advance(ch);
          continue;
        }
        if (ch === '"') {
          advance(ch);
          closed = true;
          break;
        }
        value += ch;
        advance(ch);
      }
      if (!closed) {
        // the rest of the file is inside the quotes: its row is not read
        problems.push(at(input, start, 'this quoted cell is never closed (a " is missing)'));
        return { rows, problems };
      }
      if (i < text.length && !',\r\n'.includes(text[i]!)) {
        problems.push(
          at(input, { line, column }, 'text after a quoted cell\'s closing "; quote the whole cell and double any " inside it'),
        );
        while (i < text.length && !',\r\n'.includes(text[i]!)) advance(text[i]!);
      }
    } else {
      while (i < text.length && !',\r\n'.includes(text[i]!)) {
        if (text[i] === '"')
          problems.push(at(input, { line, column }, 'a " inside a cell that is not quoted; quote the whole cell and double the "'));
        value += text[i];
        advance(text[i]!);
      }
    }
    row.push({ text: value, at: start });
    if (i >= text.length) break;
    const ch = text[i]!;
    if (ch === ',') {
      advance(ch);
      continue;
    }
    if (ch === '\r') advance(ch);
    if (text[i] === '\n') advance('\n');
    rows.push(row);
    row = [];
    if (i >= text.length) return { rows, problems };
  }
  rows.push(row);
  return { rows, problems };
}
