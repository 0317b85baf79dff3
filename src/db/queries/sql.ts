import type Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { QueryError } from '../errors.js';

export interface SqlOptions {
  /** Most rows returned (default 1000). */
  limit?: number;
  /** Time limit in milliseconds (default 10 s). */
  timeoutMs?: number;
}

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
  /** True when more rows than `limit` matched. */
  truncated: boolean;
}

export const SQL_DEFAULT_LIMIT = 1000;
export const SQL_DEFAULT_TIMEOUT_MS = 10_000;

/** PRAGMAs that take an argument yet only read: they describe tables and indexes. */
const READING_PRAGMAS = new Set([
  'table_info',
  'table_xinfo',
  'index_list',
  'index_info',
  'index_xinfo',
  'foreign_key_list',
  'table_list',
  'pragma_list',
]);

/** Leading comments and whitespace removed, so the first keyword can be seen. */
function stripLeadingComments(sql: string): string {
  let text = sql;
  for (;;) {
    const trimmed = text.replace(/^\s+/, '');
    if (trimmed.startsWith('--')) text = trimmed.slice(trimmed.indexOf('\n') === -1 ? trimmed.length : trimmed.indexOf('\n') + 1);
    else if (trimmed.startsWith('/*')) text = trimmed.slice(trimmed.indexOf('*/') === -1 ? trimmed.length : trimmed.indexOf('*/') + 2);
    else return trimmed;
  }
}

const REFUSED_HINT =
  'postmortem sql runs read-only queries (SELECT, WITH … SELECT, EXPLAIN, PRAGMA table_info(…)); the database is rebuilt from the incident files, so change those instead.';

/**
 * Checks that a statement only reads: better-sqlite3's `stmt.readonly` and `stmt.reader`, plus
 * what SQLite counts as read-only but changes the connection (ATTACH, DETACH, PRAGMA with a value).
 */
export function checkReadOnly(db: Database.Database, sql: string): void {
  const head = stripLeadingComments(sql);
  if (head === '' || head === ';') throw new QueryError('sql-empty', 'give a SELECT statement to run');
  const keyword = /^[A-Za-z]+/.exec(head)?.[0]?.toUpperCase();
  if (keyword === 'ATTACH' || keyword === 'DETACH') {
    throw new QueryError('sql-refused', `${keyword} is not allowed: queries see only the knowledge-base database`, REFUSED_HINT);
  }
  if (keyword === 'PRAGMA') {
    const m = /^PRAGMA\s+(?:[\w"]+\s*\.\s*)?"?(\w+)"?\s*([=(]?)/i.exec(head);
    if (m?.[2] && !(m[2] === '(' && READING_PRAGMAS.has(m[1]!.toLowerCase()))) {
      throw new QueryError('sql-refused', `PRAGMA ${m[1]} with a value can change the connection's state and is not allowed`, REFUSED_HINT);
    }
  }
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    const message = (error as Error).message;
    if (/more than one statement/i.test(message)) throw new QueryError('sql-refused', 'run one statement at a time', REFUSED_HINT);
    throw new QueryError('sql-error', `SQL error: ${message}`);
  }
  if (!statement.readonly)
    throw new QueryError('sql-refused', 'this statement would change the database; only read-only queries are allowed', REFUSED_HINT);
  if (!statement.reader)
    throw new QueryError('sql-refused', 'this statement returns no rows; only queries that read data are allowed', REFUSED_HINT);
}

/**
 * The child that runs the query: its own read-only, query-only connection, rows streamed up
 * to the cap. A child process can be killed even inside a long SQLite step, which a worker
 * thread cannot, so the time limit always holds.
 */
const CHILD = `
import { createRequire } from 'node:module';
const input = JSON.parse(await new Promise((resolve) => { let s = ''; process.stdin.on('data', (d) => s += d); process.stdin.on('end', () => resolve(s)); }));
const Database = createRequire(import.meta.url)(input.module);
const db = new Database(input.dbPath, { readonly: true, fileMustExist: true });
db.pragma('query_only = ON');
let out;
try {
  const stmt = db.prepare(input.sql);
  if (!stmt.readonly || !stmt.reader) throw new Error('not a read-only query');
  const columns = stmt.columns().map((c) => c.name);
  const rows = [];
  let truncated = false;
  for (const row of stmt.raw().iterate()) {
    if (rows.length === input.limit) { truncated = true; break; }
    rows.push(row.map((v) => typeof v === 'bigint' ? v.toString() : (v instanceof Uint8Array ? { blob: Buffer.from(v).toString('hex') } : v)));
  }
  out = { columns, rows, truncated };
} catch (error) {
  out = { error: error.message };
}
db.close();
let text;
try {
  text = JSON.stringify(out);
} catch {
  text = JSON.stringify({ tooLarge: true }); // past the longest string V8 can hold
}
process.stdout.write(text);
`;

/** The most bytes of result the child may hand back. */
const RESULT_MAX_BYTES = 512 * 1024 * 1024;

const tooLarge = () =>
  new QueryError(
    'sql-too-large',
    'the result is too large to show (over 512 MB)',
    'Select fewer or shorter values, e.g. substr(column, 1, 1000) or length(column), or lower --limit.',
  );

/** Runs one read-only statement with a row cap and a time limit. */
export function querySql(db: Database.Database, dbPath: string, sql: string, options: SqlOptions = {}): SqlResult {
  const limit = options.limit ?? SQL_DEFAULT_LIMIT;
  const timeoutMs = options.timeoutMs ?? SQL_DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(limit) || limit < 1) throw new QueryError('invalid-option', '--limit must be a positive whole number');
  if (!(timeoutMs > 0)) throw new QueryError('invalid-option', '--timeout must be a positive number of seconds');
  checkReadOnly(db, sql);
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], {
    input: JSON.stringify({ module, dbPath, sql, limit }),
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: RESULT_MAX_BYTES,
    encoding: 'utf8',
  });
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    throw new QueryError(
      'sql-timeout',
      `the query was stopped after ${timeoutMs / 1000} s`,
      'Narrow it down (WHERE, LIMIT) or allow more time with --timeout SECONDS.',
    );
  }
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ENOBUFS') throw tooLarge();
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`the query process failed: ${child.stderr.trim()}`);
  const result = JSON.parse(child.stdout) as { error?: string; tooLarge?: true; columns: string[]; rows: unknown[][]; truncated: boolean };
  if (result.tooLarge) throw tooLarge();
  if (result.error) throw new QueryError('sql-error', `SQL error: ${result.error}`);
  const columns = result.columns;
  const rows = result.rows.map((values) => {
    const row: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      const v = values[i];
      row[c] = v && typeof v === 'object' && 'blob' in v ? Buffer.from((v as { blob: string }).blob, 'hex') : v;
    });
    return row;
  });
  return { columns, rows, truncated: result.truncated };
}
