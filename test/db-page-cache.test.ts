import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { openReadOnly } from '../src/db/database-file.js';
import { openDatabase } from '../src/site/rows.js';
import { removeKb, tempKb } from './helpers/kb.js';

// Connections that read each page about once get SQLite's own 2 MB page cache, not the 16 MB
// better-sqlite3 builds it with (see src/db/page-cache.ts).
function databaseFile(): string {
  const dir = tempKb({});
  onTestFinished(() => removeKb(dir));
  const path = join(dir, 'x.db');
  const db = new Database(path);
  expect(db.pragma('cache_size', { simple: true })).toBe(-16000);
  db.exec('CREATE TABLE t (x)');
  db.close();
  return path;
}

it.each([
  ['the read-only connection of the site and the query commands', openReadOnly],
  ["a worker thread's search shard reader", openDatabase],
])('%s has a 2 MB page cache', (_, open) => {
  const db = open(databaseFile());
  try {
    expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
  } finally {
    db.close();
  }
});
