import type Handlebars from 'handlebars';
import type { Config, Owner } from '../schema/config.js';
import type { Incident, TimelineEntry } from '../model/incident.js';
import type { ImpactLevel } from '../schema/incident.js';
import { durations } from '../model/impact.js';
import { Temporal, type Instant } from '../model/time.js';
import { clockTime, englishDate, humanDuration, longDate, mediumDate, minutesBetween, weekdayName } from '../format/time.js';
import { markdownToHtml } from '../render/markdown.js';
import { sanitizedHtml } from '../render/handlebars.js';
import { customerMarkdown, safeMarkdown } from './markdown.js';
import type { LetterNoteSection } from './notes.js';
import { letterContact, type LetterContact } from './contact.js';
import type { FollowUp } from './follow-up.js';
import { joinList, numberWord, restorationSentence, serviceLabel, signatureTitle, symptomPhrase } from './phrases.js';

/**
 * The customer view of one letter: everything a customer template may show, and nothing
 * else. `customerLetter()` is the only place that reads incidents for customer documents;
 * it copies exactly the allowlist of the spec's Audience rule:
 *
 * - customer fields: id, title, services, locations (display names), started / mitigated /
 *   resolved, impact.summary, impact.symptoms, impact.percent_resolved_at_mitigation;
 * - the action text of remediations marked `public: true`;
 * - timeline entries marked `public: true`;
 * - impact windows marked `public: true` (times, level, services, locations, summary);
 * - the Customer summary (Markdown, sanitised for customers);
 * - owners whose directory entry is `public: true`, by name and public title;
 * - the organisation, audience and signer from the config.
 *
 * One fact is derived from an internal field without copying it: whether incidents that
 * share a symptom are linked through `related` ("unrelated in cause"), as a yes or no.
 * No internal text is ever read into the model.
 */

export interface LetterPerson {
  name: string;
  /** Public title as written in the directory, e.g. "our chief technology officer". */
  title: string;
  /** Title for a signature line, e.g. "Chief Technology Officer". */
  signature_title: string;
}

export interface LetterRemediationGroup {
  /** The public owner leading these actions, or null for "our team". */
  lead: LetterPerson | null;
  /** "Led by Bill Boebel, our chief technology officer" or "Led by our team". */
  lead_text: string;
  actions: string[];
}

export interface LetterTimelineEntry {
  /** "9:52 AM EDT", prefixed with the date when it is not the incident's start date. */
  time: string;
  event: string;
  /** ISO 8601 with the display zone's offset (for exports); a day-precision entry sits at the start of its day. */
  at: string;
  precision: 'minute' | 'day';
  approximate: boolean;
}

/** A window marked `public: true`: when, at what level, over which services (display names), with its summary. */
export interface LetterWindow {
  from: string;
  /** null while still open. */
  to: string | null;
  level: ImpactLevel;
  services: string[];
  locations: string[];
  summary: string | null;
}

export interface LetterIncident {
  number: number;
  /** The incident's id (its file name: a customer field). */
  id: string;
  title: string;
  /** Machine-readable times for exports: ISO 8601 with the display zone's offset; `resolved` is the end of impact as `duration` counts it. */
  times: { started: string; mitigated: string | null; resolved: string | null };
  /** Service ids as written in the record, in the order of `services` (their display names). */
  service_ids: string[];
  windows: LetterWindow[];
  /** "Monday, June 4, 2007" in the configured time zone. */
  date: string;
  /** "June 4". */
  short_date: string;
  weekday: string;
  start_time: string;
  locations: string[];
  location_text: string;
  services: string[];
  services_text: string;
  impact: string;
  symptoms: string[];
  /** "1 hour and 45 minutes" (exact minutes between instants), or null while unresolved. */
  duration: string | null;
  /** "10:57 AM EDT" (with the date if it ended on another day), or null. */
  end_time: string | null;
  restoration: string | null;
  timeline: LetterTimelineEntry[];
  summary: { html: Handlebars.SafeString; markdown: Handlebars.SafeString } | null;
  remediations: LetterRemediationGroup[];
  has_remediations: boolean;
}

export interface LetterSharedSymptom {
  symptom: string;
  /** "Although the two incidents were unrelated in cause, both left customers unable to access email." */
  sentence: string;
}

export interface CustomerLetter {
  organization: string;
  audience: string;
  /** "To our customers and partners," */
  greeting: string;
  /** Letter date, "June 13, 2007", and ISO `2007-06-13`. */
  date: string;
  date_iso: string;
  subject: string;
  count: number;
  count_word: string;
  /** "once", "twice", "three times". */
  count_times: string;
  multiple: boolean;
  span: {
    from: string;
    to: string;
    /** "between Monday, June 4 and Wednesday, June 13, 2007" or "on Monday, June 4, 2007". */
    text: string;
    days: number; days_word: string; same_day: boolean };
  incidents: LetterIncident[];
  shared: LetterSharedSymptom[];
  has_remediations: boolean;
  signer: LetterPerson | null;
  /** The letter's own paragraphs from its notes file (`notes.ts`), in source order. */
  notes: LetterNoteSection[];
  /** How to reach support, from the config's `contact` (`contact.ts`). */
  contact: LetterContact;
  /** What an earlier letter promised and where each promise stands (`follow-up.ts`), or null. */
  follow_up: FollowUp | null;
}

export interface LetterOptions {
  /** Signer's owner id (must be `public: true`), or none to sign as the organisation. */
  signer?: string;
  audience: string;
  /** Letter date `YYYY-MM-DD`; default: the day the last incident was resolved. */
  date?: string;
  /** The notes file's sections, already read (`readLetterNotes`). */
  notes?: LetterNoteSection[];
  /** The follow-up part, already built from the earlier letter's promises (`followUp`). */
  followUp?: FollowUp;
}

export class LetterInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LetterInputError';
  }
}

function person(owner: Owner): LetterPerson {
  const title = owner.title?.trim() || '';
  return { name: owner.name, title, signature_title: title ? signatureTitle(title) : '' };
}

/** "2007-06-04T09:10:00-04:00": an instant as ISO 8601 with the offset of the display zone. */
export function isoInZone(instant: Instant, zone: string): string {
  return instant.toZonedDateTimeISO(zone).toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function plainDate(instant: Instant, zone: string): Temporal.PlainDate {
  return instant.toZonedDateTimeISO(zone).toPlainDate();
}

function timeOn(instant: Instant, day: Temporal.PlainDate, zone: string): string {
  const sameDay = Temporal.PlainDate.compare(plainDate(instant, zone), day) === 0;
  return sameDay ? clockTime(instant, zone) : `${mediumDate(instant, zone)}, ${clockTime(instant, zone)}`;
}

/** When a timeline entry happened, as honestly as the record knows it: "around 6:00 AM", or a day alone. */
function entryTime(entry: TimelineEntry, day: Temporal.PlainDate, zone: string): string {
  const when = entry.day
    ? englishDate(Temporal.PlainDate.from(entry.day), false, false)
    : timeOn(entry.at, day, zone);
  return entry.approximate ? `around ${when}` : when;
}

/** The day a letter is dated by default: the day (in the display zone) the last incident ended. */
export function defaultLetterDate(incidents: readonly Incident[], zone: string): Temporal.PlainDate {
  const ends = incidents.map((i) => i.resolved ?? i.mitigated ?? i.started);
  const last = ends.reduce((a, b) => (Temporal.Instant.compare(a, b) >= 0 ? a : b));
  return plainDate(last, zone);
}

/** Incidents in the order they happened (then by id, so the order never depends on the command line). */
export function chronological(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort((a, b) => Temporal.Instant.compare(a.started, b.started) || a.id.localeCompare(b.id));
}

function letterIncident(incident: Incident, number: number, config: Config, owners: Map<string, Owner>): LetterIncident {
  const zone = config.timezone;
  const day = plainDate(incident.started, zone);
  const locations = incident.locations.map((id) => config.locations.get(id) ?? id);
  const services = incident.services.map(serviceLabel);
  // the end of impact for everyone: `resolved`, else the end of the last impact window
  const toResolve = durations(incident).toResolve;
  const end = toResolve === null ? undefined : incident.started.add({ milliseconds: Math.round(toResolve * 60000) });
  const groups: LetterRemediationGroup[] = [];
  for (const remediation of incident.remediations) {
    if (!remediation.public) continue;
    const owner = owners.get(remediation.owner);
    const lead = owner?.public ? person(owner) : null;
    const key = lead ? lead.name : null;
    let group = groups.find((g) => (g.lead ? g.lead.name : null) === key);
    if (!group) {
      const leadText = lead ? `Led by ${lead.name}${lead.title ? `, ${lead.title}` : ''}` : 'Led by our team';
      group = { lead, lead_text: leadText, actions: [] };
      groups.push(group);
    }
    group.actions.push(remediation.action.replace(/\s+/g, ' ').trim());
  }
  const summary = incident.customer_summary?.trim()
    ? {
        // Footnote ids per incident: a letter about several must not repeat them.
        html: sanitizedHtml(markdownToHtml(incident.customer_summary, 'customer', `user-content-${number}-`)),
        markdown: safeMarkdown(customerMarkdown(incident.customer_summary)),
      }
    : null;
  const iso = (instant: Instant | undefined) => (instant ? isoInZone(instant, zone) : null);
  return {
    number,
    id: incident.id,
    title: incident.title,
    times: { started: iso(incident.started)!, mitigated: iso(incident.mitigated), resolved: iso(end) },
    service_ids: [...incident.services],
    windows: incident.windows.filter((w) => w.public).map((w) => ({
      from: iso(w.from)!,
      to: iso(w.to),
      level: w.level,
      services: w.services.map(serviceLabel),
      locations: w.locations.map((id) => config.locations.get(id) ?? id),
      summary: w.summary?.trim() ? oneLine(w.summary) : null,
    })),
    date: longDate(incident.started, zone),
    short_date: englishDate(day, false, false),
    weekday: weekdayName(day),
    start_time: clockTime(incident.started, zone),
    locations,
    location_text: joinList(locations),
    services,
    services_text: joinList(services),
    impact: incident.impact.summary.replace(/\s+/g, ' ').trim(),
    symptoms: [...incident.impact.symptoms],
    duration: end ? humanDuration(minutesBetween(incident.started, end)) : null,
    end_time: end ? timeOn(end, day, zone) : null,
    restoration: restorationSentence({
      percent: incident.impact.percent_resolved_at_mitigation,
      toMitigation: incident.mitigated ? minutesBetween(incident.started, incident.mitigated) : undefined,
      mitigationToResolution: incident.mitigated && end ? minutesBetween(incident.mitigated, end) : undefined,
    }),
    timeline: incident.timeline
      .filter((entry) => entry.public)
      .map((entry) => ({
        time: entryTime(entry, day, zone),
        event: oneLine(entry.event),
        at: iso(entry.at)!,
        precision: entry.precision,
        approximate: entry.approximate,
      })),
    summary,
    remediations: groups,
    has_remediations: groups.length > 0,
  };
}

function linked(a: Incident, b: Incident): boolean {
  return a.related.includes(b.id) || b.related.includes(a.id);
}

function sharedSymptoms(incidents: readonly Incident[], views: readonly LetterIncident[]): LetterSharedSymptom[] {
  if (incidents.length < 2) return [];
  const bySymptom = new Map<string, { label: string; members: number[] }>();
  incidents.forEach((incident, index) => {
    for (const symptom of incident.impact.symptoms) {
      const key = symptom.replace(/\s+/g, ' ').trim().toLowerCase();
      const entry = bySymptom.get(key) ?? { label: symptom.replace(/\s+/g, ' ').trim(), members: [] };
      if (!entry.members.includes(index)) entry.members.push(index);
      bySymptom.set(key, entry);
    }
  });
  // Symptoms felt in the same set of incidents are told in one sentence.
  const groups = new Map<string, { labels: string[]; members: number[] }>();
  for (const { label, members } of bySymptom.values()) {
    if (members.length < 2) continue;
    const key = members.join(',');
    const group = groups.get(key) ?? { labels: [], members };
    group.labels.push(label);
    groups.set(key, group);
  }
  const result: LetterSharedSymptom[] = [];
  for (const { labels, members } of groups.values()) {
    const all = members.length === incidents.length;
    const pairs: boolean[] = [];
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) pairs.push(linked(incidents[members[i]!]!, incidents[members[j]!]!));
    }
    const which = all
      ? members.length === 2 ? 'the two incidents' : `all ${numberWord(members.length)} incidents`
      : `the incidents on ${joinList(members.map((m) => views[m]!.short_date))}`;
    const each = members.length === 2 ? 'both' : `all ${numberWord(members.length)}`;
    const felt = joinList(labels.map(symptomPhrase));
    let sentence: string;
    if (pairs.every((p) => !p)) sentence = `Although ${which} were unrelated in cause, ${each} left customers ${felt}.`;
    else if (pairs.every((p) => p)) sentence = `${capitalise(which)} were related, and ${each} left customers ${felt}.`;
    else sentence = `Some of ${which} were related and some were not, but ${each} left customers ${felt}.`;
    result.push({ symptom: joinList(labels), sentence });
  }
  return result;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Builds the customer view model of a letter about `incidents`. The only function that
 * reads incidents for customer documents (see the allowlist above).
 */
export function customerLetter(incidentList: readonly Incident[], config: Config, options: LetterOptions): CustomerLetter {
  if (incidentList.length === 0) throw new LetterInputError('a letter needs at least one incident');
  const zone = config.timezone;
  const owners = new Map(config.owners.map((o) => [o.id, o]));
  const incidents = chronological(incidentList);
  const views = incidents.map((incident, i) => letterIncident(incident, i + 1, config, owners));

  let signer: LetterPerson | null = null;
  if (options.signer) {
    const owner = owners.get(options.signer);
    if (!owner) throw new LetterInputError(`signer "${options.signer}" is not in the owners directory of postmortem.config.yaml`);
    if (!owner.public) {
      throw new LetterInputError(`signer "${options.signer}" is not public: true in the owners directory, so customer letters may not name them`);
    }
    signer = person(owner);
  }

  let date: Temporal.PlainDate;
  if (options.date) {
    try {
      date = Temporal.PlainDate.from(options.date, { overflow: 'reject' });
    } catch {
      throw new LetterInputError(`letter date "${options.date}" is not a real date (YYYY-MM-DD)`);
    }
  } else date = defaultLetterDate(incidents, zone);

  const first = incidents[0]!;
  const lastDay = defaultLetterDate(incidents, zone);
  const firstDay = plainDate(first.started, zone);
  const days = firstDay.until(lastDay, { largestUnit: 'days' }).days + 1;
  const count = incidents.length;
  const audience = options.audience.replace(/\s+/g, ' ').trim() || 'customers';
  const sameYear = firstDay.year === lastDay.year;
  const withWeekday = (d: Temporal.PlainDate, year: boolean) => englishDate(d, true, year);
  const subject = count === 1
    ? first.title.replace(/\s+/g, ' ').trim()
    : days === 1
      ? `Service interruptions on ${mediumDate(lastDay)}`
      : `Service interruptions ${count === 2 ? 'on' : 'between'} ${sameYear ? englishDate(firstDay, false, false) : mediumDate(firstDay)} and ${mediumDate(lastDay)}`;

  return {
    organization: config.organization,
    audience,
    greeting: `To our ${audience},`,
    date: mediumDate(date),
    date_iso: date.toString(),
    subject: options.followUp?.subject ?? subject,
    count,
    count_word: numberWord(count),
    count_times: count === 1 ? 'once' : count === 2 ? 'twice' : `${numberWord(count)} times`,
    multiple: count > 1,
    span: {
      from: longDate(first.started, zone),
      to: withWeekday(lastDay, true),
      text: days === 1
        ? `on ${withWeekday(firstDay, true)}`
        : `between ${withWeekday(firstDay, !sameYear)} and ${withWeekday(lastDay, true)}`,
      days,
      days_word: numberWord(days),
      same_day: days === 1,
    },
    incidents: views,
    shared: sharedSymptoms(incidents, views),
    has_remediations: views.some((v) => v.has_remediations),
    signer,
    notes: options.notes ?? [],
    contact: letterContact(config),
    follow_up: options.followUp ?? null,
  };
}
