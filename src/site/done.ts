import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../output/write-file.js';
import { hash } from './base.js';
import { folderRuns } from './folders.js';

/**
 * The record of a finished site build, `<out>/site/.state-done`: what the build was made from
 * (one digest of the templates and config, the evaluation date, and the database's incidents),
 * and how the files it left looked (the kept state and manifest, the folders of its pages).
 *
 * A build whose inputs are those of the record, and which finds the site's files as recorded,
 * has nothing to do: it stops there, without reading the kept state, the manifest or the
 * database (when the database file too is as recorded). The plain path would find the same:
 * every page's digest is made of these inputs (`build.ts`), and a page file is rendered again
 * only when it is missing, which changes its folder's time, or its name is gone from the site
 * folder's listing.
 *
 * The record is removed before a build writes anything and written after it completes, so a
 * build that stopped half-way leaves none. Nothing here is trusted beyond a change of content:
 * a file's inode, size and modification time (the database is replaced by a rename when it
 * changes; a time within 2 s of now is not kept, as a file can change again within one tick).
 */
export const DONE_FILE = '.state-done';
/** Every incident's id, file digest and file, as rows (see `LISTING_SQL`). */
export const LISTING_ROWS_SQL = 'SELECT incident_id, digest, file FROM files WHERE incident_id IS NOT NULL';
const DONE_FORMAT = 'site-done-1';
const SETTLE_MS = 2000;

/**
 * The incidents the site is made from, in id order, as three texts (ids, file digests, files):
 * from the `files` table, whose rows with an incident id are the `incidents` table's id, file
 * and digest (`test/site-incremental.test.ts` checks it after every kind of change). Its rows
 * are narrow: reading 10,000 of them costs ~30 ms less CPU than the wide incident rows.
 */
export const LISTING_SQL = `SELECT group_concat(incident_id, char(10)), group_concat(digest, char(10)), group_concat(file, char(0))
    FROM (${LISTING_ROWS_SQL} ORDER BY incident_id)`;
export type ListingTexts = [ids: string | null, digests: string | null, files: string | null];

/** The digest of the database's listing (`LISTING_SQL`): its texts given to the hash one by one (joined first, a tenth as fast). */
export function listingKey(texts: ListingTexts): string {
  const digest = createHash('sha256');
  for (const t of texts) digest.update(t === null ? '\u0001' : `${t.length}\u0000`).update(t ?? '');
  return digest.digest('hex').slice(0, 32);
}

/** What the site reads of the database: the state's key (tool version, schema, config) and the listing. */
export const databaseKey = (stateKey: string, listing: string): string => hash(stateKey, listing);

/** The state's key from the database's `meta`: what the kept state was made for (see `state.ts`). */
export function stateKeyOf(db: Database.Database): string {
  const meta = new Map(db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
  return hash(...['tool_version', 'schema_version', 'config_digest'].map((k) => meta.get(k) ?? ''));
}

/** A file's inode, size and modification time; null when it is missing. */
type Stamp = [ino: number, size: number, mtimeMs: number] | null;

function stampOf(path: string): Stamp {
  try {
    const st = statSync(path);
    return [st.ino, st.size, st.mtimeMs];
  } catch {
    return null;
  }
}

const sameStamp = (a: Stamp, b: Stamp) => (a === null ? b === null : b !== null && a.every((v, n) => v === b[n]));

/** The database file's stamp, when it is old enough to be trusted (see above); undefined otherwise. */
export function databaseStamp(dbPath: string): Stamp | undefined {
  const stamp = stampOf(dbPath);
  return stamp && stamp[2] <= Date.now() - SETTLE_MS ? stamp : undefined;
}

interface DoneRecord {
  format: string;
  /** The digest of the base, the date and the database's key. */
  inputs: string;
  database: { key: string; stamp: Stamp | undefined };
  /** Stamps of the site folder's own files (names starting with a dot: manifest, state). */
  kept: [name: string, stamp: Stamp][];
  /** The pages at the top of the site folder. */
  top: string[];
  /** Modification times of the other folders of pages. */
  folders: [dir: string, mtimeMs: number][];
  /** Files of the site, and incidents on it. */
  files: number;
  incidents: number;
}

const inputsOf = (base: string, today: string, database: string) => hash(DONE_FORMAT, base, today, database);

/** Removes the record: a build is about to change the site. */
export function forgetDone(siteDir: string): void {
  rmSync(join(siteDir, DONE_FILE), { force: true });
}

export interface DoneBuild {
  base: string;
  today: string;
  /** The database's key (`databaseKey`), and its file's stamp taken before it was read. */
  database: { key: string; stamp: Stamp | undefined };
  /** Every page of the site (relative to the site folder). */
  pages: readonly string[];
  incidents: number;
}

/** The dot files of the site folder (the record itself aside), with their stamps, and the other names there. */
function siteFolder(siteDir: string): { kept: [string, Stamp][]; names: Set<string> } {
  const names = new Set(readdirSync(siteDir));
  const kept = [...names]
    .filter((name) => name.startsWith('.') && name !== DONE_FILE)
    .sort()
    .map((name): [string, Stamp] => [name, stampOf(join(siteDir, name))]);
  return { kept, names };
}

/** Records a build that completed (its last act). */
export function recordDone(siteDir: string, b: DoneBuild): void {
  const top: string[] = [];
  const dirs = new Set<string>();
  for (const { dir, from, to } of folderRuns(b.pages)) {
    if (dir === '') top.push(...b.pages.slice(from, to));
    else dirs.add(dir);
  }
  const folders = [...dirs].sort().flatMap((dir): [string, number][] => {
    const stamp = stampOf(join(siteDir, dir));
    return stamp ? [[dir, stamp[2]]] : [];
  });
  const record: DoneRecord = {
    format: DONE_FORMAT,
    inputs: inputsOf(b.base, b.today, b.database.key),
    database: b.database,
    kept: siteFolder(siteDir).kept,
    top,
    folders,
    files: b.pages.length,
    incidents: b.incidents,
  };
  writeFileAtomic(join(siteDir, DONE_FILE), `${JSON.stringify(record)}\n`, { durable: false });
}

export interface DoneCheck {
  siteDir: string;
  dbPath: string;
  base: string;
  today: string;
  /** The database's key (`databaseKey`), read from it: asked only when its file is not the one recorded. */
  databaseKey(): string;
}

/** A record of this format whose parts have their types (a hand-edited or truncated one sends the build down the plain path). */
function wellFormed(r: Partial<DoneRecord> | null): r is DoneRecord {
  return (
    typeof r === 'object' &&
    r !== null &&
    r.format === DONE_FORMAT &&
    typeof r.inputs === 'string' &&
    typeof r.database === 'object' &&
    r.database !== null &&
    typeof r.database.key === 'string' &&
    (r.database.stamp === undefined || Array.isArray(r.database.stamp)) &&
    Array.isArray(r.kept) &&
    Array.isArray(r.top) &&
    r.top.every((name) => typeof name === 'string') &&
    Array.isArray(r.folders) &&
    r.folders.every((f) => Array.isArray(f) && typeof f[0] === 'string') &&
    typeof r.files === 'number' &&
    typeof r.incidents === 'number'
  );
}

function readRecord(siteDir: string): DoneRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(siteDir, DONE_FILE), 'utf8')) as DoneRecord;
    return wellFormed(record) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the site's files are as the record says: the same dot files, every top page there, every folder unchanged. */
function sameFiles(siteDir: string, record: DoneRecord): boolean {
  const { kept, names } = siteFolder(siteDir);
  return (
    JSON.stringify(kept) === JSON.stringify(record.kept) &&
    record.top.every((name) => names.has(name)) &&
    record.folders.every(([dir, mtimeMs]) => stampOf(join(siteDir, dir))?.[2] === mtimeMs)
  );
}

/**
 * The record of the build that finished the site, when a build from these inputs has nothing to
 * do (see above); undefined when it has something to do, or cannot tell.
 */
export function finishedSite(c: DoneCheck): { files: number; incidents: number } | undefined {
  const record = readRecord(c.siteDir);
  if (!record || !sameFiles(c.siteDir, record)) return undefined;
  const stamp = stampOf(c.dbPath);
  const recorded = record.database.stamp;
  if (recorded && sameStamp(stamp, recorded)) {
    return record.inputs === inputsOf(c.base, c.today, record.database.key) ? record : undefined;
  }
  // another database file (rebuilt, or named by --db): the same incidents?
  const key = c.databaseKey();
  if (record.inputs !== inputsOf(c.base, c.today, key)) return undefined;
  const settled = databaseStamp(c.dbPath);
  if (settled && sameStamp(settled, stamp)) {
    const next: DoneRecord = { ...record, database: { key, stamp: settled } };
    writeFileAtomic(join(c.siteDir, DONE_FILE), `${JSON.stringify(next)}\n`, { durable: false });
  }
  return record;
}
