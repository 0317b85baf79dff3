import type { Config, Owner } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import type { Remediation } from '../schema/incident.js';
import type { Temporal } from '../model/time.js';
import { compactDuration, humanDuration, minutesBetween } from '../format/time.js';
import { zoneFormat, type ZoneFormat } from './zone-format.js';
import { incidentLinks, type IncidentLinks } from './similar.js';
import type { SiteIncident } from './summaries.js';
import { incidentPath, ownerAnchor, slugTable } from './links.js';

/**
 * Everything the site's pages are built from, computed once per build: incidents in display
 * order (newest first), links between them, slugs, the owners directory. Page view models
 * below are plain data with every string already formatted; templates only lay them out.
 */
export interface SiteInput {
  config: Config;
  today: Temporal.PlainDate;
  incidents: readonly SiteIncident[];
  /** Links between these incidents, when known from the previous build (see summary-cache.ts). */
  links?: Map<string, IncidentLinks>;
  /** Each incident's summary digest, when known from the previous build. */
  summaryDigests?: ReadonlyMap<string, string>;
  /** Every service named by an incident, when `incidents` are only some of them (a quick build). */
  serviceNames?: readonly string[];
}

export interface SiteData extends SiteInput {
  links: Map<string, IncidentLinks>;
  serviceSlugs: Map<string, string>;
  categorySlugs: Map<string, string>;
  owners: Map<string, Owner>;
  zone: string;
  siteTitle: string;
  incidents: SiteIncident[];
  byId: Map<string, SiteIncident>;
  todayText: string;
  format: ZoneFormat;
  /** `YYYY-MM-DD` of the start in the display time zone (computed once per incident). */
  startedDate(i: SiteIncident): string;
}

export function siteData(input: SiteInput): SiteData {
  const incidents = [...input.incidents].sort((a, b) =>
    b.started.epochMilliseconds - a.started.epochMilliseconds || (a.id < b.id ? -1 : 1));
  const config = input.config;
  const format = zoneFormat(config.timezone);
  const dates = new Map<string, string>();
  return {
    ...input,
    incidents,
    format,
    todayText: input.today.toString(),
    startedDate(i) {
      let d = dates.get(i.id);
      if (d === undefined) dates.set(i.id, (d = format.isoDate(i.started)));
      return d;
    },
    byId: new Map(incidents.map((i) => [i.id, i])),
    links: input.links ?? incidentLinks(incidents),
    serviceSlugs: slugTable([...config.services, ...(input.serviceNames ?? incidents.flatMap((i) => i.services))]),
    categorySlugs: slugTable([...config.categories]),
    owners: new Map(config.owners.map((o) => [o.id, o])),
    zone: config.timezone,
    siteTitle: config.site.title ?? `${config.organization} incident knowledge base`,
  };
}

export const servicePath = (data: SiteData, service: string) => `services/${data.serviceSlugs.get(service)}.html`;
export const categoryPath = (data: SiteData, category: string) => `categories/${data.categorySlugs.get(category)}.html`;

export function isOverdue(r: Pick<Remediation, 'status' | 'due'>, today: Temporal.PlainDate | string): boolean {
  if (r.status !== 'open' && r.status !== 'in-progress') return false;
  // validated dates are YYYY-MM-DD, which compare as strings
  return r.due !== undefined && r.due < (typeof today === 'string' ? today : today.toString());
}

function severityRank(config: Config, severity: string): number {
  const n = config.severities.indexOf(severity);
  return n < 0 ? config.severities.length : n;
}

/** CSS class for a severity: the worst gets `sev-1`; beyond four they share `sev-4`. */
function severityClass(config: Config, severity: string): string {
  return `sev-${Math.min(severityRank(config, severity) + 1, 4)}`;
}

function durationMinutes(i: SiteIncident): number | null {
  const end = i.resolved ?? i.mitigated;
  return end ? minutesBetween(i.started, end) : null;
}

export interface IncidentRow {
  id: string;
  href: string;
  title: string;
  severity: string;
  severityRank: number;
  severityClass: string;
  services: string[];
  servicesKey: string;
  category: string;
  provider: string;
  status: string;
  year: string;
  started: string;
  startedKey: string;
  duration: string;
  durationKey: string;
}

export function incidentRow(data: SiteData, i: SiteIncident): IncidentRow {
  const minutes = durationMinutes(i);
  const startedIso = data.startedDate(i);
  return {
    id: i.id,
    href: incidentPath(i.id),
    title: i.title,
    severity: i.severity,
    severityRank: severityRank(data.config, i.severity),
    severityClass: severityClass(data.config, i.severity),
    services: i.services,
    // `|a|b|` so the page can test membership of one exact name
    servicesKey: `|${i.services.join('|')}|`,
    category: i.root_cause.category,
    provider: i.provider ?? '',
    status: i.status,
    year: startedIso.slice(0, 4),
    started: startedIso,
    startedKey: String(i.started.epochMilliseconds),
    duration: compactDuration(minutes),
    durationKey: minutes === null ? '' : String(Math.round(minutes)),
  };
}

interface Option { value: string; label: string }

function options(values: Iterable<string>, order?: readonly string[]): Option[] {
  const set = new Set([...values].filter((v) => v !== ''));
  const sorted = order
    ? [...order.filter((v) => set.has(v)), ...[...set].filter((v) => !order.includes(v)).sort()]
    : [...set].sort();
  return sorted.map((v) => ({ value: v, label: v }));
}

export function indexPage(data: SiteData) {
  const rows = data.incidents.map((i) => incidentRow(data, i));
  return {
    count: rows.length,
    rows,
    filters: [
      { name: 'severity', label: 'Severity', options: options(rows.map((r) => r.severity), data.config.severities) },
      { name: 'service', label: 'Service', options: options(rows.flatMap((r) => r.services)) },
      { name: 'category', label: 'Category', options: options(rows.map((r) => r.category), data.config.categories) },
      { name: 'provider', label: 'Provider', options: options(rows.map((r) => r.provider)) },
      { name: 'status', label: 'Status', options: options(rows.map((r) => r.status), ['draft', 'review', 'final']) },
      { name: 'year', label: 'Year', options: options(rows.map((r) => r.year)).reverse() },
    ],
  };
}

function ownerRef(data: SiteData, id: string) {
  const o = data.owners.get(id);
  return { id, name: o?.name ?? id, href: o ? `owners.html#${ownerAnchor(id)}` : '' };
}

function incidentRef(data: SiteData, id: string) {
  const i = data.byId.get(id);
  if (!i) return { id, title: '', href: '', severity: '', severityClass: '', started: '', known: false };
  return {
    id, title: i.title, href: incidentPath(id), severity: i.severity, severityClass: severityClass(data.config, i.severity),
    started: data.startedDate(i), known: true,
  };
}

export function remediationView(data: SiteData, r: Remediation) {
  return {
    id: r.id, action: r.action, type: r.type, owner: ownerRef(data, r.owner), due: r.due ?? '', status: r.status,
    overdue: isOverdue(r, data.todayText), ticket: r.ticket ?? '', public: r.public,
  };
}

const MERGED_SECTIONS = new Set(['summary', 'impact', 'root-cause', 'timeline', 'remediations']);

/** The internal incident page: every field, the timeline, links to related and similar incidents. */
export function incidentPage<H>(data: SiteData, i: Incident, sectionHtml: (markdown: string) => H) {
  const { format } = data;
  const when = (label: string, at: Temporal.Instant | undefined) =>
    at ? { label, iso: at.toString(), display: `${format.longDate(at)}, ${format.shortDateTime(at).slice(11)}` } : null;
  const times = [when('Started', i.started), when('Detected', i.detected), when('Mitigated', i.mitigated), when('Resolved', i.resolved)]
    .filter((t) => t !== null);
  const span = (label: string, to: Temporal.Instant | undefined) =>
    to ? { label, value: humanDuration(minutesBetween(i.started, to)) } : null;
  const durations = [span('Time to detect', i.detected), span('Time to mitigate', i.mitigated), span('Time to resolve', i.resolved)]
    .filter((d) => d !== null);
  const links = data.links.get(i.id)!;
  // Body sections that belong to a block of the page (Impact, Root cause, ...) are shown in
  // that block; the Timeline section is part of the merged timeline; the rest follow in order.
  const bodyOf = (key: string) => {
    const s = i.sections.find((x) => x.key === key && x.markdown.trim() !== '');
    return s ? sectionHtml(s.markdown) : '';
  };
  const sections = i.sections
    .filter((s) => !MERGED_SECTIONS.has(s.key) && s.markdown.trim() !== '')
    .map((s) => ({ title: s.title, anchor: `section-${s.key}`, html: sectionHtml(s.markdown) }));
  return {
    id: i.id,
    title: i.title,
    file: i.file,
    severity: i.severity,
    severityClass: severityClass(data.config, i.severity),
    status: i.status,
    services: i.services.map((s) => ({ name: s, href: servicePath(data, s) })),
    category: { name: i.root_cause.category, href: categoryPath(data, i.root_cause.category) },
    provider: i.provider ?? '',
    locations: i.locations.map((l) => data.config.locations[l] ?? l),
    tags: i.tags,
    times,
    durations,
    impact: {
      summary: i.impact.summary,
      symptoms: i.impact.symptoms,
      customersAffected: i.impact.customers_affected === undefined ? '' : i.impact.customers_affected.toLocaleString('en-US'),
      percentResolved: i.impact.percent_resolved_at_mitigation === undefined ? '' : `${i.impact.percent_resolved_at_mitigation}%`,
    },
    rootCause: i.root_cause.summary,
    trigger: i.trigger ?? '',
    contributingFactors: i.contributing_factors.map((f) => ({ category: f.category, summary: f.summary })),
    detection: i.detection ? { method: i.detection.method, summary: i.detection.summary ?? '' } : null,
    timeline: i.timeline.map((t) => ({
      iso: t.at.toString(), display: format.shortDateTime(t.at), kind: t.kind, event: t.event, public: t.public,
    })),
    remediations: i.remediations.map((r) => remediationView(data, r)),
    owners: {
      commander: i.owners.commander ? ownerRef(data, i.owners.commander) : null,
      authors: i.owners.authors.map((o) => ownerRef(data, o)),
      reviewers: i.owners.reviewers.map((o) => ownerRef(data, o)),
    },
    related: links.related.map((r) => incidentRef(data, r)),
    relatedBy: links.relatedBy.map((r) => incidentRef(data, r)),
    similar: links.similar.map((r) => incidentRef(data, r)),
    similarBy: links.similarBy === 'text' ? 'nearest by text' : 'same category and service',
    summaryHtml: bodyOf('summary'),
    impactHtml: bodyOf('impact'),
    rootCauseHtml: bodyOf('root-cause'),
    remediationsHtml: bodyOf('remediations'),
    customerSummary: i.customer_summary && !i.sections.some((s) => s.key === 'customer-summary') ? sectionHtml(i.customer_summary) : '',
    sections,
  };
}

/**
 * What an incident page shows of other incidents (title, severity, date of related and
 * similar ones): part of that page's inputs, so the page is rebuilt when they change.
 */
export function incidentPageNeighbours(data: SiteData, i: SiteIncident): string {
  const l = data.links.get(i.id)!;
  // plain concatenation: JSON.stringify of 10,000 of these costs a tenth of a second
  let out = `${l.related.join(' ')}\u0001${l.relatedBy.join(' ')}\u0001${l.similar.join(' ')}\u0001${l.similarBy}`;
  for (const list of [l.related, l.relatedBy, l.similar]) {
    for (const id of list) {
      const o = data.byId.get(id);
      out += o ? `\u0001${o.title}\u0002${o.severity}\u0002${o.started.epochMilliseconds}` : '\u0001';
    }
  }
  return out;
}

function groupRows(data: SiteData, incidents: readonly SiteIncident[]) {
  return incidents.map((i) => incidentRow(data, i));
}

function countBy<T>(items: readonly T[], key: (t: T) => string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) for (const k of key(t)) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

export function servicesIndexPage(data: SiteData) {
  const counts = countBy(data.incidents, (i) => [...new Set(i.services)]);
  return {
    services: [...data.serviceSlugs.keys()].map((s) => ({ name: s, href: servicePath(data, s), count: counts.get(s) ?? 0 })),
  };
}

export function categoriesIndexPage(data: SiteData) {
  const counts = countBy(data.incidents, (i) => [i.root_cause.category]);
  return {
    categories: data.config.categories.map((c) => ({ name: c, href: categoryPath(data, c), count: counts.get(c) ?? 0 })),
  };
}

/** Incidents of one service (or category): the rows and a count by severity. */
export function groupPage(data: SiteData, name: string, incidents: readonly SiteIncident[]) {
  const counts = countBy(incidents, (i) => [i.severity]);
  const minutes = incidents.map(durationMinutes).filter((m): m is number => m !== null);
  return {
    name,
    count: incidents.length,
    rows: groupRows(data, incidents),
    bySeverity: data.config.severities.map((s) => ({ severity: s, severityClass: severityClass(data.config, s), count: counts.get(s) ?? 0 })),
    totalDowntime: minutes.length ? humanDuration(minutes.reduce((a, b) => a + b, 0)) : '',
  };
}

interface OwnerActions {
  id: string;
  name: string;
  anchor: string;
  team: string;
  open: number;
  overdue: number;
  items: (ReturnType<typeof remediationView> & { incident: ReturnType<typeof incidentRef> })[];
}

const STATUS_ORDER = ['open', 'in-progress', 'done', 'wont-do'];

/**
 * Open action items (open or in-progress remediations) grouped by owner, overdue ones first
 * and marked. Done and won't-do items are counted here and listed on each incident's page.
 */
export function actionsPage(data: SiteData) {
  const byOwner = new Map<string, OwnerActions>();
  let closed = 0;
  for (const i of data.incidents) {
    for (const r of i.remediations) {
      if (r.status !== 'open' && r.status !== 'in-progress') {
        closed++;
        continue;
      }
      let group = byOwner.get(r.owner);
      if (!group) {
        const o = data.owners.get(r.owner);
        group = { id: r.owner, name: o?.name ?? r.owner, anchor: ownerAnchor(r.owner), team: o?.team ?? '', open: 0, overdue: 0, items: [] };
        byOwner.set(r.owner, group);
      }
      const view = { ...remediationView(data, r), incident: incidentRef(data, i.id) };
      group.open++;
      if (view.overdue) group.overdue++;
      group.items.push(view);
    }
  }
  const owners = [...byOwner.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || (a.name < b.name ? -1 : 1));
  for (const o of owners) {
    o.items.sort((a, b) => Number(b.overdue) - Number(a.overdue)
      || (a.due || '9999').localeCompare(b.due || '9999')
      || STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status)
      || a.incident.id.localeCompare(b.incident.id) || a.id.localeCompare(b.id));
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

/** The owners directory with what each person commanded, wrote, reviewed and owns. */
export function ownersPage(data: SiteData) {
  type Roles = { commanded: string[]; authored: string[]; reviewed: string[]; actions: number; open: number; overdue: number };
  const empty = (): Roles => ({ commanded: [], authored: [], reviewed: [], actions: 0, open: 0, overdue: 0 });
  const roles = new Map<string, Roles>();
  const get = (id: string) => {
    let r = roles.get(id);
    if (!r) roles.set(id, (r = empty()));
    return r;
  };
  for (const i of data.incidents) {
    if (i.owners.commander) get(i.owners.commander).commanded.push(i.id);
    for (const a of i.owners.authors) get(a).authored.push(i.id);
    for (const r of i.owners.reviewers) get(r).reviewed.push(i.id);
    for (const r of i.remediations) {
      get(r.owner).actions++;
      if (r.status === 'open' || r.status === 'in-progress') get(r.owner).open++;
      if (isOverdue(r, data.todayText)) get(r.owner).overdue++;
    }
  }
  const directory = data.config.owners.map((o) => o.id);
  const unknown = [...roles.keys()].filter((id) => !data.owners.has(id)).sort();
  return {
    owners: [...directory, ...unknown].map((id) => {
      const o = data.owners.get(id);
      const r = roles.get(id) ?? empty();
      // newest first (incidents are in that order); long careers are cut to the latest few
      const refs = (ids: string[]) => ({ count: ids.length, latest: ids.slice(0, OWNER_LATEST).map((x) => incidentRef(data, x)), more: Math.max(0, ids.length - OWNER_LATEST) });
      return {
        id, anchor: ownerAnchor(id), name: o?.name ?? id, title: o?.title ?? '', team: o?.team ?? '', email: o?.email ?? '',
        public: o?.public ?? false, inDirectory: Boolean(o),
        commanded: refs(r.commanded), authored: refs(r.authored), reviewed: refs(r.reviewed),
        actions: r.actions, open: r.open, overdue: r.overdue,
      };
    }),
  };
}
