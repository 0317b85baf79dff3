import Database from 'better-sqlite3';
import { closeSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { SourceFile } from '../source/read.js';
import type { Problem } from '../problems.js';
import { APPLICATION_ID } from './ownership.js';
import { smallPageCache } from './page-cache.js';
import { fileStampOf, openStamped, readRange, type Replay } from './replay.js';
import type { KeptReport } from './report.js';
import type { KeptBasis } from './kept-basis.js';
import { digestOf } from '../source/read.js';
import { UserError } from '../commands/context.js';

/**
 * The parse cache: what reading a file produced (a plain-JSON `SourceFile`), keyed by content
 * digest, plus each path's last seen size and mtime so unchanged files are not even re-read.
 * It lives next to the database (`.<name>.cache`); it is only a cache: when it cannot be
 * opened or belongs to another tool version, it is recreated.
 */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  digest: string;
}

/** A replay as `ParseCache.replay` finds it: the report's file (read when printed, see `withStampedFile`) and its counts. */
export interface StoredReplay {
  report: { path: string; stamp: string };
  errors: number;
  warnings: number;
}

/**
 * Each file's check without its problems (`json`: the stand-in fields, see `standInJson`), with
 * what every build reads of every file as columns of their own: `valid`, `id`, `undated`, and
 * `standin`, the digest of `json` (the cross-file stage's key is made of these). The stand-in
 * fields themselves are read only for the cross-file rules, when they run.
 */
const CHECKS_SQL =
  'CREATE TABLE IF NOT EXISTS checks (file TEXT PRIMARY KEY, digest TEXT NOT NULL, context TEXT NOT NULL, json TEXT NOT NULL, valid INTEGER NOT NULL, id TEXT, undated INTEGER NOT NULL, standin TEXT NOT NULL);';

/** Each kept check's problems (JSON), apart from the narrow `checks` rows that a build after one edit reads for every file. */
const CHECK_PROBLEMS_SQL =
  'CREATE TABLE IF NOT EXISTS check_problems (file TEXT PRIMARY KEY, digest TEXT NOT NULL, context TEXT NOT NULL, json TEXT NOT NULL);';

/** The last cross-file stage's result with what it depended on (see `KeptAcross`). */
const ACROSS_SQL = 'CREATE TABLE IF NOT EXISTS across (key TEXT NOT NULL, json TEXT NOT NULL);';

/** What the last build that wrote the database recorded of the kept one (`db/kept-basis.ts`). */
const BASIS_SQL = 'CREATE TABLE IF NOT EXISTS basis (json TEXT NOT NULL);';

const CACHE_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (digest TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stamps (file TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, digest TEXT NOT NULL);
${CHECKS_SQL}
${CHECK_PROBLEMS_SQL}
${ACROSS_SQL}
${BASIS_SQL}
CREATE TABLE IF NOT EXISTS replay (key TEXT NOT NULL, manifest TEXT NOT NULL, report_stamp TEXT NOT NULL, digest TEXT NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL, parts TEXT NOT NULL);
`;

/** What the per-file validation stage found for one file, kept so an unchanged file is not validated again. */
export interface FileCheck {
  problems: Problem[];
  /** The file passed the per-file stage (the cross-file rules may still reject it). */
  valid: boolean;
  /** A valid draft without \`started\`: counted, but kept out of the incidents table. */
  undated?: boolean;
  /** What the cross-file rules read without loading the whole file: the incident's id and related ids, and the front-matter id. */
  id?: string;
  related?: string[];
  dataId?: unknown;
  frontmatterLine: number;
}

/**
 * A check without its problems: what the cross-file rules' stand-ins read (`kb/stand-ins.ts`).
 * Kept in the narrow `checks` rows, which a build after one edit reads for every file; the
 * problems (~44,000 for 10,000 files) are kept apart and read only for the files that need them.
 */
export type StandInCheck = Omit<FileCheck, 'problems'>;

/** A file's check as a build reads it: what it needs of every file as fields; the stand-in's fields (`check`) read when asked for. */
export interface CheckEntry {
  digest: string;
  valid: boolean;
  id: string | undefined;
  undated: boolean;
  /** The digest of the stand-in fields as stored (`standInJson`). */
  standin: string;
  readonly check: StandInCheck;
}

/** A check made now: its entry, with its stand-in fields as stored. */
export type FreshCheck = CheckEntry & { check: FileCheck; json: string };

export function freshCheck(digest: string, check: FileCheck): FreshCheck {
  const json = standInJson(check);
  return { digest, valid: check.valid, id: check.id, undated: check.undated === true, standin: digestOf(json), check, json };
}

/** A stamp with the check of its file made in the context asked for (no check: `valid` null; its digest null when the stamp's). */
type StampWithCheck = [string, number, number, string, number | null, string | null, number, string, string | null];

/** The stand-in fields of the kept checks by file, with the digest and `standin` of the row each was read from. */
type StandInRows = Map<string, [digest: string, standin: string, json: string]>;

/**
 * A kept check as read from the cache: its stand-in fields read (for every kept check at once,
 * on the first use of one) and parsed on first use; only from the row this entry was read from.
 */
class KeptCheck implements CheckEntry {
  private parsed: StandInCheck | undefined;

  constructor(
    private readonly file: string,
    readonly digest: string,
    readonly valid: boolean,
    readonly id: string | undefined,
    readonly undated: boolean,
    readonly standin: string,
    private readonly rows: () => StandInRows,
  ) {}

  get check(): StandInCheck {
    if (this.parsed) return this.parsed;
    const row = this.rows().get(this.file);
    // the row replaced in between (a build beside this one): not this entry's
    if (row?.[0] !== this.digest || row[1] !== this.standin)
      throw new UserError(`the check of ${this.file} changed in the cache; run the build again`);
    this.parsed = JSON.parse(row[2]) as StandInCheck;
    return this.parsed;
  }
}

/** A check's stand-in fields as stored (the cross-file stage's key is made of these texts: the same check, the same text). */
export function standInJson(check: FileCheck): string {
  const { problems: _, ...rest } = check;
  return JSON.stringify(rest);
}

/**
 * The cross-file stage's result, kept with its key (every file's stand-in fields, the config and
 * date) and the files a rule read whole, with the digest each had: used again only when all match.
 */
export interface KeptAcross {
  key: string;
  loaded: [file: string, digest: string][];
  problems: Problem[];
  rejected: string[];
}

/** The report the last build kept, read from its file (open until the cache is closed), with its digest and stamp. */
export interface StoredReport extends KeptReport {
  digest: string;
  stamp: string;
}

/** Where the replay's report is kept (see `ParseCache.replay`). */
export function reportPathFor(cachePath: string): string {
  return `${cachePath}.report`;
}

/** How long a thread storing parses waits for another connection's transaction (`ParseCache.storing`). */
const STORE_WAIT_MS = 60_000;

export class ParseCache {
  private readonly db: Database.Database;
  private readonly getSource: Database.Statement;
  private readonly putSource: Database.Statement;
  /** The replay's report, a file of its own beside the cache: megabytes written and read in one call, not through SQLite pages and its log. */
  private readonly reportPath: string | undefined;
  /** The kept reports opened (`keptReport`), closed with the cache. */
  private readonly opened: number[] = [];

  constructor(path: string, version: string);
  constructor(db: Database.Database);
  constructor(at: string | Database.Database, version?: string) {
    this.db = typeof at === 'string' ? ParseCache.open(at, version!) : at;
    this.reportPath = typeof at === 'string' ? reportPathFor(at) : undefined;
    this.getSource = this.db.prepare('SELECT json FROM sources WHERE digest = ?').pluck();
    this.putSource = this.db.prepare('INSERT OR REPLACE INTO sources VALUES (?, ?)');
  }

  /**
   * The cache as a build left it, to read only (`check` answers from it): undefined when there
   * is none, or it is of another version, or it cannot be read.
   */
  static readOnly(path: string, version: string): ParseCache | undefined {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const stored = db.prepare("SELECT value FROM meta WHERE key = 'version'").pluck().get() as string | undefined;
      if (stored === version) return new ParseCache(smallPageCache(db));
    } catch {
      // none, or not readable: the files are read instead
    }
    db?.close();
    return undefined;
  }

  /**
   * The cache a build opened (`path`), opened again by a worker thread to store the parses it
   * makes (`db/parse.ts`). The log (WAL) lets one connection write at a time: a thread that
   * finds another writing waits for it (each writes one batch of files per transaction).
   */
  static storing(path: string): ParseCache {
    const db = new Database(path, { fileMustExist: true });
    db.pragma(`busy_timeout = ${STORE_WAIT_MS}`);
    db.pragma('synchronous = NORMAL');
    return new ParseCache(smallPageCache(db));
  }

  private static open(path: string, version: string): Database.Database {
    for (let attempt = 0; ; attempt++) {
      let db: Database.Database | undefined;
      try {
        db = new Database(path);
        // The file is set up once (its application id is written last): a build that changes
        // nothing then writes nothing, and closing has no log to copy back.
        if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) {
          // For a new file: a parse (~20 KB of JSON) then takes 2 pages instead of 5 or 6, and
          // storing 10,000 costs ~20% less (mostly system time). An existing file keeps its size.
          db.pragma('page_size = 16384');
          db.pragma('journal_mode = WAL');
          db.exec(CACHE_SQL);
          db.pragma(`application_id = ${APPLICATION_ID}`);
        }
        db.pragma('synchronous = NORMAL');
        smallPageCache(db);
        // a cache set up before these tables were gets them (nothing is written when they are there)
        db.exec(CHECK_PROBLEMS_SQL + ACROSS_SQL + BASIS_SQL);
        // a cache whose checks have no columns of their own (the rows are of another format: dropped)
        if (!(db.pragma('table_info(checks)') as { name: string }[]).some((c) => c.name === 'standin'))
          db.exec(`DROP TABLE IF EXISTS checks; ${CHECKS_SQL}`);
        const stored = db.prepare("SELECT value FROM meta WHERE key = 'version'").pluck().get() as string | undefined;
        if (stored !== version) {
          db.exec(CACHE_SQL);
          db.exec('DELETE FROM sources; DELETE FROM stamps; DELETE FROM checks; DELETE FROM replay; DELETE FROM meta;');
          db.prepare("INSERT INTO meta VALUES ('version', ?)").run(version);
        }
        return db;
      } catch (error) {
        db?.close();
        if (attempt > 0) throw error;
        for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
      }
    }
  }

  stamps(): Map<string, FileStamp> {
    const rows = this.db.prepare('SELECT file, size, mtime_ms, digest FROM stamps').raw().all() as [string, number, number, string][];
    const stamps = new Map<string, FileStamp>();
    for (const [file, size, mtimeMs, digest] of rows) stamps.set(file, { size, mtimeMs, digest });
    return stamps;
  }

  /** Replaces the stamps with the current set of files. */
  saveStamps(stamps: ReadonlyMap<string, FileStamp>, previous: ReadonlyMap<string, FileStamp>): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO stamps VALUES (?, ?, ?, ?)');
    const remove = this.db.prepare('DELETE FROM stamps WHERE file = ?');
    this.db.transaction(() => {
      let stayed = 0;
      stamps.forEach((s, file) => {
        const old = previous.get(file);
        if (old) stayed++;
        if (!old || old.size !== s.size || old.mtimeMs !== s.mtimeMs || old.digest !== s.digest) put.run(file, s.size, s.mtimeMs, s.digest);
      });
      // when every file stamped before still is, none is removed (no 10,000 lookups)
      if (stayed < previous.size)
        previous.forEach((_, file) => {
          if (!stamps.has(file)) remove.run(file);
        });
    })();
  }

  /** The cached read of `digest`, as the file at `file` (a renamed file keeps its parse). */
  get(digest: string, file: string): SourceFile | undefined {
    const json = this.getSource.get(digest) as string | undefined;
    if (json === undefined) return undefined;
    const source = JSON.parse(json) as SourceFile;
    if (source.file !== file) {
      source.file = file;
      for (const p of source.problems) p.file = file;
    }
    return source;
  }

  /**
   * The stamps (as `stamps`) with the per-file checks made in `context` of the stamped files, read
   * in one pass over both tables (a build after one edit reads every file's of both): a check's
   * digest is read only where it is not its stamp's (the stamp's string serves for both). The
   * checks' entries are made on the first call of `checks` (a build that finds nothing changed
   * makes none; the rows are let go then); they come without their problems, their stand-in fields
   * read (every kept check's at once, when one is first asked for) and parsed only when asked for.
   * A check kept without a stamp (a build that failed between storing the two) is not read: that
   * file is checked again.
   */
  stampsWithChecks(context: string): { stamps: Map<string, FileStamp>; checks: () => Map<string, CheckEntry> } {
    const rows = this.db
      .prepare(
        `SELECT s.file, s.size, s.mtime_ms, s.digest, c.valid, c.id, c.undated, c.standin, iif(c.digest = s.digest, NULL, c.digest)
        FROM stamps s LEFT JOIN checks c ON c.file = s.file AND c.context = ?`,
      )
      .raw()
      .all(context) as StampWithCheck[];
    const stamps = new Map<string, FileStamp>();
    // the rows indexed, not destructured: a one-shot build runs this loop as cold code, where
    // destructuring an array (an iterator per row) costs ~3× (docs/performance.md, tenth round: edit11db)
    for (const row of rows) stamps.set(row[0], { size: row[1], mtimeMs: row[2], digest: row[3] });
    let checks: Map<string, CheckEntry> | undefined;
    let left: StampWithCheck[] | undefined = rows;
    return {
      stamps,
      checks: () => {
        checks ??= this.keptChecks(left!, context);
        left = undefined;
        return checks;
      },
    };
  }

  /** The kept checks of `rows` (see `stampsWithChecks`). */
  private keptChecks(rows: readonly StampWithCheck[], context: string): Map<string, CheckEntry> {
    let read: StandInRows | undefined;
    const standIns = () => (read ??= this.standIns(context));
    const checks = new Map<string, CheckEntry>();
    // indexed (see `stampsWithChecks`): [file, size, mtime, digest, valid, id, undated, standin, check's own digest]
    for (const row of rows)
      if (row[4] !== null)
        checks.set(row[0], new KeptCheck(row[0], row[8] ?? row[3], row[4] === 1, row[5] ?? undefined, row[6] === 1, row[7], standIns));
    return checks;
  }

  /** The stand-in fields of the checks made in `context`, with the digest and `standin` of each row. */
  private standIns(context: string): StandInRows {
    const found: StandInRows = new Map();
    const all = this.db.prepare('SELECT file, digest, standin, json FROM checks WHERE context = ?').raw();
    for (const [file, digest, standin, json] of all.iterate(context) as IterableIterator<[string, string, string, string]>)
      found.set(file, [digest, standin, json]);
    return found;
  }

  /**
   * The per-file checks made in `context` with their stand-in fields, read and parsed at once
   * (`check` uses every one); none when the table cannot be read (a cache of an older shape).
   */
  standInChecks(context: string): Map<string, { digest: string; check: StandInCheck }> {
    const checks = new Map<string, { digest: string; check: StandInCheck }>();
    try {
      const rows = this.db.prepare('SELECT file, digest, json FROM checks WHERE context = ?').raw().all(context) as [
        string,
        string,
        string,
      ][];
      for (const [file, digest, json] of rows) checks.set(file, { digest, check: JSON.parse(json) as StandInCheck });
    } catch {
      // a cache from before the table: the files are read instead
    }
    return checks;
  }

  /** The kept cross-file result when it was kept for `key` (as stored: its shape is checked by the reader); else undefined. */
  keptAcross(key: string): unknown {
    try {
      const json = this.db.prepare('SELECT json FROM across WHERE key = ?').pluck().get(key) as string | undefined;
      return json === undefined ? undefined : JSON.parse(json);
    } catch {
      return undefined; // none, damaged, or a cache from before the table
    }
  }

  saveAcross(kept: KeptAcross): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM across');
      this.db.prepare('INSERT INTO across VALUES (?, ?)').run(kept.key, JSON.stringify(kept));
    })();
  }

  /** The kept database's basis as recorded (its shape is checked by the reader); undefined when none or unreadable. */
  keptBasis(): unknown {
    try {
      const json = this.db.prepare('SELECT json FROM basis').pluck().get() as string | undefined;
      return json === undefined ? undefined : JSON.parse(json);
    } catch {
      return undefined; // damaged
    }
  }

  /** Records `basis` in place of the one before (none: the next build reads the kept database). */
  saveKeptBasis(basis: KeptBasis | undefined): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM basis');
      if (basis) this.db.prepare('INSERT INTO basis VALUES (?)').run(JSON.stringify(basis));
    })();
  }

  /**
   * The problems of the checks made in `context` (of `files` only, when given: one query each),
   * with the digest each was made for; none when the table cannot be read (a cache from before it).
   */
  checkProblems(context: string, files?: readonly string[]): Map<string, { digest: string; problems: Problem[] }> {
    const found = new Map<string, { digest: string; problems: Problem[] }>();
    const keep = ([file, digest, json]: [string, string, string]) => found.set(file, { digest, problems: JSON.parse(json) as Problem[] });
    try {
      if (files) {
        const one = this.db.prepare('SELECT file, digest, json FROM check_problems WHERE file = ? AND context = ?').raw();
        for (const file of files) {
          const row = one.get(file, context) as [string, string, string] | undefined;
          if (row) keep(row);
        }
      } else {
        const all = this.db.prepare('SELECT file, digest, json FROM check_problems WHERE context = ?').raw();
        for (const row of all.iterate(context) as IterableIterator<[string, string, string]>) keep(row);
      }
    } catch {
      // a cache from before the table: the problems are made again from the parses
    }
    return found;
  }

  /**
   * Stores `checks` (made now) and removes the checks of files not in `current`. Every current
   * file has a check once these are stored (kept or made now), so the table has stale rows
   * only when it holds more rows than there are files: only then are its 10,000 names read.
   */
  saveChecks(context: string, checks: ReadonlyMap<string, FreshCheck>, current: readonly string[]): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const putProblems = this.db.prepare('INSERT OR REPLACE INTO check_problems VALUES (?, ?, ?, ?)');
    const remove = this.db.prepare('DELETE FROM checks WHERE file = ?');
    const removeProblems = this.db.prepare('DELETE FROM check_problems WHERE file = ?');
    this.db.transaction(() => {
      for (const [file, { digest, check, json, standin }] of checks) {
        put.run(file, digest, context, json, check.valid ? 1 : 0, check.id ?? null, check.undated ? 1 : 0, standin);
        putProblems.run(file, digest, context, JSON.stringify(check.problems));
      }
      const rows = this.db.prepare('SELECT count(*) FROM checks').pluck().get() as number;
      if (rows <= current.length) return;
      const keep = new Set(current);
      for (const file of this.db.prepare('SELECT file FROM checks').pluck().all() as string[]) {
        if (keep.has(file)) continue;
        remove.run(file);
        removeProblems.run(file);
      }
    })();
  }

  /**
   * What the last build kept to answer a build with nothing changed (see `Replay`), when it was
   * kept for this key and manifest (else the report is not even read); undefined when none.
   */
  replay(key: string, manifest: string): StoredReplay | undefined {
    if (!this.reportPath) return undefined;
    try {
      const row = this.db.prepare('SELECT report_stamp, errors, warnings FROM replay WHERE key = ? AND manifest = ?').get(key, manifest) as
        | { report_stamp: string; errors: number; warnings: number }
        | undefined;
      // the report file as it was written for this row (not one a later, interrupted build left)
      if (!row || fileStampOf(this.reportPath) !== row.report_stamp) return undefined;
      return { report: { path: this.reportPath, stamp: row.report_stamp }, errors: row.errors, warnings: row.warnings };
    } catch {
      return undefined; // none, or a cache made before the table was
    }
  }

  /**
   * The report the last build printed with the index of its parts (`Replay.parts`, as stored: JSON
   * read by `db/report.ts`) and its digest, when the report file is the one its row was written
   * with (held open: read where needed, also after a later build replaced it); else undefined.
   */
  keptReport(): StoredReport | undefined {
    if (!this.reportPath) return undefined;
    let row: [string, string, string] | undefined;
    try {
      row = this.db.prepare('SELECT report_stamp, parts, digest FROM replay').raw().get() as typeof row;
    } catch {
      return undefined; // none, or a cache made before the table (or its column) was
    }
    const file = row && openStamped(this.reportPath, row[0]);
    if (!row || !file) return undefined;
    this.opened.push(file.fd);
    const [stamp, parts, digest] = row;
    return { parts, digest, stamp, size: file.size, copyTo: (target, at, start, end) => readRange(file.fd, target, at, start, end) };
  }

  /**
   * Keeps `replay` in place of the one before (nothing is written when it is the same). Returns
   * the report file's stamp when this call wrote `replay.report`'s bytes there.
   */
  saveReplay(replay: Replay): string | undefined {
    let old: [string, string, string] | undefined;
    try {
      old = this.db.prepare('SELECT key, manifest, digest FROM replay').raw().get() as typeof old;
    } catch {
      // a cache made before the table was
    }
    if (!this.reportPath || (old?.[0] === replay.key && old[1] === replay.manifest && old[2] === replay.digest)) return undefined;
    const stamp = replay.report instanceof Uint8Array ? this.writeReport(replay.report) : this.stillThere(replay.report.kept);
    const { report: _, ...row } = replay;
    this.db.transaction(() => {
      // made again: a cache from before the table (or before one of its columns) gets it as it is now
      this.db.exec('DROP TABLE IF EXISTS replay');
      this.db.exec(CACHE_SQL);
      // a kept report replaced since it was read (another build) is not this one's: no replay is kept
      if (stamp !== undefined)
        this.db.prepare('INSERT INTO replay VALUES (@key, @manifest, @stamp, @digest, @errors, @warnings, @parts)').run({ ...row, stamp });
    })();
    return replay.report instanceof Uint8Array ? stamp : undefined;
  }

  /** Writes the report file (by a temp file and rename); its stamp. */
  private writeReport(bytes: Uint8Array): string {
    const temp = `${this.reportPath}.${process.pid}.tmp`;
    writeFileSync(temp, bytes);
    renameSync(temp, this.reportPath!);
    return fileStampOf(this.reportPath!) ?? '';
  }

  /** `stamp` when the report file still has it, else undefined. */
  private stillThere(stamp: string): string | undefined {
    return fileStampOf(this.reportPath!) === stamp ? stamp : undefined;
  }

  /** True when no parse is stored. */
  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM sources LIMIT 1').get() === undefined;
  }

  has(digest: string): boolean {
    return this.getSource.get(digest) !== undefined;
  }

  /** Stores parses given as [digest, JSON of the SourceFile]. */
  putAll(entries: readonly [digest: string, json: string][]): void {
    this.db.transaction(() => {
      for (const [digest, json] of entries) if (digest) this.putSource.run(digest, json);
    })();
  }

  /**
   * Drops the parses of the digests files had (`previous` stamps) that no current file has: only
   * a file whose digest changed or that is gone gives one, so one edit makes no set of every digest.
   */
  prune(previous: ReadonlyMap<string, FileStamp>, current: ReadonlyMap<string, FileStamp>): void {
    const gone = new Set<string>();
    previous.forEach((s, file) => {
      if (s.digest && current.get(file)?.digest !== s.digest) gone.add(s.digest);
    });
    if (gone.size === 0) return;
    current.forEach((s) => gone.delete(s.digest));
    const remove = this.db.prepare('DELETE FROM sources WHERE digest = ?');
    if (gone.size)
      this.db.transaction(() => {
        for (const d of gone) remove.run(d);
      })();
  }

  close(): void {
    for (const fd of this.opened.splice(0)) closeSync(fd);
    this.db.close();
  }
}
