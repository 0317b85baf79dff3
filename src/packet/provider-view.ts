import type { CreditsView } from './credits-view.js';
import type { ActionRow } from '../db/queries/actions.js';
import { compactDuration, humanDuration, mediumDate, shortDateTime } from '../format/time.js';
import type { Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import type { Config } from '../schema/config.js';
import { PROVIDER_OWNER_PREFIX, type Remediation } from '../schema/incident.js';
import { safe, type SafeHtml } from './html.js';
import { providerName, serviceNames } from '../format/names.js';
import { impactMinutes, locationName, overdueText, statusLabel } from './incident-view.js';
import type { Notes, NotesSection } from './notes.js';
import { actionKey } from './numbers.js';
import type { PacketSpec } from './spec.js';
import { type WindowView, windowView } from './windows.js';
import type { TocEntry } from './view.js';

/**
 * The packet the provider may be handed (`audience: provider`): an allowlist view built from
 * the records, never a filter over the internal view. `providerPacketView()` is the only
 * place that reads incidents for it, and it copies exactly:
 *
 * - the incidents the provider was involved in (`provider` lists it), and of each: title,
 *   started / detected / mitigated / resolved, services, locations (display names),
 *   `impact.summary`, `impact.symptoms`, the impact windows (times, level, services,
 *   locations; its scope and summary only when the window is `public: true`), and the
 *   timeline entries marked `public: true`;
 * - the remediations the provider owns (`owner: provider:<id>`): id, action, type, due,
 *   status, overdue on the evaluation date;
 * - our remediations marked `public: true`: the action text, the owner by role (the
 *   directory's `title`, else `team`; never the name or e-mail), due and status;
 * - the notes file's `{asks}` sections, and nothing else of the notes;
 * - the credits slot, filled by the credits computation when there is one.
 *
 * Never: owner names or e-mails, tickets, root causes, triggers, contributing factors,
 * detection notes, other body sections, internal notes, links, severity, customer counts,
 * the Customer summary, other providers, other incidents. `provider-tripwire.ts` checks the
 * rendered document against all of those before anything is written.
 */
export interface ProviderRemediationView {
  incident: string;
  anchor: string;
  id: string;
  action: string;
  type: string;
  due: string;
  status: string;
  overdue: boolean;
  overdueText: string;
}

export interface ProviderIncidentView {
  number: string;
  /** `incident-<n>`: by position, so no incident id reaches a link target. */
  anchor: string;
  heading: string;
  title: string;
  date: string;
  duration: string;
  services: string;
  locations: string;
  times: { label: string; value: string }[];
  impactSummary: string;
  symptoms: string[];
  windows: WindowView[];
  timeline: { time: string; event: string }[];
  /** Remediations the provider owns. */
  theirs: ProviderRemediationView[];
  /** Our remediations marked public, the owner by role. */
  ours: { action: string; owner: string; due: string; status: string }[];
}

/** Service credits owed to us under the provider's contract: the internal packet's chapter view (`credits-view.ts`), shown as its own chapter when the provider has a contract. */
export type ProviderCredits = CreditsView;

export interface ProviderPacketView {
  title: string;
  subtitle: string;
  organization: string;
  provider: string;
  meeting?: Temporal.PlainDate;
  periodText: string;
  asOf: Temporal.PlainDate;
  /** "Prepared for Rackspace": on the cover, and in the running header and footer of every later page. */
  marking: string;
  /** "Webmail.us, Inc. · Incident review with Rackspace": the running header after the cover. */
  runningHeader: string;
  toc: TocEntry[];
  sections: Record<'summary' | 'incidents' | 'details' | 'remediations' | 'credits', TocEntry | undefined>;
  summary: string[];
  rows: { anchor: string; date: string; title: string; services: string; duration: string }[];
  incidents: ProviderIncidentView[];
  remediations: { rows: ProviderRemediationView[]; done: number; open: number; overdue: number };
  asks: { heading: string; anchor: string; html: SafeHtml }[];
  credits: ProviderCredits | undefined;
}

export interface ProviderViewInput {
  spec: PacketSpec;
  config: Config;
  /** The packet's incidents; only those involving the provider are read. */
  incidents: readonly Incident[];
  /** Every remediation's status on the evaluation date (`postmortem actions --status all`), by `actionKey`. */
  actions: ReadonlyMap<string, Pick<ActionRow, 'status' | 'days_overdue'>>;
  /** The provider's row of `stats --by provider` for the period. */
  totals: { incidents: number; impact_minutes: number } | undefined;
  notes?: Notes;
  credits?: ProviderCredits;
}

const plural = (n: number, word: string, words = `${word}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? word : words}`;

/** An owner as the provider may see them: the role from the directory, else the team, never the name. */
export function ownerRole(config: Config, owner: string): string {
  if (owner.startsWith(PROVIDER_OWNER_PREFIX)) return 'a third party';
  const entry = config.owners.find((o) => o.id === owner);
  if (entry?.title?.trim()) return entry.title.trim();
  if (entry?.team?.trim()) return `the ${entry.team.trim()} team`;
  return 'our team';
}

function remediationView(
  incident: Incident,
  r: Remediation,
  anchor: string,
  actions: ProviderViewInput['actions'],
): ProviderRemediationView {
  const row = actions.get(actionKey(incident.id, r.id));
  const days = row?.days_overdue ?? null;
  return {
    incident: incident.title,
    anchor,
    id: r.id,
    action: r.action,
    type: r.type,
    due: r.due ?? '—',
    status: statusLabel(row?.status ?? r.status),
    overdue: days !== null,
    overdueText: overdueText(days ?? 0),
  };
}

function providerIncident(incident: Incident, number: string, n: number, input: ProviderViewInput): ProviderIncidentView {
  const { config, spec } = input;
  const zone = config.timezone;
  const anchor = `incident-${n}`;
  const owner = `${PROVIDER_OWNER_PREFIX}${spec.provider}`;
  const minutes = impactMinutes(incident);
  const time = (label: string, at: Incident['started'] | undefined) => (at ? [{ label, value: shortDateTime(at, zone) }] : []);
  return {
    number,
    anchor,
    heading: `${number} ${incident.title}`,
    title: incident.title,
    date: mediumDate(incident.started, zone),
    duration: minutes === undefined ? 'ongoing' : compactDuration(minutes),
    services: serviceNames(config, incident.services),
    locations: incident.locations.map((l) => locationName(config, l)).join(', '),
    times: [...time('Impact began', incident.started), ...time('Mitigated', incident.mitigated), ...time('Resolved', incident.resolved)],
    impactSummary: incident.impact.summary,
    symptoms: [...incident.impact.symptoms],
    windows: incident.windows.map((w) => windowView(w, config, 'provider')),
    timeline: incident.timeline.filter((e) => e.public).map((e) => ({ time: e.day ?? shortDateTime(e.at, zone), event: e.event })),
    theirs: incident.remediations.filter((r) => r.owner === owner).map((r) => remediationView(incident, r, anchor, input.actions)),
    ours: incident.remediations
      .filter((r) => r.public && r.owner !== owner)
      .map((r) => ({
        action: r.action,
        owner: ownerRole(config, r.owner),
        due: r.due ?? '—',
        status: statusLabel(input.actions.get(actionKey(incident.id, r.id))?.status ?? r.status),
      })),
  };
}

function asksOf(notes: Notes | undefined): NotesSection[] {
  return notes?.sections.filter((s) => s.flags.includes('asks')) ?? [];
}

function summaryText(
  input: ProviderViewInput,
  provider: string,
  views: readonly ProviderIncidentView[],
  remediations: ProviderPacketView['remediations'],
): string[] {
  const { spec } = input;
  const period = `From ${mediumDate(spec.period.since)} to ${mediumDate(spec.period.until)}`;
  const total = input.totals;
  const lines = [
    total && total.incidents > 0
      ? `${period}, ${plural(total.incidents, 'incident')} involving ${provider} affected our customers, with ${humanDuration(total.impact_minutes)} of customer impact in total.`
      : `${period}, no incident involving ${provider} affected our customers.`,
  ];
  if (views.length)
    lines.push(
      `This document reviews ${views.length === 1 ? 'that incident' : `${plural(views.length, 'incident')}`}: when ${views.length === 1 ? 'it' : 'each'} happened, how long and how widely customers were affected, what each side is changing, and what we ask of ${provider}.`,
    );
  lines.push(
    remediations.rows.length
      ? `As of ${mediumDate(input.spec.asOf)}, ${provider} owns ${plural(remediations.rows.length, 'remediation')} of these incidents: ${remediations.done} done, ${remediations.open} open, ${remediations.overdue} of them overdue.`
      : `No remediation of these incidents is recorded as owned by ${provider}.`,
  );
  const asks = asksOf(input.notes).reduce((s, a) => s + a.items.length, 0);
  if (asks) lines.push(`We ask ${plural(asks, 'thing')} of ${provider}; each is listed at the end of this document.`);
  return lines;
}

/**
 * The provider's view of a packet. The only function that reads incidents for a document
 * handed to the provider (see the allowlist above).
 */
export function providerPacketView(input: ProviderViewInput): ProviderPacketView {
  const { spec, config } = input;
  if (spec.provider === undefined) throw new Error('providerPacketView needs spec.provider');
  const provider = providerName(config, spec.provider);
  const involved = input.incidents.filter((i) => i.providers.includes(spec.provider!));
  const toc: TocEntry[] = [];
  const top = (title: string, anchor: string): TocEntry => {
    const number = String(toc.filter((t) => t.level === 1).length + 1);
    const entry: TocEntry = { number, title, heading: `${number} ${title}`, anchor, level: 1 };
    toc.push(entry);
    return entry;
  };
  const summary = top('Summary', 'summary');
  const table = top(`Incidents involving ${provider}`, 'incidents');
  const details = involved.length ? top('Incident reviews', 'details') : undefined;
  const views = involved.map((incident, i) => {
    const view = providerIncident(incident, `${details!.number}.${i + 1}`, i + 1, input);
    toc.push({ number: view.number, title: view.title, heading: view.heading, anchor: view.anchor, level: 2 });
    return view;
  });
  const remediationsEntry = top(`Remediations owned by ${provider}`, 'remediations');
  const rows = views.flatMap((v) => v.theirs);
  const remediations = {
    rows,
    done: rows.filter((r) => r.status === statusLabel('done')).length,
    open: rows.filter((r) => r.status === statusLabel('open') || r.status === statusLabel('in-progress')).length,
    overdue: rows.filter((r) => r.overdue).length,
  };
  const asks = asksOf(input.notes).map((s) => {
    const entry = top(s.title, s.anchor);
    return { heading: entry.heading, anchor: s.anchor, html: safe(s.html) };
  });
  const credits = input.credits ? top('Credits owed to us', 'credits') : undefined;
  const title = `Incident review with ${provider}`;
  return {
    title,
    subtitle: `Prepared by ${config.organization} for ${provider}`,
    organization: config.organization,
    provider,
    meeting: spec.meeting,
    periodText: `${mediumDate(spec.period.since)} – ${mediumDate(spec.period.until)}`,
    asOf: spec.asOf,
    marking: `Prepared for ${provider}`,
    runningHeader: `${config.organization} · ${title}`,
    toc,
    sections: { summary, incidents: table, details, remediations: remediationsEntry, credits },
    summary: summaryText(input, provider, views, remediations),
    rows: views.map((v) => ({ anchor: v.anchor, date: v.date, title: v.title, services: v.services, duration: v.duration })),
    incidents: views,
    remediations,
    asks,
    credits: input.credits,
  };
}
