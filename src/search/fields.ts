/**
 * What is searchable, declared once: the database's `search_source` view (and so `postmortem
 * search`) and the site's search index are both made from this list, so both look in the same
 * places and name the same field when they find something.
 *
 * Each field is one query over the database's tables giving one row per searchable text of an
 * incident: `incident_id`, `position` (order within the incident), `label` (what the text is
 * within its field: a section heading, a remediation id, an event time; '' when nothing),
 * `audience` (`customer` when the text is published to customers, else `internal`) and `body`.
 * A new searchable text (say, every root cause's summary, or impact windows' summaries) is one
 * more line here; bump `SCHEMA_VERSION` in `src/db/schema.ts` with it.
 */
export interface SearchField {
  /** Key: the `field` column of `search_source` and the site index's field name. */
  key: string;
  /** What results call it. */
  label: string;
  /** How much more a match here counts than one in a body section. */
  boost: number;
  /** SELECT incident_id, position, label, audience, body — one row per text. */
  sql: string;
  /**
   * For large texts: an expression that reads the text again from its table, given the
   * document `d` (`d.incident_id`, `d.position`), so that the database does not keep a copy.
   */
  reread?: string;
}

const field = (key: string, label: string, boost: number, sql: string, rereadSql?: string): SearchField => ({
  key,
  label,
  boost,
  sql,
  reread: rereadSql,
});
/** Reads the text of document `d` again from a table keyed by (incident_id, position). */
const reread = (column: string, table: string) =>
  `(SELECT ${column} FROM ${table} t WHERE t.incident_id = d.incident_id AND t.position = d.position)`;
const audience = (isPublic: string) => `CASE WHEN ${isPublic} THEN 'customer' ELSE 'internal' END`;

export const SEARCH_FIELDS: readonly SearchField[] = [
  field('title', 'title', 3, `SELECT id, 0, '', 'internal', title FROM incidents`),
  field('impact', 'impact', 2, `SELECT id, 0, '', 'internal', impact_summary FROM incidents`),
  field('root-cause', 'root cause', 2, `SELECT incident_id, position, category, 'internal', summary FROM root_causes`),
  field('trigger', 'trigger', 2, `SELECT id, 0, '', 'internal', trigger FROM incidents WHERE trigger IS NOT NULL`),
  field(
    'detection',
    'detection',
    1.5,
    `SELECT id, 0, coalesce(detection_method, ''), 'internal', detection_summary FROM incidents WHERE detection_summary IS NOT NULL`,
  ),
  field(
    'window',
    'impact window',
    1.5,
    `SELECT DISTINCT incident_id, window_index, level, ${audience('public')}, summary FROM impact_windows WHERE summary IS NOT NULL`,
  ),
  field(
    'factor',
    'contributing factor',
    1.5,
    `SELECT incident_id, position, category, 'internal', summary FROM contributing_factors`,
    reread('summary', 'contributing_factors'),
  ),
  field(
    'timeline',
    'timeline event',
    1,
    `SELECT incident_id, position, at, ${audience('public')}, event FROM timeline_events`,
    reread('event', 'timeline_events'),
  ),
  field(
    'remediation',
    'remediation',
    1,
    `SELECT incident_id, position, remediation_id, ${audience('public')}, action FROM remediations`,
    reread('action', 'remediations'),
  ),
  field('section', 'section', 1, `SELECT incident_id, position, title, audience, markdown FROM sections`, reread('markdown', 'sections')),
  field('service', 'service', 1, `SELECT incident_id, position, '', 'internal', service FROM incident_services`),
  field('tag', 'tag', 1, `SELECT incident_id, 0, '', 'internal', tag FROM tags`),
];

export const SEARCH_FIELD_KEYS = SEARCH_FIELDS.map((f) => f.key);

/** The view over every field's texts (its SQL: one SELECT per field, in the list's order). */
export const SEARCH_SOURCE_SQL = SEARCH_FIELDS.map((f, n) => `SELECT '${f.key}' AS field, ${n} AS field_position, * FROM (${f.sql})`).join(
  '\n  UNION ALL ',
);

const rereadFields = SEARCH_FIELDS.filter((f) => f.reread);

/** What `search_documents` keeps of a text: NULL for the fields read again (see `SEARCH_CONTENT_BODY`). */
export const STORED_BODY_SQL =
  rereadFields.length === 0 ? 'body' : `CASE WHEN field IN (${rereadFields.map((f) => `'${f.key}'`).join(', ')}) THEN NULL ELSE body END`;

/** The text of a document `d` of `search_documents`: kept, or read again from its table. */
export const SEARCH_CONTENT_BODY =
  rereadFields.length === 0
    ? 'd.body'
    : `CASE d.field ${rereadFields.map((f) => `WHEN '${f.key}' THEN ${f.reread}`).join(' ')} ELSE d.body END`;
