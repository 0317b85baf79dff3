import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Temporal } from '../model/time.js';
import { writeFileAtomic } from '../output/write-file.js';
import type { IncidentLinks } from './similar.js';
import { readSiteIncidents, type SiteIncident } from './summaries.js';

/**
 * The summaries of the previous site build, kept in `<out>/site/.summaries.json` so that a
 * build after an edit reads from the database only the incidents whose file changed
 * (reading all 10,000 summaries of the benchmark costs most of a second; this file, a tenth).
 *
 * Each summary is kept with the content digest of the file it was read from: an incident
 * whose digest in the database differs is read again. The file also keeps each summary's
 * digest (what pages over many incidents show of it) and the links between incidents, which
 * depend on nothing but the summaries. Everything is thrown away when the tool version, the
 * database schema or the config change (the database records all three).
 */
const CACHE_FILE = '.summaries.json';
const CACHE_FORMAT = 'summaries-1';
/** Summaries read again because their file changed but not their content, before the file is rewritten. */
const MAX_STALE = 32;

type Stored = Omit<SiteIncident, 'started' | 'detected' | 'mitigated' | 'resolved'> & {
  started: number; detected?: number; mitigated?: number; resolved?: number;
  /** The summary's own digest. */
  summaryDigest: string;
};

interface CacheFile {
  key: string;
  incidents: Stored[];
  /** Links between incidents, valid while `linksKey` (a digest of every summary) is the same. */
  linksKey: string;
  links: [string, IncidentLinks][];
}

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 32);
}

/**
 * A digest of what pages over many incidents show of one incident: every field of its summary
 * (the file path and content digest aside). Written out field by field — JSON.stringify with
 * a replacer costs ten times as much on 10,000 incidents.
 */
export function summaryDigest(i: SiteIncident): string {
  const ms = (t: Temporal.Instant | undefined) => (t === undefined ? '' : String(t.epochMilliseconds));
  const list = (l: readonly string[]) => l.join('\u0001');
  return hash([
    i.id, i.title, i.status, i.severity, list(i.services), list(i.locations), i.provider ?? '',
    ms(i.started), ms(i.detected), ms(i.mitigated), ms(i.resolved),
    i.impact.summary, list(i.impact.symptoms), String(i.impact.customers_affected ?? ''), String(i.impact.percent_resolved_at_mitigation ?? ''),
    i.root_cause.category, i.root_cause.summary,
    ...i.remediations.map((r) => list([r.id, r.action, r.type, r.owner, r.due ?? '', r.status, r.ticket ?? '', String(r.public)])),
    i.owners.commander ?? '', list(i.owners.authors), list(i.owners.reviewers), list(i.related), list(i.tags),
  ].join('\u0000'));
}

/** A digest of every summary: the links between incidents depend on nothing else. */
export function linksKeyOf(summaryDigests: ReadonlyMap<string, string>): string {
  return hash(...[...summaryDigests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, d]) => `${id}:${d}`));
}

export interface SiteSummaries {
  /** Every valid incident, by id. */
  incidents: SiteIncident[];
  /** Each incident's summary digest (see `summaryDigest`). */
  summaryDigests: Map<string, string>;
  /** Links between incidents from the previous build, when no summary changed since. */
  links?: Map<string, IncidentLinks>;
  /** Incidents read from the database (the rest came from the previous build's file). */
  read: number;
  /** Keeps the summaries (and links) for the next build, when they differ from what is kept. */
  save(links: ReadonlyMap<string, IncidentLinks>): void;
}

function readCache(path: string, key: string): CacheFile | undefined {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
    if (c.key === key && Array.isArray(c.incidents) && Array.isArray(c.links)) return c;
  } catch {
    // missing or damaged: every summary is read from the database
  }
  return undefined;
}

const instant = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms);

function fromStored(s: Stored, file: string): SiteIncident {
  const { summaryDigest: _, started, detected, mitigated, resolved, ...rest } = s;
  const i: SiteIncident = { ...rest, file, started: instant(started) };
  if (detected !== undefined) i.detected = instant(detected);
  if (mitigated !== undefined) i.mitigated = instant(mitigated);
  if (resolved !== undefined) i.resolved = instant(resolved);
  return i;
}

function toStored(i: SiteIncident, summaryDigest: string): Stored {
  const { started, detected, mitigated, resolved, ...rest } = i;
  return {
    ...rest, summaryDigest, started: started.epochMilliseconds,
    ...(detected ? { detected: detected.epochMilliseconds } : {}),
    ...(mitigated ? { mitigated: mitigated.epochMilliseconds } : {}),
    ...(resolved ? { resolved: resolved.epochMilliseconds } : {}),
  };
}

/** Summaries of every valid incident of the database, read again only where a file changed since the last site build. */
export function readSiteSummaries(db: Database.Database, siteDir: string): SiteSummaries {
  const meta = new Map(db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
  const key = hash(CACHE_FORMAT, ...['tool_version', 'schema_version', 'config_digest'].map((k) => meta.get(k) ?? ''));
  const path = join(siteDir, CACHE_FILE);
  const cache = readCache(path, key);
  const kept = new Map(cache?.incidents.map((s) => [s.id, s]) ?? []);
  const rows = db.prepare('SELECT id, digest, file FROM incidents ORDER BY id').raw().all() as [string, string, string][];
  const toRead = rows.filter(([id, digest]) => kept.get(id)?.digest !== digest).map(([id]) => id);
  const fresh = new Map(readSiteIncidents(db, toRead).map((i) => [i.id, i]));
  const incidents: SiteIncident[] = [];
  const summaryDigests = new Map<string, string>();
  let changed = !cache || kept.size !== rows.length;
  let stale = 0;
  for (const [id, , file] of rows) {
    const f = fresh.get(id);
    if (f) {
      const d = summaryDigest(f);
      const old = kept.get(id);
      if (old?.summaryDigest !== d) changed = true;
      else stale++;
      incidents.push(f);
      summaryDigests.set(id, d);
    } else {
      const s = kept.get(id)!;
      incidents.push(fromStored(s, file));
      summaryDigests.set(id, s.summaryDigest);
    }
  }
  const linksKey = linksKeyOf(summaryDigests);
  const links = cache && cache.linksKey === linksKey ? new Map(cache.links) : undefined;
  return {
    incidents, summaryDigests, read: toRead.length,
    ...(links ? { links } : {}),
    save(newLinks) {
      if (!changed && links && stale <= MAX_STALE) return;
      const file: CacheFile = {
        key, linksKey,
        incidents: incidents.map((i) => toStored(i, summaryDigests.get(i.id)!)),
        links: [...newLinks],
      };
      // a cache: rebuilt from the database if lost, so no fsync
      writeFileAtomic(path, JSON.stringify(file), { durable: false });
    },
  };
}
