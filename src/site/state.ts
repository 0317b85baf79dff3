import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { hash } from './base.js';
import { replaceFile } from './pieces.js';
import { escapeField, unescapeFields, type Brief } from './brief.js';
import { type Column, columnOf as column, keptColumn as kept, type Kept } from './column.js';
import { Facts, FactsBuilder, type FactColumns } from './facts.js';
import { type KeptLayout, Layouts } from './layouts.js';
import type { IncidentLinks } from './similar.js';
import type { SiteIncident } from './summaries.js';

/**
 * What the previous site build saw, kept in `<out>/site/.state` so that a build after an edit
 * reads from the database only the incidents whose file changed, and renders only the pages
 * (and the parts of pages) whose inputs changed:
 *
 * - per incident: its file's content digest and path, its *summary digest* (see
 *   `summaryDigest`), its brief (`brief.ts`: what pages over many incidents show of it, kept
 *   as columns, see `facts.ts`) and its links to other incidents;
 * - the templates-and-config digest and the evaluation date the pages were built with;
 * - the *layout* of pages built from pieces (`pieces.ts`): where each piece — an index row, an
 *   action item, a section's HTML — lies in the page's file, and which file that was (inode,
 *   size, modification time), so that the next build copies the pieces whose inputs did not
 *   change from the file instead of rendering them again. Most of the bytes, so kept in parts
 *   of their own (`layouts.ts`), read only for the pages rendered again; the state names the
 *   parts it goes with, and its delta holds the incident pages' layouts changed since their
 *   parts were written.
 *
 * Written (with `v8.serialize`, a few big strings and typed arrays: a few milliseconds either
 * way) only when a build completes. After a build that changed a few incidents and pages, only
 * those are written, to `.state-delta` (the whole state, 7 MB on the benchmark, costs tens of
 * milliseconds to write); once the delta holds more than `DELTA_INCIDENTS` incidents, the whole state
 * is written again (and the delta's layouts into their parts). `site-state-14`: the delta holds
 * layouts; an older state is not read (the build works everything out from the database). The header's `ownersShown` is newer than the format: a state without it (written by an earlier version of this format) is read as one that does not know them. A build that fails half-way leaves the previous state:
 * the next build finds the same changes again, and a page file that build rewrote no longer
 * matches its recorded layout, so nothing is copied from it. Thrown away when its format, the
 * tool version, the database schema or the config change (the database records the last three).
 */
const STATE_FILE = '.state';
const DELTA_FILE = '.state-delta';
const STATE_FORMAT = 'site-state-14';
/**
 * A delta holds at most this many incidents; beyond, the whole state is written (and the delta's
 * layouts into their parts). Each build after an edit reads and writes the delta whole, and the
 * build that folds it writes the 7 MB state: 16 against 64 was −10.6 ms of a title edit's main
 * thread at 10,000 incidents, on average over a run of edits (2 × 128 alternating pairs, the
 * sides swapped; docs/performance.md, fifteenth round).
 */
export const DELTA_INCIDENTS = 16;
/** Files of earlier versions of the site build, deleted when found. */
const OLD_FILES = ['.state.json', '.summaries.json'];

export { hash } from './base.js';
export type { Layout } from './layouts.js';

/**
 * A digest of what pages over many incidents and links between incidents read of one incident:
 * every field of its summary (the file path and content digest aside). Written out field by
 * field — JSON.stringify with a replacer costs ten times as much on 10,000 incidents.
 */
export function summaryDigest(i: SiteIncident): string {
  const ms = (t: number | undefined) => (t === undefined ? '' : String(t));
  const list = (l: readonly string[]) => l.join('\u0001');
  return hash(
    [
      i.id,
      i.title,
      i.status,
      i.severity,
      list(i.services),
      list(i.locations),
      i.provider ?? '',
      ms(i.started),
      ms(i.detected),
      ms(i.mitigated),
      ms(i.resolved),
      String(i.minutes.toDetect),
      String(i.minutes.toMitigate),
      String(i.minutes.toResolve),
      String(i.minutes.impact),
      i.impact.summary,
      list(i.impact.symptoms),
      String(i.impact.customers_affected ?? ''),
      String(i.impact.percent_resolved_at_mitigation ?? ''),
      i.root_cause.category,
      i.root_cause.summary,
      ...i.remediations.map((r) => list([r.id, r.action, r.type, r.owner, r.due ?? '', r.status, r.ticket ?? '', String(r.public)])),
      i.owners.commander ?? '',
      list(i.owners.authors),
      list(i.owners.reviewers),
      list(i.related),
      list(i.tags),
    ].join('\u0000'),
  );
}

export function encodeLinks(l: IncidentLinks): string {
  return `${l.related.join('\u0002')}\u0001${l.relatedBy.join('\u0002')}\u0001${l.similar.join('\u0002')}\u0001${l.similarBy}`;
}

export function decodeLinks(line: string): IncidentLinks {
  const [related, relatedBy, similar, similarBy] = line.split('\u0001') as [string, string, string, IncidentLinks['similarBy']];
  const ids = (s: string) => (s === '' ? [] : s.split('\u0002'));
  return { related: ids(related), relatedBy: ids(relatedBy), similar: ids(similar), similarBy };
}

/** What every build writes anew. */
interface Header {
  base: string;
  today: string;
  /** Digest of the manifest the build wrote (see `build.ts`). */
  manifest: string;
  /** Modification times of the site's folders when the build ended: a folder that kept its time lost no page. */
  folders: [string, number][];
  linksUseText: boolean;
  /** Every service named by an incident (escaped, separated by \u0000). */
  services: string;
  /** The parts of the layouts this state goes with, and the token each was written with (see `layouts.ts`). */
  layoutParts: [part: string, token: string][];
  /**
   * The positions of the incidents the owners page shows (`ownersShown` in `model.ts`), when
   * worked out; absent from the headers of earlier versions (then not known: worked out again,
   * and that state's other parts used as before, not thrown away with every kept layout).
   */
  ownersShown?: Uint32Array | null;
}

/** The incidents that changed since the whole state was written (same incidents). */
interface DeltaFile {
  format: string;
  key: string;
  /** The whole state's `generation`. */
  generation: string;
  header: Header;
  /** Position, file digest, file, summary digest, brief, links (see `encodeLinks`). */
  incidents: [number, string, string, string, Brief, string][];
  order: Uint32Array | null;
  /** Incident pages' layouts changed since their parts were written (see `layouts.ts`). */
  layouts: [path: string, layout: KeptLayout | null][];
}

interface StateFile extends Header {
  format: string;
  key: string;
  /** Names this whole state (a delta names the state it goes with). */
  generation: string;
  /** By id; one entry per line (ids have no line breaks). */
  ids: string;
  /** File digests and summary digests, one per line. */
  digests: Kept;
  summaries: Kept;
  /** Escaped, separated by \u0000. */
  files: Kept;
  /** Links (see `encodeLinks`), separated by \u0000. */
  links: Kept;
  /** The briefs' columns (see `facts.ts`): the dictionary without its first entry (''), escaped and separated by \u0000. */
  dict: string;
  titles: Kept;
  textDigests: Kept;
  trendDigests: Kept;
  groupDigests: Kept;
  rowDigests: Kept;
  actionDigests: Kept;
  ownerDigests: Kept;
  scalars: Uint32Array;
  times: Float64Array;
  serviceMinutes: Float64Array;
  lists: Uint32Array[];
  /** Display order of the incidents (see `Facts.order`), when it was worked out. */
  order: Uint32Array | null;
}

const split = (s: string, separator: string) => (s === '' ? [] : s.split(separator));

const LISTS = ['services', 'authors', 'reviewers', 'related', 'remediations'] as const;

/** The previous build's state, decoded lazily (a quick build reads a handful of its entries). */
export class SiteState {
  readonly ids: string[];
  /** The ids, one per line, as kept. */
  readonly idsText: string;
  readonly digests: Column;
  readonly summaries: Column;
  readonly files: Column;
  readonly links: Column;
  /** The whole state's facts; the delta's briefs are patched in when `facts` is first read, or with an edit's (`factsWith`). */
  private readonly keptFacts: Facts;
  private readonly deltaBriefs: ReadonlyMap<number, Brief> | undefined;
  private readonly deltaOrder: Uint32Array | undefined;
  private patched?: Facts;
  readonly layouts: Layouts;
  readonly folders: Map<string, number>;
  private readonly header: Header;
  private servicesCache?: string[];
  /** What the delta holds (see `saveState`). */
  readonly delta: { generation: string; incidents: Set<number> };

  constructor(siteDir: string, file: StateFile, delta: DeltaFile | undefined) {
    this.idsText = file.ids;
    this.ids = split(file.ids, '\n');
    const lists = Object.fromEntries(LISTS.map((name, n) => [name, { offsets: file.lists[2 * n]!, values: file.lists[2 * n + 1]! }]));
    const facts = new Facts({
      ids: this.ids,
      dict: ['', ...unescapeFields(file.dict, '\u0000')],
      titles: column(file.titles, '\u0000'),
      textDigests: column(file.textDigests, '\n'),
      trendDigests: column(file.trendDigests, '\n'),
      groupDigests: column(file.groupDigests, '\n'),
      rowDigests: column(file.rowDigests, '\n'),
      actionDigests: column(file.actionDigests, '\n'),
      ownerDigests: column(file.ownerDigests, '\n'),
      scalars: file.scalars,
      times: file.times,
      serviceMinutes: file.serviceMinutes,
      ...lists,
    } as unknown as FactColumns).keepOrder(file.order ?? undefined);
    let digests = column(file.digests, '\n');
    let files = column(file.files, '\u0000');
    let summaries = column(file.summaries, '\n');
    let links = column(file.links, '\u0000');
    this.header = file;
    this.delta = { generation: file.generation, incidents: new Set() };
    if (delta) {
      const at = (k: number) => new Map(delta.incidents.map((e) => [e[0], e[k] as string]));
      digests = digests.with(at(1));
      files = files.with(at(2));
      summaries = summaries.with(at(3));
      links = links.with(at(5));
      this.deltaBriefs = new Map(delta.incidents.map((e) => [e[0], e[4]]));
      this.deltaOrder = delta.order ?? undefined;
      this.header = delta.header;
      for (const e of delta.incidents) this.delta.incidents.add(e[0]);
    }
    this.keptFacts = facts;
    this.layouts = Layouts.kept({ siteDir, format: STATE_FORMAT, key: file.key }, new Map(this.header.layoutParts), delta?.layouts);
    this.digests = digests;
    this.files = files;
    this.summaries = summaries;
    this.links = links;
    this.folders = new Map(this.header.folders);
  }

  get base(): string {
    return this.header.base;
  }
  get today(): string {
    return this.header.today;
  }
  get linksUseText(): boolean {
    return this.header.linksUseText;
  }

  /** The incidents the owners page showed (see `ownersShown` in `model.ts`), when known. */
  get ownersShown(): Uint32Array | undefined {
    return this.header.ownersShown ?? undefined;
  }

  get services(): string[] {
    return (this.servicesCache ??= unescapeFields(this.header.services, '\u0000'));
  }

  /** The facts the previous build saw (its briefs: the whole state's with the delta's). */
  get facts(): Facts {
    this.patched ??= this.deltaBriefs ? withBriefs(this.keptFacts, this.deltaBriefs).keepOrder(this.deltaOrder) : this.keptFacts;
    return this.patched;
  }

  /**
   * The previous facts with `changes` (by position): with a delta not yet patched in, the delta's
   * briefs and these in one patch (10,000 incidents' columns copied once, not twice); undefined
   * when they cannot be patched in place (see `Facts.with`).
   */
  factsWith(changes: ReadonlyMap<number, Brief>): Facts | undefined {
    const once = !this.patched && this.deltaBriefs ? this.keptFacts.with(new Map([...this.deltaBriefs, ...changes])) : undefined;
    return once ?? this.facts.with(changes);
  }

  /** The previous build's brief of incident `n` (the delta's, when it holds `n`). */
  brief(n: number): Brief {
    return this.patched?.brief(n) ?? this.deltaBriefs?.get(n) ?? this.keptFacts.brief(n);
  }

  /** The previous start time of incident `n`. */
  started(n: number): number {
    return this.brief(n).started;
  }

  /** The previous display order, if worked out (see `Facts.knownOrder`). */
  knownOrder(): Uint32Array | undefined {
    if (this.patched || !this.deltaBriefs) return this.facts.knownOrder();
    return this.deltaOrder?.length === this.ids.length ? this.deltaOrder : undefined;
  }

  indexOf(id: string): number | undefined {
    return this.keptFacts.indexOf(id);
  }

  linksOf(id: string): IncidentLinks | undefined {
    const n = this.keptFacts.indexOf(id);
    return n === undefined ? undefined : decodeLinks(this.links.get(n));
  }

  static load(siteDir: string, key: string, manifest: string): SiteState | undefined {
    for (const old of OLD_FILES) rmSync(join(siteDir, old), { force: true });
    try {
      const file = deserialize(readFileSync(join(siteDir, STATE_FILE))) as StateFile;
      if (file.format !== STATE_FORMAT || file.key !== key) return undefined;
      let delta: DeltaFile | undefined;
      try {
        delta = deserialize(readFileSync(join(siteDir, DELTA_FILE))) as DeltaFile;
        if (delta.format !== STATE_FORMAT || delta.key !== key || delta.generation !== file.generation || !Array.isArray(delta.layouts))
          delta = undefined;
      } catch {
        // none (or damaged: then the whole state does not go with the manifest, below)
      }
      const state = new SiteState(siteDir, file, delta);
      if (state.header.manifest !== manifest || manifest === '') return undefined;
      const n = state.ids.length;
      const f = state.keptFacts.c;
      const columns = [
        state.digests,
        state.summaries,
        state.files,
        state.links,
        f.titles,
        f.textDigests,
        f.trendDigests,
        f.groupDigests,
        f.rowDigests,
        f.actionDigests,
        f.ownerDigests,
      ];
      if (
        columns.some((c) => c.count !== n || !c.valid()) ||
        f.times.length !== 4 * n ||
        f.serviceMinutes.length !== f.services.values.length ||
        !shownIn(state.header.ownersShown, n) ||
        LISTS.some((l) => f[l].offsets.length !== n + 1)
      )
        return undefined;
      return state;
    } catch {
      // missing or damaged: the build works everything out from the database
      return undefined;
    }
  }
}

/** Whether the incidents the owners page shows are not known (not worked out, or an earlier header) or positions of `n` incidents, in order. */
const shownIn = (shown: unknown, n: number) =>
  shown === null || shown === undefined || (shown instanceof Uint32Array && shown.every((i, k) => i < n && (k === 0 || shown[k - 1]! < i)));

/** Facts with some incidents' briefs replaced (by position). */
function withBriefs(facts: Facts, changes: ReadonlyMap<number, Brief>): Facts {
  const patched = facts.with(changes);
  if (patched) return patched;
  const builder = new FactsBuilder(facts, facts.n);
  for (let i = 0; i < facts.n; i++) {
    const b = changes.get(i);
    if (b) builder.add(b);
    else builder.copy(i);
  }
  return builder.build();
}

export interface NewState {
  key: string;
  base: string;
  today: string;
  manifest: string;
  folders: ReadonlyMap<string, number>;
  /** Sorted by id, with the rest in the same order. */
  ids: readonly string[];
  /** One per line. */
  digests: Column;
  summaries: Column;
  /** Escaped, separated by \u0000. */
  files: Column;
  /** Separated by \u0000. */
  links: Column;
  facts: Facts;
  linksUseText: boolean;
  services: readonly string[];
  layouts: Layouts;
  ownersShown: Uint32Array | undefined;
}

/**
 * Keeps what a build saw. `changes` says what changed since `previous`, when its incidents are
 * the same ones (by position): then, while few changed, only those are written (a delta). The
 * layouts' parts that changed are written first, each the state names (`layouts.ts`).
 */
export function saveState(siteDir: string, s: NewState, previous?: SiteState, changes?: { incidents: Iterable<number> }): void {
  const incidents =
    previous && changes && previous.ids.length === s.ids.length ? new Set([...previous.delta.incidents, ...changes.incidents]) : undefined;
  const asDelta = previous !== undefined && incidents !== undefined && incidents.size <= DELTA_INCIDENTS;
  const layouts = s.layouts.save(siteDir, STATE_FORMAT, s.key, !asDelta);
  const header: Header = {
    base: s.base,
    today: s.today,
    manifest: s.manifest,
    folders: [...s.folders],
    linksUseText: s.linksUseText,
    services: s.services.map(escapeField).join('\u0000'),
    layoutParts: layouts.parts,
    ownersShown: s.ownersShown ?? null,
  };
  if (asDelta) {
    const delta: DeltaFile = {
      format: STATE_FORMAT,
      key: s.key,
      generation: previous.delta.generation,
      header,
      incidents: [...incidents]
        .sort((a, b) => a - b)
        .map((n) => [n, s.digests.get(n), s.files.get(n), s.summaries.get(n), s.facts.brief(n), s.links.get(n)]),
      order: s.facts.knownOrder() ?? null,
      layouts: layouts.delta,
    };
    replaceFile(join(siteDir, DELTA_FILE), serialize(delta));
    return;
  }
  const file: StateFile = {
    format: STATE_FORMAT,
    key: s.key,
    generation: randomBytes(8).toString('hex'),
    ...header,
    ids: s.ids.join('\n'),
    digests: kept(s.digests),
    summaries: kept(s.summaries),
    files: kept(s.files),
    links: kept(s.links),
    dict: s.facts.c.dict.slice(1).map(escapeField).join('\u0000'),
    titles: kept(s.facts.c.titles),
    textDigests: kept(s.facts.c.textDigests),
    trendDigests: kept(s.facts.c.trendDigests),
    groupDigests: kept(s.facts.c.groupDigests),
    rowDigests: kept(s.facts.c.rowDigests),
    actionDigests: kept(s.facts.c.actionDigests),
    ownerDigests: kept(s.facts.c.ownerDigests),
    scalars: s.facts.c.scalars,
    times: s.facts.c.times,
    serviceMinutes: s.facts.c.serviceMinutes,
    lists: LISTS.flatMap((l) => [s.facts.c[l].offsets, s.facts.c[l].values]),
    order: s.facts.knownOrder() ?? null,
  };
  // rebuilt from the database (and the pages rendered again) if lost, so no fsync; the delta
  // goes with the whole state it was written for (its generation), so an old one is ignored
  replaceFile(join(siteDir, STATE_FILE), serialize(file));
  rmSync(join(siteDir, DELTA_FILE), { force: true });
}
