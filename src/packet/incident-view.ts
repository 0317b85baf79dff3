import { phaseBar } from '../charts/index.js';
import { durations, type Milestone, milestones } from '../model/impact.js';
import { compactDuration, humanDuration, minutesBetween, shortDateTime } from '../format/time.js';
import type { Incident, TimelineEntry } from '../model/incident.js';
import { markdownToPrintHtml } from '../render/markdown.js';
import type { Config } from '../schema/config.js';
import { RECOGNISED_SECTIONS, type Section } from '../source/sections.js';
import { ownerName, providerNames, serviceNames } from '../format/names.js';
import type { SafeHtml } from './html.js';
import { safe } from './html.js';
import { phasesOf } from './phases.js';
import { type WindowView, windowView } from './windows.js';

/** What the per-incident page of the packet shows: everything, names included. */
export interface RemediationStatus {
  /** The status `postmortem actions` reports: open, in-progress, done, wont-do, with overdue days when late. */
  status: string;
  overdue: boolean;
  daysOverdue: number;
}

export interface IncidentView {
  id: string;
  anchor: string;
  number: string;
  heading: string;
  title: string;
  severity: string;
  status: string;
  date: string;
  services: string;
  locations: string;
  provider: string;
  customersAffected: string;
  duration: string;
  durationLong: string;
  /** The root causes' categories, each once, in the record's order ("software, process"). */
  category: string;
  facts: { label: string; value: string }[];
  phaseChart: SafeHtml;
  /** The body in source order: each section once, with the structured parts at their sections' places. */
  blocks: IncidentBlock[];
  impactSummary: string;
  symptoms: string[];
  /** Every root cause in the record's order (the first is the main one; a record may list several). */
  rootCauses: { category: string; summary: string }[];
  /** The listed impact windows (none when the record lists none: its one window is `started`…`resolved`). */
  windows: WindowView[];
  trigger?: string;
  contributingFactors: { category: string; summary: string }[];
  detection?: { method: string; summary?: string; when: string };
  timeline: { time: string; offset: string; kind: string; event: string; shared: boolean }[];
  /** Where the timeline table is when it moved to the appendices (the chapter then points there). */
  timelineAt: { number: string; anchor: string } | undefined;
  remediations: {
    id: string;
    action: string;
    type: string;
    owner: string;
    due: string;
    status: string;
    overdue: boolean;
    overdueText: string;
    ticket: string;
  }[];
}

/**
 * One part of an incident chapter: a body section (its Markdown as HTML) and, for the sections
 * the record also holds as fields, that structured part (impact, root cause with trigger,
 * factors and detection, the timeline table, the remediations table).
 */
export interface IncidentBlock {
  key: string;
  title: string;
  html?: SafeHtml;
  isImpact: boolean;
  isRootCause: boolean;
  isTimeline: boolean;
  isRemediations: boolean;
}

/** Sections the record also holds as fields, in the order they are placed when the body lacks them. */
const STRUCTURED = ['impact', 'root-cause', 'timeline', 'remediations'] as const;
const DEFAULT_ORDER = ['summary', ...STRUCTURED, 'lessons-learned'];

/**
 * The chapter's blocks: every body section in source order (the timeline's entries are the
 * table, so its prose is not repeated), and each structured part that has no section of its
 * own after the last section that comes before it in the usual order.
 */
export function incidentBlocks(sections: readonly Section[]): IncidentBlock[] {
  const block = (key: string, title: string, markdown?: string, structured = true): IncidentBlock => ({
    key,
    title,
    html: markdown && !(structured && key === 'timeline') ? safe(markdownToPrintHtml(markdown, 'internal')) : undefined,
    isImpact: structured && key === 'impact',
    isRootCause: structured && key === 'root-cause',
    isTimeline: structured && key === 'timeline',
    isRemediations: structured && key === 'remediations',
  });
  const seen = new Set<string>();
  const blocks: IncidentBlock[] = [];
  for (const s of sections) {
    // a second section of the same kind is shown as written, as prose
    const structured = (STRUCTURED as readonly string[]).includes(s.key) && !seen.has(s.key);
    if (s.key === 'preamble' || (!s.markdown && !structured)) continue;
    seen.add(s.key);
    blocks.push(block(s.key, s.title, s.markdown, structured));
  }
  for (const key of STRUCTURED) {
    if (seen.has(key)) continue;
    const before = DEFAULT_ORDER.slice(0, DEFAULT_ORDER.indexOf(key));
    let at = 0;
    blocks.forEach((b, i) => {
      if (before.includes(b.key)) at = i + 1;
    });
    blocks.splice(at, 0, block(key, RECOGNISED_SECTIONS[key]));
    seen.add(key);
  }
  return blocks;
}

const KIND_LABEL: Record<string, string> = {
  trigger: 'Trigger',
  detection: 'Detection',
  action: 'Action',
  mitigation: 'Mitigation',
  resolution: 'Resolution',
  communication: 'Communication',
  note: 'Note',
};

const DETECTION_LABEL: Record<string, string> = {
  monitoring: 'Monitoring',
  alert: 'Alert',
  'customer-report': 'Customer report',
  staff: 'Staff',
  other: 'Other',
};

const STATUS_LABEL: Record<string, string> = { open: 'open', 'in-progress': 'in progress', done: 'done', 'wont-do': 'won’t do' };

/** "in progress" for `in-progress`, and so on. */
export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status;
}

export function overdueText(days: number): string {
  return `${days.toLocaleString('en-US')} day${days === 1 ? '' : 's'}`;
}

export function locationName(config: Config, id: string): string {
  return config.locations.get(id)?.name ?? id;
}

export function formatCount(n: number | undefined | null): string {
  return n === undefined || n === null ? '—' : n.toLocaleString('en-US');
}

/** When detection came: "12 minutes after impact began", or before it (proactive detection). */
function detectionText(incident: Incident): string {
  if (!incident.detected) return 'not recorded after impact began';
  const { toDetect, detectedBeforeImpact } = durations(incident);
  return detectedBeforeImpact !== null
    ? `${humanDuration(detectedBeforeImpact)} before impact began (proactive detection)`
    : `${humanDuration(toDetect ?? 0)} after impact began`;
}

/** Impact minutes from the windows (without windows: start to resolution, else mitigation), or undefined while open. */
export function impactMinutes(incident: Incident): number | undefined {
  return durations(incident).impact ?? undefined;
}

function offsetLabel(entry: TimelineEntry, incident: Incident): string {
  const m = Math.round(minutesBetween(incident.started, entry.at));
  if (m === 0) return 'T+0';
  return m > 0 ? `T+${compactDuration(m)}` : `T−${compactDuration(-m)}`;
}

export function incidentView(
  incident: Incident,
  number: string,
  config: Config,
  remediationStatus: (incidentId: string, remediationId: string) => RemediationStatus,
): IncidentView {
  const zone = config.timezone;
  const minutes = impactMinutes(incident);
  const when = (i: Incident['started'] | undefined) => (i ? shortDateTime(i, zone) : 'not recorded');
  const { mitigated, resolved } = milestones(incident);
  // a milestone the record does not give is stated by the documented rule, which is named
  const milestone = (m: Milestone | null, rule: string) =>
    m ? `${when(m.at)}${m.from === 'windows' ? ` (${rule})` : ''}` : 'not recorded';
  const phases = phasesOf(incident);
  const anchor = `incident-${incident.id}`;
  const people = [
    incident.owners.commander ? `Commander: ${ownerName(config, incident.owners.commander)}` : '',
    `Authors: ${incident.owners.authors.map((a) => ownerName(config, a)).join(', ')}`,
    incident.owners.reviewers.length ? `Reviewers: ${incident.owners.reviewers.map((a) => ownerName(config, a)).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    id: incident.id,
    anchor,
    number,
    heading: `${number} ${incident.title}`,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    date: shortDateTime(incident.started, zone).slice(0, 10),
    services: serviceNames(config, incident.services),
    locations: incident.locations.map((l) => locationName(config, l)).join('; ') || '—',
    provider: providerNames(config, incident.providers, '—'),
    customersAffected: formatCount(incident.impact.customers_affected),
    duration: minutes === undefined ? 'ongoing' : compactDuration(minutes),
    durationLong: minutes === undefined ? 'not resolved' : humanDuration(minutes),
    category: [...new Set(incident.root_causes.map((c) => c.category))].join(', '),
    facts: [
      { label: 'Severity', value: `${incident.severity} (record ${incident.status})` },
      { label: 'Services', value: serviceNames(config, incident.services) },
      { label: 'Locations', value: incident.locations.map((l) => locationName(config, l)).join('; ') || '—' },
      { label: 'Provider involved', value: providerNames(config, incident.providers, 'none') },
      { label: 'Impact began', value: when(incident.started) },
      { label: 'Detected', value: when(incident.detected) },
      { label: 'Mitigated', value: milestone(mitigated, 'the end of the last outage window') },
      {
        label: 'Resolved',
        value: milestone(
          resolved,
          `the end of the last ${incident.windows.some((w) => w.level === 'data-loss') ? 'window other than data loss' : 'impact window'}`,
        ),
      },
      { label: 'Duration of impact', value: minutes === undefined ? 'not resolved' : humanDuration(minutes) },
      { label: 'Customers affected', value: formatCount(incident.impact.customers_affected) },
      ...(incident.impact.percent_resolved_at_mitigation !== undefined
        ? [{ label: 'Resolved at mitigation', value: `${incident.impact.percent_resolved_at_mitigation}% of customers` }]
        : []),
      { label: 'People', value: people },
      { label: 'Record', value: incident.file },
    ],
    phaseChart: safe(
      phases.length
        ? phaseBar({ phases }, { title: 'Phases of the incident, to scale', id: `phases-${incident.id}`, format: compactDuration })
        : '',
    ),
    blocks: incidentBlocks(incident.sections),
    impactSummary: incident.impact.summary,
    symptoms: incident.impact.symptoms,
    rootCauses: incident.root_causes.map((c) => ({ category: c.category, summary: c.summary })),
    windows: incident.windows.filter((w) => !w.implicit).map((w) => windowView(w, config, 'internal')),
    trigger: incident.trigger,
    contributingFactors: incident.contributing_factors.map((f) => ({ category: f.category, summary: f.summary })),
    detection:
      incident.detection || incident.detected
        ? {
            method: incident.detection ? (DETECTION_LABEL[incident.detection.method] ?? incident.detection.method) : 'not recorded',
            summary: incident.detection?.summary,
            when: detectionText(incident),
          }
        : undefined,
    timelineAt: undefined,
    timeline: incident.timeline.map((e) => ({
      time: shortDateTime(e.at, zone),
      offset: offsetLabel(e, incident),
      kind: KIND_LABEL[e.kind] ?? e.kind,
      event: e.event,
      shared: e.public,
    })),
    remediations: incident.remediations.map((r) => {
      const s = remediationStatus(incident.id, r.id);
      return {
        id: r.id,
        action: r.action,
        type: r.type,
        owner: ownerName(config, r.owner),
        due: r.due ?? '—',
        status: statusLabel(s.status),
        overdue: s.overdue,
        overdueText: overdueText(s.daysOverdue),
        ticket: r.ticket ?? '—',
      };
    }),
  };
}
