import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { UserError } from '../commands/context.js';
import { shownPath } from '../output/file-error.js';

/**
 * The database (and the files kept beside it) is only ever replaced when it is a file this tool
 * made: SQLite's `application_id` in the file header says so (databases of earlier versions, which
 * have none, are recognised by their `meta` table). Any other file named by `--db` is left alone.
 */
export const APPLICATION_ID = 0x504d4b42; // "PMKB"

const HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

function header(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(100);
    return bytes.subarray(0, readSync(fd, bytes, 0, 100, 0));
  } finally {
    closeSync(fd);
  }
}

/** An older database of the tool: no application id, but its `meta` table. */
function hasMetaTable(path: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/** Why the file at `path` may not be replaced, or undefined when it may (missing, empty, or made by this tool). */
function refusal(path: string): string | undefined {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'is a folder';
    if (!st.isFile()) return 'is not a regular file';
    size = st.size;
  } catch {
    return undefined; // missing: created
  }
  if (size === 0) return undefined;
  const head = header(path);
  if (head.length < 100 || !head.subarray(0, 16).equals(HEADER)) return 'is not a database this tool made';
  const id = head.readUInt32BE(68);
  if (id === APPLICATION_ID || (id === 0 && hasMetaTable(path))) return undefined;
  return 'is an SQLite database this tool did not make';
}

/** Throws a user error unless every file may be replaced by the database build. */
export function claimDatabaseFiles(paths: readonly string[]): void {
  for (const path of paths) {
    const why = refusal(path);
    if (why) {
      throw new UserError(
        `${shownPath(path)} ${why}; it was left alone`,
        'Name a new file with --db (or an existing postmortems.db); the database is written to <out>/postmortems.db by default.',
      );
    }
  }
}
