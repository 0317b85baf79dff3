import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { phaseBar } from '../charts/index.js';
import { compactDuration } from '../format/time.js';
import type { Incident } from '../model/incident.js';
import { writeFileAtomic } from '../output/write-file.js';
import { phasesOf } from '../packet/incident-view.js';
import { DEFAULT_TEMPLATES, PACKAGE_ROOT } from '../paths.js';
import { createEnvironment, sanitizedHtml, type TemplateEnvironment } from '../render/handlebars.js';
import { markdownToHtml } from '../render/markdown.js';
import { incidentPath, SITE_PATHS } from './links.js';
import {
  actionsPage, categoriesIndexPage, categoryPath, groupPage, incidentPage, incidentPageNeighbours, indexPage, isOverdue, ownersPage, servicePath, servicesIndexPage, siteData, type SiteData, type SiteInput,
} from './model.js';
import { searchDocument, searchOptionsScript, shardCount, shardOf, shardPath } from './search.js';
import { createTaskPool, type SiteTask } from './parallel.js';
import { trendsPage } from './trends.js';
import { summaryDigest } from './summary-cache.js';
import type { SiteIncident } from './summaries.js';

/**
 * Writes the static site to `<out>/site/`. Incremental: every page has a digest of its
 * inputs, kept in `<out>/site/.manifest.json`; a page is rendered only when its digest
 * changed or its file is missing, and files are written only when their bytes changed.
 *
 * - pages over all incidents (index, trends, services, categories, actions, owners) depend on
 *   every incident's summary (front-matter without the timeline; not the body);
 * - an incident page depends on that incident, what it shows of its related and similar
 *   incidents, and which of its remediations are overdue;
 * - a service or category page depends on the summaries of the incidents in it;
 * - everything depends on the templates, the config and the tool version.
 * Pages of removed incidents (anything in the old manifest but not the new one) are deleted.
 */
export const SITE_DIR = 'site';
export const MANIFEST_FILE = '.manifest.json';
/** Bump when the shape of the pages changes in a way templates do not show. */
const SITE_FORMAT = 'site-1';
/** Pages rendered per round on big builds. */
const CHUNK = 1000;

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
  /** Milliseconds spent per phase (for the performance figures; never written into the site). */
  timings: Record<'model' | 'load' | 'render' | 'write', number>;
}

interface Manifest {
  format: string;
  pages: Record<string, string>;
}

interface Page {
  path: string;
  digest: string;
  /** Incidents whose full record (sections, timeline) the page needs. */
  needs?: readonly string[];
  /** Costly work done before rendering, in worker threads on big builds; results come to `render` in order. */
  tasks?(full: (id: string) => Incident): SiteTask[];
  render(full: (id: string) => Incident, results: readonly string[]): string | Uint8Array;
}

const TOOL_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 32);
}

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

function readManifest(path: string): Manifest {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    if (m.format === SITE_FORMAT && m.pages && typeof m.pages === 'object') return m;
  } catch {
    // missing or damaged: everything is rendered again
  }
  return { format: SITE_FORMAT, pages: {} };
}

const HELPERS = {
  join: (list: unknown, separator: unknown) => (Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : ''),
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
};

const PARTIALS = {
  incidentTable: 'incident-table.hbs',
  ownerLink: 'owner-link.hbs',
  incidentRefs: 'incident-refs.hbs',
  remediationTable: 'remediation-table.hbs',
  ownerRole: 'owner-role.hbs',
};

const NAV = [
  { key: 'index', label: 'Incidents', href: SITE_PATHS.index },
  { key: 'trends', label: 'Trends', href: SITE_PATHS.trends },
  { key: 'services', label: 'Services', href: SITE_PATHS.services },
  { key: 'categories', label: 'Categories', href: SITE_PATHS.categories },
  { key: 'actions', label: 'Action items', href: SITE_PATHS.actions },
  { key: 'owners', label: 'Owners', href: SITE_PATHS.owners },
] as const;

type NavKey = (typeof NAV)[number]['key'] | 'none';

class Renderer {
  private readonly env: TemplateEnvironment;
  private readonly templates = new Map<string, (data: object) => string>();

  constructor(private readonly root: string, private readonly data: SiteData) {
    this.env = createEnvironment('internal', HELPERS);
    for (const [name, file] of Object.entries(PARTIALS)) this.env.registerPartialFile(root, name, `site/${file}`);
  }

  private template(name: string) {
    let t = this.templates.get(name);
    if (!t) this.templates.set(name, (t = this.env.load(this.root, `site/${name}`)));
    return t;
  }

  page(path: string, template: string, model: object, o: { title: string; nav: NavKey; scripts?: string[] }): string {
    const base = '../'.repeat(path.split('/').length - 1);
    const body = this.template(template)({ ...model, base });
    return this.template('layout.hbs')({
      base,
      pageTitle: o.title,
      siteTitle: this.data.siteTitle,
      nav: NAV.map((n) => ({ ...n, current: n.key === o.nav })),
      scripts: o.scripts ?? [],
      footer: `${this.data.config.organization} — internal incident records; do not share outside the company.`,
      body: sanitizedHtml(body),
    });
  }
}

/** The Markdown of an incident that its page shows, in a fixed order. */
function pageMarkdown(i: Incident): string[] {
  return [...i.sections.map((s) => s.markdown), ...(i.customer_summary ? [i.customer_summary] : [])].filter((m) => m.trim() !== '');
}

/** Section HTML from the results of the page's tasks (rendered here if missing). */
function sectionHtmlFrom(markdown: readonly string[], html: readonly string[]) {
  const known = new Map(markdown.map((m, n) => [m, html[n]]));
  return (md: string) => sanitizedHtml(known.get(md) ?? markdownToHtml(md, 'internal'));
}

function phaseBarSvg(i: Incident) {
  const phases = phasesOf(i);
  return phases.length
    ? sanitizedHtml(phaseBar({ phases }, { title: 'Phases of the incident, to scale', id: `phases-${i.id}`, format: compactDuration }))
    : '';
}

/**
 * What every page depends on: the templates and assets, the config and the tool version.
 * Cheap (a few small files), so a build can tell whether a quick build is possible.
 */
export function siteBase(root: string, config: object): { base: string; templateFiles: Map<string, string> } {
  const templateFiles = siteTemplateFiles(root);
  const templatesDigest = hash(...[...templateFiles].map(([name, file]) => `${name}\u0000${readFileSync(file, 'utf8')}`));
  return { base: hash(SITE_FORMAT, TOOL_VERSION, templatesDigest, JSON.stringify(config)), templateFiles };
}

/**
 * A quick build, when no incident's summary changed since the last build (only write-ups,
 * or files moved): the pages of these incidents and their search shards are the only ones
 * whose inputs can have changed. `data` then holds only these incidents and their neighbours.
 */
export interface QuickScope {
  incidents: readonly string[];
  /** Every valid incident, by id, with its file's content digest (for the search shards). */
  all: readonly (readonly [id: string, digest: string])[];
}

/** Every page and asset of the site with the digest of its inputs (only the pages of the scope, for a quick build). */
function sitePages(root: string, data: SiteData, quick?: QuickScope): Page[] {
  const renderer = () => (r ??= new Renderer(root, data));
  let r: Renderer | undefined;
  const { base, templateFiles } = siteBase(root, data.config);
  const pages: Page[] = [];
  // assets: copied as they are
  if (!quick) {
    for (const [name, file] of templateFiles) {
      if (!name.startsWith('assets/')) continue;
      pages.push({ path: name, digest: hash(base, name), render: () => readFileSync(file) });
    }
    const minisearch = readFileSync(MINISEARCH_UMD);
    pages.push({ path: 'assets/minisearch.js', digest: hash(base, minisearch.toString('utf8')), render: () => minisearch });
    pages.push({ path: 'assets/search/options.js', digest: hash(base, 'options'), render: searchOptionsScript });
  }

  // the search index, in shards; a shard's members in id order
  const all = quick?.all ?? [...data.incidents].sort((a, b) => (a.id < b.id ? -1 : 1)).map((i) => [i.id, i.digest] as const);
  const shards = shardCount(all.length);
  const shardMembers: (readonly [string, string])[][] = Array.from({ length: shards }, () => []);
  for (const m of all) shardMembers[shardOf(m[0], shards)]!.push(m);
  const wanted = quick ? new Set(quick.incidents.map((id) => shardOf(id, shards))) : undefined;
  const shardPaths = shardMembers.map((members, n) => {
    const path = shardPath(n);
    if (wanted && !wanted.has(n)) return path;
    const ids = members.map(([id]) => id);
    pages.push({
      path, digest: hash(base, String(shards), ...members.map(([, digest]) => digest)), needs: ids,
      tasks: (full) => [{ kind: 'shard', documents: ids.map((id) => searchDocument(full(id))) }],
      render: (_full, [script]) => script!,
    });
    return path;
  });
  const incidentPageOf = (i: SiteIncident) => {
    const path = incidentPath(i.id);
    const overdue = i.remediations.map((x) => (isOverdue(x, data.todayText) ? '1' : '0')).join('');
    pages.push({
      // the page shows the file's path too: a moved file is a changed page
      path, digest: hash(base, i.digest, i.file, incidentPageNeighbours(data, i), overdue), needs: [i.id],
      tasks: (full) => pageMarkdown(full(i.id)).map((markdown) => ({ kind: 'markdown', markdown })),
      render: (full, html) => {
        const incident = full(i.id);
        const sectionHtml = sectionHtmlFrom(pageMarkdown(incident), html);
        return renderer().page(path, 'incident.hbs', { ...incidentPage(data, incident, sectionHtml), phaseBar: phaseBarSvg(incident) }, { title: i.title, nav: 'none' });
      },
    });
  };
  if (quick) {
    for (const id of quick.incidents) incidentPageOf(data.byId.get(id)!);
    return pages;
  }
  // Pages over many incidents show only their summaries (no body, no timeline): an edit to
  // an incident's write-up leaves them alone.
  const summaryDigests = new Map(data.incidents.map((i) => [i.id, data.summaryDigests?.get(i.id) ?? summaryDigest(i)]));
  const everything = hash(base, data.today.toString(), ...data.incidents.map((i) => summaryDigests.get(i.id)!));
  // The trends and the two lists show fewer fields than the other pages over all incidents
  // (no titles, summaries or people): editing those leaves them alone.
  const ms = (t: { epochMilliseconds: number } | undefined) => (t === undefined ? '' : String(t.epochMilliseconds));
  const trendsDigest = hash(base, data.today.toString(), ...data.incidents.map((i) => [
    ms(i.started), ms(i.detected), ms(i.mitigated), ms(i.resolved), i.severity, i.root_cause.category, i.services.join('\u0001'),
    ...i.remediations.map((r) => `${r.owner}\u0001${r.status}\u0001${r.due ?? ''}`),
  ].join('\u0000')));
  const servicesDigest = hash(base, ...data.incidents.map((i) => i.services.join('\u0001')));
  const categoriesDigest = hash(base, ...data.incidents.map((i) => i.root_cause.category));

  pages.push({
    path: SITE_PATHS.index, digest: everything,
    render: () => renderer().page(SITE_PATHS.index, 'index.hbs', indexPage(data), {
      title: 'Incidents', nav: 'index',
      scripts: ['assets/minisearch.js', 'assets/search/options.js', ...shardPaths, 'assets/site.js'],
    }),
  });
  pages.push({
    path: SITE_PATHS.trends, digest: trendsDigest,
    render: () => renderer().page(SITE_PATHS.trends, 'trends.hbs', trendsPage(data), { title: 'Trends', nav: 'trends' }),
  });
  pages.push({
    path: SITE_PATHS.actions, digest: everything,
    render: () => renderer().page(SITE_PATHS.actions, 'actions.hbs', actionsPage(data), { title: 'Action items by owner', nav: 'actions' }),
  });
  pages.push({
    path: SITE_PATHS.owners, digest: everything,
    render: () => renderer().page(SITE_PATHS.owners, 'owners.hbs', ownersPage(data), { title: 'Owners', nav: 'owners' }),
  });
  pages.push({
    path: SITE_PATHS.services, digest: servicesDigest,
    render: () => renderer().page(SITE_PATHS.services, 'group-index.hbs', {
      heading: 'Services', intro: 'Incidents by affected service (an incident can affect several).',
      groups: servicesIndexPage(data).services.map((s) => ({ ...s, one: s.count === 1 })),
    }, { title: 'Services', nav: 'services' }),
  });
  pages.push({
    path: SITE_PATHS.categories, digest: categoriesDigest,
    render: () => renderer().page(SITE_PATHS.categories, 'group-index.hbs', {
      heading: 'Root-cause categories', intro: 'Incidents by root-cause category.',
      groups: categoriesIndexPage(data).categories.map((c) => ({ ...c, one: c.count === 1 })),
    }, { title: 'Root-cause categories', nav: 'categories' }),
  });

  const group = (path: string, kind: 'service' | 'category', name: string, members: SiteIncident[]) => {
    pages.push({
      path, digest: hash(base, kind, name, ...members.map((i) => summaryDigests.get(i.id)!)),
      render: () => {
        const model = groupPage(data, name, members);
        return renderer().page(path, 'group.hbs', {
          ...model, one: model.count === 1,
          heading: kind === 'service' ? `Service: ${name}` : `Root cause: ${name}`,
          caption: kind === 'service' ? `Incidents affecting ${name}, newest first` : `Incidents caused by ${name}, newest first`,
          parentHref: kind === 'service' ? SITE_PATHS.services : SITE_PATHS.categories,
          parentLabel: kind === 'service' ? 'All services' : 'All root-cause categories',
        }, { title: kind === 'service' ? `Service ${name}` : `Root cause ${name}`, nav: kind === 'service' ? 'services' : 'categories' });
      },
    });
  };
  // members of every service and category in one pass (newest first, as data.incidents)
  const byService = new Map([...data.serviceSlugs.keys()].map((s) => [s, [] as SiteIncident[]]));
  const byCategory = new Map(data.config.categories.map((c) => [c, [] as SiteIncident[]]));
  for (const i of data.incidents) {
    for (const s of new Set(i.services)) byService.get(s)?.push(i);
    byCategory.get(i.root_cause.category)?.push(i);
  }
  for (const [s, members] of byService) group(servicePath(data, s), 'service', s, members);
  for (const [c, members] of byCategory) group(categoryPath(data, c), 'category', c, members);

  for (const i of data.incidents) incidentPageOf(i);
  return pages;
}

export interface BuildSiteOptions {
  root: string;
  out: string;
  /** Summaries of every incident, and how to load full incidents for the pages rendered again. */
  input: SiteInput & { load(ids: readonly string[]): Incident[] };
}

/** Brings `<out>/site/` up to date with the incidents. */
export async function buildSite(options: BuildSiteOptions): Promise<SiteBuildResult> {
  return (await build(options))!;
}

/**
 * A quick build (see `QuickScope`): `options.input` holds only the incidents of the scope and
 * their neighbours. Undefined, with nothing written, when the site on disk is not the one the
 * previous build left (a page missing, no manifest): then a full build is needed.
 */
export async function buildSiteQuick(options: BuildSiteOptions, quick: QuickScope): Promise<SiteBuildResult | undefined> {
  return build(options, quick);
}

async function build(options: BuildSiteOptions, quick?: QuickScope): Promise<SiteBuildResult | undefined> {
  const siteDir = join(options.out, SITE_DIR);
  const manifestPath = join(siteDir, MANIFEST_FILE);
  const timings = { model: 0, load: 0, render: 0, write: 0 };
  let clock = performance.now();
  const lap = (phase: keyof typeof timings) => {
    const now = performance.now();
    timings[phase] += now - clock;
    clock = now;
  };
  const previous = readManifest(manifestPath);
  const data = siteData(options.input);
  const pages = sitePages(options.root, data, quick);
  // one directory listing instead of a stat per page (10,000 stats cost a tenth of a second)
  const existing = new Set(filesUnder(siteDir).map((f) => relative(siteDir, f).split(sep).join('/')));
  const present = (path: string) => existing.has(path);
  if (quick) {
    const known = Object.keys(previous.pages);
    if (known.length === 0 || !known.every(present) || !pages.every((p) => p.path in previous.pages)) return undefined;
  }
  lap('model');
  const next: Manifest = { format: SITE_FORMAT, pages: {} };
  const written: string[] = [];
  const rendered: string[] = [];
  let unchanged = 0;
  const where = (path: string) => `${SITE_DIR}/${path}`;
  let complete = false;
  try {
    const stale = new Set(pages.filter((page) => previous.pages[page.path] !== page.digest || !present(page.path)));
    const needed = [...new Set([...stale].flatMap((page) => page.needs ?? []))];
    const loaded = new Map(needed.length ? options.input.load(needed).map((i) => [i.id, i]) : []);
    lap('load');
    const full = (id: string) => {
      const incident = loaded.get(id);
      if (!incident) throw new Error(`incident ${id} is in the database but could not be loaded; run the build again`);
      return incident;
    };
    for (const page of pages) {
      if (!stale.has(page)) {
        unchanged++;
        next.pages[page.path] = page.digest;
      }
    }
    // a quick build leaves every other page as it is
    if (quick) unchanged += Object.keys(previous.pages).length - pages.length;
    // In chunks, so a cold build of a big knowledge base never holds every page in memory.
    // The costly part of a chunk (Markdown, search shards) runs in worker threads while this
    // thread fills the templates of the chunk before it.
    const queue = pages.filter((page) => stale.has(page));
    const chunks: Page[][] = [];
    for (let from = 0; from < queue.length; from += CHUNK) chunks.push(queue.slice(from, from + CHUNK));
    // about 8 sections of Markdown per incident page; a shard counts as one task
    const taskCount = queue.reduce((n, page) => n + (!page.tasks ? 0 : page.path.startsWith('incidents/') ? 8 : 1), 0);
    const pool = createTaskPool(taskCount);
    const prepare = async (chunk: Page[]) => {
      const taskPages = chunk.filter((page) => page.tasks).map((page) => ({ page, tasks: page.tasks!(full) }));
      const all = await pool.run(taskPages.flatMap((t) => t.tasks));
      const results = new Map<Page, string[]>();
      let at = 0;
      for (const t of taskPages) {
        results.set(t.page, all.slice(at, at + t.tasks.length));
        at += t.tasks.length;
      }
      return results;
    };
    try {
      let pending = chunks.length ? prepare(chunks[0]!) : undefined;
      for (let k = 0; k < chunks.length; k++) {
        const results = await pending!;
        pending = k + 1 < chunks.length ? prepare(chunks[k + 1]!) : undefined;
        pending?.catch(() => undefined); // awaited on the next round; a failure there is reported then
        lap('render');
        for (const page of chunks[k]!) {
          rendered.push(where(page.path));
          const content = page.render(full, results.get(page) ?? []);
          lap('render');
          if (writeFileAtomic(join(siteDir, page.path), content, { durable: false })) written.push(where(page.path));
          else unchanged++;
          lap('write');
          next.pages[page.path] = page.digest;
        }
      }
    } finally {
      await pool.close();
    }
    complete = true;
  } finally {
    // After a failure, pages not reached keep their old digests (their files are the old ones),
    // so the next build renders exactly what is still out of date.
    // A quick build keeps every other page's digest (and the order of the manifest).
    const inOrder = Object.fromEntries(pages.filter((p) => p.path in next.pages).map((p) => [p.path, next.pages[p.path]!]));
    next.pages = complete && !quick ? inOrder : { ...previous.pages, ...inOrder };
    writeFileAtomic(manifestPath, `${JSON.stringify({ format: SITE_FORMAT, pages: next.pages })}\n`);
  }
  const deleted: string[] = [];
  const root = resolve(siteDir);
  for (const path of Object.keys(previous.pages)) {
    if (path in next.pages) continue;
    const file = resolve(siteDir, path);
    if (!file.startsWith(root + sep)) continue;
    if (existsSync(file)) {
      rmSync(file, { force: true });
      deleted.push(where(path));
    }
  }
  lap('write');
  return { written, rendered, unchanged, deleted, files: quick ? Object.keys(next.pages) : pages.map((p) => p.path), timings };
}
