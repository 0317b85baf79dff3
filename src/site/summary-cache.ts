import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Temporal } from '../model/time.js';
import { writeFileAtomic } from '../output/write-file.js';
import type { QuickScope } from './build.js';
import { linkInputs, linksUseText, type IncidentLinks } from './similar.js';
import { readSiteIncidents, type SiteIncident } from './summaries.js';

/**
 * What the previous site build saw, kept next to its manifest so that a build after an edit
 * does not start from scratch (reading the 10,000 summaries of the benchmark from the database
 * and working out every page's digest cost most of a second each):
 *
 * - `<out>/site/.state.json`, small: each incident's file digest, file and summary digest; the
 *   links between incidents; the templates-and-config digest and the evaluation date. When
 *   none of these changed but some files (a write-up edited, a file moved), the build is
 *   *quick*: it reads only those incidents (and their neighbours) from the database and
 *   renders only their pages and search shards — nothing else can have changed.
 * - `<out>/site/.summaries.json`, big: every summary, each with the file digest it was read
 *   from. A full build reads from the database only the incidents whose file changed; the
 *   file is written again only when more than a few had to be read.
 *
 * Everything is thrown away when the tool version, the database schema or the config change
 * (the database records all three). The state is removed before a full build and written
 * after it, so a build that fails half-way is never taken for a complete one.
 */
const CACHE_FILE = '.summaries.json';
const STATE_FILE = '.state.json';
const CACHE_FORMAT = 'summaries-3';
/** Incidents read again from the database (their file changed since the summaries were kept) before they are kept again. */
const MAX_READ_AGAIN = 64;

type Stored = Omit<SiteIncident, 'started' | 'detected' | 'mitigated' | 'resolved'> & {
  started: number; detected?: number; mitigated?: number; resolved?: number;
  /** The summary's own digest. */
  summaryDigest: string;
};

interface CacheFile {
  key: string;
  incidents: Stored[];
}

interface StateFile {
  key: string;
  /** `siteBase`: templates, assets, config, tool version. */
  base: string;
  today: string;
  /** Id, file digest, file, summary digest; by id. */
  incidents: [string, string, string, string][];
  /** Links between incidents, valid while what they are worked out from is the same (see `linkInputs`). */
  linksStructure: string;
  /** Digest of the words they are worked out from; empty when no incident needed them. */
  linksText: string;
  links: [string, IncidentLinks][];
  /** Every service named by an incident. */
  services: string[];
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

export interface SiteSummaries {
  kind: 'full';
  /** Every valid incident, by id. */
  incidents: SiteIncident[];
  /** Each incident's summary digest (see `summaryDigest`). */
  summaryDigests: Map<string, string>;
  /** Links between incidents from the previous build, when no summary changed since. */
  links?: Map<string, IncidentLinks>;
  /** Incidents read from the database (the rest came from the previous build's file). */
  read: number;
  /** Keeps the summaries, links and state for the next build. */
  save(links: ReadonlyMap<string, IncidentLinks>): void;
}

export interface QuickSummaries {
  kind: 'quick';
  scope: QuickScope;
  /** The incidents of the scope and their neighbours (related and similar incidents). */
  incidents: SiteIncident[];
  links: Map<string, IncidentLinks>;
  serviceNames: string[];
  read: number;
  save(): void;
}

function readJson<T extends { key: string }>(path: string, key: string): T | undefined {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as T;
    if (c.key === key) return c;
  } catch {
    // missing or damaged: built again from the database
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

/**
 * What the site build needs from the database: a quick scope when only files changed since the
 * previous build (and `quick` is allowed), else every summary (read again only where a file changed).
 */
export function readSiteSummaries(db: Database.Database, siteDir: string, at: { base: string; today: string; quick: false }): SiteSummaries;
export function readSiteSummaries(db: Database.Database, siteDir: string, at: { base: string; today: string; quick: boolean }): SiteSummaries | QuickSummaries;
export function readSiteSummaries(
  db: Database.Database, siteDir: string, at: { base: string; today: string; quick: boolean },
): SiteSummaries | QuickSummaries {
  const meta = new Map(db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
  const key = hash(CACHE_FORMAT, ...['tool_version', 'schema_version', 'config_digest'].map((k) => meta.get(k) ?? ''));
  const statePath = join(siteDir, STATE_FILE);
  const state = readJson<StateFile>(statePath, key);
  const rows = db.prepare('SELECT id, digest, file FROM incidents ORDER BY id').raw().all() as [string, string, string][];
  const saveState = (s: Omit<StateFile, 'key' | 'base' | 'today'>) => {
    const file: StateFile = { key, base: at.base, today: at.today, ...s };
    writeFileAtomic(statePath, JSON.stringify(file), { durable: false });
  };

  if (at.quick && state && state.base === at.base && state.today === at.today && state.incidents.length === rows.length) {
    const before = new Map(state.incidents.map((e) => [e[0], e]));
    const changed = rows.filter(([id, digest, file]) => {
      const e = before.get(id);
      return !e || e[1] !== digest || e[2] !== file;
    }).map(([id]) => id);
    if (changed.every((id) => before.has(id))) {
      const fresh = readSiteIncidents(db, changed);
      if (fresh.length === changed.length && fresh.every((i) => summaryDigest(i) === before.get(i.id)![3])) {
        const allLinks = new Map(state.links);
        const links = new Map(changed.map((id) => [id, allLinks.get(id)!]));
        const inScope = new Set(changed);
        const neighbours = [...new Set([...links.values()].flatMap((l) => [...l.related, ...l.relatedBy, ...l.similar]))]
          .filter((id) => !inScope.has(id)).sort();
        return {
          kind: 'quick',
          scope: { incidents: changed, all: rows.map(([id, digest]) => [id, digest] as const) },
          incidents: [...fresh, ...readSiteIncidents(db, neighbours)],
          links, serviceNames: state.services, read: changed.length + neighbours.length,
          save() {
            if (changed.length === 0) return;
            saveState({
              linksStructure: state.linksStructure, linksText: state.linksText, links: state.links, services: state.services,
              incidents: rows.map(([id, digest, file]) => [id, digest, file, before.get(id)![3]]),
            });
          },
        };
      }
    }
  }

  // A full build: the state says what a complete build saw, so it goes until this one completes.
  rmSync(statePath, { force: true });
  const cachePath = join(siteDir, CACHE_FILE);
  const cache = readJson<CacheFile>(cachePath, key);
  const kept = new Map(cache?.incidents.map((s) => [s.id, s]) ?? []);
  const toRead = rows.filter(([id, digest]) => kept.get(id)?.digest !== digest).map(([id]) => id);
  const fresh = new Map(readSiteIncidents(db, toRead).map((i) => [i.id, i]));
  const incidents: SiteIncident[] = [];
  const summaryDigests = new Map<string, string>();
  for (const [id, , file] of rows) {
    const f = fresh.get(id);
    if (f) {
      incidents.push(f);
      summaryDigests.set(id, summaryDigest(f));
    } else {
      const s = kept.get(id)!;
      incidents.push(fromStored(s, file));
      summaryDigests.set(id, s.summaryDigest);
    }
  }
  const inputs = linkInputs(incidents);
  const links = state && state.linksStructure === inputs.structure && (state.linksText === '' || state.linksText === inputs.text)
    ? new Map(state.links) : undefined;
  return {
    kind: 'full', incidents, summaryDigests, read: toRead.length,
    ...(links ? { links } : {}),
    save(newLinks) {
      // Rewriting 20 MB after every edit would cost more than reading the few edited incidents again.
      if (!cache || toRead.length > MAX_READ_AGAIN) {
        const file: CacheFile = { key, incidents: incidents.map((i) => toStored(i, summaryDigests.get(i.id)!)) };
        // a cache: rebuilt from the database if lost, so no fsync
        writeFileAtomic(cachePath, JSON.stringify(file), { durable: false });
      }
      saveState({
        linksStructure: inputs.structure, linksText: linksUseText(newLinks.values()) ? inputs.text : '',
        links: [...newLinks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        services: [...new Set(incidents.flatMap((i) => i.services))].sort(),
        incidents: rows.map(([id, digest, file]) => [id, digest, file, summaryDigests.get(id)!]),
      });
    },
  };
}
