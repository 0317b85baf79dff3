import Database from 'better-sqlite3';
import { smallPageCache } from '../db/page-cache.js';

/**
 * Rows grouped by their first column (the incident id). Rows come in table order (no ORDER BY,
 * which costs a sort of the whole table); `position`, when given, orders each group.
 */
export function grouped<T extends unknown[]>(rows: readonly T[], position?: (row: T) => number): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = r[0] as string;
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(r);
  }
  if (position) for (const list of m.values()) if (list.length > 1) list.sort((a, b) => position(a) - position(b));
  return m;
}

/** The knowledge-base database, read-only (in a worker thread too: no other module loaded). */
export function openDatabase(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  return smallPageCache(db);
}
