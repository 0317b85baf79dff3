import Database from 'better-sqlite3';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CommandContext } from '../commands/context.js';
import type { Config } from '../schema/config.js';
import { toIncident, type Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import { sortProblems, type Problem } from '../problems.js';
import { digestOf, type SourceFile } from '../source/read.js';
import { loadConfig } from '../kb/config.js';
import { listIncidentFiles } from '../kb/files.js';
import { resolveToday, validateAcross } from '../kb/validate.js';
import { PACKAGE_ROOT } from '../paths.js';
import { ParseCache, type FileCheck, type FileStamp } from './cache.js';
import { processFiles } from './parse.js';
import { processSource, type Processed } from './process.js';
import { META, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { IncidentWriter, incidentRows, writeConfigRows, writeProblems, type IncidentRows } from './write.js';
import { createProgress } from './progress.js';

/** What `postmortem build` (and every query command) gets from bringing the database up to date. */
export interface BuiltKnowledgeBase {
  config: Config;
  today: Temporal.PlainDate;
  dbPath: string;
  /** Exactly what `check` reports (sorted). */
  problems: Problem[];
  /** Incident ids since the previous build (every valid incident when the config or tool changed). */
  changed: { added: string[]; changed: string[]; removed: string[] };
  /** A read-only connection (`readonly: true` + `query_only`); the caller closes it. */
  openDb(): Database.Database;
  /** Valid typed incidents (all when ids omitted), in file order, from the parse cache. */
  incidents(ids?: readonly string[]): Incident[];
  /** True when this call rewrote the database. */
  rebuilt: boolean;
  /** How many files were parsed (0 when nothing changed). */
  parsed: number;
}

export const DB_FILE = 'postmortems.db';

export const TOOL_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** The database path: `--db` (relative to the current folder) or `<out>/postmortems.db`. */
export function resolveDbPath(ctx: CommandContext, dbPath?: string): string {
  return dbPath ? resolve(dbPath) : join(ctx.out, DB_FILE);
}

/**
 * The previous version of the database, kept (as a hard link, so at no cost) to be the starting
 * point of the next build: updating it in place of a fresh copy avoids copying the whole file.
 */
export function keptPathFor(dbPath: string): string {
  return join(dirname(dbPath), `.${basename(dbPath)}.prev`);
}

/** The parse cache that sits next to a database. */
export function cachePathFor(dbPath: string): string {
  return join(dirname(dbPath), `.${basename(dbPath)}.cache`);
}

/** Opens a database for reading only: no statement can change it. */
export function openReadOnly(dbPath: string): Database.Database {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  return db;
}

interface Previous {
  meta: Map<string, string>;
  files: Map<string, string>;
  /** Valid incidents of the previous build by file. */
  incidents: Map<string, { id: string; digest: string }>;
  /** The problems it recorded (read on demand). */
  problems(): Problem[];
}

function readPrevious(dbPath: string): Previous | undefined {
  if (!existsSync(dbPath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(dbPath);
    if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) return undefined;
    const meta = new Map(db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
    const files = new Map(db.prepare('SELECT file, digest FROM files').raw().all() as [string, string][]);
    const incidents = new Map(
      (db.prepare('SELECT file, id, digest FROM incidents').raw().all() as [string, string, string][])
        .map(([file, id, digest]) => [file, { id, digest }]),
    );
    const problems = () => {
      const reader = openReadOnly(dbPath);
      try {
        return (reader.prepare('SELECT file, line, "column", severity, rule_id, message FROM problems ORDER BY rowid').raw().all() as
          [string, number, number, 'error' | 'warning', string, string][])
          .map(([file, line, column, severity, ruleId, message]) => ({ file, line, column, severity, ruleId, message }));
      } finally {
        reader.close();
      }
    };
    return { meta, files, incidents, problems };
  } catch {
    return undefined; // unreadable or from another schema: rebuilt from scratch
  } finally {
    db?.close();
  }
}

/** Removes temp files of builds that were killed (their process is gone). */
function removeStaleTemps(dbPath: string): void {
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

/** Current files with their content digests; a file whose size and mtime did not change keeps its digest. */
function stampFiles(root: string, files: readonly string[], previous: ReadonlyMap<string, FileStamp>, startedMs: number): Map<string, FileStamp> {
  const stamps = new Map<string, FileStamp>();
  for (const file of files) {
    let size = -1;
    let mtimeMs = 0;
    try {
      const st = statSync(join(root, file));
      size = st.size;
      mtimeMs = st.mtimeMs;
    } catch {
      stamps.set(file, { size: -1, mtimeMs: 0, digest: '' });
      continue;
    }
    const old = previous.get(file);
    if (old && old.size === size && old.mtimeMs === mtimeMs && mtimeMs !== 0 && old.digest) {
      stamps.set(file, old);
      continue;
    }
    let digest = '';
    try {
      digest = digestOf(readFileSync(join(root, file)));
    } catch {
      // unreadable: read (and reported) by the parser
    }
    // A file changed within the last 2 s might change again within the same mtime tick: re-hash it next time.
    stamps.set(file, { size, mtimeMs: mtimeMs > startedMs - 2000 ? 0 : mtimeMs, digest });
  }
  return stamps;
}

function diffIds(before: Map<string, string>, after: Map<string, string>, everything: boolean) {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [id, digest] of after) {
    const old = before.get(id);
    if (old === undefined) added.push(id);
    else if (everything || old !== digest) changed.push(id);
  }
  for (const id of before.keys()) if (!after.has(id)) removed.push(id);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

/** An object whose known fields are at hand and whose other fields load the whole value on first use. */
function lazy<T extends object>(known: Partial<T>, load: () => T): T {
  let full: T | undefined;
  return new Proxy(known as T, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(target, prop)) return (target as Record<PropertyKey, unknown>)[prop];
      full ??= load();
      return (full as Record<PropertyKey, unknown>)[prop];
    },
  });
}

interface Validation {
  problems: Problem[];
  /** Valid incidents in file order. */
  valid: { file: string; id: string; digest: string }[];
}

/**
 * Validates every file, exactly as `check` does (`validateSource` per file, `validateAcross`
 * over all of them), reading and parsing only what the caches do not have: a file's per-file
 * result is kept by path, digest and context; its parse by digest. The cross-file rules see
 * unchanged files through lazy stand-ins that load the whole file only if a rule needs more.
 */
async function validateAll(
  ctx: CommandContext, cache: ParseCache, files: readonly string[], stamps: Map<string, FileStamp>,
  config: Config, today: Temporal.PlainDate, context: string, startedMs: number,
  onRows: (rows: IncidentRows) => void,
): Promise<Validation & { parsed: number }> {
  const known = cache.checks(context);
  const checks = new Map<string, { digest: string; check: FileCheck }>();
  const fresh = new Map<string, { digest: string; check: FileCheck }>();
  const sourceOf = (file: string): SourceFile => {
    const source = cache.get(stamps.get(file)!.digest, file);
    if (!source) throw new Error(`the parse cache lost ${file}; run the build again`);
    return source;
  };
  const accept = ({ source, check, rows }: Processed) => {
    const entry = { digest: source.digest, check };
    checks.set(source.file, entry);
    fresh.set(source.file, entry);
    if (rows) onRows(rows);
  };

  const toCheck: string[] = [];
  for (const file of files) {
    const digest = stamps.get(file)!.digest;
    const cached = known.get(file);
    if (digest !== '' && cached?.digest === digest) checks.set(file, cached);
    else toCheck.push(file);
  }
  const toParse = toCheck.filter((f) => {
    const digest = stamps.get(f)!.digest;
    return digest === '' || !cache.has(digest);
  });
  const progress = createProgress(ctx.stderr, startedMs, 'reading incidents', toParse.length);
  let pending: SourceFile[] = [];
  await processFiles({ root: ctx.root, files: toParse, config, today: today.toString() }, (processed) => {
    const { source } = processed;
    const stamp = stamps.get(source.file)!;
    if (stamp.digest !== source.digest) stamps.set(source.file, { ...stamp, mtimeMs: 0, digest: source.digest });
    accept(processed);
    pending.push(source);
    if (pending.length >= 256) {
      cache.putAll(pending);
      pending = [];
    }
  }, progress.update);
  cache.putAll(pending);
  progress.done();
  // Parsed before but not checked in this context (new evaluation date, renamed file): check from the cache.
  for (const file of toCheck) if (!checks.has(file)) accept(processSource(sourceOf(file), config, today));

  // The cross-file stage.
  const problems: Problem[] = [];
  const incidents: Incident[] = [];
  const sources = new Map<string, SourceFile>();
  for (const file of files) {
    const { digest, check } = checks.get(file)!;
    problems.push(...check.problems);
    const data = lazy<{ id?: unknown }>({ id: check.dataId }, () => sourceOf(file).data as { id?: unknown });
    sources.set(file, lazy<SourceFile>({ file, digest, frontmatterLine: check.frontmatterLine, data }, () => sourceOf(file)));
    if (check.valid) {
      incidents.push(lazy<Incident>({ id: check.id, file, digest, related: check.related }, () => toIncident(sourceOf(file), config).incident!));
    }
  }
  const across = validateAcross(incidents, sources, config);
  problems.push(...across.problems);
  cache.saveChecks(context, fresh, new Set(files));
  return {
    problems,
    valid: incidents.filter((i) => !across.rejected.has(i.file)).map((i) => ({ file: i.file, id: i.id, digest: i.digest })),
    parsed: toParse.length,
  };
}

/**
 * Brings the database up to date with the incidents and returns what it holds.
 * Unchanged files are not parsed again (parse cache keyed by content digest); a build with
 * no change does not touch the database; otherwise the new database is written to a temp
 * file in the same folder and renamed into place, so readers see the old or the new one.
 */
export async function updateKnowledgeBase(ctx: CommandContext, options: { dbPath?: string } = {}): Promise<BuiltKnowledgeBase> {
  const startedMs = Date.now();
  const dbPath = resolveDbPath(ctx, options.dbPath);
  const root = ctx.root;
  const loaded = loadConfig(root);
  const config = loaded.config;
  const today = resolveToday(config, ctx.now);
  const configDigest = digestOf(`${loaded.text}\u0000${JSON.stringify(config)}`);
  mkdirSync(dirname(dbPath), { recursive: true });
  removeStaleTemps(dbPath);

  const cacheVersion = `${TOOL_VERSION}/${SCHEMA_VERSION}/${config.validation.max_file_kb}`;
  const cachePath = cachePathFor(dbPath);
  const cache = new ParseCache(cachePath, cacheVersion);
  let problems: Problem[];
  let validByFile: Map<string, { id: string; digest: string }>;
  let rebuilt = false;
  let parsedCount = 0;
  let changed: BuiltKnowledgeBase['changed'];
  try {
    const files = listIncidentFiles(root);
    const oldStamps = cache.stamps();
    const stamps = stampFiles(root, files, oldStamps, startedMs);
    const previous = readPrevious(dbPath);
    const compatible = previous !== undefined
      && previous.meta.get(META.toolVersion) === TOOL_VERSION
      && previous.meta.get(META.configDigest) === configDigest;
    const sameFiles = compatible
      && previous.files.size === stamps.size
      && [...stamps].every(([file, s]) => s.digest !== '' && previous.files.get(file) === s.digest);
    const beforeIds = new Map([...(previous?.incidents.values() ?? [])].map((v) => [v.id, v.digest]));

    if (sameFiles && previous.meta.get(META.today) === today.toString()) {
      problems = previous.problems();
      validByFile = previous.incidents;
      changed = { added: [], changed: [], removed: [] };
    } else {
      const context = `${cacheVersion}/${configDigest}/${today.toString()}`;
      const rowsOf = (file: string): IncidentRows => {
        const source = cache.get(stamps.get(file)!.digest, file);
        const incident = source && toIncident(source, config).incident;
        if (!incident) throw new Error(`the parse cache lost ${file}; run the build again`);
        return incidentRows(incident, config);
      };
      // Start from the database kept from the build before last when it fits (no copy), else from a copy of the current one.
      const kept = readPrevious(keptPathFor(dbPath));
      const keptFits = kept !== undefined && kept.meta.get(META.toolVersion) === TOOL_VERSION && kept.meta.get(META.configDigest) === configDigest;
      const basis = keptFits ? { previous: kept, path: keptPathFor(dbPath) } : compatible ? { previous, path: dbPath } : undefined;
      const build = new DatabaseBuild(dbPath, config, basis, stamps);
      try {
        // Incidents are written as they are validated, so none is held in memory or read twice.
        const validation = await validateAll(ctx, cache, files, stamps, config, today, context, startedMs, (rows) => build.offer(rows));
        parsedCount = validation.parsed;
        problems = sortProblems([...loaded.problems, ...validation.problems]);
        validByFile = new Map(validation.valid.map((v) => [v.file, { id: v.id, digest: v.digest }]));
        const fileRows = files.map((file) => ({ file, digest: stamps.get(file)!.digest, id: validByFile.get(file)?.id ?? null }));
        build.finish(validation.valid, rowsOf, fileRows, problems, configDigest, today);
      } catch (error) {
        build.abort();
        throw error;
      }
      const afterIds = new Map([...validByFile.values()].map((v) => [v.id, v.digest]));
      changed = diffIds(beforeIds, afterIds, !compatible && previous !== undefined);
      rebuilt = true;
    }
    cache.saveStamps(stamps, oldStamps);
    if (rebuilt) cache.prune(new Set([...stamps.values()].map((s) => s.digest)));
  } finally {
    cache.close();
  }

  const validFiles = [...validByFile.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    config, today, dbPath, problems, changed, rebuilt, parsed: parsedCount,
    openDb: () => openReadOnly(dbPath),
    incidents(ids) {
      const wanted = ids ? new Set(ids) : undefined;
      const selected = validFiles.filter(([, v]) => !wanted || wanted.has(v.id));
      if (selected.length === 0) return [];
      const reader = new ParseCache(cachePath, cacheVersion);
      try {
        return selected.map(([file, v]) => {
          const source = reader.get(v.digest, file);
          const incident = source && toIncident(source, config).incident;
          if (!incident) throw new Error(`the parse cache lost ${file}; run the build again`);
          return incident;
        });
      } finally {
        reader.close();
      }
    },
  };
}

/**
 * One database build: a temp file in the database's folder (a copy of the previous database
 * when it can be updated in place, else a new one), renamed over the database when finished.
 */
class DatabaseBuild {
  private readonly temp: string;
  private readonly db: Database.Database;
  private readonly writer: IncidentWriter;
  /** Incident rows in the temp database: id -> file. */
  private readonly rows = new Map<string, string>();

  private readonly previous: Previous | undefined;

  constructor(
    private readonly dbPath: string, private readonly config: Config,
    basis: { previous: Previous; path: string } | undefined, stamps: ReadonlyMap<string, FileStamp>,
  ) {
    this.temp = join(dirname(dbPath), `.${basename(dbPath)}.${process.pid}.tmp`);
    this.previous = basis?.previous;
    const previous = this.previous;
    rmSync(this.temp, { force: true });
    if (basis?.path === keptPathFor(dbPath)) renameSync(basis.path, this.temp);
    else if (basis) copyFileSync(basis.path, this.temp);
    this.db = new Database(this.temp);
    try {
      this.db.pragma('journal_mode = OFF'); // the temp file is only renamed into place once complete
      this.db.pragma('synchronous = OFF');
      this.db.exec('BEGIN');
      if (!previous) {
        this.db.exec(SCHEMA_SQL);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        writeConfigRows(this.db, config);
      }
      this.writer = new IncidentWriter(this.db);
      for (const [file, old] of previous?.incidents ?? []) {
        if (stamps.get(file)?.digest === old.digest) this.rows.set(old.id, file);
        else this.writer.delete(old.id);
      }
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

  finish(
    valid: readonly { file: string; id: string; digest: string }[], rowsOf: (file: string) => IncidentRows,
    files: readonly { file: string; digest: string; id: string | null }[], problems: readonly Problem[],
    configDigest: string, today: Temporal.PlainDate,
  ): void {
    const { db, writer, previous } = this;
    const wanted = new Map(valid.map((v) => [v.id, v.file]));
    for (const [id, file] of this.rows) {
      if (wanted.get(id) !== file) {
        writer.delete(id);
        this.rows.delete(id);
      }
    }
    for (const v of valid) {
      if (!this.rows.has(v.id)) {
        writer.add(rowsOf(v.file));
        this.rows.set(v.id, v.file);
      }
    }
    writer.prune();
    const oldFiles = previous?.files ?? new Map<string, string>();
    const oldIds = previous ? new Map(db.prepare('SELECT file, incident_id FROM files').raw().all() as [string, string | null][]) : new Map<string, string | null>();
    const removeFile = db.prepare('DELETE FROM files WHERE file = ?');
    const fileRow = db.prepare('INSERT OR REPLACE INTO files VALUES (?, ?, ?)');
    const current = new Set(files.map((f) => f.file));
    for (const file of oldFiles.keys()) if (!current.has(file)) removeFile.run(file);
    for (const f of files) if (oldFiles.get(f.file) !== f.digest || oldIds.get(f.file) !== f.id) fileRow.run(f.file, f.digest, f.id);
    writeProblems(db, problems);
    const meta = db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)');
    meta.run(META.schemaVersion, String(SCHEMA_VERSION));
    meta.run(META.toolVersion, TOOL_VERSION);
    meta.run(META.configDigest, configDigest);
    meta.run(META.today, today.toString());
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
