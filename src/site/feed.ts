import type Database from 'better-sqlite3';
import type { Config } from '../schema/config.js';
import { incidentPath } from './links.js';
import type { Page } from './page.js';
import { hash } from './state.js';
import { renderKit } from './render-kit.js';

/**
 * The site's Atom feed, `feed.xml` (linked from every page's head): the public summaries of
 * the newest final incidents, exactly as `postmortem export atom` writes them (the letters'
 * customer view and tripwire), with links to the incident pages. Rendered again only when one
 * of those incidents' files, the templates or the config changed.
 */
export const FEED_PATH = 'feed.xml';
/** Entries in the feed: the newest final incidents. */
export const FEED_ENTRIES = 50;

const NEWEST_FINAL_SQL = `SELECT id, digest FROM incidents WHERE status = 'final' ORDER BY started_at DESC, id LIMIT ?`;

export function feedPage(db: Database.Database, config: Config, base: string): Page {
  const newest = db.prepare(NEWEST_FINAL_SQL).all(FEED_ENTRIES) as { id: string; digest: string }[];
  const ids = newest.map((r) => r.id);
  return {
    path: FEED_PATH,
    digest: hash(base, FEED_PATH, ...newest.map((r) => `${r.id}\u0000${r.digest}`)),
    needs: () => ids,
    render: (full) => ({ content: renderKit().renderExport('atom', ids.map(full), config, { self: FEED_PATH, link: incidentPath }) }),
  };
}
