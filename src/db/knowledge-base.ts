import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CommandContext, Output } from '../commands/context.js';
import type { Config } from '../schema/config.js';
import { toIncident, type Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import { countBySeverity, formatProblems, sortProblems, type Problem } from '../problems.js';
import { digestOf } from '../source/read.js';
import { limitHeapGrowth } from '../heap-growth.js';
import { loadConfig } from '../kb/config.js';
import { knownIdsOf, scanIncidentFiles, SCAN_RULE } from '../kb/files.js';
import { resolveToday } from '../kb/validate.js';
import { ParseCache, reportPathFor, type CheckEntry, type FileStamp, type StoredReplay, type StoredReport } from './cache.js';
import { cachePathFor, cacheVersionOf, DB_FILE, checkContextOf, configDigestOf } from './cache-key.js';
import { loadIncidents, type IncidentSource } from './incident-source.js';
import { META } from './schema.js';
import { incidentRows, type IncidentRows } from './write.js';
import {
  DatabaseBuild,
  keptPathFor,
  openReadOnly,
  readIncidents,
  readPrevious,
  type Previous,
  readProblems,
  removeStaleTemps,
  TOOL_VERSION,
} from './database-file.js';
import { copyFile, manifestEntries, manifestOf, replayKey, statFiles, statOf, withStampedFile, type FileStat } from './replay.js';
import { validateAll } from './incremental-check.js';
import { keptBasisAfter, keptFromBasis } from './kept-basis.js';
import { allProblems, keptBytes, reportOf as assembleReport, type KeptReport, type Report } from './report.js';
import { asUserError, onFile } from '../output/file-error.js';
import { checkTargets, refuseInsideIncidents } from '../kb/targets.js';
import { claimDatabaseFiles } from './ownership.js';
import { historyPathFor, updateHistory, type History } from '../history/history.js';
import { warmRequest } from '../model/intl-warmup.js';
import { takeEarlyScan, type EarlyScan } from './early-scan.js';
import { takeFindScan } from './find-scan.js';
import { noteRunKind } from '../run-kind.js';

export { keptPathFor, openReadOnly, TOOL_VERSION } from './database-file.js';
export { loadIncidents, type IncidentSource } from './incident-source.js';

/** What `postmortem build` (and every query command) gets from bringing the database up to date. */
export interface BuiltKnowledgeBase {
  config: Config;
  today: Temporal.PlainDate;
  dbPath: string;
  /** Exactly what `check` reports (sorted; after a build with nothing changed, read on first use). */
  problems: Problem[];
  /** The same problems as printed (`formatProblems`, UTF-8) with their counts: `build` prints them in one write. */
  report: PrintedReport;
  /** Incident ids since the previous build (every valid incident when the config or tool changed). */
  changed: { added: string[]; changed: string[]; removed: string[] };
  /** A read-only connection (`readonly: true` + `query_only`); the caller closes it. */
  openDb(): Database.Database;
  /** Valid typed incidents (all when ids omitted), in file order, from the parse cache. */
  incidents(ids?: readonly string[]): Incident[];
  /** Where `incidents` reads them from, for `loadIncidents` in worker threads. */
  incidentSource: IncidentSource;
  /** True when this call rewrote the database. */
  rebuilt: boolean;
  /** How many files were parsed (0 when nothing changed). */
  parsed: number;
  /** The git history of incidents/ (or why there is none). */
  history: History;
}

export { DB_FILE } from './cache-key.js';

/** The database path: `--db` (relative to the current folder) or `<out>/postmortems.db`. */
export function resolveDbPath(ctx: CommandContext, dbPath?: string): string {
  return dbPath ? resolve(dbPath) : join(ctx.out, DB_FILE);
}

export { cachePathFor } from './cache-key.js';

/**
 * Current files with their content digests; a file whose size and mtime did not change keeps its
 * digest. With `hash` false the others get none (''): the reader's digest is taken instead. With
 * `same`, whether every file has a digest, the one `recorded` (the database's files) has for it —
 * found in the same walk, stopping at the first that has not: a second walk of the 10,000 stamps
 * was ~9 ms of a title edit's profile at 10,000 (docs/performance.md, thirteenth round: e15db).
 */
function stampFiles(
  root: string,
  files: readonly string[],
  stats: readonly (FileStat | undefined)[],
  previous: ReadonlyMap<string, FileStamp>,
  startedMs: number,
  hash: boolean,
  recorded: ReadonlyMap<string, string> | undefined,
): { stamps: Map<string, FileStamp>; same: boolean } {
  const stamps = new Map<string, FileStamp>();
  let same = recorded !== undefined;
  // indexed, and maps walked with `forEach`: cold code in a one-shot build (see `ParseCache.stampsWithChecks`)
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const stamp = stampOf(root, file, stats[i], previous.get(file), startedMs, hash);
    stamps.set(file, stamp);
    if (same) same = stamp.digest !== '' && recorded!.get(file) === stamp.digest;
  }
  return { stamps, same };
}

/** `file`'s stamp (see `stampFiles`): `old` when its size and time are the same, else hashed (when `hash`). */
function stampOf(
  root: string,
  file: string,
  stat: FileStat | undefined,
  old: FileStamp | undefined,
  startedMs: number,
  hash: boolean,
): FileStamp {
  if (!stat) return { size: -1, mtimeMs: 0, digest: '' };
  const { size, mtimeMs } = stat;
  if (old && old.size === size && old.mtimeMs === mtimeMs && mtimeMs !== 0 && old.digest) return old;
  let digest = '';
  try {
    if (hash) digest = digestOf(readFileSync(join(root, file)));
  } catch {
    // unreadable: read (and reported) by the parser
  }
  // A file changed within the last 2 s might change again within the same mtime tick: re-hash it next time.
  return { size, mtimeMs: mtimeMs > startedMs - 2000 ? 0 : mtimeMs, digest };
}

type ValidByFile = ReadonlyMap<string, { id: string; digest: string }>;

/**
 * The valid incidents of `side` that `other` does not have in the same file with the same id and
 * digest, as digests by id. Ids are unique on each side (the database's are its key; a repeated
 * id is rejected by \`duplicate-id\`), so an incident found so in both is in neither's list and
 * `diffIds` of the two lists is `diffIds` of the whole sides: after one edit, two maps of one
 * entry each, not two of 10,000 (in a fresh process over the database of 10,000 incidents, one
 * edit, load ~12, medians of 5: 9.1 → 5.1 ms CPU, 20.6 → 4.1 ms wall).
 */
function differing(side: ValidByFile | undefined, other: ValidByFile | undefined): Map<string, string> {
  const byId = new Map<string, string>();
  side?.forEach((v, file) => {
    const there = other?.get(file);
    if (there === undefined || there.id !== v.id || there.digest !== v.digest) byId.set(v.id, v.digest);
  });
  return byId;
}

function diffIds(before: Map<string, string>, after: Map<string, string>, everything: boolean) {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  after.forEach((digest, id) => {
    const old = before.get(id);
    if (old === undefined) added.push(id);
    else if (everything || old !== digest) changed.push(id);
  });
  before.forEach((_, id) => {
    if (!after.has(id)) removed.push(id);
  });
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

/**
 * Brings the database up to date with the incidents and returns what it holds.
 * Unchanged files are not parsed again (parse cache keyed by content digest); a build with
 * no change does not touch the database; otherwise the new database is written to a temp
 * file in the same folder and renamed into place, so readers see the old or the new one.
 */
export async function updateKnowledgeBase(ctx: CommandContext, options: { dbPath?: string } = {}): Promise<BuiltKnowledgeBase> {
  const dbPath = resolveDbPath(ctx, options.dbPath);
  try {
    return await update(ctx, dbPath);
  } catch (error) {
    // An I/O failure names its path; SQLite's (a full disk while writing) name none: the database's.
    throw asUserError(error) ?? asUserError(error, dbPath, 'write the database') ?? error;
  }
}

async function update(ctx: CommandContext, dbPath: string): Promise<BuiltKnowledgeBase> {
  const startedMs = Date.now();
  const root = ctx.root;
  checkTargets(root, ctx.out);
  refuseInsideIncidents(root, dbPath, '--db');
  claimDatabaseFiles([dbPath, keptPathFor(dbPath), cachePathFor(dbPath)]);
  // the incident files and their stats, from the `find` (`find-scan.ts`) or the thread
  // (`early-scan.ts`) that `build` started, or found here: asked as late as they are needed, so
  // that they have as long as they can
  const scan = lazily(
    (): Partial<EarlyScan> & Pick<EarlyScan, 'scanned' | 'fromMs'> =>
      takeFindScan(root) ?? takeEarlyScan(root, scanIncidentFiles) ?? { scanned: scanIncidentFiles(root), fromMs: startedMs },
  );
  const knownIds = lazily(() => knownIdsOf(scan().scanned.files));
  const loaded = loadConfig(root, { has: (id) => knownIds().has(id) });
  const config = loaded.config;
  const today = resolveToday(config, ctx.now);
  const configDigest = configDigestOf(loaded.text, config);
  mkdirSync(dirname(dbPath), { recursive: true });
  removeStaleTemps(dbPath);

  const cacheVersion = cacheVersionOf(config);
  const cachePath = cachePathFor(dbPath);
  const cache = new ParseCache(cachePath, cacheVersion);
  const history = updateHistory(root, config, `${cacheVersion}/${configDigest}`, historyPathFor(cachePath));
  const base = { config, today, dbPath, history, incidentSource: { root, cachePath, cacheVersion, config } };
  try {
    const { scanned, stats: early, fromMs: statsFromMs, afterScan } = scan();
    const files = scanned.files;
    const stats = early ?? statFiles(root, files);
    const key = replayKey({
      cacheVersion,
      configDigest,
      today: today.toString(),
      history: history.key,
      found: [...scanned.problems, ...loaded.problems],
    });
    const entries = manifestEntries(files, stats);
    const replay = cache.replay(key, manifestOf(files, entries, statOf(dbPath)));
    if (replay) {
      noteRunKind('replay');
      afterScan?.(undefined);
      const problems = () => sortProblems([...readProblems(dbPath).filter((p) => p.ruleId !== SCAN_RULE), ...scanned.problems]);
      return knowledgeBase({
        ...base,
        problems,
        report: replayedReport(replay, problems),
        validByFile: () => readIncidents(dbPath),
        changed: { added: [], changed: [], removed: [] },
        rebuilt: false,
        parsed: 0,
      });
    }
    // Not a replay: most likely an edit, whose incidents are written with their local dates by ICU's
    // first formatter. Its data is loaded on the scan's thread from here, when there is one, as
    // early as a build knows (see `intl-warmup.ts`); a first build (no database yet) has threads
    // that load their own.
    afterScan?.(existsSync(dbPath) ? warmRequest(config.timezone) : undefined);
    const built = await bringUpToDate(ctx, cache, { ...base, files, stats, startedMs, statsFromMs, configDigest, scanned, loaded });
    try {
      const { releaseHeap: _, ...outcome } = built;
      const { problems, validByFile, report } = outcome;
      const manifest = manifestOf(files, entries, statOf(dbPath), built.stamps);
      const { kept, digest, errors, warnings, parts } = report;
      const written = cache.saveReplay({
        key,
        manifest,
        report: kept === undefined ? report.bytes : { kept },
        digest,
        errors,
        warnings,
        parts,
      });
      // the kept report's bytes, or those just written to its file: printed from the file, as a
      // replay's (not held to the end of the build: 8 MB for 10,000 incidents' warnings)
      const stamp = kept ?? written;
      const printed =
        stamp === undefined
          ? printedReport(report)
          : replayedReport({ report: { path: reportPathFor(cachePath), stamp }, errors, warnings }, problems);
      return knowledgeBase({ ...base, ...outcome, problems, validByFile: () => validByFile, report: printed });
    } finally {
      built.releaseHeap(); // held since the first build began (see `bringUpToDate`)
    }
  } finally {
    cache.close();
  }
}

/** The problems as printed (`formatProblems`, UTF-8) with their counts. */
export interface PrintedReport {
  readonly bytes: Uint8Array;
  errors: number;
  warnings: number;
  /** Writes `bytes` to `out` (`build` prints them so, in one write or, when replayed, copied from the stored file in chunks). */
  writeTo(out: Output): void;
}

function writeBytes(out: Output, bytes: Uint8Array): void {
  if (bytes.length > 0) out.write(bytes);
}

function printedReport(report: { bytes: Uint8Array; errors: number; warnings: number }): PrintedReport {
  const { bytes, errors, warnings } = report;
  return { bytes, errors, warnings, writeTo: (out) => writeBytes(out, bytes) };
}

/**
 * The stored report of a replay, read only when printed; should its file have been replaced since
 * it was found (a build running beside this one), the same text is made from the database's problems.
 */
function replayedReport(replay: StoredReplay, problems: () => Problem[]): PrintedReport {
  const { path, stamp } = replay.report;
  const made = () => Buffer.from(formatProblems(problems()));
  return {
    errors: replay.errors,
    warnings: replay.warnings,
    get bytes() {
      return withStampedFile(path, stamp, (fd) => readFileSync(fd)) ?? made();
    },
    writeTo(out) {
      const copied = withStampedFile(path, stamp, (fd) => {
        copyFile(fd, out);
        return true;
      });
      if (!copied) writeBytes(out, made());
    },
  };
}

/**
 * The problems as printed, UTF-8, with their digest (the database's `problems_digest`) and counts;
 * with the kept report's index when it is the same report (the next build after an edit copies from it).
 */
function reportOf(problems: readonly Problem[], kept: KeptReport | undefined) {
  const bytes = Buffer.from(formatProblems(problems));
  const parts = kept && kept.size === bytes.length && bytes.equals(keptBytes(kept)) ? kept.parts : '';
  return encoded({ bytes, ...countBySeverity(problems), parts, same: false });
}

/** A report as the build keeps it: the bytes the build made, or the kept report's (`kept`: its file's stamp). */
type EncodedReport = Omit<Report, 'same'> & { digest: string; kept: string | undefined };

/** `report` with its digest: when it is the kept report's bytes, that report's digest (not hashed again) and stamp. */
function encoded(report: Report, stored?: StoredReport): EncodedReport {
  const kept = report.same ? stored?.stamp : undefined;
  const digest = kept !== undefined ? stored!.digest : digestOf(report.bytes);
  const { errors, warnings, parts } = report;
  return {
    get bytes() {
      return report.bytes;
    },
    errors,
    warnings,
    parts,
    digest,
    kept,
  };
}

/** A value made on first call; `made` tells whether it has been. */
function lazily<T>(make: () => T): (() => T) & { made: () => boolean } {
  let value: T | undefined;
  return Object.assign(() => (value ??= make()), { made: () => value !== undefined });
}

/**
 * Problems the build made, kept as one compressed text and read back if asked: as objects, with
 * every file's check they come from, the 44,000 problems of 10,000 generated incidents hold
 * ~28 MB through the documents and the site; as JSON 11 million characters, 22 MB in the heap
 * (a message with a character outside Latin-1 makes the whole text two bytes a character);
 * compressed ~0.6 MB, outside the heap, for ~0.1 s. Problems not made stay unmade. The text is
 * made and compressed `PACKED_PROBLEMS` problems at a time: made whole, it and its bytes for the
 * compressor (~22 MB more, with the problems still live) were the main heap's largest moment
 * between the database and the site (docs/performance.md, ninth round: mem11).
 */
function keptAsText(all: ReturnType<typeof lazily<Problem[]>>): () => Problem[] {
  return all.made() ? lazily(packedProblems(all())) : all;
}

/** Problems compressed together (`keptAsText`): ~0.5 MB of text. */
const PACKED_PROBLEMS = 2000;

/** `list` compressed `per` problems at a time (see `keptAsText`), and a function that reads it back whole. */
export function packedProblems(list: readonly Problem[], per = PACKED_PROBLEMS): () => Problem[] {
  const packed: Buffer[] = [];
  for (let from = 0; from < list.length; from += per)
    packed.push(deflateRawSync(JSON.stringify(list.slice(from, from + per)), { level: 1 }));
  return () => packed.flatMap((part) => JSON.parse(inflateRawSync(part).toString('utf8')) as Problem[]);
}

type ValidFile = [file: string, valid: { id: string; digest: string }];

/**
 * The valid incidents' files (those of `wanted` ids only, when given) sorted by file, pairs made
 * with `forEach` and indexed, not destructured (see `ParseCache.stampsWithChecks`). The wanted
 * ones are picked before the sort: the site asks for the few incidents an edit changed, and
 * sorting all 10,000 pairs to keep those few was ~17 ms of a title edit's profile at load ~7
 * (the comparator, cold code), ~2 ms of CPU in a fresh process (docs/performance.md, thirteenth
 * round: e15db).
 */
function validFilesOf(validByFile: ValidByFile, wanted?: ReadonlySet<string>): ValidFile[] {
  const pairs: ValidFile[] = [];
  validByFile.forEach((v, file) => {
    if (!wanted || wanted.has(v.id)) pairs.push([file, v]);
  });
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The result's parts; `problems` and `validByFile` are read on first use. */
function knowledgeBase(parts: {
  config: Config;
  today: Temporal.PlainDate;
  dbPath: string;
  history: History;
  incidentSource: IncidentSource;
  problems: () => Problem[];
  report: BuiltKnowledgeBase['report'];
  validByFile: () => ReadonlyMap<string, { id: string; digest: string }>;
  changed: BuiltKnowledgeBase['changed'];
  rebuilt: boolean;
  parsed: number;
}): BuiltKnowledgeBase {
  const { config, today, dbPath, history, incidentSource, report, changed, rebuilt, parsed } = parts;
  let problems: Problem[] | undefined;
  // read once (a replay's are read from the database)
  const validByFile = lazily(parts.validByFile);
  const sortedValidFiles = lazily(() => validFilesOf(validByFile()));
  return {
    config,
    today,
    dbPath,
    get problems() {
      problems ??= parts.problems();
      return problems;
    },
    report,
    changed,
    rebuilt,
    parsed,
    history,
    openDb: () => onFile(dbPath, 'read the database', () => openReadOnly(dbPath)),
    incidentSource,
    incidents(ids) {
      const pairs = ids ? validFilesOf(validByFile(), new Set(ids)) : sortedValidFiles();
      return loadIncidents(
        incidentSource,
        pairs.map((pair) => [pair[0], pair[1].digest] as const),
      );
    },
  };
}

type UpToDateInput = {
  config: Config;
  today: Temporal.PlainDate;
  dbPath: string;
  history: History;
  files: string[];
  stats: (FileStat | undefined)[];
  startedMs: number;
  /** When the stats were about to be taken (`early-scan.ts`): a file changed within 2 s before is not trusted by its time. */
  statsFromMs: number;
  configDigest: string;
  scanned: ReturnType<typeof scanIncidentFiles>;
  loaded: ReturnType<typeof loadConfig>;
};

/** What bringing the database up to date found, one way or the other. */
type Outcome = {
  problems: () => Problem[];
  report: ReturnType<typeof reportOf>;
  validByFile: ReadonlyMap<string, { id: string; digest: string }>;
  changed: BuiltKnowledgeBase['changed'];
  parsed: number;
};

/** Everything but the replay: the files hashed where their stamps changed, checked from the caches, the database updated. */
async function bringUpToDate(ctx: CommandContext, cache: ParseCache, input: UpToDateInput) {
  const { config, today, dbPath, history, files, stats, statsFromMs, configDigest, scanned } = input;
  const context = checkContextOf(cacheVersionOf(config), configDigest, today);
  // the kept checks with the stamps, in one read: a build after an edit reads every file's of both
  const { stamps: oldStamps, checks } = cache.stampsWithChecks(context);
  // A first build has no digest to compare with (no stamps, parses or database): files are
  // hashed by the workers that read them, not read here first, before they can start.
  const first = oldStamps.size === 0 && cache.isEmpty() && !existsSync(dbPath) && !existsSync(keptPathFor(dbPath));
  const previous = readPrevious(dbPath);
  const compatible =
    previous !== undefined && previous.meta.get(META.toolVersion) === TOOL_VERSION && previous.meta.get(META.configDigest) === configDigest;
  const recorded = compatible ? previous.files : undefined;
  const { stamps, same } = stampFiles(ctx.root, files, stats, oldStamps, statsFromMs, !first, recorded);
  const sameFiles = compatible && previous.files.size === stamps.size && same;
  const unchanged = sameFiles && previous.meta.get(META.today) === today.toString() && previous.meta.get(META.history) === history.key;
  // A first build parses every file: the heaps grow less past what they keep (see `heap-growth.ts`),
  // until the caller has saved its replay (the problems and the report: the first build's last
  // large allocations), or at once if it fails.
  const releaseHeap = first ? limitHeapGrowth() : () => undefined;
  noteRunKind(first ? 'first' : 'update');
  try {
    const outcome = unchanged
      ? asBefore(previous, scanned, cache)
      : await rebuild(ctx, cache, input, { stamps, checks, context, previous, compatible });
    cache.saveStamps(stamps, oldStamps);
    cache.prune(oldStamps, stamps);
    return { ...outcome, rebuilt: !unchanged, stamps, releaseHeap };
  } catch (error) {
    releaseHeap();
    throw error;
  }
}

/** The same files, date and history as the database's: its problems and incidents as they are. */
function asBefore(previous: Previous, scanned: UpToDateInput['scanned'], cache: ParseCache): Outcome {
  // What the scan found (a symbolic link, an unreadable folder) is never in the files compared: found afresh.
  const list = sortProblems([...previous.problems().filter((p) => p.ruleId !== SCAN_RULE), ...scanned.problems]);
  return {
    problems: () => list,
    report: reportOf(list, cache.keptReport()),
    validByFile: previous.incidents,
    changed: { added: [], changed: [], removed: [] },
    parsed: 0,
  };
}

/** The files checked (from the caches where they can be) and the database brought up to date with them. */
async function rebuild(
  ctx: CommandContext,
  cache: ParseCache,
  input: UpToDateInput,
  at: {
    stamps: Map<string, FileStamp>;
    checks: () => Map<string, CheckEntry>;
    context: string;
    previous: Previous | undefined;
    compatible: boolean;
  },
): Promise<Outcome> {
  const { config, today, dbPath, history, files, startedMs, configDigest, scanned, loaded } = input;
  const { stamps, checks, context, previous, compatible } = at;
  const cacheVersion = cacheVersionOf(config);
  const rowsOf = (file: string): IncidentRows => {
    const source = cache.get(stamps.get(file)!.digest, file);
    const incident = source && toIncident(source, config).incident;
    if (!incident) throw new Error(`the parse cache lost ${file}; run the build again`);
    return incidentRows(incident, config);
  };
  // Start from the database kept from the build before last when it fits (no copy), else from a copy of the current one.
  const kept = keptFromBasis(dbPath, previous, cache.keptBasis()) ?? readPrevious(keptPathFor(dbPath));
  const keptFits =
    kept !== undefined && kept.meta.get(META.toolVersion) === TOOL_VERSION && kept.meta.get(META.configDigest) === configDigest;
  const basis = keptFits ? { previous: kept, path: keptPathFor(dbPath) } : compatible ? { previous: previous!, path: dbPath } : undefined;
  const build = new DatabaseBuild(dbPath, config, basis, stamps);
  let outcome: Outcome;
  try {
    // Incidents are written as they are validated, so none is held in memory or read twice.
    const keep = { root: ctx.root, cachePath: cachePathFor(dbPath), cacheVersion, context, config, today };
    const validation = await validateAll(ctx, cache, { files, stamps, checks: checks() }, config, today, keep, startedMs, (rows) =>
      build.offer(rows),
    );
    const others = [...loaded.problems, ...scanned.problems, ...validation.across];
    const all = lazily(() => allProblems(files, validation.problemsOf, others));
    const digestOfFile = (file: string) => stamps.get(file)!.digest;
    const keptReport = cache.keptReport();
    const report = encoded(
      assembleReport({ files, digestOf: digestOfFile, context, problemsOf: validation.problemsOf, others, kept: keptReport }),
      keptReport,
    );
    const validByFile = new Map<string, { id: string; digest: string }>();
    for (const v of validation.valid) validByFile.set(v.file, { id: v.id, digest: v.digest });
    const fileRows = files.map((file) => ({
      file,
      digest: stamps.get(file)!.digest,
      id: validByFile.get(file)?.id ?? null,
      undated: validation.undated.has(file),
    }));
    build.finish(
      { list: validation.valid, byFile: validByFile },
      rowsOf,
      fileRows,
      { list: all, digest: report.digest },
      configDigest,
      today,
      history,
    );
    const rowOf = (file: string) => {
      const stamp = stamps.get(file);
      return stamp && { digest: stamp.digest, id: validByFile.get(file)?.id ?? null };
    };
    cache.saveKeptBasis(keptBasisAfter(dbPath, previous, { files, rowOf }));
    outcome = {
      problems: keptAsText(all),
      report,
      validByFile,
      changed: { added: [], changed: [], removed: [] },
      parsed: validation.parsed,
    };
  } catch (error) {
    build.abort();
    throw error;
  }
  // every incident changed when the database was of another tool or config: all ids compared
  const everything = !compatible && previous !== undefined;
  const before = differing(previous?.incidents, everything ? undefined : outcome.validByFile);
  const after = differing(outcome.validByFile, everything ? undefined : previous?.incidents);
  return { ...outcome, changed: diffIds(before, after, everything) };
}
