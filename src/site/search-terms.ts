import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../output/write-file.js';
import type { ShardPage } from './plan.js';
import { readSearchDocuments, shardScriptOf } from './search.js';
import { analyseAll, serializedFromAnalysed, type AnalysedDocument } from './search-index.js';

/**
 * After an edit, a search shard is indexed again from the analyses (terms and counts, see
 * `analyse`) of its incidents kept by the previous time it was: only the incidents whose file
 * changed are read from the database and tokenised. The analyses are kept in
 * `<out>/site/.state-search-terms`, for the last few shards indexed this way (the writing loop edits
 * the same incident again and again), each incident's under its file digest and the site's
 * base (templates, config, tool version). Same bytes as indexing the shard from scratch
 * (`test/site-incremental.test.ts`).
 */
export const SEARCH_TERMS_FILE = '.state-search-terms';
/** How many shards' analyses are kept. */
const KEPT_SHARDS = 4;

/** Per incident: its id, file digest and analysis (null: it has no searchable text, and is not in the shard). */
type Entry = [id: string, digest: string, analysed: AnalysedDocument | null];
interface Kept {
  base: string;
  /** Shard path and its incidents' entries, the last indexed last. */
  shards: [string, Entry[]][];
}

/** A kept shard of the shape written (a hand-edited or damaged one is left out: its incidents are read again). */
const wellFormed = (shard: unknown): shard is [string, Entry[]] =>
  Array.isArray(shard) &&
  typeof shard[0] === 'string' &&
  Array.isArray(shard[1]) &&
  shard[1].every(
    (e: unknown) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string' && (e[2] === null || typeof e[2] === 'object'),
  );

function readKept(siteDir: string, base: string): Kept {
  try {
    const kept = JSON.parse(readFileSync(join(siteDir, SEARCH_TERMS_FILE), 'utf8')) as Kept | null;
    if (kept?.base === base && Array.isArray(kept.shards)) return { base, shards: kept.shards.filter(wellFormed) };
  } catch {
    // none yet, or unreadable: every incident is read again
  }
  return { base, shards: [] };
}

/** The scripts of these stale shards, from the kept analyses and the database; the analyses kept for next time. */
export function shardsFromKept(db: Database.Database, siteDir: string, base: string, shards: readonly ShardPage[]): string[] {
  const kept = readKept(siteDir, base);
  const scripts = shards.map((shard) => {
    const before = new Map(kept.shards.find(([path]) => path === shard.path)?.[1].map((e) => [`${e[0]}\n${e[1]}`, e[2]]));
    const members = shard.ids.map((id, n) => ({ id, digest: shard.digests[n]! })).sort((a, b) => (a.id < b.id ? -1 : 1));
    const wanted = members.filter((m) => !before.has(`${m.id}\n${m.digest}`)).map((m) => m.id);
    const documents = readSearchDocuments(db, wanted);
    const analysed = analyseAll(documents);
    const fresh = new Map(documents.map((d, n) => [d.id, analysed[n]!]));
    const entries = members.map(({ id, digest }): Entry => [id, digest, before.get(`${id}\n${digest}`) ?? fresh.get(id) ?? null]);
    kept.shards = [...kept.shards.filter(([path]) => path !== shard.path), [shard.path, entries]];
    const indexed = entries.filter((e) => e[2] !== null);
    return shardScriptOf(
      serializedFromAnalysed(
        indexed.map((e) => e[0]),
        indexed.map((e) => e[2]!),
      ),
    );
  });
  kept.shards = kept.shards.slice(-KEPT_SHARDS);
  // only a cache (one lost or torn is not used: its incidents are read again): no fsync
  writeFileAtomic(join(siteDir, SEARCH_TERMS_FILE), JSON.stringify(kept), { durable: false });
  return scripts;
}
