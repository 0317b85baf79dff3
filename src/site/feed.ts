import type Database from 'better-sqlite3';
import type { Config } from '../schema/config.js';
import type { Column } from './column.js';
import type { Facts } from './facts.js';
import { incidentPath } from './links.js';
import type { Page } from './page.js';
import { hash } from './state.js';

/**
 * The site's Atom feed, `feed.xml` (linked from every page's head): the public summaries of
 * the newest final incidents, exactly as `postmortem export atom` writes them (the letters'
 * customer view and tripwire), with links to the incident pages. Rendered again only when one
 * of those incidents' files, the templates or the config changed.
 */
export const FEED_PATH = 'feed.xml';
/** Entries in the feed: the newest final incidents. */
export const FEED_ENTRIES = 50;

export const NEWEST_FINAL_SQL = `SELECT id, digest FROM incidents WHERE status = 'final' ORDER BY started_at DESC, id LIMIT ?`;
/** Starts from 0000-01-01 to the end of 9999: their `started_at` texts (`isoUtc`) sort as their times to the second. */
const FOUR_DIGIT_YEARS = [Date.parse('0000-01-01T00:00:00Z'), Date.parse('+010000-01-01T00:00:00Z')] as const;

/**
 * The positions of the newest final incidents, in the order `NEWEST_FINAL_SQL` gives them:
 * `started_at` is the start in UTC to the second (`isoUtc`), so newest by the second, then by
 * id (the facts' positions are in id order). From the facts, without reading the incidents
 * table (its wide rows, read whole for this, cost as much as the rest of the query). Undefined
 * when a start's year has not four digits: then its text does not sort as its time.
 *
 * Walked from the last position (ids sort by date, so after the first `count` most incidents
 * are older than every one kept and are passed over with one comparison; from the first, each
 * was newer than every one kept and went into the list, then the oldest out: 5–6 ms at 10,000,
 * run once, unoptimised, against ~1 ms, `mbfeed.mjs` in docs/performance.md). An incident of
 * the same second as one kept has a smaller id, so goes before it.
 */
export function newestFinal(facts: Facts, count: number): number[] | undefined {
  const top: number[] = [];
  const seconds: number[] = [];
  let fourDigits = true;
  facts.fromLastWithStatus(facts.codeOf('final'), (i, ms) => {
    if (!(ms >= FOUR_DIGIT_YEARS[0] && ms < FOUR_DIGIT_YEARS[1])) return (fourDigits = false);
    const s = Math.floor(ms / 1000);
    if (seconds.length >= count && seconds[count - 1]! > s) return true;
    // a binary search of the seconds kept, newest first, for the first one not newer
    let at = 0;
    for (let hi = seconds.length; at < hi; ) {
      const mid = (at + hi) >>> 1;
      if (seconds[mid]! > s) at = mid + 1;
      else hi = mid;
    }
    top.splice(at, 0, i);
    seconds.splice(at, 0, s);
    if (top.length > count) {
      top.pop();
      seconds.pop();
    }
    return true;
  });
  return fourDigits ? top : undefined;
}

/** The feed of the newest final incidents: from the facts and the listing's digests, or (see `newestFinal`) from the database. */
export function feedPage(db: Database.Database, known: { facts: Facts; digests: Column }, config: Config, base: string): Page {
  const positions = newestFinal(known.facts, FEED_ENTRIES);
  const newest = positions
    ? positions.map((n) => ({ id: known.facts.id(n), digest: known.digests.get(n) }))
    : (db.prepare(NEWEST_FINAL_SQL).all(FEED_ENTRIES) as { id: string; digest: string }[]);
  const ids = newest.map((r) => r.id);
  return {
    path: FEED_PATH,
    digest: hash(base, FEED_PATH, ...newest.map((r) => `${r.id}\u0000${r.digest}`)),
    needs: () => ids,
    // (the export code, with the letters' customer view, loaded only when the feed is rendered)
    render: async (full) => ({
      content: (await import('../export/render.js')).renderExport('atom', ids.map(full), config, { self: FEED_PATH, link: incidentPath }),
    }),
  };
}
