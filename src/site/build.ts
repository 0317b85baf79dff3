import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type { IncidentSource } from '../db/incident-source.js';
import { limitHeapGrowth } from '../heap-growth.js';
import type { Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import type { Config } from '../schema/config.js';
import { SITE_DIR, siteBase, type SiteBase } from './base.js';
import { linkChanges, readListing, whatChanged, type Listing } from './changes.js';
import { INCIDENT_PAGE_WEIGHT } from './incident-page.js';
import { databaseKey, databaseStamp, forgetDone, recordDone, type ListingTexts } from './done.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import { siteData } from './model.js';
import { feedPage } from './feed.js';
import { createTaskPool, shardsInBackground, type TaskPool } from './parallel.js';
import { missingPaths, planPages, planShards } from './plan.js';
import { OpenFiles } from './pieces.js';
import { Renderer } from './renderer.js';
import { doneBuilding, deleteGone, sawTheSame, saveSiteState } from './save.js';
import { shardCount, shardOf, shardPath } from './search.js';
import type { KeptSite } from './search-terms.js';
import { SiteState } from './state.js';
import { stalePages, writePages, type ShardScripts } from './write-pages.js';

/**
 * Writes the static site to `<out>/site/`. Incremental: every page has a digest of its
 * inputs, kept in `<out>/site/.manifest.json`; a page is rendered only when its digest
 * changed or its file is missing, and files are written only when their bytes changed.
 *
 * - pages over many incidents (index, trends, services, categories, actions, owners) depend on
 *   every incident's brief and summary (front-matter without the timeline; not the body);
 * - an incident page depends on that incident, what it shows of its related and similar
 *   incidents, and which of its remediations are overdue;
 * - a service or category page depends on the summaries of the incidents in it;
 * - a search shard, on the files of its incidents;
 * - everything depends on the templates, the config and the tool version.
 *
 * What the previous build saw is kept in `<out>/site/.state` (`state.ts`): the build reads
 * from the database only the incidents whose file changed, works out the digests only of the
 * pages those can reach, and renders the pages over many incidents and the incident pages
 * from pieces (`pieces.ts`), copying from the previous files the pieces whose inputs did not
 * change. Pages of removed incidents (and of services no longer named) are deleted.
 *
 * A build runs in phases, each a function of its own with a typed result:
 *
 * 1. what changed (`changes.ts`: `whatChanged`, `linkChanges`) — the incidents whose file
 *    changed, their briefs, the facts and links of this build;
 * 2. which pages (`plan.ts`: `planShards`, `planPages`) — every page the changes can reach,
 *    with its digest;
 * 3. render (`write-pages.ts`: `stalePages`) — those whose digest changed or whose file is
 *    missing;
 * 4. write (`write-pages.ts`: `writePages`) — the files whose bytes changed, and the manifest;
 * 5. save state (`save.ts`) — deleted pages' files removed, what this build saw kept.
 */
export { SITE_DIR, siteBase } from './base.js';
export { MANIFEST_FILE } from './manifest.js';
/** At most this many search shards are indexed in one background worker; more go to the pool. */
const BACKGROUND_SHARDS = 4;

export interface SiteBuildResult {
  /** Files written (relative to `<out>`). */
  written: string[];
  /** Files rendered again because their inputs changed (relative to `<out>`), written or not. */
  rendered: string[];
  /** Files whose inputs had not changed, or whose bytes were identical. */
  unchanged: number;
  /** Files of removed pages that were deleted (relative to `<out>`). */
  deleted: string[];
  /** Every file of the site (relative to `<out>/site`). */
  files: readonly string[];
  /** Pieces of pages (rows, action items, sections' HTML, links) rendered, and copied from the previous files. */
  pieces: { rendered: number; copied: number };
  /** True when the record of the previous build showed nothing to do (`done.ts`): nothing else was read. */
  upToDate: boolean;
  /** Milliseconds spent per phase (for the performance figures; never written into the site). */
  timings: Record<'model' | 'load' | 'render' | 'write' | 'wait', number>;
}

export interface BuildSiteOptions {
  root: string;
  out: string;
  config: Config;
  today: Temporal.PlainDate;
  /** The knowledge-base database (open for the build), and its file (read by worker threads). */
  db: Database.Database;
  dbPath: string;
  /** Names what the state was kept for: tool version, database schema, config (see `state.ts`). */
  stateKey: string;
  /** The database's listing (`LISTING_SQL`) when the caller read it from `db` already, with the database's stamp taken before it opened `db`. */
  listing?: { texts: ListingTexts; key: string; stamp: ReturnType<typeof databaseStamp> };
  /** Full typed incidents, for the incident pages rendered again. */
  load(ids: readonly string[]): Incident[];
  /** Where `load` reads them from (worker threads read there too). */
  source: IncidentSource;
  /** What every page depends on (`siteBase`), when the caller has it. */
  base?: SiteBase;
}

export interface SiteBuild extends SiteBuildResult {
  /** Incidents on the site. */
  incidents: number;
  /** Milliseconds spent reading the kept state and what changed from the database, and keeping them. */
  summariesMs: number;
}

/** Brings `<out>/site/` up to date with the database. */
export async function buildSite(o: BuildSiteOptions): Promise<SiteBuild> {
  const threads: { pool?: TaskPool; releaseHeap?: () => void } = {};
  const open = new OpenFiles();
  try {
    return await buildSiteWith(o, threads, open);
  } finally {
    await open.closeAll();
    await threads.pool?.close();
    threads.releaseHeap?.();
  }
}

type Phase = 'summaries' | 'model' | 'load' | 'render' | 'write' | 'wait';

/**
 * Milliseconds since an arbitrary moment, from the same monotonic clock as `performance.now()`
 * without it: the global `performance` loads `node:perf_hooks` and eight of Node's internal
 * modules on first use, after `--no-use-osr` (`v8-flags.ts`) so without Node's code cache: ~2.6 ms
 * of a one-edit build's main thread, for a stopwatch.
 */
const clockMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Milliseconds per phase: `lap` adds the time since the last lap to a phase. */
function stopwatch() {
  const timings: Record<Phase, number> = { summaries: 0, model: 0, load: 0, render: 0, write: 0, wait: 0 };
  let clock = clockMs();
  return {
    timings,
    lap(phase: Phase) {
      const now = clockMs();
      timings[phase] += now - clock;
      clock = now;
    },
  };
}

/**
 * A build from scratch of a big knowledge base starts its worker threads at once, on the search
 * shards (which need only the listing and the database), while this thread works out the rest: all
 * of them handed out now (`spread`), so that no thread waits for this one to ask for more.
 */
function startShards(dbPath: string, kept: KeptSite, listing: Listing, threads: { pool?: TaskPool }): ShardScripts['early'] {
  const early: ShardScripts['early'] = new Map();
  const pool = (threads.pool = createTaskPool(listing.ids.length * INCIDENT_PAGE_WEIGHT));
  if (pool.threads === 0) return early;
  const count = shardCount(listing.ids.length);
  const members = Array.from({ length: count }, (_, n) => ({ path: shardPath(n), ids: [] as string[], digests: [] as string[] }));
  listing.ids.forEach((id, n) => {
    const shard = members[shardOf(id, count)]!;
    shard.ids.push(id);
    shard.digests.push(listing.digests.get(n));
  });
  const scripts = pool.spread(members.map((m) => ({ kind: 'shard', db: dbPath, site: kept, ...m })));
  members.forEach((m, n) => {
    const script = scripts[n]!;
    script.catch(() => undefined); // awaited when the shard is written; a failure is reported then
    early.set(n, { ids: m.ids, script });
  });
  return early;
}

/** `buildSite`, with the worker threads it starts (if any) kept in `threads` and the previous files it holds open in `files`, for the caller to stop and close. */
async function buildSiteWith(
  o: BuildSiteOptions,
  threads: { pool?: TaskPool; releaseHeap?: () => void },
  open: OpenFiles,
): Promise<SiteBuild> {
  const siteDir = join(o.out, SITE_DIR);
  const manifestPath = join(siteDir, MANIFEST_FILE);
  const { timings, lap } = stopwatch();
  forgetDone(siteDir);

  // 1. what changed since the previous build
  const { base: templatesAndConfig, templateFiles } = o.base ?? siteBase(o.root, o.config);
  const previous = readManifest(manifestPath);
  // the state is what the build that wrote this manifest saw; with another manifest (a build
  // that failed after writing it, or a manifest deleted), it is not used
  const state = SiteState.load(siteDir, o.stateKey, previous.digest);
  // before the database is read: a later change is seen next time
  const dbStamp = o.listing ? o.listing.stamp : databaseStamp(o.dbPath);
  const listing = readListing(o.db, state, o.listing);
  // a site from scratch: the heaps grow less past what they keep (see `heap-growth.ts`)
  if (!state) threads.releaseHeap = limitHeapGrowth();
  // the search shards' analyses are kept for the site's base (see `search-terms.ts`)
  const kept = { siteDir, base: templatesAndConfig };
  const early = state ? new Map() : startShards(o.dbPath, kept, listing, threads);
  const changes = whatChanged({ db: o.db, config: o.config, today: o.today, siteDir, templatesAndConfig, previous, state, listing });
  lap('summaries');
  const links = linkChanges(changes, o.db);
  const data = siteData({ config: o.config, today: o.today, facts: changes.facts, serviceNames: changes.serviceNames, links: links.of });
  let r: Renderer | undefined;
  const renderer = () => (r ??= new Renderer(o.root, data));

  // 2. which pages
  const missing = missingPaths(siteDir, changes);
  const shards = planShards(changes, missing);
  // after an edit, the one or two shards to index: in this thread, from the open database
  // (a worker would open it again, cold); a few more go to one worker now, while this thread goes on.
  // Not when the shards were started early (a build from scratch with worker threads): they are indexed already.
  const background =
    early.size === 0 && shards.stale.length > 0 && shards.stale.length <= BACKGROUND_SHARDS
      ? shardsInBackground({ db: o.db, dbPath: o.dbPath, kept }, shards.stale)
      : undefined;
  background?.catch(() => undefined); // awaited when the shards are written; a failure is reported then
  const plan = planPages({
    siteDir,
    changes,
    links,
    data,
    renderer,
    templateFiles,
    missing,
    shards,
    load: o.load,
    extra: [feedPage(o.db, { facts: changes.facts, digests: changes.listing.digests }, o.config, changes.base)],
    files: open,
  });
  lap('model');

  // 3. render: the pages whose digest changed or whose file is missing
  const stale = await stalePages(o.db, plan, shards, previous, missing, { early, background, db: o.dbPath, kept });
  lap('load');

  // 4. write
  const written = await writePages(
    {
      root: o.root,
      siteDir,
      manifestPath,
      config: o.config,
      source: o.source,
      changes,
      gone: plan.gone,
      load: o.load,
      lap,
      pool: (expected) => (threads.pool ??= createTaskPool(expected)),
    },
    stale,
  );
  const deleted = deleteGone(siteDir, plan.gone);
  lap('write');

  // 5. save state: what this build saw, for the next one (unless it is what the previous one saw)
  if (!sawTheSame(changes, plan.gone, stale.length))
    saveSiteState(siteDir, o.stateKey, changes, links, written, plan.gone, plan.ownersShown);
  doneBuilding(siteDir);
  const files = written.next.paths();
  recordDone(siteDir, {
    base: templatesAndConfig,
    today: changes.todayText,
    database: { key: databaseKey(o.stateKey, listing.key), stamp: dbStamp },
    pages: files,
    incidents: changes.ids.length,
  });
  lap('summaries');

  const where = (path: string) => `${SITE_DIR}/${path}`;
  return {
    written: written.written.map(where),
    rendered: written.rendered.map(where),
    deleted: deleted.map(where),
    files,
    pieces: written.pieces,
    unchanged: files.length - written.written.length,
    incidents: changes.ids.length,
    summariesMs: timings.summaries,
    upToDate: false,
    timings: { model: timings.model, load: timings.load, render: timings.render, write: timings.write, wait: timings.wait },
  };
}
