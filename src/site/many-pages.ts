import { join } from 'node:path';
import { serviceName } from '../format/names.js';
import { SITE_PATHS } from './links.js';
import {
  actionsPage,
  categoriesIndexPage,
  categoryPath,
  MAIN_CAUSE_RULE,
  groupPage,
  incidentRef,
  incidentRow,
  ROW_SERVICES,
  indexPage,
  ownersPage,
  remediationView,
  servicePath,
  servicesIndexPage,
  type SiteData,
} from './model.js';
import type { Rendered } from './page.js';
import { keyPlaces } from './layout-keys.js';
import { assemble, finder, Pieces, previousPage, splice, spliceFile, type Assembled, type OpenFiles, type PreviousPage } from './pieces.js';
import { baseOf, type Renderer } from './renderer.js';
import { hash, type Layout } from './state.js';
import { trendsPage } from './trends.js';
import type { SiteIncident } from './summaries.js';

/** The base of the service and category pages' links (see `row` in `pagesOverMany`). */
const GROUP_BASE = '../';

/** A page over many incidents: `plan` says which incidents' remediations its fresh pieces need. */
export interface ManyPage {
  path: string;
  digest: string;
  plan(): string[];
  render(): Rendered;
}

export interface ManyContext {
  /** The remediation at `k` of an incident whose action items are rendered again (see `ManyPage.plan`). */
  remediation(id: string, k: number): SiteIncident['remediations'][number];
  base: string;
  todayText: string;
  shardPaths: string[];
  renderer(): Renderer;
  siteDir: string;
  /** The recorded layout of a page, when its pieces can be copied (same templates). */
  layout(path: string): Layout | undefined;
  /** Previous files held open from planning a page to writing it (see `spliceFile`). */
  files: OpenFiles;
  /** Whether a piece (a row: an incident id; an item: id/position/overdue) can be copied from the previous files (its incident's brief did not change). */
  reusable(key: string): boolean;
  /** The incidents the owners page shows (`ownersShown`). */
  ownersShown: ArrayLike<number>;
  /** When a few: the incidents whose pieces are not reusable (a piece is, unless its key is one of them or starts with one and `/`). */
  fresh?: readonly string[];
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
export function pagesOverMany(data: SiteData, c: ManyContext): ManyPage[] {
  const f = data.facts;
  // Each page over many incidents depends on what it shows of each incident (see `Brief`):
  // an edit reaches only the pages that show what it changed.
  const indexDigest = hash(c.base, 'index', f.c.rowDigests.text);
  const actionsDigest = hash(c.base, c.todayText, 'actions', f.c.actionDigests.text);
  // the owners page shows the titles of a few incidents only: another title reaches it only when it is one of those
  const ownersTitles = JSON.stringify(Array.from(c.ownersShown, (i) => f.title(i)));
  const ownersDigest = hash(c.base, c.todayText, 'owners', f.c.ownerDigests.text, ownersTitles);
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
  const piecesPage = (
    path: string,
    digest: string,
    build: (pieces: Pieces) => {
      shows: string;
      skeleton: () => string;
      needs: (key: string) => string | undefined;
    },
    known?: { render(key: string): string; needs(key: string): string | undefined },
  ): ManyPage => {
    let planned:
      | {
          pieces: Pieces;
          key: string;
          skeleton: () => string;
          previous: PreviousPage | undefined;
          needs: (key: string) => string | undefined;
        }
      | undefined;
    // When the edit cannot have changed the skeleton or which pieces there are (see
    // `ManyContext.sameRows`), the previous file's layout says both: the model of the page is
    // not even worked out.
    let shortcutRead = false;
    let shortcutPage: { fd: number; layout: Layout } | undefined;
    const shortcut = () => {
      if (!shortcutRead && known) shortcutPage = c.files.open(join(c.siteDir, path), c.layout(path));
      shortcutRead = true;
      return shortcutPage;
    };
    // the places of the shortcut's pieces that are not reusable: found once, for `plan` and `render`
    let freshPlaces: number[] | undefined;
    const freshIn = (layout: Layout) => {
      if (!freshPlaces) {
        const places = c.fresh && keyPlaces(layout.keys, c.fresh);
        if (places) freshPlaces = places;
        else {
          freshPlaces = [];
          // (`forEach`: a loop in a function that runs once stays in the interpreter, its callback does not)
          layout.keys.forEach((key, n) => !reusable(key) && freshPlaces!.push(n));
        }
      }
      return freshPlaces;
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
      path,
      digest,
      plan: () => {
        const previous = shortcut();
        if (previous)
          return freshIn(previous.layout)
            .map((n) => known!.needs(previous.layout.keys[n]!))
            .filter((id): id is string => id !== undefined);
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
          const page = spliceFile(previous, c.files, (key) => ({ key, html: known!.render(key) }), freshIn(previous.layout));
          return { content: page, pieces: { ...page, head: previous.layout.head } };
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
  const renderRow = (i: number, path: string) =>
    c.renderer().piece('incident-row.hbs', {
      ...incidentRow(data, i, path === SITE_PATHS.index ? Infinity : ROW_SERVICES),
      base: baseOf(path),
    });
  /**
   * An incident's row is the same HTML on each service and category page it is on (the same
   * base and ROW_SERVICES): rendered once, kept until the last of those pages has taken it
   * (`groupUses`: the pages it is on, `pagesOf`, less those that took it). A cold build at
   * 10,000 rendered ~28,000 such rows for ~10,000 different ones (1.6 s of the main thread's
   * 4.4 s of list pages, profiled at load ~10).
   */
  const groupRows = new Map<number, string>();
  const groupUses = new Map<number, number>();
  const row = (i: number, path: string) => {
    if (path === SITE_PATHS.index || baseOf(path) !== GROUP_BASE) return renderRow(i, path);
    const left = (groupUses.get(i) ?? pagesOf(i)) - 1;
    let html = groupRows.get(i);
    if (html === undefined) html = renderRow(i, path);
    if (left > 0) groupRows.set(i, html);
    else groupRows.delete(i);
    groupUses.set(i, left);
    return html;
  };
  const rows = (pieces: Pieces, path: string, members: ArrayLike<number>) =>
    pieces.list(
      Array.from(members, (i) => f.id(i)),
      (n) => row(members[n]!, path),
    );
  /** A row or action item by its key (see `item` below), for a page whose pieces the edit did not reorder. */
  const knownRows = (path: string) =>
    c.sameRows
      ? {
          render: (id: string) => row(f.indexOf(id)!, path),
          needs: () => undefined,
        }
      : undefined;
  const item = (id: string, k: number) => {
    const r = c.remediation(id, k);
    return c.renderer().piece('remediation-row.hbs', {
      ...remediationView(data, r),
      incident: incidentRef(data, id),
      showIncident: true,
      base: baseOf(SITE_PATHS.actions),
    });
  };

  const pages: ManyPage[] = [];
  pages.push(
    piecesPage(
      SITE_PATHS.index,
      indexDigest,
      (pieces) => {
        const model = indexPage(data);
        const scripts = ['assets/minisearch.js', 'assets/search/terms.js', 'assets/search/options.js', ...c.shardPaths, 'assets/site.js'];
        const rowsHtml = rows(pieces, SITE_PATHS.index, model.order);
        return {
          shows: JSON.stringify([model.count, model.filters, scripts]),
          skeleton: () =>
            c.renderer().page(SITE_PATHS.index, 'index.hbs', { ...model, rowsHtml }, { title: 'Incidents', nav: 'index', scripts }),
          needs: () => undefined,
        };
      },
      knownRows(SITE_PATHS.index),
    ),
  );
  const whole = (path: string, digest: string, render: () => string): ManyPage => ({
    path,
    digest,
    plan: () => [],
    render: () => ({ content: render() }),
  });
  pages.push(
    whole(SITE_PATHS.trends, trendsDigest, () =>
      c.renderer().page(SITE_PATHS.trends, 'trends.hbs', trendsPage(data), { title: 'Trends', nav: 'trends' }),
    ),
  );
  pages.push(
    piecesPage(
      SITE_PATHS.actions,
      actionsDigest,
      (pieces) => {
        const model = actionsPage(data);
        const owners = model.owners.map((owner) => ({
          ...owner,
          itemsHtml: pieces.list(
            owner.items.map((x) => `${x.id}/${x.k}/${x.overdue ? 1 : 0}`),
            (n) => item(owner.items[n]!.id, owner.items[n]!.k),
          ),
        }));
        return {
          shows: JSON.stringify([
            model.today,
            model.totalOpen,
            model.totalOverdue,
            model.closed,
            owners.map((o) => [o.id, o.name, o.anchor, o.team, o.open, o.overdue]),
          ]),
          skeleton: () =>
            c.renderer().page(SITE_PATHS.actions, 'actions.hbs', { ...model, owners }, { title: 'Action items by owner', nav: 'actions' }),
          needs: (key) => key.slice(0, key.indexOf('/')),
        };
      },
      c.sameItems
        ? {
            render: (key) => {
              const [id, k] = key.split('/') as [string, string];
              return item(id, Number(k));
            },
            needs: (key) => key.slice(0, key.indexOf('/')),
          }
        : undefined,
    ),
  );
  pages.push(
    whole(SITE_PATHS.owners, ownersDigest, () =>
      c.renderer().page(SITE_PATHS.owners, 'owners.hbs', ownersPage(data), { title: 'Owners', nav: 'owners' }),
    ),
  );
  pages.push(
    whole(SITE_PATHS.services, servicesDigest, () =>
      c.renderer().page(
        SITE_PATHS.services,
        'group-index.hbs',
        {
          heading: 'Services',
          intro: 'Incidents by affected service (an incident can affect several).',
          groups: servicesIndexPage(data).services.map((s) => ({ ...s, one: s.count === 1 })),
        },
        { title: 'Services', nav: 'services' },
      ),
    ),
  );
  pages.push(
    whole(SITE_PATHS.categories, categoriesDigest, () =>
      c.renderer().page(
        SITE_PATHS.categories,
        'group-index.hbs',
        {
          heading: 'Root-cause categories',
          intro: MAIN_CAUSE_RULE,
          groups: categoriesIndexPage(data).categories.map((x) => ({ ...x, one: x.count === 1 })),
        },
        { title: 'Root-cause categories', nav: 'categories' },
      ),
    ),
  );

  /** The codes of the services and categories with a page (see `group`). */
  const withPage = { service: new Set<number>(), category: new Set<number>() };
  /**
   * How many service and category pages an incident is on: worked out for an incident whose
   * row is asked for, not counted for every member of every page as the pages are declared
   * (~30,000 map updates at 10,000 in a loop that V8 runs in its interpreter, for an edit that
   * renders the rows of one incident).
   */
  const pagesOf = (i: number) => {
    const { offsets, values } = f.c.services;
    let n = withPage.category.has(f.categoryCode(i)) ? 1 : 0;
    // (each service once, as the pages list an incident)
    for (const s of new Set(values.subarray(offsets[i]!, offsets[i + 1]!))) if (withPage.service.has(s)) n++;
    return n;
  };
  const group = (path: string, kind: 'service' | 'category', name: string, by: Map<number, number[]>) => {
    const code = f.codeOf(name);
    const members = by.get(code) ?? [];
    withPage[kind].add(code);
    pages.push(
      piecesPage(
        path,
        hash(c.base, kind, name, members.map((i) => f.rowDigest(i)).join('\u0000')),
        (pieces) => {
          const model = groupPage(data, name, members);
          const rowsHtml = rows(pieces, path, members);
          return {
            shows: JSON.stringify([kind, model]),
            skeleton: () =>
              c.renderer().page(
                path,
                'group.hbs',
                {
                  ...model,
                  one: model.count === 1,
                  rowsHtml,
                  heading: kind === 'service' ? `Service: ${serviceName(data.config, name)}` : `Root cause: ${name}`,
                  caption:
                    kind === 'service'
                      ? `Incidents affecting ${serviceName(data.config, name)}, newest first`
                      : `Incidents whose main root cause is ${name}, newest first`,
                  parentHref: kind === 'service' ? SITE_PATHS.services : SITE_PATHS.categories,
                  parentLabel: kind === 'service' ? 'All services' : 'All root-cause categories',
                },
                {
                  title: kind === 'service' ? `Service ${name}` : `Root cause ${name}`,
                  nav: kind === 'service' ? 'services' : 'categories',
                },
              ),
            needs: () => undefined,
          };
        },
        knownRows(path),
      ),
    );
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
  for (const s of data.serviceSlugs.keys()) group(servicePath(data, s), 'service', s, byService);
  for (const x of data.config.categories) group(categoryPath(data, x), 'category', x, byCategory);
  return pages;
}
