import type Database from 'better-sqlite3';
import type { Options } from 'minisearch';
import { SEARCH_FIELD_KEYS, SEARCH_FIELDS } from '../search/fields.js';
import { searchPrefix, searchTerm } from '../search/terms.js';
import { openDatabase } from './rows.js';
import { serializedIndex } from './search-index.js';

/**
 * The full-text search index of the site, built at build time in MiniSearch's format (see
 * `search-index.ts`; the page loads it with MiniSearch) and shipped
 * as JavaScript files (a `fetch()` of JSON fails on file:// pages). Each file pushes one
 * serialised index onto `window.PMKB_SEARCH`; the page loads them all and searches each.
 *
 * The index is split into shards by a hash of the incident id, so that after an edit only
 * the shard holding that incident is indexed again. The shard count depends only on the
 * number of incidents (a power of two, at most 100 incidents per shard: indexing a shard
 * again and loading its incidents is most of the cost of a build after an edit).
 */
/** One incident in the index: its id and, per searchable field, its texts (one per line). */
export type SearchDocument = { id: string } & Partial<Record<string, string>>;

/**
 * The index's options, from the one list of searchable fields. Words are found whole and
 * stemmed, all required, as `postmortem search` finds them (no fuzzy matching: the site and the
 * CLI give the same incidents), except that the last word is also a prefix.
 */
export const SEARCH_OPTIONS = {
  fields: [...SEARCH_FIELD_KEYS],
  idField: 'id',
  processTerm: searchTerm,
  searchOptions: {
    boost: Object.fromEntries(SEARCH_FIELDS.filter((f) => f.boost !== 1).map((f) => [f.key, f.boost])),
    combineWith: 'AND',
    prefix: searchPrefix,
  },
} satisfies Options<SearchDocument>;

const PER_SHARD = 100;

export function shardCount(incidents: number): number {
  let n = 1;
  while (n * PER_SHARD < incidents) n *= 2;
  return n;
}

/** The shard of an incident: a hash of its id (FNV-1a, then mixed) modulo the shard count. */
export function shardOf(id: string, shards: number): number {
  if (shards === 1) return 0;
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % shards;
}

export function shardPath(shard: number): string {
  return `assets/search/shard-${String(shard).padStart(3, '0')}.js`;
}

/** One shard as a script: the serialised MiniSearch index of these documents (in id order). */
export function shardScriptFromDocuments(documents: readonly SearchDocument[]): string {
  return shardScriptOf(serializedIndex([...documents].sort((a, b) => (a.id < b.id ? -1 : 1))));
}

/** A shard's script, from its serialised index. */
export function shardScriptOf(index: string): string {
  return `(window.PMKB_SEARCH = window.PMKB_SEARCH || []).push(${index});\n`;
}

/**
 * The search options for the page script: the JSON part of `SEARCH_OPTIONS`, its functions
 * from `assets/search/terms.js` (loaded first: the very code the build ran), and what each
 * field is called in results.
 */
export function searchOptionsScript(): string {
  const {
    processTerm: _term,
    searchOptions: { prefix: _prefix, ...searchOptions },
    ...rest
  } = SEARCH_OPTIONS;
  const labels = Object.fromEntries(SEARCH_FIELDS.map((f) => [f.key, f.label]));
  return `window.PMKB_SEARCH_OPTIONS = ${JSON.stringify({ ...rest, searchOptions })};
window.PMKB_SEARCH_OPTIONS.processTerm = window.PMKB_SEARCH_TERM;
window.PMKB_SEARCH_OPTIONS.searchOptions.prefix = window.PMKB_SEARCH_PREFIX;
window.PMKB_SEARCH_FIELDS = ${JSON.stringify(labels)};
`;
}

/**
 * The search documents of these incidents (in id order), straight from the database's
 * searchable texts (`search_content`: `search_documents`, written from `search_source`): every build, whole or
 * after an edit, indexes the same text, the same text `postmortem search` finds.
 */
export function readSearchDocuments(db: Database.Database, ids: readonly string[]): SearchDocument[] {
  if (ids.length === 0) return [];
  const rows = db
    .prepare(`SELECT incident_id, field, body FROM search_content
     WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, doc_id`)
    .raw()
    .all(JSON.stringify(ids)) as [string, string, string][];
  const documents: SearchDocument[] = [];
  for (const [id, field, body] of rows) {
    let document = documents.at(-1);
    if (document?.id !== id) documents.push((document = { id }));
    document[field] = document[field] === undefined ? body : `${document[field]}\n${body}`;
  }
  return documents;
}

/** A shard's script, its documents read from the database file at `dbPath`. */
export function shardScript(dbPath: string, ids: readonly string[]): string {
  const db = openDatabase(dbPath);
  try {
    return shardScriptFromDocuments(readSearchDocuments(db, ids));
  } finally {
    db.close();
  }
}

/** What a thread is asked to index: shards of the database at `db`, answered as scripts, or as their UTF-8 bytes (`bytes`). */
export interface ShardsRequest {
  db: string;
  shards: string[][];
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
    if (!r.bytes) return { result: r.shards.map((ids) => shardScript(r.db, ids)) };
    const bytes = r.shards.map((ids) => new TextEncoder().encode(shardScript(r.db, ids)));
    return { result: bytes, transfer: bytes.map((b) => b.buffer as ArrayBuffer) };
  },
};
