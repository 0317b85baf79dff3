import type Database from 'better-sqlite3';
import { QueryError } from '../errors.js';

export interface SearchOptions {
  limit?: number;
}

export interface SearchRow {
  incident_id: string;
  title: string;
  /** Section heading, or empty for the incident's title and front-matter summaries. */
  section: string;
  audience: string;
  snippet: string;
  rank: number;
}

/**
 * Turns what a user typed into a safe FTS5 query: every token quoted (so `AND`, `NEAR`, `-`,
 * `:` or quotes have no special meaning), all tokens required; a trailing `*` keeps prefix search.
 */
export function ftsQuery(input: string): string {
  const tokens = input.normalize('NFC').split(/\s+/).filter(Boolean);
  const parts: string[] = [];
  for (const token of tokens) {
    const prefix = token.length > 1 && token.endsWith('*');
    const word = (prefix ? token.slice(0, -1) : token).replace(/\u0000/g, '');
    if (!/[\p{L}\p{N}]/u.test(word)) continue; // punctuation alone matches nothing
    parts.push(`"${word.replace(/"/g, '""')}"${prefix ? '*' : ''}`);
  }
  return parts.join(' ');
}

/** Snippet markers: the matched words, shown in brackets. */
export const SEARCH_SQL = `
SELECT CASE WHEN f.rowid < 0 THEN (SELECT id FROM incidents WHERE rowid = -f.rowid)
            ELSE (SELECT incident_id FROM sections WHERE rowid = f.rowid) END AS incident_id,
       f.title AS title,
       f.heading AS section,
       CASE WHEN f.rowid < 0 THEN 'internal'
            ELSE (SELECT audience FROM sections WHERE rowid = f.rowid) END AS audience,
       snippet(search_fts, 2, '[', ']', '…', 12) AS snippet,
       round(rank, 3) AS rank
  FROM search_fts f
 WHERE search_fts MATCH @query AND rank MATCH 'bm25(10.0, 4.0, 1.0)'
 ORDER BY rank
 LIMIT @limit`;

/** Full-text search over titles, front-matter summaries and every section, best match first. */
export function querySearch(db: Database.Database, input: string, options: SearchOptions = {}): SearchRow[] {
  const query = ftsQuery(input);
  if (!query) throw new QueryError('search-empty', 'give one or more words to search for', 'Example: postmortem search "load balancer"');
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) throw new QueryError('invalid-option', '--limit must be a positive whole number');
  try {
    return db.prepare(SEARCH_SQL).all({ query, limit }) as SearchRow[];
  } catch (error) {
    const message = (error as Error).message;
    if (/fts5|syntax/i.test(message)) {
      throw new QueryError('search-syntax', `cannot search for ${JSON.stringify(input)}: ${message}`, 'Search for plain words; quotes and operators are treated as text.');
    }
    throw error;
  }
}
