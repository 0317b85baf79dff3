import type Database from 'better-sqlite3';
import { QueryError } from '../errors.js';
import { SEARCH_FIELDS } from '../../search/fields.js';

export interface SearchOptions {
  limit?: number;
}

/** One incident that has every word somewhere in its searchable fields. */
export interface SearchRow {
  incident_id: string;
  title: string;
  /** The field of the best match (`timeline event`, `remediation`, `section`, …). */
  field: string;
  /** What the best match is within its field: a section heading, remediation id, event time ('' when nothing). */
  label: string;
  /** Every field where a word was found, in the order of `SEARCH_FIELDS`. */
  matched_in: string;
  /** `customer` when the best match is published to customers, else `internal`. */
  audience: string;
  snippet: string;
  rank: number;
}

/**
 * Turns what a user typed into safe FTS5 phrases, one per word: every word quoted (so `AND`,
 * `NEAR`, `-`, `:` or quotes have no special meaning); a trailing `*` keeps prefix search.
 */
export function ftsPhrases(input: string): string[] {
  const tokens = input.normalize('NFC').split(/\s+/).filter(Boolean);
  const phrases: string[] = [];
  for (const token of tokens) {
    const prefix = token.length > 1 && token.endsWith('*');
    const word = (prefix ? token.slice(0, -1) : token).replace(/\u0000/g, '');
    if (!/[\p{L}\p{N}]/u.test(word)) continue; // punctuation alone matches nothing
    phrases.push(`"${word.replace(/"/g, '""')}"${prefix ? '*' : ''}`);
  }
  return phrases;
}

/** The fields as a table: key, label, boost, position (constants of `SEARCH_FIELDS`). */
const FIELD_TABLE = `field_info (key, label, boost, position) AS (VALUES ${SEARCH_FIELDS.map((f, n) => `('${f.key}', '${f.label}', ${f.boost}, ${n})`).join(', ')})`;

/**
 * The incidents having every word (each word in some field, not necessarily the same one, as on
 * the site), best first: an incident's rank adds up the BM25 ranks of its matching texts, each
 * weighted by its field's boost. Its best text gives the field, label and snippet (matched words
 * in brackets).
 */
export function searchSql(words: number): string {
  const having = Array.from(
    { length: words },
    (_, n) => `SELECT incident_id FROM search_documents WHERE doc_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH @w${n})`,
  );
  return `
WITH ${FIELD_TABLE},
matching (incident_id) AS (${having.join('\n  INTERSECT ')}),
hits AS (
  SELECT d.incident_id, d.doc_id, d.field, d.label, d.audience,
         bm25(search_fts) * (SELECT boost FROM field_info WHERE key = d.field) AS score,
         snippet(search_fts, 0, '[', ']', '…', 12) AS snippet
    FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
   WHERE search_fts MATCH @any AND d.incident_id IN matching
),
ranked AS (
  SELECT h.*, row_number() OVER (PARTITION BY incident_id ORDER BY score, doc_id) AS n,
         sum(score) OVER (PARTITION BY incident_id) AS total
    FROM hits h
),
fields AS (
  SELECT incident_id, group_concat(label, ', ' ORDER BY position) AS matched_in
    FROM (SELECT DISTINCT h.incident_id, f.label, f.position FROM hits h JOIN field_info f ON f.key = h.field)
   GROUP BY incident_id
)
SELECT r.incident_id, i.title, f.label AS field, r.label, m.matched_in, r.audience, r.snippet, round(r.total, 3) AS rank
  FROM ranked r
  JOIN incidents i ON i.id = r.incident_id
  JOIN field_info f ON f.key = r.field
  JOIN fields m ON m.incident_id = r.incident_id
 WHERE r.n = 1
 ORDER BY r.total, r.incident_id
 LIMIT @limit`;
}

/** Full-text search over every searchable field (`src/search/fields.ts`), stemmed, best incident first. */
export function querySearch(db: Database.Database, input: string, options: SearchOptions = {}): SearchRow[] {
  const phrases = ftsPhrases(input);
  if (phrases.length === 0)
    throw new QueryError('search-empty', 'give one or more words to search for', 'Example: postmortem search "load balancer"');
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) throw new QueryError('invalid-option', '--limit must be a positive whole number');
  const params: Record<string, string | number> = { any: phrases.join(' OR '), limit };
  phrases.forEach((phrase, n) => (params[`w${n}`] = phrase));
  try {
    return db.prepare(searchSql(phrases.length)).all(params) as SearchRow[];
  } catch (error) {
    const message = (error as Error).message;
    if (/fts5|syntax/i.test(message)) {
      throw new QueryError(
        'search-syntax',
        `cannot search for ${JSON.stringify(input)}: ${message}`,
        'Search for plain words; quotes and operators are treated as text.',
      );
    }
    throw error;
  }
}
