import { barChart, pointChart, stackedBarChart } from '../charts/index.js';
import type { StatsRow } from '../db/queries/stats.js';
import { compactDuration, humanDuration, mediumDate, monthName } from '../format/time.js';
import type { Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import type { Config } from '../schema/config.js';
import { providerName, serviceName } from '../format/names.js';
import { definitions, type Definition } from './definitions.js';
import type { BuildStamp } from './git.js';
import { safe, type SafeHtml } from './html.js';
import { formatCount, impactMinutes, incidentView, overdueText, statusLabel, type IncidentView } from './incident-view.js';
import type { Notes } from './notes.js';
import type { PacketDelta } from './delta.js';
import { deltaView, type DeltaView } from './delta-view.js';
import { actionKey, type PacketNumbers } from './numbers.js';
import { monthLabel, periodDays, previousPeriod, quarterLabel } from './period.js';
import type { PacketSpec } from './spec.js';
import type { ProviderCredits } from '../credits/provider.js';
import type { BriefNumbers } from './brief.js';
import { briefView, type BriefView } from './brief-view.js';
import { creditsView, type CreditsView } from './credits-view.js';

/** One entry of the table of contents; `page` is filled in by the second PDF pass. */
export interface TocEntry {
  number: string;
  title: string;
  /** The heading text exactly as printed (number and title): how the PDF pass finds its page. */
  heading: string;
  anchor: string;
  level: 1 | 2;
  page?: number;
}

export interface PacketView {
  title: string;
  subtitle: string;
  organization: string;
  provider?: string;
  meeting?: Temporal.PlainDate;
  periodText: string;
  previousPeriodText: string;
  stamp: BuildStamp;
  asOf: Temporal.PlainDate;
  marking: string;
  markingUpper: string;
  /** The running header's text on every page after the cover. */
  runningHeader: string;
  toc: TocEntry[];
  sections: Record<
    'since' | 'agenda' | 'summary' | 'table' | 'details' | 'trends' | 'actions' | 'credits' | 'notes' | 'appendices',
    TocEntry | undefined
  >;
  /** The one-page brief after the cover (a packet for a provider). */
  brief: BriefView | undefined;
  /** "Credits owed to us" (a provider with a contract). */
  credits: CreditsView | undefined;
  /** "Since our last review", when the packet names a previous review. */
  since: DeltaView | undefined;
  /** Where each topic is in the packet; shown under the meeting's own agenda. */
  agenda: { number: string; title: string; items: string[] }[];
  /** The meeting's own agenda from the notes file, if it has an "Agenda" section (else no Agenda chapter). */
  agendaHtml: SafeHtml | undefined;
  summary: {
    paragraphs: string[];
    severityRows: {
      severity: string;
      incidents: number;
      causedIncidents?: number;
      providerIncidents: number;
      previousIncidents: number;
      impactMinutes: number;
      resolveMedian: number | null;
    }[];
    totals: { incidents: number; causedIncidents?: number; providerIncidents: number; previousIncidents: number; impactMinutes: number };
    availability: {
      service: string;
      current: number | null;
      caused?: number | null;
      previous: number | null;
      currentIncidents: number;
      previousIncidents: number;
    }[];
    /** "2 other catalogue services had", or empty when every service is listed. */
    servicesWithout: string;
  };
  /** "How these are counted": each method once; numbers link to `#def-<id>`. */
  definitions: Definition[];
  rows: {
    anchor: string;
    number: string;
    date: string;
    title: string;
    severity: string;
    services: string;
    duration: string;
    customers: string;
    category: string;
    provider: string;
  }[];
  /** Incident chapters in the body. */
  incidents: IncidentView[];
  /** Incident chapters that moved to the appendices, with where they went. */
  movedIncidents: { title: string; number: string; anchor: string }[];
  /** What moved to the appendices, in the order it moved: whole incident chapters, or the timeline of one. */
  appendices: { intro: string; items: AppendixItem[] } | undefined;
  trends: { intro: string; charts: SafeHtml[] };
  actions: {
    asOf: string;
    owners: {
      name: string;
      open: number;
      overdue: number;
      rows: {
        incident: string;
        anchor: string;
        id: string;
        action: string;
        due: string;
        status: string;
        overdue: boolean;
        overdueText: string;
      }[];
    }[];
    total: number;
    overdue: number;
  };
  notes: { title: string; introHtml?: SafeHtml; sections: { heading: string; anchor: string; html: SafeHtml }[] } | undefined;
}

function servicesWithout(n: number): string {
  return n === 0
    ? ''
    : `${n.toLocaleString('en-US')} other catalogue ${n === 1 ? 'service' : 'services'} had no incident in either period (100%).`;
}

function periodText(since: Temporal.PlainDate, until: Temporal.PlainDate): string {
  return `${mediumDate(since)} – ${mediumDate(until)}`;
}

const plural = (n: number, word: string, words = `${word}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? word : words}`;

/** "3 incidents and 2 hours of impact", or "no incidents" (never "0 incidents and less than a minute"). */
function incidentsAndImpact(incidents: number, minutes: number, impactWord: string): string {
  return incidents === 0 ? 'no incidents' : `${plural(incidents, 'incident')} and ${humanDuration(minutes)}${impactWord}`;
}

/**
 * How the body fits its page cap: what moved to the appendices, in order (`timeline:<id>` an
 * incident's timeline table, `incident:<id>` its whole chapter), and the cap.
 */
export interface PacketLayout {
  moved: readonly string[];
  bodyPages: number;
}

export interface AppendixItem {
  number: string;
  /** "A.2 Timeline: <title>" or the incident chapter's own heading. */
  heading: string;
  anchor: string;
  /** A whole incident chapter. */
  incident?: IncidentView;
  /** Only the timeline table of an incident whose chapter is in the body. */
  timelineOf?: IncidentView;
}

export interface ViewInput {
  spec: PacketSpec;
  config: Config;
  incidents: readonly Incident[];
  numbers: PacketNumbers;
  notes?: Notes;
  stamp: BuildStamp;
  delta?: PacketDelta;
  layout?: PacketLayout;
  brief?: BriefNumbers;
  credits?: ProviderCredits;
}

/** A bar's share caused by the provider: its row of `stats --attributed-to P` (none without a provider). */
function causedPart(rows: readonly StatsRow[] | undefined, group: string): { part?: number } {
  return rows ? { part: rows.find((r) => r.group === group)?.incidents ?? 0 } : {};
}

export function packetView({ spec, config, incidents, numbers, notes, stamp, delta, layout, brief, credits }: ViewInput): PacketView {
  const { current, previous, trends } = numbers;
  const provider = spec.provider ? providerName(config, spec.provider) : undefined;
  const subject = provider ? `Provider review: ${provider}` : 'Incident review';
  const toc: TocEntry[] = [];
  let n = 0;
  const top = (title: string, anchor: string): TocEntry => {
    const entry: TocEntry = { number: String(++n), title, heading: `${n} ${title}`, anchor, level: 1 };
    toc.push(entry);
    return entry;
  };
  const sinceEntry = delta ? top('Since our last review', 'since') : undefined;
  const agendaEntry = notes?.agendaHtml ? top('Agenda', 'agenda') : undefined;
  const summaryEntry = top('Executive summary', 'summary');
  const tableEntry = top('Incidents in the period', 'incidents');
  const movedUnits = layout?.moved ?? [];
  const movedWhole = new Set(movedUnits.filter((u) => u.startsWith('incident:')).map((u) => u.slice('incident:'.length)));
  const units = movedUnits.filter((u) => !(u.startsWith('timeline:') && movedWhole.has(u.slice('timeline:'.length))));
  const inBody = incidents.filter((i) => !movedWhole.has(i.id));
  const detailsEntry = inBody.length ? top('Incident reviews', 'details') : undefined;
  const status = (incident: Incident) => (incidentId: string, remediationId: string) => {
    const row = numbers.allActions.get(actionKey(incidentId, remediationId));
    const s = row?.status ?? incident.remediations.find((r) => r.id === remediationId)?.status ?? 'unknown';
    return { status: s, overdue: row?.days_overdue != null, daysOverdue: row?.days_overdue ?? 0 };
  };
  const chapter = (incident: Incident, number: string) => {
    const view = incidentView(incident, number, config, status(incident));
    toc.push({ number, title: incident.title, heading: view.heading, anchor: view.anchor, level: 2 });
    return view;
  };
  const bodyViews = inBody.map((incident, i) => chapter(incident, `${detailsEntry!.number}.${i + 1}`));
  const trendsEntry = top('Trends over the last 12 months', 'trends');
  const actionsEntry = top('Open and overdue remediations', 'actions');
  const creditsEntry = credits ? top('Credits owed to us', 'credits') : undefined;
  let notesEntry: TocEntry | undefined;
  if (notes) {
    notesEntry = top(notes.title ?? 'Meeting notes', 'notes');
    notes.sections.forEach((s, i) => {
      const number = `${notesEntry!.number}.${i + 1}`;
      toc.push({ number, title: s.title, heading: `${number} ${s.title}`, anchor: s.anchor, level: 2 });
    });
  }
  let appendixEntry: TocEntry | undefined;
  if (units.length) {
    appendixEntry = { number: 'A', title: 'Appendices', heading: 'A Appendices', anchor: 'appendices', level: 1 };
    toc.push(appendixEntry);
  }
  const appendixItems: AppendixItem[] = units.map((unit, i) => {
    const [kind, id] = [unit.slice(0, unit.indexOf(':')), unit.slice(unit.indexOf(':') + 1)];
    const incident = incidents.find((x) => x.id === id)!;
    const number = `A.${i + 1}`;
    if (kind === 'incident') {
      const view = chapter(incident, number);
      return { number, heading: view.heading, anchor: view.anchor, incident: view, timelineOf: undefined };
    }
    const owner = bodyViews.find((v) => v.id === id)!;
    const anchor = `timeline-${id}`;
    owner.timelineAt = { number, anchor };
    toc.push({ number, title: `Timeline: ${incident.title}`, heading: `${number} Timeline: ${incident.title}`, anchor, level: 2 });
    return { number, heading: `${number} Timeline: ${incident.title}`, anchor, incident: undefined, timelineOf: owner };
  });
  const appendixViews = appendixItems.flatMap((a) => (a.incident ? [a.incident] : []));
  const views = [...bodyViews, ...appendixViews];

  // executive summary
  const providerCounts = new Map<string, number>();
  for (const i of incidents) providerCounts.set(i.severity, (providerCounts.get(i.severity) ?? 0) + 1);
  const severityRows = config.severities.map((severity) => {
    const row = current.bySeverity.find((r) => r.group === severity);
    return {
      severity,
      incidents: row?.incidents ?? 0,
      ...(current.causedBySeverity ? { causedIncidents: current.causedBySeverity.find((r) => r.group === severity)?.incidents ?? 0 } : {}),
      providerIncidents: providerCounts.get(severity) ?? 0,
      previousIncidents: previous.bySeverity.find((r) => r.group === severity)?.incidents ?? 0,
      impactMinutes: row?.impact_minutes ?? 0,
      resolveMedian: row?.resolve_median ?? null,
    };
  });
  const days = periodDays(spec.period);
  const prev = previousPeriod(spec.period);
  const paragraphs: string[] = [];
  paragraphs.push(
    `From ${mediumDate(spec.period.since)} to ${mediumDate(spec.period.until)} (${plural(days, 'day')}) we recorded ${current.incidents === 0 ? 'no incidents' : `${plural(current.incidents, 'incident')} with ${humanDuration(current.impactMinutes)} of customer impact in total`}, against ${incidentsAndImpact(previous.incidents, previous.impactMinutes, ' of impact')} in the ${plural(days, 'day')} before (${periodText(prev.since, prev.until)}).`,
  );
  if (provider) {
    const p = current.provider;
    const pp = previous.provider;
    const mine = p?.incidents
      ? `${plural(p.incidents, 'incident')} involved ${provider} (${humanDuration(p.impact_minutes ?? 0)} of impact`
      : `No incident involved ${provider} (`;
    paragraphs.push(
      `${mine}; previous period: ${incidentsAndImpact(pp?.incidents ?? 0, pp?.impact_minutes ?? 0, ' of impact')}). ${spec.incidents ? 'This packet reviews the incidents chosen for the meeting.' : spec.include?.length ? `This packet reviews them in detail, with ${plural(spec.include.length, 'more incident')} on the agenda.` : `This packet reviews ${incidents.length === 1 ? 'that incident' : `those ${plural(incidents.length, 'incident')}`} in detail.`}`,
    );
  } else {
    paragraphs.push(`This packet reviews ${plural(incidents.length, 'incident')} in detail.`);
  }
  const worst = incidents.filter((i) => i.severity === config.severities[0]);
  if (worst.length)
    paragraphs.push(
      `${config.severities[0]} in this packet: ${worst
        .map((i) => {
          const m = impactMinutes(i);
          return `${i.title} (${mediumDate(i.started, config.timezone)}, ${m === undefined ? 'not yet resolved' : humanDuration(m)})`;
        })
        .join('; ')}.`,
    );
  const openCount = numbers.actionsByOwner.reduce((s, o) => s + o.rows.length, 0);
  const overdueCount = numbers.actionsByOwner.reduce((s, o) => s + o.overdue, 0);
  paragraphs.push(
    `As of ${mediumDate(numbers.today)}, ${openCount === 0 ? 'no remediation from these incidents is open' : `${plural(openCount, 'remediation')} from these incidents ${openCount === 1 ? 'is' : 'are'} still open, ${overdueCount === 0 ? 'none' : overdueCount} of them overdue`}.`,
  );

  // trends
  const monthLabels = trends.months.map((m, i) => monthLabel(m, i === 0));
  const hours =
    Math.max(0, ...trends.quarters.map((q) => q.resolveMedian ?? 0), ...(trends.causedBy?.resolveMedians ?? []).map((m) => m ?? 0)) >= 120;
  const providerShare = provider ? (trends.providers.find((r) => r.group === spec.provider)?.incidents ?? 0) : undefined;
  const causedTotal = provider && trends.attribution ? trends.attribution.caused.reduce((a, b) => a + b, 0) : undefined;
  const trailingTotal = trends.monthlyTotals.reduce((a, b) => a + b, 0);
  const lastMonth = trends.until.toPlainYearMonth();
  const partial =
    trends.until.day < trends.until.daysInMonth ? ` ${monthName(lastMonth)} is counted up to ${mediumDate(trends.until)}.` : '';
  const partLabel = provider && trends.causedBy ? { partLabel: `caused by ${provider}` } : {};
  const charts = [
    stackedBarChart(
      {
        categories: monthLabels,
        series: trends.monthlyBySeverity.map((s) => ({ label: s.severity, values: s.counts })),
        ...(provider && trends.attribution ? { part: { label: `caused by ${provider}`, values: trends.attribution.caused } } : {}),
      },
      {
        id: 'trend-monthly',
        title: 'Incidents per month, by severity',
        valueAxisLabel: 'Incidents',
        categoryAxisLabel: 'Month incident began',
      },
    ),
    pointChart(
      trends.quarters.map((q) => ({
        label: quarterLabel(q.key),
        value: q.resolveMedian === null ? null : hours ? q.resolveMedian / 60 : q.resolveMedian,
      })),
      {
        id: 'trend-resolve',
        title: 'Median time to resolve, per quarter',
        valueAxisLabel: hours ? 'Hours' : 'Minutes',
        categoryAxisLabel: 'Quarter incident began',
        missingLabel: 'no incidents',
        format: (v) => compactDuration(hours ? v * 60 : v),
        ...(provider && trends.causedBy
          ? {
              label: 'All causes',
              second: {
                label: `Caused by ${provider}`,
                values: trends.causedBy.resolveMedians.map((m) => (m === null ? null : hours ? m / 60 : m)),
              },
            }
          : {}),
      },
    ),
    ...(provider && trends.attribution
      ? [
          stackedBarChart(
            {
              categories: monthLabels,
              series: [
                { label: `Caused by ${provider}`, values: trends.attribution.caused },
                { label: 'Ours, shared or other', values: trends.attribution.other },
              ],
            },
            {
              id: 'trend-attribution',
              title: `Incidents involving ${provider} per month, by who caused them`,
              valueAxisLabel: 'Incidents',
              categoryAxisLabel: 'Month incident began',
            },
          ),
        ]
      : []),
    barChart(
      trends.categories.map((r) => ({ label: r.group, value: r.incidents, ...causedPart(trends.causedBy?.categories, r.group) })),
      {
        id: 'trend-categories',
        title: 'Root-cause categories',
        valueAxisLabel: 'Incidents',
        categoryAxisLabel: 'Category',
        ...partLabel,
      },
    ),
    barChart(
      trends.services
        .slice(0, 10)
        .map((r) => ({ label: serviceName(config, r.group), value: r.incidents, ...causedPart(trends.causedBy?.services, r.group) })),
      {
        ...partLabel,
        id: 'trend-services',
        title: trends.services.length > 10 ? 'Services most affected (top 10)' : 'Services most affected',
        valueAxisLabel: 'Incidents affecting the service',
        categoryAxisLabel: 'Service',
      },
    ),
  ].map(safe);
  const trendIntro = `All ${plural(trailingTotal, 'incident')} that began between ${mediumDate(trends.since)} and ${mediumDate(trends.until)}, whatever their cause${providerShare !== undefined ? `; ${providerShare} of them involved ${provider}` : ''}${causedTotal !== undefined ? `, ${causedTotal} caused by ${provider} (marked in every chart)` : ''}.${partial}`;

  const agenda = [
    ...(sinceEntry ? [{ number: sinceEntry.number, title: 'Since our last review', items: [] }] : []),
    { number: summaryEntry.number, title: 'Executive summary and availability', items: [] },
    {
      number: detailsEntry?.number ?? tableEntry.number,
      title: `Review of ${plural(incidents.length, 'incident')}${appendixViews.length ? ` (${plural(appendixViews.length, 'review')} in the appendices)` : ''}`,
      items: views.map((v) => `${v.number} ${v.title}`),
    },
    { number: trendsEntry.number, title: 'Trends over the last 12 months', items: [] },
    { number: actionsEntry.number, title: 'Remediation status by owner', items: [] },
    ...(creditsEntry ? [{ number: creditsEntry.number, title: 'Credits owed to us', items: [] }] : []),
    ...(notes && notesEntry ? notes.sections.map((s, i) => ({ number: `${notesEntry!.number}.${i + 1}`, title: s.title, items: [] })) : []),
  ];
  const named = (id: string) => serviceName(config, id);
  const creditsPage = credits ? creditsView(credits, numbers.today, named) : undefined;
  const briefPage =
    brief && provider
      ? briefView({
          provider,
          numbers: brief,
          credits: creditsPage,
          notes,
          agenda: agenda.map(({ number, title }) => ({ number, title })),
          sectionOf: (anchor) => toc.find((t) => t.anchor === anchor)?.number,
          meetingDay: mediumDate(numbers.today),
          serviceName: named,
        })
      : undefined;
  return {
    title: subject,
    subtitle: provider ? `Internal review packet for the meeting with ${provider}` : 'Internal incident review packet',
    organization: config.organization,
    provider,
    meeting: spec.meeting,
    periodText: periodText(spec.period.since, spec.period.until),
    previousPeriodText: periodText(prev.since, prev.until),
    stamp,
    asOf: numbers.today,
    marking: 'Internal — confidential',
    markingUpper: 'INTERNAL — CONFIDENTIAL',
    runningHeader: `${config.organization} · ${subject}`,
    toc,
    since: delta ? deltaView(delta, config) : undefined,
    sections: {
      since: sinceEntry,
      agenda: agendaEntry,
      summary: summaryEntry,
      table: tableEntry,
      details: detailsEntry,
      trends: trendsEntry,
      actions: actionsEntry,
      credits: creditsEntry,
      notes: notesEntry,
      appendices: appendixEntry,
    },
    agendaHtml: notes?.agendaHtml ? safe(notes.agendaHtml) : undefined,
    agenda: agendaEntry ? agenda : [],
    brief: briefPage,
    credits: creditsPage,
    summary: {
      paragraphs,
      severityRows,
      totals: {
        incidents: current.incidents,
        ...(current.causedBySeverity ? { causedIncidents: current.causedBySeverity.reduce((sum, r) => sum + r.incidents, 0) } : {}),
        providerIncidents: incidents.length,
        previousIncidents: previous.incidents,
        impactMinutes: current.impactMinutes,
      },
      availability: numbers.availability.map((a) => ({ ...a, service: named(a.service) })),
      servicesWithout: servicesWithout(config.services.filter((s) => !numbers.availability.some((a) => a.service === s)).length),
    },
    definitions: definitions(config, numbers.today, provider),
    rows: incidents.map((incident) => {
      const v = views.find((x) => x.id === incident.id)!;
      return {
        anchor: v.anchor,
        number: v.number,
        date: v.date,
        title: v.title,
        severity: v.severity,
        services: v.services,
        duration: v.duration,
        customers: formatCount(incident.impact.customers_affected),
        category: v.category,
        provider: v.provider,
      };
    }),
    incidents: bodyViews,
    movedIncidents: appendixViews.map((v) => ({ title: v.title, number: v.number, anchor: v.anchor })),
    appendices: appendixEntry
      ? {
          intro: `To keep the body of this packet to ${plural(layout!.bodyPages, 'page')}, these parts moved here (timelines first, then whole incident reviews, the least severe first): ${appendixItems.map((a) => a.heading).join('; ')}.`,
          items: appendixItems,
        }
      : undefined,
    trends: { intro: trendIntro, charts },
    actions: {
      asOf: mediumDate(numbers.today),
      owners: numbers.actionsByOwner.map((o) => ({
        name: o.ownerName,
        open: o.rows.length,
        overdue: o.overdue,
        rows: o.rows.map((r) => ({
          incident: r.incident_title,
          anchor: `incident-${r.incident_id}`,
          id: r.remediation_id,
          action: r.action,
          due: r.due ?? '—',
          status: statusLabel(r.status),
          overdue: r.days_overdue !== null,
          overdueText: overdueText(r.days_overdue ?? 0),
        })),
      })),
      total: openCount,
      overdue: overdueCount,
    },
    notes:
      notes && notesEntry
        ? {
            title: notesEntry.title,
            introHtml: notes.introHtml ? safe(notes.introHtml) : undefined,
            sections: notes.sections.map((s, i) => ({
              heading: `${notesEntry!.number}.${i + 1} ${s.title}`,
              anchor: s.anchor,
              html: safe(s.html),
            })),
          }
        : undefined,
  };
}
