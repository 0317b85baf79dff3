import type Database from 'better-sqlite3';
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { replaceFileAtomic } from '../output/write-file.js';
import type { ShardPage } from './plan.js';
import { openDatabase } from './rows.js';
import { readSearchDocuments, SEARCH_OPTIONS, shardScriptOf } from './search.js';
import { analyseAll, serializedFromAnalysed, type AnalysedDocument } from './search-index.js';

/**
 * Every time a search shard is indexed — in a worker thread on a build from scratch, in this
 * thread after an edit — the analyses (terms and counts, see `analyse`) of its incidents are kept
 * in a file of their own, `<out>/site/.state-search/<shard>`, each incident's under its file
 * digest, with the site's base (templates, config, tool version). The next time that shard is
 * indexed, only the incidents whose file changed are read from the database and tokenised: the
 * first edit of any shard as much as the next ones. Same bytes as indexing the shard from scratch
 * (`test/site-incremental.test.ts`).
 */
export const SEARCH_TERMS_DIR = '.state-search';
/** Where earlier versions kept the analyses of the last four shards edited (one file), removed when found. */
const OLD_SEARCH_TERMS_FILE = '.state-search-terms';

/** Per incident: its id, file digest and analysis (null: it has no searchable text, and is not in the shard). */
type Entry = [id: string, digest: string, analysed: AnalysedDocument | null];
interface Kept {
  base: string;
  entries: Entry[];
}

/** A shard's incidents: its path, and the ids and file digests of its incidents (in the same order). */
export type ShardMembers = Pick<ShardPage, 'path' | 'ids' | 'digests'>;
/** Where a shard's analyses are kept: the site folder, and the base they hold for (`siteBase`). */
export interface KeptSite {
  siteDir: string;
  base: string;
}

/** A field's analysis of the shape written (`TextAnalysis`: its length, its terms, and a count per term). */
const wellFormedText = (a: unknown): boolean =>
  a === null ||
  (Array.isArray(a) &&
    typeof a[0] === 'number' &&
    Array.isArray(a[1]) &&
    Array.isArray(a[2]) &&
    a[1].length === a[2].length &&
    (a[1] as unknown[]).every((term) => typeof term === 'string') &&
    (a[2] as unknown[]).every((count) => typeof count === 'number'));

/** An entry of the shape written, down to each field's terms (a hand-edited or damaged file is not used: its incidents are read again). */
const wellFormed = (e: unknown): e is Entry =>
  Array.isArray(e) &&
  typeof e[0] === 'string' &&
  typeof e[1] === 'string' &&
  (e[2] === null || (Array.isArray(e[2]) && e[2].length === SEARCH_OPTIONS.fields.length && e[2].every(wellFormedText)));

const keptFile = (site: KeptSite, shard: ShardMembers) => join(site.siteDir, SEARCH_TERMS_DIR, basename(shard.path, '.js'));

/** The kept analyses of a shard, by id and file digest (empty: none yet, unreadable, or for another base). */
function readKept(site: KeptSite, shard: ShardMembers): Map<string, AnalysedDocument | null> {
  try {
    const kept = JSON.parse(readFileSync(keptFile(site, shard), 'utf8')) as Kept | null;
    if (kept?.base === site.base && Array.isArray(kept.entries) && kept.entries.every(wellFormed)) {
      return new Map(kept.entries.map((e) => [`${e[0]}\n${e[1]}`, e[2]]));
    }
  } catch {
    // none yet, or unreadable: every incident is read again
  }
  return new Map();
}

/** A shard's script, from its kept analyses and the database; its analyses kept for next time. */
function indexShard(db: Database.Database, site: KeptSite, shard: ShardMembers): string {
  const before = readKept(site, shard);
  const members = shard.ids.map((id, n) => ({ id, digest: shard.digests[n]! })).sort((a, b) => (a.id < b.id ? -1 : 1));
  const wanted = members.filter((m) => !before.has(`${m.id}\n${m.digest}`)).map((m) => m.id);
  const documents = readSearchDocuments(db, wanted);
  const analysed = analyseAll(documents);
  const fresh = new Map(documents.map((d, n) => [d.id, analysed[n]!]));
  const entries = members.map(({ id, digest }): Entry => [id, digest, before.get(`${id}\n${digest}`) ?? fresh.get(id) ?? null]);
  keep(site, shard, entries);
  const indexed = entries.filter((e) => e[2] !== null);
  return shardScriptOf(
    serializedFromAnalysed(
      indexed.map((e) => e[0]),
      indexed.map((e) => e[2]!),
    ),
  );
}

/**
 * Keeps a shard's analyses: only a cache (one lost or torn is not used: its incidents are read
 * again), so no fsync, and a file that cannot be written (its folder a file, say) leaves the old
 * one or none — the pages' own writes report a full disk or a read-only folder. Not compared with
 * the file first: an incident of the shard changed, or the file is new.
 */
function keep(site: KeptSite, shard: ShardMembers, entries: Entry[]): void {
  try {
    replaceFileAtomic(keptFile(site, shard), Buffer.from(JSON.stringify({ base: site.base, entries } satisfies Kept)), { durable: false });
  } catch {
    // not kept: read again next time
  }
}

/** The scripts of these stale shards, from the kept analyses and the open database; the analyses kept for next time. */
export function shardsFromKept(db: Database.Database, site: KeptSite, shards: readonly ShardMembers[]): string[] {
  const scripts = shards.map((shard) => indexShard(db, site, shard));
  rmSync(join(site.siteDir, OLD_SEARCH_TERMS_FILE), { force: true });
  return scripts;
}

/** `shardsFromKept`, the database read from its file (in a worker thread). */
export function shardsFromFile(dbPath: string, site: KeptSite, shards: readonly ShardMembers[]): string[] {
  const db = openDatabase(dbPath);
  try {
    return shardsFromKept(db, site, shards);
  } finally {
    db.close();
  }
}

/** Stale shards for a worker thread (`shardsInBackground`): the database's file, where the analyses are kept, the shards. */
export interface ShardsRequest {
  db: string;
  site: KeptSite;
  shards: ShardMembers[];
  /** Answer each script as its UTF-8 bytes (a cold build's shards, see `spreadTasks`). */
  bytes?: true;
}

/**
 * Thread side of `shardsInBackground` and of a cold build's shards (`spreadTasks`; see
 * `threads/worker.ts`): loads only MiniSearch and the database driver. As bytes, each script is
 * encoded into a buffer of its own, which moves to the asking thread (not copied): a string
 * (~140 KB at 10,000 incidents) would be copied into a message and made again there, in its heap.
 */
export const shardsHandler = {
  handle(r: ShardsRequest): { result: string[] | Uint8Array[]; transfer?: ArrayBuffer[] } {
    const scripts = shardsFromFile(r.db, r.site, r.shards);
    if (!r.bytes) return { result: scripts };
    const bytes = scripts.map((script) => new TextEncoder().encode(script));
    return { result: bytes, transfer: bytes.map((b) => b.buffer as ArrayBuffer) };
  },
};
