import { createHash } from 'node:crypto';
import MiniSearch, { type Options } from 'minisearch';
import type { Incident } from '../model/incident.js';

/**
 * The full-text search index of the site, built at build time with MiniSearch and shipped
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

export function shardOf(id: string, shards: number): number {
  if (shards === 1) return 0;
  return createHash('sha1').update(id).digest().readUInt32BE(0) % shards;
}

export function shardPath(shard: number): string {
  return `assets/search/shard-${String(shard).padStart(3, '0')}.js`;
}

export function searchDocument(incident: Incident): SearchDocument {
  const extra = [incident.id, incident.services.join(' '), incident.tags.join(' '), incident.trigger ?? '',
    ...incident.contributing_factors.map((f) => f.summary), ...incident.timeline.map((t) => t.event)];
  return {
    id: incident.id,
    title: incident.title,
    impact: incident.impact.summary,
    rootCause: incident.root_cause.summary,
    text: [...incident.sections.map((s) => `${s.title}\n${s.markdown}`), ...extra].join('\n'),
  };
}

/** One shard as a script: the serialised MiniSearch index of these documents (in id order). */
export function shardScriptFromDocuments(documents: readonly SearchDocument[]): string {
  const index = new MiniSearch<SearchDocument>(SEARCH_OPTIONS);
  index.addAll([...documents].sort((a, b) => (a.id < b.id ? -1 : 1)));
  return `(window.PMKB_SEARCH = window.PMKB_SEARCH || []).push(${JSON.stringify(index)});\n`;
}

/** The search options for the page script. */
export function searchOptionsScript(): string {
  return `window.PMKB_SEARCH_OPTIONS = ${JSON.stringify(SEARCH_OPTIONS)};\n`;
}
