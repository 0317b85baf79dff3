import type Database from 'better-sqlite3';
import type { Options } from 'minisearch';
import { grouped } from './rows.js';
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
export interface SearchDocument {
  id: string;
  title: string;
  impact: string;
  rootCause: string;
  text: string;
}

/** Options shared by the build and the page (written into the page script as JSON). */
export const SEARCH_FIELDS = ['title', 'impact', 'rootCause', 'text'] as const;
export const SEARCH_OPTIONS = {
  fields: [...SEARCH_FIELDS],
  idField: 'id',
  searchOptions: { boost: { title: 3, impact: 2, rootCause: 2 }, prefix: true, fuzzy: 0.15, combineWith: 'AND' },
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

/** What the search index reads of an incident (see `readSearchDocuments`). */
export interface SearchSource {
  id: string;
  title: string;
  impact: string;
  rootCause: string;
  trigger: string;
  sections: readonly { title: string; markdown: string }[];
  services: readonly string[];
  tags: readonly string[];
  /** Contributing factors' summaries. */
  factors: readonly string[];
  /** Timeline events, in time order. */
  events: readonly string[];
}

export function searchDocument(s: SearchSource): SearchDocument {
  const extra = [s.id, s.services.join(' '), s.tags.join(' '), s.trigger, ...s.factors, ...s.events];
  return {
    id: s.id,
    title: s.title,
    impact: s.impact,
    rootCause: s.rootCause,
    text: [...s.sections.map((x) => `${x.title}\n${x.markdown}`), ...extra].join('\n'),
  };
}

/** One shard as a script: the serialised MiniSearch index of these documents (in id order). */
export function shardScriptFromDocuments(documents: readonly SearchDocument[]): string {
  const index = serializedIndex([...documents].sort((a, b) => (a.id < b.id ? -1 : 1)));
  return `(window.PMKB_SEARCH = window.PMKB_SEARCH || []).push(${index});\n`;
}

/** The search options for the page script. */
export function searchOptionsScript(): string {
  return `window.PMKB_SEARCH_OPTIONS = ${JSON.stringify(SEARCH_OPTIONS)};\n`;
}

/**
 * The search documents of these incidents (in id order), straight from the database: every
 * build, whole or after an edit, indexes the same text, and a search shard after an edit
 * costs a few queries instead of loading a hundred typed incidents.
 */
export function readSearchDocuments(db: Database.Database, ids: readonly string[]): SearchDocument[] {
  if (ids.length === 0) return [];
  const params = [JSON.stringify(ids)];
  const only = (column: string) => `${column} IN (SELECT value FROM json_each(?))`;
  const all = <T>(sql: string) => db.prepare(sql).raw().all(...params) as T[];
  const incidents = all<[string, string, string, string, string | null]>(
    `SELECT id, title, impact_summary, root_cause_summary, trigger FROM incidents WHERE ${only('id')} ORDER BY id`);
  const sections = grouped(all<[string, string, string, number]>(`SELECT incident_id, title, markdown, position FROM sections WHERE ${only('incident_id')}`), (r) => r[3]);
  const services = grouped(all<[string, string, number]>(`SELECT incident_id, service, position FROM incident_services WHERE ${only('incident_id')}`), (r) => r[2]);
  const tags = grouped(all<[string, string]>(`SELECT incident_id, tag FROM tags WHERE ${only('incident_id')}`));
  const factors = grouped(all<[string, string, number]>(`SELECT incident_id, summary, position FROM contributing_factors WHERE ${only('incident_id')}`), (r) => r[2]);
  const events = grouped(all<[string, string, number]>(`SELECT incident_id, event, position FROM timeline_events WHERE ${only('incident_id')}`), (r) => r[2]);
  return incidents.map(([id, title, impact, rootCause, trigger]) => searchDocument({
    id, title, impact, rootCause, trigger: trigger ?? '',
    sections: (sections.get(id) ?? []).map((s) => ({ title: s[1], markdown: s[2] })),
    services: (services.get(id) ?? []).map((s) => s[1]),
    tags: (tags.get(id) ?? []).map((t) => t[1]).sort(),
    factors: (factors.get(id) ?? []).map((f) => f[1]),
    events: (events.get(id) ?? []).map((e) => e[1]),
  }));
}
