import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Incident } from '../model/incident.js';
import { SEARCH_TERMS_SCRIPT } from '../search/terms.js';
import { unescapeField, type Brief } from './brief.js';
import type { Changes, LinkChanges } from './changes.js';
import { incidentPageOf } from './incident-page.js';
import { incidentPath } from './links.js';
import { missingPages, pagePaths } from './manifest.js';
import { pagesOverMany, type ManyPage } from './many-pages.js';
import { incidentPageNeighbours, overdueFlags, ownersShown, type SiteData } from './model.js';
import type { Page } from './page.js';
import type { OpenFiles } from './pieces.js';
import type { Renderer } from './renderer.js';
import { searchOptionsScript, shardCount, shardOf, shardPath } from './search.js';
import type { IncidentLinks } from './similar.js';
import { decodeLinks, encodeLinks, hash } from './state.js';
import type { RemediationsOf } from './summaries.js';

/**
 * Phase 2 of a site build (see `build.ts`): which pages. Every page the changes can reach gets
 * its digest worked out; those whose digest changed or whose file is missing are rendered
 * (phase 3). Pages of removed incidents, services and shards are `gone`.
 */

const MINISEARCH_UMD = (() => {
  const require = createRequire(import.meta.url);
  // the package exports only its ES and CommonJS entries; the browser build sits next to them
  return join(dirname(require.resolve('minisearch')), '..', 'umd', 'index.js');
})();

/** The pages of the previous manifest that are not on disk, and those an earlier build was writing when it stopped. */
export function missingPaths(siteDir: string, c: Pick<Changes, 'previous' | 'state' | 'building'>): Set<string> {
  // one directory listing instead of a stat per page (10,000 stats cost a tenth of a second)
  return new Set([
    ...missingPages(siteDir, pagePaths(c.previous.pages), (dir) => {
      const before = c.state?.folders.get(dir);
      if (before === undefined) return false;
      try {
        return statSync(join(siteDir, dir)).mtimeMs === before;
      } catch {
        return false;
      }
    }),
    ...c.building,
  ]);
}

/** The templates' assets and the search scripts: copied as they are. */
export function assetPages(base: string, templateFiles: ReadonlyMap<string, string>): Page[] {
  const pages: Page[] = [];
  for (const [name, file] of templateFiles) {
    if (!name.startsWith('assets/')) continue;
    pages.push({ path: name, digest: hash(base, name), render: () => ({ content: readFileSync(file) }) });
  }
  const minisearch = readFileSync(MINISEARCH_UMD);
  pages.push({ path: 'assets/minisearch.js', digest: hash(base, minisearch.toString('utf8')), render: () => ({ content: minisearch }) });
  pages.push({ path: 'assets/search/terms.js', digest: hash(base, SEARCH_TERMS_SCRIPT), render: () => ({ content: SEARCH_TERMS_SCRIPT }) });
  const searchOptions = searchOptionsScript();
  pages.push({ path: 'assets/search/options.js', digest: hash(base, searchOptions), render: () => ({ content: searchOptions }) });
  return pages;
}

/** A search shard: its incidents in id order, and its digest (of their files' digests). */
export interface ShardPage {
  path: string;
  ids: string[];
  /** The file digest of each incident (as `ids`). */
  digests: string[];
  digest: string;
}

export interface ShardPlan {
  /** Every shard's path. */
  paths: string[];
  /** The shards whose digest changed or whose file is missing. */
  stale: ShardPage[];
  /** Shards of a previous build that no longer exist. */
  gone: string[];
}

/** Which search shards the changes reach (only those are read): all of them when their number or the base changed. */
export function planShards(
  c: Pick<Changes, 'ids' | 'listing' | 'state' | 'base' | 'sameBase' | 'contentChanged' | 'removed' | 'previous'>,
  missing: ReadonlySet<string>,
): ShardPlan {
  const { ids, previous } = c;
  const shards = shardCount(ids.length);
  const all = !c.state || !c.sameBase || shardCount(c.state.ids.length) !== shards;
  const paths = Array.from({ length: shards }, (_, n) => shardPath(n));
  const wanted = new Set(all ? paths.keys() : [...c.contentChanged, ...c.removed].map((id) => shardOf(id, shards)));
  for (const path of missing) {
    const n = paths.indexOf(path);
    if (n >= 0) wanted.add(n);
  }
  const gone = all ? Object.keys(previous.pages).filter((path) => path.startsWith('assets/search/shard-') && !paths.includes(path)) : [];
  const members = new Map([...wanted].map((n) => [n, [] as [string, string][]]));
  if (members.size > 0) ids.forEach((id, n) => members.get(shardOf(id, shards))?.push([id, c.listing.digests.get(n)]));
  const pages = [...members]
    .sort(([a], [b]) => a - b)
    .map(([n, m]) => ({
      path: paths[n]!,
      ids: m.map(([id]) => id),
      digests: m.map(([, digest]) => digest),
      digest: hash(c.base, String(shards), ...m.map(([, digest]) => digest)),
    }));
  return { paths, stale: pages.filter((s) => previous.pages[s.path] !== s.digest || missing.has(s.path)), gone };
}

/** The incidents whose page's inputs can have changed: their file, their links, or what they show of their neighbours. */
export function incidentCandidates(c: Changes, links: LinkChanges, missing: ReadonlySet<string>): string[] {
  const { state, facts } = c;
  if (!state || !c.sameBase || !c.sameToday) return c.ids;
  const set = new Set([...c.contentChanged, ...c.moved]);
  // pages whose links changed
  if (links.all) {
    for (const [id, l] of links.all) {
      const n = state.indexOf(id);
      if (n === undefined || !state.links.equals(n, encodeLinks(l))) set.add(id);
    }
  } else {
    for (const id of links.updated.keys()) set.add(id);
  }
  // pages that show an incident whose title, severity or date changed, or that came or went
  const shown = new Set([
    ...c.added,
    ...c.removed,
    ...c.summaryChanged.filter((id) => shownChanged(c.oldBrief(id), c.freshBrief.get(id)!)),
  ]);
  const shows = (l: IncidentLinks) =>
    l.related.some((x) => shown.has(x)) || l.relatedBy.some((x) => shown.has(x)) || l.similar.some((x) => shown.has(x));
  if (shown.size > 0 && links.all) {
    for (const [id, l] of links.all) if (shows(l)) set.add(id);
  } else if (shown.size > 0) {
    // the links of all incidents are one text: where a shown id occurs, and whose links those are
    // (found in the kept offsets: counting the separators before the last hit was a loop of up
    // to 10,000 steps, run once, in the interpreter)
    const text = state.links.text;
    const hits: number[] = [];
    for (const x of shown) for (let at = text.indexOf(x); at >= 0; at = text.indexOf(x, at + x.length)) hits.push(at);
    hits.sort((a, b) => a - b);
    for (const at of hits) {
      const n = state.links.entryAt(at);
      const id = state.ids[n]!;
      if (!links.updated.has(id) && shows(decodeLinks(state.links.get(n)))) set.add(id);
    }
    for (const [id, l] of links.updated) if (shows(l)) set.add(id);
  }
  for (const path of missing) if (path.startsWith('incidents/')) set.add(path.slice('incidents/'.length, -'.html'.length));
  return [...set].filter((id) => facts.indexOf(id) !== undefined);
}

/** Whether what other pages show of an incident (title, severity, start) changed; a new one always. */
const shownChanged = (a: Brief | undefined, b: Brief) => !a || a.title !== b.title || a.severity !== b.severity || a.started !== b.started;

export interface PlanInput {
  siteDir: string;
  changes: Changes;
  links: LinkChanges;
  data: SiteData;
  renderer(): Renderer;
  templateFiles: ReadonlyMap<string, string>;
  missing: ReadonlySet<string>;
  shards: ShardPlan;
  load(ids: readonly string[]): Incident[];
  /** Pages made from the database outside the site's model (the Atom feed), with their digests. */
  extra: readonly Page[];
  /** Previous files held open from planning a page to writing it (the build closes them when it ends). */
  files: OpenFiles;
}

export interface PagePlan {
  /** Assets and incident pages that the changes can reach, with their digests. */
  pages: Page[];
  /** Pages over many incidents (none when no summary, date, template or config changed). */
  manyPages: ManyPage[];
  /** Pages whose files are deleted (their incident, service or shard is gone). */
  gone: Set<string>;
  /** Remediations of the incidents whose pieces of pages over many incidents are rendered again (more are added when rendering). */
  remediationsOf: RemediationsOf;
  /** The incidents the owners page shows, for the next build (see `shownByOwners`). */
  ownersShown: Uint32Array | undefined;
}

/** Phase 2: the pages the changes can reach, with their digests. */
export function planPages(p: PlanInput): PagePlan {
  const c = p.changes;
  const { state, facts, listing, base } = c;
  const gone = new Set<string>(p.shards.gone);
  const pages = [...assetPages(base, p.templateFiles), ...p.extra];
  for (const id of c.removed) gone.add(incidentPath(id));
  for (const id of incidentCandidates(c, p.links, p.missing)) {
    const n = facts.indexOf(id)!;
    const digest = listing.digests.get(n);
    const file = listing.files.get(n);
    pages.push(
      incidentPageOf(p.data, {
        id,
        path: incidentPath(id),
        file: unescapeField(file),
        digest,
        siteDir: p.siteDir,
        renderer: p.renderer,
        load: p.load,
        layout: state?.layouts,
        // the page shows the file's path too: a moved file is a changed page
        rest: hash(base, digest, file, overdueFlags(p.data, n)).slice(0, 16),
        links: `L${hash(base, incidentPageNeighbours(p.data, id)).slice(0, 15)}`,
      }),
    );
  }
  // (the same map: `stalePages` adds to it, and empties it when the pages over many incidents are rendered)
  const remediationsOf = c.freshRemediations;
  const isQuick = quick(c, p.missing);
  const shown = isQuick ? undefined : shownByOwners(c, p.data);
  const manyPages = shown ? manyPagesOf(p, remediationsOf, shown) : [];
  // (none changed: the previous build's, when the incidents are the same ones)
  const ownersShown = shown ?? (c.aligned ? state?.ownersShown : undefined);
  if (!isQuick) {
    const paths = new Set(manyPages.map((x) => x.path));
    for (const path of pagePaths(c.previous.pages)) {
      if ((path.startsWith('services/') || path.startsWith('categories/')) && !paths.has(path)) gone.add(path);
    }
  }
  if (!state) {
    // a build from scratch knows every page: any other page of the manifest is gone
    const paths = new Set([...pages.map((x) => x.path), ...manyPages.map((x) => x.path), ...p.shards.paths]);
    for (const path of Object.keys(c.previous.pages)) if (!paths.has(path)) gone.add(path);
  }
  return { pages, manyPages, gone, remediationsOf, ownersShown };
}

/**
 * The incidents the owners page shows (`ownersShown`): the previous build's when no incident's
 * owner digest changed (which they are follows from what that digest covers: ids, starts,
 * people), else worked out again. Kept by the state: working them out walks every incident's
 * people (~5–8 ms at 10,000, run once, unoptimised), for a title edit that cannot change them.
 */
function shownByOwners(c: Changes, data: SiteData): Uint32Array {
  const kept = c.aligned ? c.state?.ownersShown : undefined;
  if (kept && [...c.freshBrief].every(([id, b]) => c.oldBrief(id)?.ownerDigest === b.ownerDigest)) return kept;
  return Uint32Array.from(ownersShown(data));
}

/** Pages over many incidents can change only when a summary did (or the date, templates, config), or one of their files is missing. */
function quick(c: Changes, missing: ReadonlySet<string>): boolean {
  const incidentOrShard = (path: string) => path.startsWith('incidents/') || path.startsWith('assets/search/shard-');
  return (
    c.state !== undefined &&
    c.sameBase &&
    c.sameToday &&
    c.summaryChanged.length === 0 &&
    c.removed.length === 0 &&
    [...missing].every(incidentOrShard)
  );
}

/** Up to this many fresh incidents, a piece's key is compared with each (see `reusable`). */
const FEW_FRESH = 8;
const SLASH = '/'.charCodeAt(0);

/**
 * Whether a piece's key is reusable, for a few fresh ids (an edit): compared with each, without
 * making a string per key, nor an iterator of a set per key (asked of every key of the pages an
 * edit splices: ~70,000 at 10,000).
 */
export const reusableBesides =
  (fresh: readonly string[]) =>
  (key: string): boolean => {
    for (let n = 0; n < fresh.length; n++) {
      const id = fresh[n]!;
      if (key.startsWith(id) && (key.length === id.length || key.charCodeAt(id.length) === SLASH)) return false;
    }
    return true;
  };

function manyPagesOf(p: PlanInput, remediationsOf: RemediationsOf, shown: Uint32Array): ManyPage[] {
  const c = p.changes;
  const { state } = c;
  const freshSet = new Set(c.freshBrief.keys());
  const few = state && freshSet.size <= FEW_FRESH ? [...freshSet] : undefined;
  const same = (fields: (b: Brief) => string) =>
    state !== undefined && c.aligned && c.sameBase && [...c.freshBrief].every(([id, b]) => fields(c.oldBrief(id)!) === fields(b));
  return pagesOverMany(p.data, {
    sameRows: same((b) =>
      [b.severity, b.services.join('\u0001'), b.category, b.provider, b.status, b.started, b.mitigated, b.resolved, b.startedDate].join(
        '\u0000',
      ),
    ),
    sameItems:
      c.sameToday && same((b) => b.remediations.map((r) => `${r.id}\u0001${r.owner}\u0001${r.status}\u0001${r.due}`).join('\u0000')),
    remediation: (id, k) => remediationsOf.get(id, k)!,
    base: c.base,
    todayText: c.todayText,
    shardPaths: p.shards.paths,
    renderer: p.renderer,
    siteDir: p.siteDir,
    layout: (path) => (c.sameBase ? state?.layouts.get(path) : undefined),
    files: p.files,
    // a piece's key is its incident's id, or the id, `/` and more: not reusable when that
    // id is fresh (every prefix ending at a `/` is tried: a set lookup each, not a scan of every fresh id)
    // (from scratch there is no previous file to copy a piece from: the keys need not be looked at,
    // 0.2 s of the main thread at 10,000, profiled at load ~10)
    fresh: few,
    ownersShown: shown,
    reusable: !state
      ? () => false
      : few
        ? reusableBesides(few)
        : (key) => {
            if (freshSet.has(key)) return false;
            for (let at = key.indexOf('/'); at >= 0; at = key.indexOf('/', at + 1)) if (freshSet.has(key.slice(0, at))) return false;
            return true;
          },
  });
}
