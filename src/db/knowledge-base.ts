import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CommandContext } from '../commands/context.js';
import type { Config } from '../schema/config.js';
import { toIncident, type Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import { sortProblems, type Problem } from '../problems.js';
import { digestOf, type SourceFile } from '../source/read.js';
import { loadConfig } from '../kb/config.js';
import { listIncidentFiles } from '../kb/files.js';
import { resolveToday, validateSources } from '../kb/validate.js';
import { PACKAGE_ROOT } from '../paths.js';
import { ParseCache, type FileStamp } from './cache.js';
import { parseFiles } from './parse.js';
import { META, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { IncidentWriter, writeConfigRows, writeProblems } from './write.js';
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
  problems: Problem[];
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
    const problems = (db.prepare('SELECT file, line, "column", severity, rule_id, message FROM problems ORDER BY rowid').raw().all() as
      [string, number, number, 'error' | 'warning', string, string][])
      .map(([file, line, column, severity, ruleId, message]) => ({ file, line, column, severity, ruleId, message }));
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
      problems = previous.problems;
      validByFile = previous.incidents;
      changed = { added: [], changed: [], removed: [] };
    } else {
      // Read what the cache does not have; everything else comes from the cache.
      const toParse = files.filter((f) => {
        const digest = stamps.get(f)!.digest;
        return digest === '' || !cache.has(digest);
      });
      const progress = createProgress(ctx.stderr, startedMs, 'reading incidents', toParse.length);
      const parsed = await parseFiles({ root, files: toParse, config }, progress.update);
      progress.done();
      parsedCount = parsed.length;
      cache.putAll(parsed);
      const parsedByFile = new Map(parsed.map((s) => [s.file, s]));
      const sources: SourceFile[] = files.map((f) => parsedByFile.get(f) ?? cache.get(stamps.get(f)!.digest, f)!);
      for (const s of sources) {
        const stamp = stamps.get(s.file)!;
        if (stamp.digest !== s.digest) stamps.set(s.file, { ...stamp, mtimeMs: 0, digest: s.digest });
      }
      const validated = validateSources(sources, config, today);
      problems = sortProblems([...loaded.problems, ...validated.problems]);
      validByFile = new Map(validated.incidents.map((i) => [i.file, { id: i.id, digest: i.digest }]));
      writeDatabase(dbPath, config, configDigest, today, compatible ? previous : undefined, validated.incidents, sources, problems);
      rebuilt = true;
      const afterIds = new Map(validated.incidents.map((i) => [i.id, i.digest]));
      changed = diffIds(beforeIds, afterIds, !compatible && previous !== undefined);
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

function writeDatabase(
  dbPath: string, config: Config, configDigest: string, today: Temporal.PlainDate,
  previous: Previous | undefined, incidents: readonly Incident[], sources: readonly SourceFile[], problems: readonly Problem[],
): void {
  const temp = join(dirname(dbPath), `.${basename(dbPath)}.${process.pid}.tmp`);
  rmSync(temp, { force: true });
  try {
    if (previous) copyFileSync(dbPath, temp);
    const db = new Database(temp);
    try {
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = OFF'); // the temp file is only renamed into place once complete
      db.transaction(() => {
        if (!previous) {
          db.exec(SCHEMA_SQL);
          db.pragma(`user_version = ${SCHEMA_VERSION}`);
          writeConfigRows(db, config);
        }
        const writer = new IncidentWriter(db, config);
        const keep = new Set<string>();
        if (previous) {
          const now = new Map(incidents.map((i) => [i.file, i.digest]));
          for (const [file, old] of previous.incidents) {
            if (now.get(file) === old.digest) keep.add(file);
            else writer.delete(old.id);
          }
          writer.prune();
        }
        for (const incident of incidents) if (!keep.has(incident.file)) writer.add(incident);
        if (previous) writer.prune();
        db.prepare('DELETE FROM files').run();
        const fileRow = db.prepare('INSERT INTO files VALUES (?, ?, ?)');
        const idByFile = new Map(incidents.map((i) => [i.file, i.id]));
        for (const s of sources) fileRow.run(s.file, s.digest, idByFile.get(s.file) ?? null);
        writeProblems(db, problems);
        const meta = db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)');
        meta.run(META.schemaVersion, String(SCHEMA_VERSION));
        meta.run(META.toolVersion, TOOL_VERSION);
        meta.run(META.configDigest, configDigest);
        meta.run(META.today, today.toString());
        meta.run(META.timezone, config.timezone);
      })();
      if (!previous) db.exec("INSERT INTO search_fts (search_fts) VALUES ('optimize')");
    } finally {
      db.close();
    }
    renameSync(temp, dbPath);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
