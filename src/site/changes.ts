import type Database from 'better-sqlite3';
import type { Temporal } from '../model/time.js';
import type { Config } from '../schema/config.js';
import { briefOf, escapeField, type Brief } from './brief.js';
import { Column } from './column.js';
import { LISTING_ROWS_SQL, LISTING_SQL, listingKey, type ListingTexts } from './done.js';
import { type Facts, FactsBuilder } from './facts.js';
import { slugTable } from './links.js';
import { byId, readBuilding, type PreviousManifest } from './manifest.js';
import { incidentLinks, linksUseText, type IncidentLinks } from './similar.js';
import { hash, summaryDigest, type SiteState } from './state.js';
import { readLinkTexts, readSiteIncidents, RemediationsOf, type SiteIncident } from './summaries.js';

/**
 * Phase 1 of a site build (see `build.ts`): what changed since the previous build — which
 * incidents, their summaries and briefs, the facts every page is made from, and the links
 * between incidents.
 */

/** Every valid incident of the database, in id order: its id, file digest and file (escaped, see `escapeField`). */
export interface Listing {
  ids: string[];
  digests: Column;
  files: Column;
  /** The digest of the listing as the database gave it (see `done.ts`). */
  key: string;
}

/**
 * The listing of the database. Read as three texts — a tenth of the time of 10,000 rows —
 * unless a file name holds a character that separates them; the ids are the state's when they
 * are the same. `read`: the listing's texts when already read from `db`, with their key.
 */
export function readListing(db: Database.Database, state: SiteState | undefined, read?: { texts: ListingTexts; key: string }): Listing {
  const texts = read?.texts ?? (db.prepare(LISTING_SQL).raw().get() as ListingTexts);
  const [idsText, digestsText, filesText] = texts;
  const key = read?.key ?? listingKey(texts);
  if (idsText === null) return { ids: [], digests: Column.of([], '\n'), files: Column.of([], '\u0000'), key };
  const ids = state && idsText === state.idsText ? state.ids : idsText.split('\n');
  const digests = new Column(digestsText ?? '', '\n', ids.length);
  // no file moved: the kept column, whose offsets are known (working them out is a loop over 10,000 entries, run once)
  const files =
    state && filesText === state.files.text && state.files.count === ids.length
      ? state.files
      : new Column(filesText ?? '', '\u0000', ids.length);
  // ids are sorted as `<` sorts them (the database's order is bytewise: the same for ids)
  const sorted = ids === state?.ids || ids.every((id, n) => n === 0 || ids[n - 1]! < id);
  if (sorted && digests.valid() && files.valid() && !/[\u0001-\u0005]/.test(files.text)) return { ids, digests, files, key };
  const rows = (db.prepare(LISTING_ROWS_SQL).raw().all() as [string, string, string][]).sort((a, b) => byId(a[0], b[0]));
  return {
    ids: rows.map((r) => r[0]),
    digests: Column.of(
      rows.map((r) => r[1]),
      '\n',
    ),
    files: Column.of(
      rows.map((r) => escapeField(r[2])),
      '\u0000',
    ),
    key,
  };
}

/** Which incidents differ between two listings. */
export interface ListingDiff {
  /** Incidents whose file's content changed, or that are new. */
  contentChanged: string[];
  /** Incidents whose file moved (content the same). */
  moved: string[];
  removed: string[];
  /** The new ones (also in `contentChanged`). */
  added: string[];
}

/** The incidents of `listing` that differ from `before` (the previous build's; none: every incident is new). Both sorted by id. */
export function diffListing(before: Omit<Listing, 'key'> | undefined, listing: Omit<Listing, 'key'>): ListingDiff {
  const { ids } = listing;
  const d: ListingDiff = { contentChanged: [], moved: [], removed: [], added: [] };
  if (!before) {
    d.contentChanged.push(...ids);
    d.added.push(...ids);
  } else if (ids === before.ids) {
    // the same incidents: compare where the texts differ
    const edited = before.digests.differences(listing.digests);
    const edits = new Set(edited);
    for (const k of edited) d.contentChanged.push(ids[k]!);
    for (const k of before.files.differences(listing.files)) if (!edits.has(k)) d.moved.push(ids[k]!);
  } else {
    let k = 0;
    ids.forEach((id, n) => {
      while (k < before.ids.length && before.ids[k]! < id) d.removed.push(before.ids[k++]!);
      if (k < before.ids.length && before.ids[k] === id) {
        if (!before.digests.equals(k, listing.digests.get(n))) d.contentChanged.push(id);
        else if (!before.files.equals(k, listing.files.get(n))) d.moved.push(id);
        k++;
      } else {
        d.contentChanged.push(id);
        d.added.push(id);
      }
    });
    while (k < before.ids.length) d.removed.push(before.ids[k++]!);
  }
  return d;
}

export interface ChangesInput {
  db: Database.Database;
  config: Config;
  today: Temporal.PlainDate;
  siteDir: string;
  /** What every page depends on but the services (see `siteBase`). */
  templatesAndConfig: string;
  previous: PreviousManifest;
  state: SiteState | undefined;
  listing: Listing;
}

/** What changed since the previous build, and the facts of this one. */
export interface Changes extends ListingDiff {
  previous: PreviousManifest;
  state: SiteState | undefined;
  listing: Listing;
  ids: string[];
  /**
   * The remediations of the summaries read from the database (those of the incidents whose file
   * changed; all of them from scratch): what the action items page shows of them. Only these are
   * kept of the summaries (10,000 whole summaries are ~38 MB), and only until the pages over many
   * incidents are rendered (`stalePages` empties the map then).
   */
  freshRemediations: RemediationsOf;
  freshSummary: Map<string, string>;
  /** Incidents whose summary changed (or that are new). */
  summaryChanged: string[];
  /** The briefs worked out again (those whose summary changed), as `facts` holds them. */
  freshBrief: ReadonlyMap<string, Brief>;
  /** The brief the previous build kept. */
  oldBrief(id: string): Brief | undefined;
  /** Whether the incidents are the same ones as before (by position). */
  aligned: boolean;
  /** The previous build's position of an incident at position `n`. */
  before(id: string, n: number): number;
  facts: Facts;
  summaries: Column;
  /** Whether the links between incidents must be worked out again (categories, services, start times, texts or the incidents changed). */
  structureChanged: boolean;
  /** Every service named by an incident. */
  serviceNames: string[];
  /** What every page depends on: templates, config, tool version and the services' slugs. */
  base: string;
  sameBase: boolean;
  todayText: string;
  sameToday: boolean;
  /** Pages an earlier build was writing when it stopped. */
  building: Set<string>;
}

/** Phase 1: what changed (the database read only for the incidents whose file changed). */
export function whatChanged(c: ChangesInput): Changes {
  const { state, listing } = c;
  const { ids } = listing;
  const diff = diffListing(state, listing);
  const { contentChanged, removed, added } = diff;
  // a brief is worked out from the summary: only those whose summary changed are new
  const freshSummary = new Map<string, string>();
  const freshBrief = new Map<string, Brief>();
  const freshRemediations = new RemediationsOf();
  for (const i of summariesOf(c.db, contentChanged)) {
    const digest = summaryDigest(i);
    freshSummary.set(i.id, digest);
    const n = state?.indexOf(i.id);
    if (n === undefined || !state!.summaries.equals(n, digest)) freshBrief.set(i.id, briefOf(i));
    freshRemediations.set(i.id, i.remediations);
  }
  // (a loop, not a closure: one over `freshBrief` would keep every brief, ~19 MB from scratch, in
  // this function's context, which `oldBrief` and `before` keep to the end of the build)
  const summaryChanged: string[] = [];
  for (const id of contentChanged) if (freshBrief.has(id)) summaryChanged.push(id);
  const oldBrief = (id: string): Brief | undefined => {
    const n = state?.indexOf(id);
    return n === undefined ? undefined : state!.brief(n);
  };
  const aligned = state !== undefined && added.length === 0 && removed.length === 0;
  const before = (id: string, n: number) => (aligned ? n : state!.indexOf(id)!);
  const facts = factsOf(state, ids, freshBrief, removed.length > 0, aligned, before);
  // from here the briefs are read from the facts: kept as objects, 10,000 of them are ~16 MB held to the end of a build from scratch
  const briefs = new BriefsOf(facts, summaryChanged);
  const summaries = aligned
    ? state.summaries.with(new Map([...freshSummary].map(([id, d]) => [state.indexOf(id)!, d])))
    : Column.of(
        ids.map((id, n) => freshSummary.get(id) ?? state!.summaries.get(before(id, n))),
        '\n',
      );
  const structureChanged =
    !state ||
    added.length > 0 ||
    removed.length > 0 ||
    summaryChanged.some((id) => {
      const a = oldBrief(id)!;
      const b = briefs.get(id)!;
      return (
        a.category !== b.category ||
        a.started !== b.started ||
        a.services.join('\u0001') !== b.services.join('\u0001') ||
        (state.linksUseText && a.textDigest !== b.textDigest)
      );
    });
  // every service named by an incident: the same as before unless an incident's services changed
  const serviceNames = state && !structureChanged ? state.services : servicesOf(facts);
  // a new service can move another's slug, which every page linking to it shows
  const base = hash(c.templatesAndConfig, JSON.stringify([...slugTable([...c.config.services, ...serviceNames])]));
  const todayText = c.today.toString();
  return {
    ...diff,
    previous: c.previous,
    state,
    listing,
    ids,
    freshRemediations,
    freshSummary,
    summaryChanged,
    freshBrief: briefs,
    oldBrief,
    aligned,
    before,
    facts,
    summaries,
    structureChanged,
    serviceNames,
    base,
    sameBase: state?.base === base,
    todayText,
    sameToday: state?.today === todayText,
    building: readBuilding(c.siteDir),
  };
}

/** Incidents' summaries read at a time: all 10,000 at once are ~38 MB more in the heap while the site is planned. */
const SUMMARY_PAGE = 1000;

/** The summaries of these incidents (sorted by id), read from the database a page of them at a time. */
function* summariesOf(db: Database.Database, ids: readonly string[]): Generator<SiteIncident> {
  for (let at = 0; at < ids.length; at += SUMMARY_PAGE) yield* readSiteIncidents(db, ids.slice(at, at + SUMMARY_PAGE));
}

/** The briefs of some incidents, made from `facts` when read. */
class BriefsOf implements ReadonlyMap<string, Brief> {
  private readonly ids: ReadonlySet<string>;
  constructor(
    private readonly facts: Facts,
    ids: readonly string[],
  ) {
    this.ids = new Set(ids);
  }
  get size(): number {
    return this.ids.size;
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  get(id: string): Brief | undefined {
    return this.ids.has(id) ? this.facts.brief(this.facts.indexOf(id)!) : undefined;
  }
  keys(): MapIterator<string> {
    return this.ids.values();
  }
  *entries(): MapIterator<[string, Brief]> {
    for (const id of this.ids) yield [id, this.get(id)!];
  }
  *values(): MapIterator<Brief> {
    for (const id of this.ids) yield this.get(id)!;
  }
  [Symbol.iterator](): MapIterator<[string, Brief]> {
    return this.entries();
  }
  forEach(f: (brief: Brief, id: string, map: ReadonlyMap<string, Brief>) => void): void {
    for (const [id, brief] of this) f(brief, id, this);
  }
}

/** The facts of this build: the previous ones, patched in place when the same incidents are there, else built again. */
function factsOf(
  state: SiteState | undefined,
  ids: readonly string[],
  freshBrief: ReadonlyMap<string, Brief>,
  removed: boolean,
  aligned: boolean,
  before: (id: string, n: number) => number,
): Facts {
  if (state && freshBrief.size === 0 && !removed) return state.facts;
  if (state && aligned) {
    // the usual edit: the same incidents, a few briefs changed in place (and, when no start
    // time changed, the same display order)
    const facts = state.factsWith(new Map([...freshBrief].map(([id, b]) => [state.indexOf(id)!, b])));
    if (facts) {
      if ([...freshBrief].every(([id, b]) => state.started(state.indexOf(id)!) === b.started)) facts.keepOrder(state.knownOrder());
      return facts;
    }
  }
  const builder = new FactsBuilder(state?.facts, ids.length);
  ids.forEach((id, n) => {
    const b = freshBrief.get(id);
    if (b) builder.add(b);
    else builder.copy(before(id, n));
  });
  return builder.build();
}

function servicesOf(facts: Facts): string[] {
  const codes = new Set<number>();
  for (let i = 0; i < facts.n; i++) for (const code of facts.codes('services', i)) codes.add(code);
  return [...new Set([...codes].map((code) => facts.value(code)))].sort();
}

/** The links between incidents (related, related by, similar) after the changes. */
export interface LinkChanges {
  /** All of them, when worked out again. */
  all: Map<string, IncidentLinks> | undefined;
  /** Some of them, when updated in place. */
  updated: Map<string, IncidentLinks>;
  /** Whether any incident's similar ones were found by text. */
  useText: boolean;
  of(id: string): IncidentLinks;
}

/** The links: worked out again when the structure changed, else only the changed `related` lists' ends updated. */
export function linkChanges(c: Changes, db: Database.Database): LinkChanges {
  const { state, facts } = c;
  if (c.structureChanged || !state) {
    // only the fields the links are found from: whole briefs of 10,000 incidents were 0.26 s of
    // a cold build's main thread (profiled at load ~10), most of it the fields not read here
    const all = incidentLinks(
      Array.from({ length: facts.n }, (_, i) => ({
        id: facts.id(i),
        related: facts.list('related', i),
        services: facts.list('services', i),
        category: facts.category(i),
        started: facts.started(i),
      })),
      () => readLinkTexts(db),
    );
    return { all, updated: new Map(), useText: linksUseText(all.values()), of: (id) => all.get(id)! };
  }
  const updated = relatedUpdates(
    c.summaryChanged.map((id) => [id, c.oldBrief(id)!.related, c.freshBrief.get(id)!.related]),
    (id) => state.linksOf(id),
  );
  return { all: undefined, updated, useText: state.linksUseText, of: (id) => updated.get(id) ?? state.linksOf(id)! };
}

/**
 * The links that change when incidents' `related` lists change (`[id, before, after]`): both
 * ends of every link added or removed. `known` gives an incident's links as they were
 * (undefined for an incident that does not exist: links to it are ignored).
 */
export function relatedUpdates(
  changes: Iterable<readonly [string, readonly string[], readonly string[]]>,
  known: (id: string) => IncidentLinks | undefined,
): Map<string, IncidentLinks> {
  const updated = new Map<string, IncidentLinks>();
  for (const [id, before, after] of changes) {
    if (before.join(' ') === after.join(' ')) continue;
    const mine = updated.get(id) ?? known(id)!;
    updated.set(id, { ...mine, related: [...new Set(after)] });
    const was = new Set(before);
    const is = new Set(after);
    for (const target of new Set([...was, ...is])) {
      if (target === id || was.has(target) === is.has(target) || known(target) === undefined) continue;
      const theirs = updated.get(target) ?? known(target)!;
      const relatedBy = theirs.relatedBy.filter((x) => x !== id);
      if (is.has(target)) relatedBy.push(id);
      updated.set(target, { ...theirs, relatedBy: relatedBy.sort(byId) });
    }
  }
  return updated;
}
