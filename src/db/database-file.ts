import Database from 'better-sqlite3';
import { copyFileSync, existsSync, linkSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../schema/config.js';
import type { Temporal } from '../model/time.js';
import type { Problem } from '../problems.js';
import type { FileStamp } from './cache.js';
import { META, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { APPLICATION_ID } from './ownership.js';
import { smallPageCache } from './page-cache.js';
import { IncidentWriter, writeConfigRows, writeProblems, type IncidentRows } from './write.js';
import type { History } from '../history/history.js';
import { writeHistoryRows } from '../history/write.js';

/** The database file: reading the previous build's state, and writing a new version atomically. */

import { TOOL_VERSION } from './cache-key.js';

export { TOOL_VERSION };

/**
 * The previous version of the database, kept (as a hard link, so at no cost) to be the starting
 * point of the next build: updating it in place of a fresh copy avoids copying the whole file.
 */
export function keptPathFor(dbPath: string): string {
  return join(dirname(dbPath), `.${basename(dbPath)}.prev`);
}

/** Opens a database for reading only: no statement can change it. */
export function openReadOnly(dbPath: string): Database.Database {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  return smallPageCache(db);
}

export interface Previous {
  meta: ReadonlyMap<string, string>;
  files: ReadonlyMap<string, string>;
  /** Valid incidents of the previous build by file. */
  incidents: ReadonlyMap<string, { id: string; digest: string }>;
  /** The problems it recorded (read on demand). */
  problems(): Problem[];
}

export function readPrevious(dbPath: string): Previous | undefined {
  if (!existsSync(dbPath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(dbPath);
    if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) return undefined;
    const meta = new Map(db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
    const files = new Map<string, string>();
    const incidents = new Map<string, { id: string; digest: string }>();
    // indexed, and maps walked with `forEach`: cold code in a one-shot build (see `ParseCache.stampsWithChecks`)
    for (const row of filesIn(db)) {
      files.set(row[0], row[1]);
      if (row[2] !== null) incidents.set(row[0], { id: row[2], digest: row[1] });
    }
    return { meta, files, incidents, problems: () => readProblems(dbPath) };
  } catch {
    return undefined; // unreadable or from another schema: rebuilt from scratch
  } finally {
    db?.close();
  }
}

/**
 * Every file the database's build saw, with the id of its incident when it is a valid one (the
 * `files` table is narrow: reading the valid incidents from the `incidents` table, whose rows are
 * wide, read the whole table).
 */
function filesIn(db: Database.Database, validOnly = false): [file: string, digest: string, id: string | null][] {
  const sql = `SELECT file, digest, incident_id FROM files${validOnly ? ' WHERE incident_id IS NOT NULL' : ''}`;
  return db.prepare(sql).raw().all() as [string, string, string | null][];
}

/** Reads something from the database at `dbPath` with a connection of its own. */
function reading<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = openReadOnly(dbPath);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Valid incidents of the database at `dbPath` by file. */
export function readIncidents(dbPath: string): Map<string, { id: string; digest: string }> {
  return reading(dbPath, (db) => new Map(filesIn(db, true).map(([file, digest, id]) => [file, { id: id!, digest }])));
}

/** The problems the database at `dbPath` recorded, in the order written. */
export function readProblems(dbPath: string): Problem[] {
  return reading(dbPath, (db) =>
    (
      db.prepare('SELECT file, line, "column", severity, rule_id, message FROM problems ORDER BY rowid').raw().all() as [
        string,
        number,
        number,
        'error' | 'warning',
        string,
        string,
      ][]
    ).map(([file, line, column, severity, ruleId, message]) => ({ file, line, column, severity, ruleId, message })),
  );
}

/** Removes temp files of builds that were killed (their process is gone). */
export function removeStaleTemps(dbPath: string): void {
  const dir = dirname(dbPath);
  const prefix = `.${basename(dbPath)}.`;
  for (const name of readdirSync(dir)) {
    const m = name.startsWith(prefix) ? /\.(\d+)\.tmp(?:-journal)?$/.exec(name) : null;
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (!alive) rmSync(join(dir, name), { force: true });
  }
}

/**
 * One database build: a temp file in the database's folder, renamed over the database when
 * finished. It starts from the version kept by the build before (moved, not copied), else from a
 * copy of the current database, else empty; only incidents whose files differ from its starting
 * point are rewritten.
 */
export class DatabaseBuild {
  private readonly temp: string;
  private readonly db: Database.Database;
  private readonly writer: IncidentWriter;
  /** Incident rows in the temp database: id -> file. */
  private readonly rows = new Map<string, string>();

  private readonly previous: Previous | undefined;

  constructor(
    private readonly dbPath: string,
    private readonly config: Config,
    basis: { previous: Previous; path: string } | undefined,
    stamps: ReadonlyMap<string, FileStamp>,
  ) {
    this.temp = join(dirname(dbPath), `.${basename(dbPath)}.${process.pid}.tmp`);
    this.previous = basis?.previous;
    const previous = this.previous;
    rmSync(this.temp, { force: true });
    if (basis?.path === keptPathFor(dbPath)) renameSync(basis.path, this.temp);
    else if (basis) copyFileSync(basis.path, this.temp);
    this.db = new Database(this.temp);
    try {
      // 16 KB pages for a new file: no section text needs overflow pages (~3,000 did with 4 KB),
      // inserting costs ~20% less and the file is ~4% smaller. An existing file keeps its size.
      if (!basis) this.db.pragma('page_size = 16384');
      this.db.pragma('journal_mode = OFF'); // the temp file is only renamed into place once complete
      this.db.pragma('synchronous = OFF');
      this.db.pragma(`application_id = ${APPLICATION_ID}`);
      this.db.exec('BEGIN');
      if (!previous) {
        this.db.exec(SCHEMA_SQL);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        writeConfigRows(this.db, config);
      }
      this.writer = new IncidentWriter(this.db);
      previous?.incidents.forEach((old, file) => {
        if (stamps.get(file)?.digest === old.digest) this.rows.set(old.id, file);
        else this.writer.delete(old.id);
      });
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** An incident that passed the per-file checks: written now unless its rows are already there (or its id is taken). */
  offer(rows: IncidentRows): void {
    if (this.rows.has(rows.id)) return;
    this.writer.add(rows);
    this.rows.set(rows.id, rows.file);
  }

  /**
   * Writes what is not yet written: the valid incidents (`list`, in file order; `byFile`, the same
   * by file), their files' rows, the problems and meta, and puts the database in place.
   */
  finish(
    valid: { list: readonly { file: string; id: string }[]; byFile: ReadonlyMap<string, { id: string }> },
    rowsOf: (file: string) => IncidentRows,
    files: readonly { file: string; digest: string; id: string | null; undated: boolean }[],
    problems: { list: () => readonly Problem[]; digest: string },
    configDigest: string,
    today: Temporal.PlainDate,
    history: History,
  ): void {
    const { db, writer, previous } = this;
    // a row stays when its file is valid with its id (each file and each valid id once: no map of the ids made)
    this.rows.forEach((file, id) => {
      if (valid.byFile.get(file)?.id !== id) {
        writer.delete(id);
        this.rows.delete(id);
      }
    });
    for (const v of valid.list) {
      if (!this.rows.has(v.id)) {
        writer.add(rowsOf(v.file));
        this.rows.set(v.id, v.file);
      }
    }
    writer.flushSearch();
    writer.prune();
    const oldFiles = previous?.files ?? new Map<string, string>();
    // the starting point's rows as read before (not read again): a file's incident id, null for none
    // (asked only of a file whose row there has its digest: one lookup, not two, of 10,000)
    const oldId = (file: string) => previous?.incidents.get(file)?.id ?? null;
    const removeFile = db.prepare('DELETE FROM files WHERE file = ?');
    const fileRow = db.prepare('INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)');
    // the files are distinct: when every old file is one of them, none is gone (no set of 10,000
    // made); counted in the walk that finds the changed rows (one lookup of each, not two); the
    // gone rows removed before the changed ones are written, as ever (the rows' order is their rowids)
    let stayed = 0;
    const changed: (typeof files)[number][] = [];
    for (const f of files) {
      const digest = oldFiles.get(f.file);
      if (digest !== undefined) stayed++;
      if (digest !== f.digest || oldId(f.file) !== f.id) changed.push(f);
    }
    if (stayed < oldFiles.size) {
      const current = new Set(files.map((f) => f.file));
      for (const file of oldFiles.keys()) if (!current.has(file)) removeFile.run(file);
    }
    for (const f of changed) fileRow.run(f.file, f.digest, f.id, f.undated ? 1 : 0);
    // The problems are rewritten only when they differ from those the starting point recorded.
    const problemsDigest = problems.digest;
    if (previous?.meta.get(META.problemsDigest) !== problemsDigest) writeProblems(db, problems.list());
    if (previous?.meta.get(META.history) !== history.key) writeHistoryRows(db, history);
    const meta = db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)');
    meta.run(META.history, history.key);
    meta.run(META.schemaVersion, String(SCHEMA_VERSION));
    meta.run(META.toolVersion, TOOL_VERSION);
    meta.run(META.configDigest, configDigest);
    meta.run(META.today, today.toString());
    meta.run(META.problemsDigest, problemsDigest);
    meta.run(META.timezone, this.config.timezone);
    db.exec('COMMIT');
    if (!previous) db.exec("INSERT INTO search_fts (search_fts) VALUES ('optimize')");
    db.close();
    // Keep the current database as the next build's starting point, then put the new one in place.
    const kept = keptPathFor(this.dbPath);
    try {
      rmSync(kept, { force: true });
      if (existsSync(this.dbPath)) linkSync(this.dbPath, kept);
      else copyFileSync(this.temp, kept);
    } catch {
      rmSync(kept, { force: true }); // no hard links here: the next build copies instead
    }
    renameSync(this.temp, this.dbPath);
  }

  abort(): void {
    if (this.db?.open) this.db.close();
    rmSync(this.temp, { force: true });
  }
}
