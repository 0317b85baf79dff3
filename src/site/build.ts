import type Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import type { IncidentSource } from '../db/incident-source.js';
import type { Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import { writeFileAtomic } from '../output/write-file.js';
import { DEFAULT_TEMPLATES, PACKAGE_ROOT } from '../paths.js';
import { configText, type Config } from '../schema/config.js';
import { briefOf, escapeField, unescapeField, type Brief } from './brief.js';
import { Column } from './column.js';
import { Facts, FactsBuilder } from './facts.js';
import { INCIDENT_PAGE_WEIGHT, incidentPageOf } from './incident-page.js';
import { incidentPath, SITE_PATHS, slugTable } from './links.js';
import {
  actionsPage, categoriesIndexPage, categoryPath, groupPage, incidentPageNeighbours, incidentRef, incidentRow, ROW_SERVICES,
  indexPage, overdueFlags, ownersPage, remediationView, servicePath, servicesIndexPage, siteData, type SiteData,
} from './model.js';
import { writePage, writeRemotePage, type Page, type PagePieces, type Rendered } from './page.js';
import { createTaskPool, shardsInBackground, type TaskPool } from './parallel.js';
import { assemble, finder, Pieces, previousPage, replaceFile, splice, type Assembled, type PreviousPage } from './pieces.js';
import { baseOf, Renderer } from './renderer.js';
import { searchOptionsScript, shardCount, shardOf, shardPath } from './search.js';
import { SEARCH_TERMS_SCRIPT } from '../search/terms.js';
import { incidentLinks, linksUseText, type IncidentLinks } from './similar.js';
import { decodeLinks, encodeLinks, hash, Layouts, saveState, SiteState, summaryDigest, type Layout } from './state.js';
import { readLinkTexts, readSiteIncidents, type SiteIncident } from './summaries.js';
import { trendsPage } from './trends.js';
import { feedPage } from './feed.js';
import { zoneFormat } from './zone-format.js';

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
 */
export const SITE_DIR = 'site';
export const MANIFEST_FILE = '.manifest.json';
/** The pages a build is about to write, while it writes them (see `readBuilding`). */
const BUILDING_FILE = '.building';
/** Bump when the shape of the pages changes in a way templates do not show. */
const SITE_FORMAT = 'site-2';
/** Pages rendered per round on big builds. */
const CHUNK = 1000;
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
  files: string[];
  /** Pieces of pages (rows, action items, sections' HTML, links) rendered, and copied from the previous files. */
  pieces: { rendered: number; copied: number };
  /** Milliseconds spent per phase (for the performance figures; never written into the site). */
  timings: Record<'model' | 'load' | 'render' | 'write' | 'wait', number>;
}

interface Manifest {
  format: string;
  pages: Record<string, string>;
}

const TOOL_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** The site's templates and assets: the knowledge base's own `templates/site/` files override the defaults by name. */
function siteTemplateFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const base of [join(DEFAULT_TEMPLATES, 'site'), join(root, 'templates', 'site')]) {
    for (const f of filesUnder(base)) files.set(relative(base, f).split(sep).join('/'), f);
  }
  return files;
}

const MINISEARCH_UMD = (() => {
  const require = createRequire(import.meta.url);
  // the package exports only its ES and CommonJS entries; the browser build sits next to them
  return join(dirname(require.resolve('minisearch')), '..', 'umd', 'index.js');
})();

/** The manifest, and a digest of its text (the state is valid only with the manifest it was saved with). */
function readManifest(path: string): Manifest & { digest: string; text: string } {
  try {
    const text = readFileSync(path, 'utf8');
    const m = JSON.parse(text) as Manifest;
    if (m.format === SITE_FORMAT && m.pages && typeof m.pages === 'object') return { ...m, digest: hash(text), text };
  } catch {
    // missing or damaged: everything is rendered again
  }
  return { format: SITE_FORMAT, pages: {}, digest: '', text: '' };
}

/**
 * Every valid incident of the database, in id order: its id, file digest and file (escaped,
 * see `escapeField`). Read as three texts — a tenth of the time of 10,000 rows — unless a file
 * name holds a character that separates them; the ids are the state's when they are the same.
 */
function readListing(db: Database.Database, state: SiteState | undefined): { ids: string[]; digests: Column; files: Column } {
  const [idsText, digestsText, filesText] = db.prepare(`SELECT group_concat(id, char(10)), group_concat(digest, char(10)), group_concat(file, char(0))
    FROM (SELECT id, digest, file FROM incidents ORDER BY id)`).raw().get() as [string | null, string | null, string | null];
  if (idsText === null) return { ids: [], digests: Column.of([], '\n'), files: Column.of([], '\u0000') };
  const ids = state && idsText === state.idsText ? state.ids : idsText.split('\n');
  const digests = new Column(digestsText ?? '', '\n', ids.length);
  const files = new Column(filesText ?? '', '\u0000', ids.length);
  // ids are sorted as `<` sorts them (the database's order is bytewise: the same for ids)
  const sorted = ids === state?.ids || ids.every((id, n) => n === 0 || ids[n - 1]! < id);
  if (sorted && digests.valid() && files.valid() && !/[\u0001-\u0005]/.test(files.text)) return { ids, digests, files };
  const rows = (db.prepare('SELECT id, digest, file FROM incidents').raw().all() as [string, string, string][]).sort((a, b) => byId(a[0], b[0]));
  return {
    ids: rows.map((r) => r[0]),
    digests: Column.of(rows.map((r) => r[1]), '\n'),
    files: Column.of(rows.map((r) => escapeField(r[2])), '\u0000'),
  };
}

/**
 * The manifest's text: written out by hand, in path order (as JSON.stringify would, at a
 * fraction of the cost); when the same pages are there, the previous text with the changed
 * digests replaced.
 */
function manifestText(previous: Manifest & { text: string }, next: Record<string, string>): string {
  const plain = /^[\w./-]*$/;
  const quote = (s: string) => (plain.test(s) ? `"${s}"` : JSON.stringify(s));
  const paths = Object.keys(next);
  if (previous.text && paths.length === Object.keys(previous.pages).length && paths.every((p) => p in previous.pages)) {
    let text = previous.text;
    for (const p of paths) {
      const before = previous.pages[p]!;
      if (before === next[p]) continue;
      const entry = `${quote(p)}:${quote(before)}`;
      const at = text.indexOf(entry);
      if (at < 0 || !plain.test(before)) return manifestText({ ...previous, text: '' }, next);
      text = `${text.slice(0, at)}${quote(p)}:${quote(next[p]!)}${text.slice(at + entry.length)}`;
    }
    return text;
  }
  if (paths.some((p, n) => n > 0 && paths[n - 1]! >= p)) paths.sort(byId);
  return `{"format":${JSON.stringify(SITE_FORMAT)},"pages":{${paths.map((p) => `${quote(p)}:${quote(next[p]!)}`).join(',')}}}\n`;
}

/**
 * The pages an earlier build was writing when it stopped (killed, or failed before it could
 * record what it wrote): they are rendered again, whatever their digests say.
 */
function readBuilding(siteDir: string): Set<string> {
  try {
    const list = JSON.parse(readFileSync(join(siteDir, BUILDING_FILE), 'utf8')) as unknown;
    if (Array.isArray(list)) return new Set(list.filter((p): p is string => typeof p === 'string'));
  } catch {
    // none
  }
  return new Set();
}

/**
 * The pages of the manifest that are not on disk: one listing per folder of the manifest
 * (not a `stat` per page: 10,000 of those cost a tenth of a second).
 */
function missingPages(siteDir: string, paths: readonly string[], unchanged: (dir: string) => boolean): string[] {
  const listings = new Map<string, Set<string> | undefined>();
  return paths.filter((path) => {
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    if (!listings.has(dir)) {
      // a folder unchanged since the previous build wrote its pages holds them all
      if (unchanged(dir)) listings.set(dir, undefined);
      else {
        try {
          listings.set(dir, new Set(readdirSync(join(siteDir, dir))));
        } catch {
          listings.set(dir, new Set());
        }
      }
    }
    const names = listings.get(dir);
    return names !== undefined && !names.has(path.slice(slash + 1));
  });
}

/** Modification times of the folders of these pages. */
function folderTimes(siteDir: string, paths: Iterable<string>): Map<string, number> {
  const dirs = new Set<string>();
  for (const path of paths) {
    const slash = path.lastIndexOf('/');
    dirs.add(slash < 0 ? '' : path.slice(0, slash));
  }
  const times = new Map<string, number>();
  for (const dir of dirs) {
    try {
      times.set(dir, statSync(join(siteDir, dir)).mtimeMs);
    } catch {
      // gone: listed next time
    }
  }
  return times;
}

/**
 * What every page depends on: the templates and assets, the config and the tool version.
 * Cheap (a few small files).
 */
export function siteBase(root: string, config: object): { base: string; templateFiles: Map<string, string> } {
  const templateFiles = siteTemplateFiles(root);
  const templatesDigest = hash(...[...templateFiles].map(([name, file]) => `${name}\u0000${readFileSync(file, 'utf8')}`));
  // the search term script too: every shard's terms come from it
  return { base: hash(SITE_FORMAT, TOOL_VERSION, SEARCH_TERMS_SCRIPT, templatesDigest, configText(config)), templateFiles };
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
  /** Full typed incidents, for the incident pages rendered again. */
  load(ids: readonly string[]): Incident[];
  /** Where `load` reads them from (worker threads read there too). */
  source: IncidentSource;
}

export interface SiteBuild extends SiteBuildResult {
  /** Incidents on the site. */
  incidents: number;
  /** Milliseconds spent reading the kept state and what changed from the database, and keeping them. */
  summariesMs: number;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Brings `<out>/site/` up to date with the database. */
export async function buildSite(o: BuildSiteOptions): Promise<SiteBuild> {
  const threads: { pool?: TaskPool } = {};
  try {
    return await buildSiteWith(o, threads);
  } finally {
    await threads.pool?.close();
  }
}

/** `buildSite`, with the worker threads it starts (if any) kept in `threads`, for the caller to stop. */
async function buildSiteWith(o: BuildSiteOptions, threads: { pool?: TaskPool }): Promise<SiteBuild> {
  const siteDir = join(o.out, SITE_DIR);
  const manifestPath = join(siteDir, MANIFEST_FILE);
  const timings = { summaries: 0, model: 0, load: 0, render: 0, write: 0, wait: 0 };
  let clock = performance.now();
  const lap = (phase: keyof typeof timings) => {
    const now = performance.now();
    timings[phase] += now - clock;
    clock = now;
  };

  // --- what changed since the previous build ---
  const { base: templatesAndConfig, templateFiles } = siteBase(o.root, o.config);
  const todayText = o.today.toString();
  const format = zoneFormat(o.config.timezone);
  const previous = readManifest(manifestPath);
  // the state is what the build that wrote this manifest saw; with another manifest (a build
  // that failed after writing it, or a manifest deleted), it is not used
  const state = SiteState.load(siteDir, o.stateKey, previous.digest);
  const listing = readListing(o.db, state);
  const { ids } = listing;
  // A build from scratch of a big knowledge base starts its worker threads now, on the search
  // shards (which need only the ids and the database), while this thread works out the rest.
  const early = new Map<number, { ids: string[]; script: Promise<string> }>();
  if (!state) {
    const pool = (threads.pool = createTaskPool(ids.length * INCIDENT_PAGE_WEIGHT));
    if (pool.threads > 0) {
      const count = shardCount(ids.length);
      const members = Array.from({ length: count }, () => [] as string[]);
      for (const id of ids) members[shardOf(id, count)]!.push(id);
      members.forEach((m, n) => {
        const script = pool.run([{ kind: 'shard', db: o.dbPath, ids: m }]).then((r) => r[0]!);
        script.catch(() => undefined); // awaited when the shard is written; a failure is reported then
        early.set(n, { ids: m, script });
      });
    }
  }
  /** Incidents whose file's content changed, or that are new. */
  const contentChanged: string[] = [];
  /** Incidents whose file moved (content the same). */
  const moved: string[] = [];
  const removed: string[] = [];
  if (state && ids === state.ids) {
    // the same incidents: compare where the texts differ
    if (listing.digests.text !== state.digests.text || listing.files.text !== state.files.text) {
      for (let k = 0; k < ids.length; k++) {
        if (!state.digests.equals(k, listing.digests.get(k))) contentChanged.push(ids[k]!);
        else if (!state.files.equals(k, listing.files.get(k))) moved.push(ids[k]!);
      }
    }
  } else if (state) {
    let k = 0;
    ids.forEach((id, n) => {
      while (k < state.ids.length && state.ids[k]! < id) removed.push(state.ids[k++]!);
      if (k < state.ids.length && state.ids[k] === id) {
        if (!state.digests.equals(k, listing.digests.get(n))) contentChanged.push(id);
        else if (!state.files.equals(k, listing.files.get(n))) moved.push(id);
        k++;
      } else {
        contentChanged.push(id);
      }
    });
    while (k < state.ids.length) removed.push(state.ids[k++]!);
  } else {
    contentChanged.push(...ids);
  }
  const added = state ? contentChanged.filter((id) => state.indexOf(id) === undefined) : contentChanged;
  const fresh = new Map(readSiteIncidents(o.db, state ? contentChanged : undefined).map((i) => [i.id, i]));
  const freshSummary = new Map([...fresh.values()].map((i) => [i.id, summaryDigest(i)]));
  const summaryChanged = contentChanged.filter((id) => {
    const n = state?.indexOf(id);
    return n === undefined || !state!.summaries.equals(n, freshSummary.get(id)!);
  });
  // a brief is worked out from the summary: only those whose summary changed are new
  const freshBrief = new Map(summaryChanged.map((id) => [id, briefOf(fresh.get(id)!, format)]));
  const oldBrief = (id: string): Brief | undefined => {
    const n = state?.indexOf(id);
    return n === undefined ? undefined : state!.facts.brief(n);
  };
  // the previous build's position of each incident (the same when none came or went)
  const aligned = state !== undefined && added.length === 0 && removed.length === 0;
  const before = (id: string, n: number) => (aligned ? n : state!.indexOf(id)!);
  let facts: Facts | undefined;
  if (state && freshBrief.size === 0 && removed.length === 0) {
    facts = state.facts;
  } else if (aligned) {
    // the usual edit: the same incidents, a few briefs changed in place (and, when no start
    // time changed, the same display order)
    facts = state.facts.with(new Map([...freshBrief].map(([id, b]) => [state.indexOf(id)!, b])));
    if ([...freshBrief].every(([id, b]) => state.facts.started(state.indexOf(id)!) === b.started)) facts?.keepOrder(state.facts.knownOrder());
  }
  if (!facts) {
    const builder = new FactsBuilder(state?.facts, ids.length);
    ids.forEach((id, n) => {
      const b = freshBrief.get(id);
      if (b) builder.add(b);
      else builder.copy(before(id, n));
    });
    facts = builder.build();
  }
  const summaries = aligned
    ? state.summaries.with(new Map([...freshSummary].map(([id, d]) => [state.indexOf(id)!, d])))
    : Column.of(ids.map((id, n) => freshSummary.get(id) ?? state!.summaries.get(before(id, n))), '\n');
  // what the links between incidents are found from (see below)
  const structureChanged = !state || added.length > 0 || removed.length > 0 || summaryChanged.some((id) => {
    const a = oldBrief(id)!;
    const b = freshBrief.get(id)!;
    return a.category !== b.category || a.started !== b.started || a.services.join('\u0001') !== b.services.join('\u0001')
      || (state!.linksUseText && a.textDigest !== b.textDigest);
  });
  // every service named by an incident: the same as before unless an incident's services changed
  const serviceNames = state && !structureChanged ? state.services : (() => {
    const codes = new Set<number>();
    for (let i = 0; i < facts.n; i++) for (const c of facts.codes('services', i)) codes.add(c);
    return [...new Set([...codes].map((c) => facts.value(c)))].sort();
  })();
  // What every page depends on: templates, config, tool version, and the services' slugs (a new
  // service can move another's slug, which every page linking to it shows).
  const base = hash(templatesAndConfig, JSON.stringify([...slugTable([...o.config.services, ...serviceNames])]));
  const sameBase = state?.base === base;
  const sameToday = state?.today === todayText;
  const building = readBuilding(siteDir);
  lap('summaries');

  // --- links between incidents: kept, updated, or worked out again ---
  let links: Map<string, IncidentLinks> | undefined; // all of them, when worked out again
  const updatedLinks = new Map<string, IncidentLinks>(); // some of them, when updated
  let linksUseTextNow = state?.linksUseText ?? false;
  if (structureChanged) {
    links = incidentLinks(Array.from({ length: facts.n }, (_, i) => facts.brief(i)), () => readLinkTexts(o.db));
    linksUseTextNow = linksUseText(links.values());
  } else {
    // only `related` lists changed (if anything): both ends of the changed links are updated
    for (const id of summaryChanged) {
      const before = oldBrief(id)!.related;
      const after = freshBrief.get(id)!.related;
      if (before.join(' ') === after.join(' ')) continue;
      const mine = updatedLinks.get(id) ?? state!.linksOf(id)!;
      updatedLinks.set(id, { ...mine, related: [...new Set(after)] });
      const was = new Set(before);
      const is = new Set(after);
      for (const target of new Set([...was, ...is])) {
        if (target === id || was.has(target) === is.has(target) || state!.indexOf(target) === undefined) continue;
        const theirs = updatedLinks.get(target) ?? state!.linksOf(target)!;
        const relatedBy = theirs.relatedBy.filter((x) => x !== id);
        if (is.has(target)) relatedBy.push(id);
        updatedLinks.set(target, { ...theirs, relatedBy: relatedBy.sort(byId) });
      }
    }
  }
  const linksOf = (id: string): IncidentLinks => links?.get(id) ?? updatedLinks.get(id) ?? state!.linksOf(id)!;
  const data = siteData({ config: o.config, today: o.today, facts, serviceNames, links: linksOf });
  const renderer = () => (r ??= new Renderer(o.root, data));
  let r: Renderer | undefined;

  // --- which pages are on disk ---
  // one directory listing instead of a stat per page (10,000 stats cost a tenth of a second)
  const missingSet = new Set([...missingPages(siteDir, Object.keys(previous.pages), (dir) => {
    const before = state?.folders.get(dir);
    if (before === undefined) return false;
    try {
      return statSync(join(siteDir, dir)).mtimeMs === before;
    } catch {
      return false;
    }
  }), ...building]);
  const incidentOrShard = (p: string) => p.startsWith('incidents/') || p.startsWith('assets/search/shard-');
  // Pages over many incidents can change only when a summary did (or the date, templates, config).
  const quick = state !== undefined && sameBase && sameToday && summaryChanged.length === 0 && removed.length === 0
    && [...missingSet].every(incidentOrShard);

  const pages: Page[] = [];
  /** Pages whose files are deleted (their incident or service is gone). */
  const gone = new Set<string>();

  // --- assets: copied as they are ---
  for (const [name, file] of templateFiles) {
    if (!name.startsWith('assets/')) continue;
    pages.push({ path: name, digest: hash(base, name), render: () => ({ content: readFileSync(file) }) });
  }
  const minisearch = readFileSync(MINISEARCH_UMD);
  pages.push({ path: 'assets/minisearch.js', digest: hash(base, minisearch.toString('utf8')), render: () => ({ content: minisearch }) });
  pages.push({ path: 'assets/search/terms.js', digest: hash(base, SEARCH_TERMS_SCRIPT), render: () => ({ content: SEARCH_TERMS_SCRIPT }) });
  const searchOptions = searchOptionsScript();
  pages.push({ path: 'assets/search/options.js', digest: hash(base, searchOptions), render: () => ({ content: searchOptions }) });
  pages.push(feedPage(o.db, o.config, base));

  // --- search shards: a shard's members in id order ---
  const shards = shardCount(ids.length);
  const allShards = !state || !sameBase || shardCount(state.ids.length) !== shards;
  const shardPaths = Array.from({ length: shards }, (_, n) => shardPath(n));
  const wantedShards = new Set(allShards ? shardPaths.keys() : [...contentChanged, ...removed].map((id) => shardOf(id, shards)));
  for (const path of missingSet) {
    const n = shardPaths.indexOf(path);
    if (n >= 0) wantedShards.add(n);
  }
  if (allShards) for (const path of Object.keys(previous.pages)) if (path.startsWith('assets/search/shard-') && !shardPaths.includes(path)) gone.add(path);
  const shardMembers = new Map([...wantedShards].map((n) => [n, [] as [string, string][]]));
  if (shardMembers.size > 0) {
    ids.forEach((id, n) => shardMembers.get(shardOf(id, shards))?.push([id, listing.digests.get(n)]));
  }
  const shardPages = [...shardMembers].sort(([a], [b]) => a - b).map(([n, members]) => ({
    path: shardPaths[n]!, ids: members.map(([id]) => id), digest: hash(base, String(shards), ...members.map(([, digest]) => digest)),
  }));
  const staleShards = shardPages.filter((s) => previous.pages[s.path] !== s.digest || missingSet.has(s.path));
  // After an edit, the one or two shards to index go to a worker now, while this thread goes on.
  const background = staleShards.length > 0 && staleShards.length <= BACKGROUND_SHARDS
    ? shardsInBackground(o.dbPath, staleShards.map((s) => s.ids)) : undefined;
  background?.catch(() => undefined); // awaited when the shards are written; a failure is reported then

  // --- incident pages: those whose inputs can have changed ---
  const fileOf = (id: string) => {
    const n = facts.indexOf(id)!;
    return [listing.digests.get(n), listing.files.get(n)] as const;
  };
  let candidates: readonly string[];
  if (!state || !sameBase || !sameToday) {
    candidates = ids;
  } else {
    const set = new Set([...contentChanged, ...moved]);
    // pages whose links changed
    if (links) {
      for (const [id, l] of links) {
        const n = state.indexOf(id);
        if (n === undefined || !state.links.equals(n, encodeLinks(l))) set.add(id);
      }
    } else {
      for (const id of updatedLinks.keys()) set.add(id);
    }
    // pages that show an incident whose title, severity or date changed, or that came or went
    const shown = new Set([...added, ...removed, ...summaryChanged.filter((id) => {
      const a = oldBrief(id);
      const b = freshBrief.get(id)!;
      return !a || a.title !== b.title || a.severity !== b.severity || a.started !== b.started;
    })]);
    const shows = (l: IncidentLinks) => l.related.some((x) => shown.has(x)) || l.relatedBy.some((x) => shown.has(x)) || l.similar.some((x) => shown.has(x));
    if (shown.size > 0 && links) {
      for (const [id, l] of links) if (shows(l)) set.add(id);
    } else if (shown.size > 0) {
      // the links of all incidents are one text: where a shown id occurs, and whose links those are
      const text = state.links.text;
      const hits: number[] = [];
      for (const x of shown) for (let at = text.indexOf(x); at >= 0; at = text.indexOf(x, at + x.length)) hits.push(at);
      hits.sort((a, b) => a - b);
      let n = 0;
      let end = text.indexOf('\u0000');
      for (const at of hits) {
        while (end >= 0 && end < at) {
          n++;
          end = text.indexOf('\u0000', end + 1);
        }
        const id = state.ids[n]!;
        if (!updatedLinks.has(id) && shows(decodeLinks(state.links.get(n)))) set.add(id);
      }
      for (const [id, l] of updatedLinks) if (shows(l)) set.add(id);
    }
    for (const path of missingSet) if (path.startsWith('incidents/')) set.add(path.slice('incidents/'.length, -'.html'.length));
    candidates = [...set].filter((id) => facts.indexOf(id) !== undefined);
  }
  for (const id of removed) gone.add(incidentPath(id));
  for (const id of candidates) {
    const [digest, file] = fileOf(id);
    pages.push(incidentPageOf(data, {
      id, path: incidentPath(id), file: unescapeField(file), digest, siteDir, renderer, load: o.load, layout: state?.layouts,
      // the page shows the file's path too: a moved file is a changed page
      rest: hash(base, digest, file, overdueFlags(data, facts.indexOf(id)!)).slice(0, 16),
      links: `L${hash(base, incidentPageNeighbours(data, id)).slice(0, 15)}`,
    }));
  }

  // --- pages over many incidents ---
  const manyPages: ManyPage[] = [];
  /** Summaries of the incidents whose pieces of pages over many incidents are rendered again (filled below). */
  const summaryOf = new Map(fresh);
  const freshSet = new Set(freshBrief.keys());
  if (!quick) {
    const same = (fields: (b: Brief) => string) => state !== undefined && aligned && sameBase
      && [...freshBrief].every(([id, b]) => fields(oldBrief(id)!) === fields(b));
    manyPages.push(...pagesOverMany(data, {
      sameRows: same((b) => [b.severity, b.services.join('\u0001'), b.category, b.provider, b.status, b.started, b.mitigated, b.resolved, b.startedDate].join('\u0000')),
      sameItems: sameToday && same((b) => b.remediations.map((r) => `${r.id}\u0001${r.owner}\u0001${r.status}\u0001${r.due}`).join('\u0000')),
      summary: (id) => summaryOf.get(id)!,
      base, todayText, shardPaths, renderer, siteDir,
      layout: (path) => (sameBase ? state?.layouts.get(path) : undefined),
      // a piece's key is its incident's id, or the id, `/` and more: not reusable when that
      // id is fresh (every prefix ending at a `/` is tried: a set lookup each, not a scan of every fresh id)
      reusable: (key) => {
        if (freshSet.has(key)) return false;
        for (let at = key.indexOf('/'); at >= 0; at = key.indexOf('/', at + 1)) if (freshSet.has(key.slice(0, at))) return false;
        return true;
      },
    }));
    const paths = new Set(manyPages.map((p) => p.path));
    for (const path of Object.keys(previous.pages)) {
      if ((path.startsWith('services/') || path.startsWith('categories/')) && !paths.has(path)) gone.add(path);
    }
  }
  if (!state) {
    // a build from scratch knows every page: any other page of the manifest is gone
    const paths = new Set([...pages.map((p) => p.path), ...manyPages.map((p) => p.path), ...shardPaths]);
    for (const path of Object.keys(previous.pages)) if (!paths.has(path)) gone.add(path);
  }
  lap('model');

  // --- which pages to render ---
  const isStale = (p: { path: string; digest: string }) => previous.pages[p.path] !== p.digest || missingSet.has(p.path);
  const stale = pages.filter(isStale);
  const staleMany = manyPages.filter(isStale);
  // the summaries that fresh pieces of pages over many incidents need (action items)
  const wanted = [...new Set(staleMany.flatMap((p) => p.plan()))].filter((id) => !summaryOf.has(id));
  for (const i of readSiteIncidents(o.db, wanted)) summaryOf.set(i.id, i);
  for (const p of staleMany) stale.push({ path: p.path, digest: p.digest, render: () => p.render() });
  const backgroundResults = background?.then((scripts) => new Map(staleShards.map((s, n) => [s.path, scripts[n]!])));
  backgroundResults?.catch(() => undefined);
  for (const s of staleShards) {
    // indexed already (`early`) when the members are the same
    const started = early.get(shardPaths.indexOf(s.path));
    const script = started && started.ids.join('\n') === s.ids.join('\n') ? started.script : undefined;
    stale.push({
      path: s.path, digest: s.digest,
      tasks: background || script ? undefined : () => [{ kind: 'shard', db: o.dbPath, ids: s.ids }],
      render: async (_full, results) => ({ content: script ? await script : background ? (await backgroundResults!).get(s.path)! : results[0]! }),
    });
  }
  lap('load');

  const next: Record<string, string> = { ...previous.pages };
  for (const path of gone) delete next[path];
  const written: string[] = [];
  const rendered: string[] = [];
  /** Pages whose file is written, by their place among the pages rendered (see `settle`). */
  const finished: ({ page: Page; changed: boolean; pieces: PagePieces | undefined; stat: { ino: number; size: number; mtimeMs: number } | undefined } | undefined)[] = [];
  /** Folders this build made (or found) for its pages. */
  const folders = new Set<string>();
  /** What the written pages mean for the manifest, the layouts and the counts, in page order whatever order the writes ended in. */
  const settle = () => {
    for (const f of finished) {
      if (!f) continue;
      if (f.changed) written.push(where(f.page.path));
      if (f.pieces && f.stat) {
        layouts.set(f.page.path, { ino: f.stat.ino, size: f.stat.size, mtimeMs: f.stat.mtimeMs, head: f.pieces.head, keys: f.pieces.keys, spans: f.pieces.spans });
        pieceCounts.rendered += f.pieces.rendered;
        pieceCounts.copied += f.pieces.copied;
      }
      next[f.page.path] = f.page.digest;
    }
    finished.length = 0;
  };
  const layouts = new Map<string, Layout>();
  const pieceCounts = { rendered: 0, copied: 0 };
  const where = (path: string) => `${SITE_DIR}/${path}`;
  let manifest = '';
  if (stale.length > 0) {
    // while pages are written, a record of which: if this build stops, the next renders them again
    writeFileAtomic(join(siteDir, BUILDING_FILE), JSON.stringify([...new Set([...building, ...stale.map((p) => p.path)])].sort()), { durable: false });
  }
  try {
    const pool = (threads.pool ??= createTaskPool(stale.reduce((n, page) => n + (page.tasks ? page.weight ?? 1 : 0), 0)));
    if (pool.threads > 0) pool.site({ root: o.root, siteDir, config: o.config, today: todayText, facts: facts.c, serviceNames, source: o.source });
    // With worker threads, the incident pages rendered whole are theirs (queued first: they
    // are most of the work); this thread renders the rest meanwhile, and writes the workers'
    // pages as they come (after a failure elsewhere, those are not rendered again).
    const order = new Map(stale.map((page, n) => [page, n]));
    /** A page's file written: this thread writes them all, one at a time (see `writePage`). */
    const record = (page: Page, changed: boolean, pieces: PagePieces | undefined) => {
      const stat = pieces ? statSync(join(siteDir, page.path)) : undefined;
      finished[order.get(page)!] = { page, changed, pieces, stat: stat && { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs } };
    };
    const remote = new Map<Page, Promise<void>>();
    if (pool.threads > 0) {
      for (const page of stale) {
        const task = page.remote?.();
        if (!task) continue;
        const done = pool.page(task).then((r) => record(page, writeRemotePage(join(siteDir, page.path), r, folders), r.pieces));
        done.catch(() => undefined); // awaited below; a failure is reported then
        remote.set(page, done);
      }
    }
    const local = stale.filter((page) => !remote.has(page));
    // The rest in chunks, so a big build never holds every page in memory. A chunk's
    // incidents are loaded, and its pages' costly parts (Markdown, search shards) handed
    // to the pool, while this thread renders the chunk before it.
    const chunks: Page[][] = [];
    for (let from = 0; from < local.length; from += CHUNK) chunks.push(local.slice(from, from + CHUNK));
    const prepare = (chunk: Page[]) => {
      const needed = [...new Set(chunk.flatMap((page) => page.needs?.() ?? []))];
      const loaded = new Map(needed.length ? o.load(needed).map((i) => [i.id, i]) : []);
      const full = (id: string) => {
        const incident = loaded.get(id);
        if (!incident) throw new Error(`incident ${id} is in the database but could not be loaded; run the build again`);
        return incident;
      };
      const results = new Map<Page, Promise<string[]>>();
      for (const page of chunk) {
        const tasks = page.tasks?.(full);
        if (!tasks?.length) continue;
        const done = pool.run(tasks);
        done.catch(() => undefined); // awaited when the page is rendered; a failure is reported then
        results.set(page, done);
      }
      return { full, results };
    };
    for (const page of stale) rendered.push(where(page.path));
    let upcoming = chunks.length ? prepare(chunks[0]!) : undefined;
    for (let k = 0; k < chunks.length; k++) {
      const { full, results } = upcoming!;
      upcoming = k + 1 < chunks.length ? prepare(chunks[k + 1]!) : undefined;
      lap('load');
      for (const page of chunks[k]!) {
        const out = await page.render(full, results.has(page) ? await results.get(page)! : []);
        lap('render');
        record(page, writePage(join(siteDir, page.path), out, folders), out.pieces);
        lap('write');
        // the workers' pages are taken (and written) between this thread's
        if (remote.size > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await Promise.all(remote.values());
    lap('wait');
  } finally {
    // After a failure, pages not reached keep their old digests (their files are the old ones),
    // so the next build renders exactly what is still out of date.
    settle();
    manifest = manifestText(previous, next);
    if (manifest !== previous.text) replaceFile(manifestPath, Buffer.from(manifest, 'utf8'));
  }
  const deleted: string[] = [];
  const root = resolve(siteDir);
  for (const path of gone) {
    const file = resolve(siteDir, path);
    if (!file.startsWith(root + sep)) continue;
    if (existsSync(file)) {
      rmSync(file, { force: true });
      deleted.push(where(path));
    }
  }
  lap('write');

  // --- what this build saw, for the next one (unless it is what the previous one saw) ---
  const same = state && sameBase && sameToday && contentChanged.length === 0 && moved.length === 0 && removed.length === 0
    && stale.length === 0 && gone.size === 0 && building.size === 0;
  if (!same) {
    // links that changed, by position (when the incidents are the same ones)
    const linkChanges = new Map<number, string>();
    if (aligned) {
      if (links) {
        ids.forEach((id, n) => {
          const line = encodeLinks(links!.get(id)!);
          if (!state.links.equals(n, line)) linkChanges.set(n, line);
        });
      } else {
        for (const [id, l] of updatedLinks) linkChanges.set(state.indexOf(id)!, encodeLinks(l));
      }
    }
    const at = (id: string) => state!.indexOf(id)!;
    saveState(siteDir, {
      key: o.stateKey, base, today: todayText, manifest: hash(manifest), folders: folderTimes(siteDir, Object.keys(next)),
      ids,
      digests: listing.digests,
      files: listing.files,
      summaries, facts,
      links: aligned
        ? state.links.with(linkChanges)
        : Column.of(ids.map((id, n) => {
          const l = links?.get(id) ?? updatedLinks.get(id);
          return l ? encodeLinks(l) : state!.links.get(before(id, n));
        }), '\u0000'),
      linksUseText: linksUseTextNow,
      services: serviceNames,
      layouts: (state?.layouts ?? Layouts.empty()).with(layouts, gone),
    }, state, aligned && gone.size === 0 ? {
      incidents: [...contentChanged.map(at), ...moved.map(at), ...linkChanges.keys()],
      pages: layouts.keys(),
    } : undefined);
  }
  rmSync(join(siteDir, BUILDING_FILE), { force: true });
  lap('summaries');

  const files = Object.keys(next).sort(byId);
  return {
    written, rendered, deleted, files, pieces: pieceCounts,
    unchanged: files.length - written.length,
    incidents: ids.length,
    summariesMs: timings.summaries,
    timings: { model: timings.model, load: timings.load, render: timings.render, write: timings.write, wait: timings.wait },
  };
}

/** A page over many incidents: `plan` says which incidents' summaries its fresh pieces need. */
interface ManyPage {
  path: string;
  digest: string;
  plan(): string[];
  render(): Rendered;
}

interface ManyContext {
  /** The summary of an incident whose action items are rendered again (see `ManyPage.plan`). */
  summary(id: string): SiteIncident;
  base: string;
  todayText: string;
  shardPaths: string[];
  renderer(): Renderer;
  siteDir: string;
  /** The recorded layout of a page, when its pieces can be copied (same templates). */
  layout(path: string): Layout | undefined;
  /** Whether a piece (a row: an incident id; an item: id/position/overdue) can be copied from the previous files (its incident's brief did not change). */
  reusable(key: string): boolean;
  /**
   * Whether the edit left every page of incident rows as it was but for the changed rows' own
   * text (only titles changed among what rows show and are ordered, counted and filtered by),
   * and the action items page but for the changed items' text (no remediation's owner, state or
   * due date changed, nor the evaluation date).
   */
  sameRows: boolean;
  sameItems: boolean;
}

/**
 * The pages over many incidents. The index, service and category pages are lists of incident
 * rows, and the action items page of items: those are pieces (`pieces.ts`), rendered only for
 * incidents that changed. The rest (trends, owners, the two lists) are small and rendered whole.
 */
function pagesOverMany(data: SiteData, c: ManyContext): ManyPage[] {
  const f = data.facts;
  // Each page over many incidents depends on what it shows of each incident (see `Brief`):
  // an edit reaches only the pages that show what it changed.
  const indexDigest = hash(c.base, 'index', f.c.rowDigests.text);
  const actionsDigest = hash(c.base, c.todayText, 'actions', f.c.actionDigests.text);
  const ownersDigest = hash(c.base, c.todayText, 'owners', f.c.ownerDigests.text);
  const trendsDigest = hash(c.base, c.todayText, f.c.trendDigests.text);
  const servicesDigest = hash(c.base, 'services', f.c.groupDigests.text);
  const categoriesDigest = hash(c.base, 'categories', f.c.groupDigests.text);

  /**
   * A page of pieces: rows or items, each copied from the previous file when its incident did
   * not change. `build` registers the page's lists of pieces and gives what the rest of the
   * page (its skeleton) shows, as text: when that and the lists' keys are those the previous
   * file was made with (its layout's head is their digest), the page is the
   * previous file with the changed pieces replaced — no templates filled at all.
   */
  const piecesPage = (path: string, digest: string, build: (pieces: Pieces) => {
    shows: string; skeleton: () => string; needs: (key: string) => string | undefined;
  }, known?: { render(key: string): string; needs(key: string): string | undefined }): ManyPage => {
    let planned: { pieces: Pieces; key: string; skeleton: () => string; previous: PreviousPage | undefined; needs: (key: string) => string | undefined } | undefined;
    // When the edit cannot have changed the skeleton or which pieces there are (see
    // `ManyContext.sameRows`), the previous file's layout says both: the model of the page is
    // not even worked out.
    let shortcutRead = false;
    let shortcutPage: PreviousPage | undefined;
    const shortcut = () => {
      if (!shortcutRead && known) shortcutPage = previousPage(join(c.siteDir, path), c.layout(path));
      shortcutRead = true;
      return shortcutPage;
    };
    const plan = () => {
      if (!planned) {
        const pieces = new Pieces();
        const b = build(pieces);
        const key = hash(c.base, path, b.shows, ...pieces.lists.map((l) => l.keys.join('\u0001'))).slice(0, 16);
        planned = { pieces, key, skeleton: b.skeleton, previous: previousPage(join(c.siteDir, path), c.layout(path)), needs: b.needs };
      }
      return planned;
    };
    const reusable = (key: string) => c.reusable(key);
    return {
      path, digest,
      plan: () => {
        const previous = shortcut();
        if (previous) return previous.layout.keys.filter((key) => !reusable(key)).map((key) => known!.needs(key)).filter((id): id is string => id !== undefined);
        const p = plan();
        const out: string[] = [];
        const { find } = finder(p.previous);
        for (const list of p.pieces.lists) {
          for (const key of list.keys) {
            if (reusable(key) && find(key) !== undefined) continue;
            const id = p.needs(key);
            if (id !== undefined) out.push(id);
          }
        }
        return out;
      },
      render: () => {
        const previous = shortcut();
        if (previous) {
          shortcutPage = undefined;
          const page = splice(previous, (key) => (reusable(key) ? undefined : { key, html: known!.render(key) }));
          return { content: page, pieces: { ...page, head: previous.layout.head }, previous: previous.bytes };
        }
        const p = plan();
        planned = undefined;
        let page: Assembled;
        if (p.previous?.layout.head === p.key) {
          // the same skeleton and pieces: the changed pieces replaced in the previous file
          const fresh = new Map<string, () => string>();
          for (const list of p.pieces.lists) list.keys.forEach((key, n) => !reusable(key) && fresh.set(key, () => list.render(n)));
          page = splice(p.previous, (key) => {
            const render = fresh.get(key);
            return render ? { key, html: render() } : undefined;
          });
        } else {
          page = assemble(p.skeleton(), p.pieces, p.previous, reusable);
        }
        return { content: page, pieces: { ...page, head: p.key }, ...(p.previous ? { previous: p.previous.bytes } : {}) };
      },
    };
  };
  /**
   * An incident's row on the page at `path`. Only the index filters and sorts by service, so
   * only its rows name every service; elsewhere a row names at most ROW_SERVICES (an incident
   * with n services is on n service pages: all n in each made the site grow with n²).
   */
  const row = (i: number, path: string) => c.renderer().piece('incident-row.hbs', {
    ...incidentRow(data, i, path === SITE_PATHS.index ? Infinity : ROW_SERVICES), base: baseOf(path),
  });
  const rows = (pieces: Pieces, path: string, members: ArrayLike<number>) =>
    pieces.list(Array.from(members, (i) => f.id(i)), (n) => row(members[n]!, path));
  /** A row or action item by its key (see `item` below), for a page whose pieces the edit did not reorder. */
  const knownRows = (path: string) => c.sameRows ? {
    render: (id: string) => row(f.indexOf(id)!, path),
    needs: () => undefined,
  } : undefined;
  const item = (id: string, k: number) => {
    const r = c.summary(id).remediations[k]!;
    return c.renderer().piece('remediation-row.hbs', {
      ...remediationView(data, r), incident: incidentRef(data, id), showIncident: true, base: baseOf(SITE_PATHS.actions),
    });
  };

  const pages: ManyPage[] = [];
  pages.push(piecesPage(SITE_PATHS.index, indexDigest, (pieces) => {
    const model = indexPage(data);
    const scripts = ['assets/minisearch.js', 'assets/search/terms.js', 'assets/search/options.js', ...c.shardPaths, 'assets/site.js'];
    const rowsHtml = rows(pieces, SITE_PATHS.index, model.order);
    return {
      shows: JSON.stringify([model.count, model.filters, scripts]),
      skeleton: () => c.renderer().page(SITE_PATHS.index, 'index.hbs', { ...model, rowsHtml }, { title: 'Incidents', nav: 'index', scripts }),
      needs: () => undefined,
    };
  }, knownRows(SITE_PATHS.index)));
  const whole = (path: string, digest: string, render: () => string): ManyPage => ({ path, digest, plan: () => [], render: () => ({ content: render() }) });
  pages.push(whole(SITE_PATHS.trends, trendsDigest,
    () => c.renderer().page(SITE_PATHS.trends, 'trends.hbs', trendsPage(data), { title: 'Trends', nav: 'trends' })));
  pages.push(piecesPage(SITE_PATHS.actions, actionsDigest, (pieces) => {
    const model = actionsPage(data);
    const owners = model.owners.map((owner) => ({
      ...owner,
      itemsHtml: pieces.list(owner.items.map((x) => `${x.id}/${x.k}/${x.overdue ? 1 : 0}`), (n) => item(owner.items[n]!.id, owner.items[n]!.k)),
    }));
    return {
      shows: JSON.stringify([model.today, model.totalOpen, model.totalOverdue, model.closed,
        owners.map((o) => [o.id, o.name, o.anchor, o.team, o.open, o.overdue])]),
      skeleton: () => c.renderer().page(SITE_PATHS.actions, 'actions.hbs', { ...model, owners }, { title: 'Action items by owner', nav: 'actions' }),
      needs: (key) => key.slice(0, key.indexOf('/')),
    };
  }, c.sameItems ? {
    render: (key) => {
      const [id, k] = key.split('/') as [string, string];
      return item(id, Number(k));
    },
    needs: (key) => key.slice(0, key.indexOf('/')),
  } : undefined));
  pages.push(whole(SITE_PATHS.owners, ownersDigest,
    () => c.renderer().page(SITE_PATHS.owners, 'owners.hbs', ownersPage(data), { title: 'Owners', nav: 'owners' })));
  pages.push(whole(SITE_PATHS.services, servicesDigest, () => c.renderer().page(SITE_PATHS.services, 'group-index.hbs', {
    heading: 'Services', intro: 'Incidents by affected service (an incident can affect several).',
    groups: servicesIndexPage(data).services.map((s) => ({ ...s, one: s.count === 1 })),
  }, { title: 'Services', nav: 'services' })));
  pages.push(whole(SITE_PATHS.categories, categoriesDigest, () => c.renderer().page(SITE_PATHS.categories, 'group-index.hbs', {
    heading: 'Root-cause categories', intro: 'Incidents by root-cause category.',
    groups: categoriesIndexPage(data).categories.map((x) => ({ ...x, one: x.count === 1 })),
  }, { title: 'Root-cause categories', nav: 'categories' })));

  const group = (path: string, kind: 'service' | 'category', name: string, members: number[]) => {
    pages.push(piecesPage(path, hash(c.base, kind, name, members.map((i) => f.rowDigest(i)).join('\u0000')), (pieces) => {
      const model = groupPage(data, name, members);
      const rowsHtml = rows(pieces, path, members);
      return {
        shows: JSON.stringify([kind, model]),
        skeleton: () => c.renderer().page(path, 'group.hbs', {
          ...model, one: model.count === 1, rowsHtml,
          heading: kind === 'service' ? `Service: ${name}` : `Root cause: ${name}`,
          caption: kind === 'service' ? `Incidents affecting ${name}, newest first` : `Incidents caused by ${name}, newest first`,
          parentHref: kind === 'service' ? SITE_PATHS.services : SITE_PATHS.categories,
          parentLabel: kind === 'service' ? 'All services' : 'All root-cause categories',
        }, { title: kind === 'service' ? `Service ${name}` : `Root cause ${name}`, nav: kind === 'service' ? 'services' : 'categories' }),
        needs: () => undefined,
      };
    }, knownRows(path)));
  };
  // members of every service and category in one pass (newest first)
  const byService = new Map<number, number[]>();
  const byCategory = new Map<number, number[]>();
  const { offsets, values } = f.c.services;
  for (const i of data.order()) {
    for (let at = offsets[i]!; at < offsets[i + 1]!; at++) {
      const s = values[at]!;
      // an incident naming a service twice is listed once
      let seen = false;
      for (let before = offsets[i]!; before < at; before++) if (values[before] === s) seen = true;
      if (seen) continue;
      let m = byService.get(s);
      if (!m) byService.set(s, (m = []));
      m.push(i);
    }
    let m = byCategory.get(f.categoryCode(i));
    if (!m) byCategory.set(f.categoryCode(i), (m = []));
    m.push(i);
  }
  for (const s of data.serviceSlugs.keys()) group(servicePath(data, s), 'service', s, byService.get(f.codeOf(s)) ?? []);
  for (const x of data.config.categories) group(categoryPath(data, x), 'category', x, byCategory.get(f.codeOf(x)) ?? []);
  return pages;
}
