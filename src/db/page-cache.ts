import type Database from 'better-sqlite3';

/**
 * The page cache of a connection that reads each page about once: the parse cache's (a build
 * stores and reads each incident's parse once; a worker thread reads those of the pages it
 * renders), a search shard's reader, the site's and the query commands' read-only connections.
 * better-sqlite3 builds SQLite with a default of 16 MB a connection (`SQLITE_DEFAULT_CACHE_SIZE`);
 * SQLite's own default is 2 MB. The pages are in the system's file cache either way. A cold
 * `build` of 10,000 incidents holds up to six such connections at once across its threads: with
 * 16 MB each, the main thread's `brk` heap and the threads' arenas grew by ~30 MB in all.
 */
const READ_CACHE_KIB = 2000;

/** Gives `db` SQLite's own default page cache (see `READ_CACHE_KIB`); returns it. */
export function smallPageCache(db: Database.Database): Database.Database {
  db.pragma(`cache_size = -${READ_CACHE_KIB}`);
  return db;
}
