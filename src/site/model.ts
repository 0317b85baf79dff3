import { locationName, type Config, type Owner } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import type { Remediation } from '../schema/incident.js';
import type { Temporal } from '../model/time.js';
import { compactDuration, humanDuration } from '../format/time.js';
import { ownerName, PROVIDER_OWNER_PREFIX, providerName, providerNames, serviceName, serviceNames } from '../format/names.js';
import { durations as durationsOf } from '../model/impact.js';
import { zoneFormat, type ZoneFormat } from './zone-format.js';
import type { IncidentLinks } from './similar.js';
import type { Facts } from './facts.js';
import { incidentPath, ownerAnchor, slugTable } from './links.js';

/**
 * Everything the site's pages are built from: the config, the evaluation date, every incident's
 * brief (as columns, see `facts.ts`) and the links between incidents. Page view models below are
 * plain data with every string already formatted; templates only lay them out. Incidents are
 * indices into the facts.
 */
export interface SiteSource {
  config: Config;
  today: Temporal.PlainDate;
  facts: Facts;
  /** Every service named by an incident. */
  serviceNames: readonly string[];
  links(id: string): IncidentLinks;
}

export interface SiteData {
  config: Config;
  today: Temporal.PlainDate;
  todayText: string;
  format: ZoneFormat;
  zone: string;
  siteTitle: string;
  serviceSlugs: Map<string, string>;
  categorySlugs: Map<string, string>;
  owners: Map<string, Owner>;
  facts: Facts;
  links(id: string): IncidentLinks;
  /** Every valid incident, newest first (worked out when first asked for). */
  order(): Uint32Array;
  /** Whether a remediation is overdue, by the codes of its status and due date (see `Facts.remediation`). */
  overdue(status: number, due: number): boolean;
}

export function siteData(source: SiteSource): SiteData {
  const { config, facts } = source;
  const todayText = source.today.toString();
  let order: Uint32Array | undefined;
  const open = new Set(['open', 'in-progress'].map((s) => facts.codeOf(s)));
  const late = new Map<number, boolean>();
  return {
    config,
    today: source.today,
    todayText,
    format: zoneFormat(config.timezone),
    zone: config.timezone,
    siteTitle: config.site.title ?? `${config.organization} incident knowledge base`,
    serviceSlugs: slugTable([...config.services, ...source.serviceNames]),
    categorySlugs: slugTable([...config.categories]),
    owners: new Map(config.owners.map((o) => [o.id, o])),
    facts,
    links: (id) => source.links(id),
    order: () => (order ??= facts.order()),
    overdue(status, due) {
      if (!open.has(status)) return false;
      let l = late.get(due);
      if (l === undefined) late.set(due, (l = isOverdue({ status: 'open', due: facts.value(due) }, todayText)));
      return l;
    },
  };
}

export const servicePath = (data: SiteData, service: string) => `services/${data.serviceSlugs.get(service)}.html`;
/**
 * How the site groups incidents by root cause, said where it does: by the first cause a record
 * lists (one column of the site's facts), while `stats --by category` and the packet count every cause.
 */
export const MAIN_CAUSE_RULE =
  'Incidents by main root-cause category: the first cause a record lists. An incident with causes in several categories is counted under the first (postmortem stats --by category counts every cause).';
export const categoryPath = (data: SiteData, category: string) => `categories/${data.categorySlugs.get(category)}.html`;

export function isOverdue(r: { status: string; due?: string | undefined }, today: Temporal.PlainDate | string): boolean {
  if (r.status !== 'open' && r.status !== 'in-progress') return false;
  // validated dates are YYYY-MM-DD, which compare as strings
  return r.due !== undefined && r.due !== '' && r.due < (typeof today === 'string' ? today : today.toString());
}

function severityRank(config: Config, severity: string): number {
  const n = config.severities.indexOf(severity);
  return n < 0 ? config.severities.length : n;
}

/** CSS class for a severity: the worst gets `sev-1`; beyond four they share `sev-4`. */
function severityClass(config: Config, severity: string): string {
  return `sev-${Math.min(severityRank(config, severity) + 1, 4)}`;
}

/** Minutes from the start to the resolution (else the mitigation), as `minutesBetween`. */
function durationMinutes(facts: Facts, i: number): number | null {
  const end = facts.resolved(i) ?? facts.mitigated(i);
  return end === undefined ? null : (end - facts.started(i)) / 60000;
}

export interface IncidentRow {
  id: string;
  href: string;
  title: string;
  severity: string;
  severityRank: number;
  severityClass: string;
  services: string[];
  /** `services` by display name, as shown. */
  serviceLabels: string[];
  /** Services left out of `services` (rows outside the index name at most ROW_SERVICES). */
  moreServices: number;
  servicesKey: string;
  category: string;
  /** Provider id (filters and sorting use it). */
  provider: string;
  /** The provider's display name, shown in the cell. */
  providerName: string;
  status: string;
  year: string;
  started: string;
  startedKey: string;
  duration: string;
  durationKey: string;
}

/** How many services a row names outside the index page. */
export const ROW_SERVICES = 12;

export function incidentRow(data: SiteData, i: number, serviceLimit = Infinity): IncidentRow {
  const f = data.facts;
  const minutes = durationMinutes(f, i);
  const startedIso = f.startedDate(i);
  const severity = f.severity(i);
  const all = f.list('services', i);
  const services = all.length > serviceLimit ? all.slice(0, serviceLimit) : all;
  return {
    id: f.id(i),
    href: incidentPath(f.id(i)),
    title: f.title(i),
    severity,
    severityRank: severityRank(data.config, severity),
    severityClass: severityClass(data.config, severity),
    services,
    serviceLabels: services.map((s) => serviceName(data.config, s)),
    moreServices: all.length - services.length,
    // `|a|b|` so the page can test membership of one exact name
    servicesKey: `|${services.join('|')}|`,
    category: f.category(i),
    provider: f.provider(i),
    providerName: f.provider(i) ? providerName(data.config, f.provider(i)) : '',
    status: f.status(i),
    year: startedIso.slice(0, 4),
    started: startedIso,
    startedKey: String(f.started(i)),
    duration: compactDuration(minutes),
    durationKey: minutes === null ? '' : String(Math.round(minutes)),
  };
}

interface Option {
  value: string;
  label: string;
}

function options(values: Iterable<string>, order?: readonly string[], label: (value: string) => string = (v) => v): Option[] {
  const set = new Set([...values].filter((v) => v !== ''));
  const sorted = order ? [...order.filter((v) => set.has(v)), ...[...set].filter((v) => !order.includes(v)).sort()] : [...set].sort();
  return sorted.map((v) => ({ value: v, label: label(v) }));
}

/** The index: every incident, newest first (`order`, its rows), with the values its filters offer. */
export function indexPage(data: SiteData) {
  const f = data.facts;
  const services = [...new Set(f.c.services.values)].map((c) => f.value(c));
  return {
    count: f.n,
    order: data.order(),
    filters: [
      { name: 'severity', label: 'Severity', options: options(f.used('severity'), data.config.severities) },
      { name: 'service', label: 'Service', options: options(services, undefined, (id) => serviceName(data.config, id)) },
      { name: 'category', label: 'Category', options: options(f.used('category'), data.config.categories) },
      { name: 'provider', label: 'Provider', options: options(f.used('provider'), undefined, (id) => providerName(data.config, id)) },
      { name: 'status', label: 'Status', options: options(f.used('status'), ['draft', 'review', 'final']) },
      { name: 'year', label: 'Year', options: options(f.used('startedDate').map((d) => d.slice(0, 4))).reverse() },
    ],
  };
}

function ownerRef(data: SiteData, id: string) {
  const o = data.owners.get(id);
  return { id, name: ownerName(data.config, id), href: o ? `owners.html#${ownerAnchor(id)}` : '' };
}

export function incidentRef(data: SiteData, id: string) {
  const f = data.facts;
  const i = f.indexOf(id);
  if (i === undefined) return { id, title: '', href: '', severity: '', severityClass: '', started: '', known: false };
  const severity = f.severity(i);
  return {
    id,
    title: f.title(i),
    href: incidentPath(id),
    severity,
    severityClass: severityClass(data.config, severity),
    started: f.startedDate(i),
    known: true,
  };
}

export function remediationView(data: SiteData, r: Remediation) {
  return {
    id: r.id,
    action: r.action,
    type: r.type,
    owner: ownerRef(data, r.owner),
    due: r.due ?? '',
    status: r.status,
    overdue: isOverdue(r, data.todayText),
    ticket: r.ticket ?? '',
    public: r.public,
  };
}

/** The related and similar incidents an incident page shows (its own piece of the page: see `build.ts`). */
export function incidentLinksView(data: SiteData, id: string) {
  const links = data.links(id);
  return {
    related: links.related.map((r) => incidentRef(data, r)),
    relatedBy: links.relatedBy.map((r) => incidentRef(data, r)),
    similar: links.similar.map((r) => incidentRef(data, r)),
    similarBy: links.similarBy === 'text' ? 'nearest by text' : 'same category and service',
  };
}

const MERGED_SECTIONS = new Set(['summary', 'impact', 'root-cause', 'timeline', 'remediations']);

/**
 * The Markdown an incident page shows, and where: body sections that belong to a block of the
 * page (Impact, Root cause, ...) are shown in that block; the Timeline section is part of the
 * merged timeline; the rest follow in order. Also tells a build which Markdown to render
 * beforehand (in worker threads).
 */
export function incidentPageMarkdown(i: Incident) {
  const block = (key: string) => i.sections.find((x) => x.key === key && x.markdown.trim() !== '')?.markdown;
  return {
    summary: block('summary'),
    impact: block('impact'),
    rootCause: block('root-cause'),
    remediations: block('remediations'),
    sections: i.sections.filter((s) => !MERGED_SECTIONS.has(s.key) && s.markdown.trim() !== ''),
    customerSummary: i.customer_summary && !i.sections.some((s) => s.key === 'customer-summary') ? i.customer_summary : undefined,
  };
}

/** Every piece of Markdown an incident page shows, each once. */
export function incidentPageMarkdownList(i: Incident): string[] {
  const m = incidentPageMarkdown(i);
  return [
    ...new Set(
      [...m.sections.map((s) => s.markdown), m.summary, m.impact, m.rootCause, m.remediations, m.customerSummary].filter(
        (x): x is string => x !== undefined,
      ),
    ),
  ];
}

/** The internal incident page: every field, the timeline, links to related and similar incidents. */
export function incidentPage<H>(data: SiteData, i: Incident, sectionHtml: (markdown: string) => H) {
  const { format } = data;
  const when = (label: string, at: Temporal.Instant | undefined) =>
    at ? { label, iso: format.iso(at), display: `${format.longDate(at)}, ${format.shortDateTime(at).slice(11)}` } : null;
  const dayOnly = i.started_precision === 'day';
  // a day-precision start shows its day, and no duration is measured from it
  const started = dayOnly
    ? { label: 'Started', iso: format.iso(i.started).slice(0, 10), display: `${format.longDate(i.started)} (day only)` }
    : when('Started', i.started);
  const times = [started, when('Detected', i.detected), when('Mitigated', i.mitigated), when('Resolved', i.resolved)].filter(
    (t) => t !== null,
  );
  const times_ = dayOnly ? { detectedBeforeImpact: null, toDetect: null, toMitigate: null, toResolve: null, impact: null } : durationsOf(i);
  const span = (label: string, minutes: number | null) => (minutes === null ? null : { label, value: humanDuration(minutes) });
  const durations = [
    times_.detectedBeforeImpact !== null
      ? { label: 'Detected before impact', value: `${humanDuration(times_.detectedBeforeImpact)} before (proactive detection)` }
      : span('Time to detect', times_.toDetect),
    span('Time to mitigate', times_.toMitigate),
    span('Time to resolve', times_.toResolve),
    span('Impact', times_.impact),
  ].filter((d) => d !== null);
  const markdown = incidentPageMarkdown(i);
  const html = (m: string | undefined) => (m === undefined ? '' : sectionHtml(m));
  const sections = markdown.sections.map((s) => ({ title: s.title, anchor: `section-${s.key}`, html: sectionHtml(s.markdown) }));
  return {
    id: i.id,
    title: i.title,
    file: i.file,
    severity: i.severity,
    severityClass: severityClass(data.config, i.severity),
    status: i.status,
    /** An imported record: where it came from, and whether anyone has reviewed it yet (no longer a draft). */
    provenance: i.source ? { kind: i.source.kind, id: i.source.id, url: i.source.url ?? '', unreviewed: i.status === 'draft' } : null,
    services: i.services.map((s) => ({ name: serviceName(data.config, s), href: servicePath(data, s) })),
    category: { name: i.root_cause.category, href: categoryPath(data, i.root_cause.category) },
    provider: providerNames(data.config, i.providers),
    locations: i.locations.map((l) => locationName(data.config, l)),
    tags: i.tags,
    times,
    durations,
    impact: {
      summary: i.impact.summary,
      symptoms: i.impact.symptoms,
      customersAffected: i.impact.customers_affected === undefined ? '' : i.impact.customers_affected.toLocaleString('en-US'),
      percentResolved: i.impact.percent_resolved_at_mitigation === undefined ? '' : `${i.impact.percent_resolved_at_mitigation}%`,
      level: i.impact.level,
      affected: i.affected ? `${i.affected.count.toLocaleString('en-US')} ${i.affected.of}` : '',
      windows: i.windows.some((w) => !w.implicit)
        ? i.windows.map((w) => ({
            from: format.shortDateTime(w.from),
            to: w.to ? format.shortDateTime(w.to) : 'still open',
            level: w.level,
            services: serviceNames(data.config, w.services),
            scope: w.scope
              ? `${w.scope.kind === 'percent' ? `${w.scope.value}%` : w.scope.value.toLocaleString('en-US')} of ${w.scope.of}`
              : '',
            summary: w.summary ?? '',
            public: w.public,
          }))
        : [],
    },
    rootCause: i.root_cause.summary,
    otherCauses: i.root_causes.slice(1).map((c) => ({ category: c.category, summary: c.summary })),
    trigger: i.trigger ?? '',
    contributingFactors: i.contributing_factors.map((f) => ({ category: f.category, summary: f.summary })),
    detection: i.detection ? { method: i.detection.method, summary: i.detection.summary ?? '' } : null,
    timeline: i.timeline.map((t) => ({
      iso: format.iso(t.at),
      kind: t.kind,
      event: t.event,
      public: t.public,
      display: `${t.approximate ? 'around ' : ''}${t.day ?? format.shortDateTime(t.at)}`,
    })),
    remediations: i.remediations.map((r) => remediationView(data, r)),
    owners: {
      commander: i.owners.commander ? ownerRef(data, i.owners.commander) : null,
      authors: i.owners.authors.map((o) => ownerRef(data, o)),
      reviewers: i.owners.reviewers.map((o) => ownerRef(data, o)),
    },
    ...incidentLinksView(data, i.id),
    summaryHtml: html(markdown.summary),
    impactHtml: html(markdown.impact),
    rootCauseHtml: html(markdown.rootCause),
    remediationsHtml: html(markdown.remediations),
    customerSummary: html(markdown.customerSummary),
    sections,
    recordLinks: i.links.map((l) => ({ title: l.title, url: l.url, audience: l.audience })),
    credits: i.credits.map((c) => ({ summary: c.summary, audience: c.audience })),
    extra: Object.entries(i.extra).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })),
  };
}

/**
 * What an incident page shows of other incidents (title, severity, date of related and
 * similar ones): the inputs of the page's links section.
 */
export function incidentPageNeighbours(data: SiteData, id: string): string {
  const l = data.links(id);
  const f = data.facts;
  // plain concatenation: JSON.stringify of 10,000 of these costs a tenth of a second
  let out = `${l.related.join(' ')}\u0001${l.relatedBy.join(' ')}\u0001${l.similar.join(' ')}\u0001${l.similarBy}`;
  for (const list of [l.related, l.relatedBy, l.similar]) {
    for (const other of list) {
      const o = f.indexOf(other);
      out += o !== undefined ? `\u0001${f.title(o)}\u0002${f.severity(o)}\u0002${f.started(o)}` : '\u0001';
    }
  }
  return out;
}

/** Which of an incident's remediations are overdue, as a string (part of its page's inputs). */
export function overdueFlags(data: SiteData, i: number): string {
  let out = '';
  for (let k = 0; k < data.facts.remediationCount(i); k++) {
    const [, , status, due] = data.facts.remediation(i, k);
    out += data.overdue(status, due) ? '1' : '0';
  }
  return out;
}

export function servicesIndexPage(data: SiteData) {
  const f = data.facts;
  const counts = new Map<string, number>();
  for (let i = 0; i < f.n; i++) {
    for (const s of new Set(f.codes('services', i))) counts.set(f.value(s), (counts.get(f.value(s)) ?? 0) + 1);
  }
  return {
    services: [...data.serviceSlugs.keys()].map((s) => ({
      name: serviceName(data.config, s),
      href: servicePath(data, s),
      count: counts.get(s) ?? 0,
    })),
  };
}

export function categoriesIndexPage(data: SiteData) {
  const f = data.facts;
  const counts = new Map<number, number>();
  for (let i = 0; i < f.n; i++) counts.set(f.categoryCode(i), (counts.get(f.categoryCode(i)) ?? 0) + 1);
  return {
    categories: data.config.categories.map((c) => ({ name: c, href: categoryPath(data, c), count: counts.get(f.codeOf(c)) ?? 0 })),
  };
}

/** Incidents of one service (or category), newest first (`members`, its rows): a count by severity and the impact time. */
export function groupPage(data: SiteData, name: string, members: readonly number[]) {
  const f = data.facts;
  const counts = new Map<string, number>();
  let total = 0;
  let timed = 0;
  for (const i of members) {
    counts.set(f.severity(i), (counts.get(f.severity(i)) ?? 0) + 1);
    const m = durationMinutes(f, i);
    if (m !== null) {
      total += m;
      timed++;
    }
  }
  return {
    name,
    count: members.length,
    bySeverity: data.config.severities.map((s) => ({
      severity: s,
      severityClass: severityClass(data.config, s),
      count: counts.get(s) ?? 0,
    })),
    totalDowntime: timed ? humanDuration(total) : '',
  };
}

/** One open action item: remediation `k` of incident `i`. */
export interface ActionItem {
  i: number;
  k: number;
  overdue: boolean;
}

interface OwnerActions {
  id: string;
  name: string;
  anchor: string;
  team: string;
  open: number;
  overdue: number;
  items: (ActionItem & { id: string; order: number })[];
}

const STATUS_ORDER = ['open', 'in-progress', 'done', 'wont-do'];

/**
 * Open action items (open or in-progress remediations) grouped by owner, overdue ones first
 * and marked. Done and won't-do items are counted here and listed on each incident's page.
 * (Reads the facts' arrays directly: 50,000 remediations on the benchmark.)
 */
export function actionsPage(data: SiteData) {
  const f = data.facts;
  const dictSize = f.c.dict.length;
  // per status code: its rank (0 open, 1 in progress, else closed); per due code: its rank
  // among due dates (none last, as "9999") and whether it is past
  const rank = new Int8Array(dictSize).fill(-1);
  STATUS_ORDER.forEach((s, n) => {
    const c = f.codeOf(s);
    if (c >= 0) rank[c] = n;
  });
  const { offsets, values } = f.c.remediations;
  const dues = new Set<number>();
  for (let at = 3; at < offsets[f.n]!; at += 4) dues.add(values[at]!);
  const dueRank = new Int32Array(dictSize);
  const late = new Uint8Array(dictSize);
  [...dues]
    .map((c) => [f.value(c) || '9999', c] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .forEach(([due, c], n) => {
      dueRank[c] = n;
      late[c] = due !== '9999' && isOverdue({ status: 'open', due }, data.todayText) ? 1 : 0;
    });
  const byOwner = new Map<number, OwnerActions>();
  let closed = 0;
  for (const i of data.order()) {
    for (let at = offsets[i]!, k = 0; at < offsets[i + 1]!; at += 4, k++) {
      const r = rank[values[at + 2]!]!;
      if (r !== 0 && r !== 1) {
        closed++;
        continue;
      }
      const ownerCode = values[at + 1]!;
      let group = byOwner.get(ownerCode);
      if (!group) {
        const owner = f.value(ownerCode);
        const o = data.owners.get(owner);
        group = {
          id: owner,
          name: ownerName(data.config, owner),
          anchor: ownerAnchor(owner),
          team: o?.team ?? '',
          open: 0,
          overdue: 0,
          items: [],
        };
        byOwner.set(ownerCode, group);
      }
      const due = values[at + 3]!;
      const overdue = late[due] === 1;
      group.open++;
      if (overdue) group.overdue++;
      // overdue first, then by due date, status, incident (facts are in id order)
      group.items.push({ i, k, overdue, id: f.id(i), order: ((overdue ? 0 : 1) * (dues.size + 1) + dueRank[due]!) * 2 + r });
    }
  }
  const owners = [...byOwner.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || (a.name < b.name ? -1 : 1));
  // remediation ids are free text: compared (localeCompare) only within one incident
  const remId = (x: ActionItem) => f.value(values[offsets[x.i]! + 4 * x.k]!);
  for (const o of owners) {
    o.items.sort((a, b) => a.order - b.order || a.i - b.i || remId(a).localeCompare(remId(b)) || a.k - b.k);
  }
  return {
    today: data.today.toString(),
    owners,
    totalOpen: owners.reduce((n, o) => n + o.open, 0),
    totalOverdue: owners.reduce((n, o) => n + o.overdue, 0),
    closed,
  };
}

const OWNER_LATEST = 10;

type Roles = { commanded: number[]; authored: number[]; reviewed: number[]; actions: number; open: number; overdue: number };
const noRoles = (): Roles => ({ commanded: [], authored: [], reviewed: [], actions: 0, open: 0, overdue: 0 });

/**
 * What each person (by id: the dictionary can hold a value twice) commanded, authored and
 * reviewed, newest first, and, with `actions`, the remediations they own.
 */
function ownerRoles(data: SiteData, actions: boolean): Map<string, Roles> {
  const f = data.facts;
  const roles = new Map<string, Roles>();
  const byCode = new Map<number, Roles>();
  const get = (code: number) => {
    let r = byCode.get(code);
    if (!r) {
      const id = f.value(code);
      r = roles.get(id);
      if (!r) roles.set(id, (r = noRoles()));
      byCode.set(code, r);
    }
    return r;
  };
  const open = new Set(['open', 'in-progress'].map((s) => f.codeOf(s)));
  const { authors, reviewers } = f.c;
  const { offsets, values } = f.c.remediations;
  for (const i of data.order()) {
    const commander = f.commanderCode(i);
    if (f.value(commander) !== '') get(commander).commanded.push(i);
    for (let at = authors.offsets[i]!; at < authors.offsets[i + 1]!; at++) get(authors.values[at]!).authored.push(i);
    for (let at = reviewers.offsets[i]!; at < reviewers.offsets[i + 1]!; at++) get(reviewers.values[at]!).reviewed.push(i);
    if (!actions) continue;
    for (let at = offsets[i]!; at < offsets[i + 1]!; at += 4) {
      const status = values[at + 2]!;
      const r = get(values[at + 1]!);
      r.actions++;
      if (open.has(status)) r.open++;
      if (data.overdue(status, values[at + 3]!)) r.overdue++;
    }
  }
  return roles;
}

/**
 * The incidents the owners page refers to (their title, severity and start): each person's
 * latest few. Which they are follows from what `ownerDigest` covers (people, starts, ids), so
 * the page's digest needs the titles of these alone.
 */
export function ownersShown(data: SiteData): number[] {
  const shown = new Set<number>();
  for (const r of ownerRoles(data, false).values()) {
    for (const list of [r.commanded, r.authored, r.reviewed]) for (const i of list.slice(0, OWNER_LATEST)) shown.add(i);
  }
  return [...shown].sort((a, b) => a - b);
}

/** The owners directory with what each person commanded, wrote, reviewed and owns. */
export function ownersPage(data: SiteData) {
  const f = data.facts;
  const roles = ownerRoles(data, true);
  const directory = data.config.owners.map((o) => o.id);
  const unknown = [...roles.keys()].filter((id) => !data.owners.has(id)).sort();
  return {
    owners: [...directory, ...unknown].map((id) => {
      const o = data.owners.get(id);
      const r = roles.get(id) ?? noRoles();
      // newest first (incidents are in that order); long careers are cut to the latest few
      const refs = (list: number[]) => ({
        count: list.length,
        latest: list.slice(0, OWNER_LATEST).map((x) => incidentRef(data, f.id(x))),
        more: Math.max(0, list.length - OWNER_LATEST),
      });
      return {
        id,
        anchor: ownerAnchor(id),
        name: ownerName(data.config, id),
        title: o?.title ?? '',
        team: o?.team ?? '',
        email: o?.email ?? '',
        public: o?.public ?? false,
        inDirectory: Boolean(o),
        provider: id.startsWith(PROVIDER_OWNER_PREFIX),
        commanded: refs(r.commanded),
        authored: refs(r.authored),
        reviewed: refs(r.reviewed),
        actions: r.actions,
        open: r.open,
        overdue: r.overdue,
      };
    }),
  };
}
