import type Handlebars from 'handlebars';
import { locationName, type Config, type Owner } from '../schema/config.js';
import type { Incident, TimelineEntry } from '../model/incident.js';
import type { ImpactLevel } from '../schema/incident.js';
import { durations, type ImpactWindow } from '../model/impact.js';
import { Temporal, type Instant } from '../model/time.js';
import { clockTime, englishDate, humanDuration, longDate, mediumDate, minutesBetween, weekdayName } from '../format/time.js';
import { markdownToHtml } from '../render/markdown.js';
import { zoneFormatOf } from '../site/zone-format.js';
import { sanitizedHtml } from '../render/handlebars.js';
import { customerMarkdown, safeMarkdown, withoutDeadMarkup } from './markdown.js';
import {
  joinList,
  leaderPhrase,
  LEVEL_PHRASES,
  numberWord,
  percentPhrase,
  plainText,
  scopePhrase,
  serviceLabel,
  signatureTitle,
  symptomPhrase,
  unitPhrase,
} from './phrases.js';
import type { Claim, SentenceRuleId } from './sentences.js';
import type { LetterNoteSection } from './notes.js';
import { letterContact, type LetterContact } from './contact.js';
import type { FollowUp } from './follow-up.js';
import { customerWording } from './promises.js';

/**
 * The customer view of one letter: everything a customer template may show, and nothing
 * else. `customerLetter()` is the only place that reads incidents for customer documents;
 * it copies exactly the allowlist of the spec's Audience rule:
 *
 * - customer fields: title, services, locations (display names and zones), started /
 *   mitigated / resolved, impact.summary, impact.symptoms, impact.percent_resolved_at_mitigation
 *   with its unit, public impact windows;
 * - the customer wording (else the action text) of remediations marked `public: true`, with
 *   `completed` / `due`;
 * - the Customer summary (Markdown, sanitised for customers) and `customer.related_cause`;
 * - owners whose directory entry is `public: true`, by name and public title;
 * - the organisation, audience and signer from the config.
 *
 * Every sentence is written by one rule of `sentences.ts` and recorded as a claim.
 * No internal field is read, not even as a yes or no (`related` is not used).
 */

export interface LetterPerson {
  name: string;
  /** Public title as written in the directory, e.g. "our chief technology officer". */
  title: string;
  /** Title for a signature line, e.g. "Chief Technology Officer". */
  signature_title: string;
}

export interface LetterChange {
  /** The customer wording, else the action text. */
  text: string;
  /** "completed June 4, 2007", "by October 31, 2007", or null. */
  when: string | null;
}

export interface LetterChangeGroup {
  /** The public owner leading these changes, or null (not named). */
  lead: LetterPerson | null;
  /** "Led by Bill Boebel, our chief technology officer", or null. */
  lead_text: string | null;
  changes: LetterChange[];
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
  /** Machine-readable times for exports: ISO 8601 with the display zone's offset; `resolved` is the end of impact as `when` counts it. */
  times: { started: string; mitigated: string | null; resolved: string | null };
  /** Service ids as written in the record, in the order of `services` (their display names). */
  service_ids: string[];
  /** Public windows and public timeline entries: data for the exports (the letter tells them through `when` and `restoration`). */
  windows: LetterWindow[];
  timeline: LetterTimelineEntry[];
  /** "Monday, June 4, 2007" in the configured time zone. */
  date: string;
  /** "June 4". */
  short_date: string;
  weekday: string;
  locations: string[];
  location_text: string;
  services: string[];
  services_text: string;
  /** What customers experienced (`impact.summary`). */
  experience: string;
  symptoms: string[];
  /** When it began, how long it lasted, until when (rule `when`). */
  when: string;
  /** How much was restored when (rules `restored-share` or `window-stage`); may be empty. */
  restoration: string[];
  summary: { html: Handlebars.SafeString; markdown: Handlebars.SafeString } | null;
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
    days: number;
    days_word: string;
    same_day: boolean;
  };
  incidents: LetterIncident[];
  /** What the incidents have in common: shared symptoms, then the customer wordings of a shared cause (rules `shared-symptom`, `related-cause`). */
  shared: string[];
  /** Done by the letter date (rule `changed`), by leader. */
  changed: LetterChangeGroup[];
  /** Open or in progress at the letter date (rule `changing`), by leader. */
  changing: LetterChangeGroup[];
  has_changes: boolean;
  signer: LetterPerson | null;
  /** Every sentence written from the record, with its rule and fields (for `--preview`). */
  claims: Claim[];
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
  const title = plainText(owner.title ?? '');
  return { name: plainText(owner.name), title, signature_title: title ? signatureTitle(title) : '' };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function timeOn(instant: Instant, day: Temporal.PlainDate, zone: string): string {
  const sameDay = Temporal.PlainDate.compare(plainDate(instant, zone), day) === 0;
  return sameDay ? clockTime(instant, zone) : `${mediumDate(instant, zone)}, ${clockTime(instant, zone)}`;
}

/** When a timeline entry happened, as honestly as the record knows it: "around 6:00 AM", or a day alone. */
function entryTime(entry: TimelineEntry, day: Temporal.PlainDate, zone: string): string {
  const when = entry.day ? englishDate(Temporal.PlainDate.from(entry.day), false, false) : timeOn(entry.at, day, zone);
  return entry.approximate ? `around ${when}` : when;
}

function plainDate(instant: Instant, zone: string): Temporal.PlainDate {
  return instant.toZonedDateTimeISO(zone).toPlainDate();
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

/** The zones times are told in: the letter's, then each location's own zone that differs from it. */
interface Clock {
  zone: string;
  /** The day the incident began (in the letter's zone): times on it need no date. */
  day: Temporal.PlainDate;
  places: { zone: string; names: string[] }[];
}

function incidentClock(incident: Incident, config: Config): Clock {
  const places: Clock['places'] = [];
  for (const id of incident.locations) {
    const zone = config.locations.get(id)?.timezone;
    if (!zone || zone === config.timezone) continue;
    const place = places.find((p) => p.zone === zone) ?? places[places.push({ zone, names: [] }) - 1]!;
    place.names.push(locationName(config, id));
  }
  return { zone: config.timezone, day: plainDate(incident.started, config.timezone), places };
}

/** "Sunday, October 31" (with the year when it differs from `than`). */
function dayText(day: Temporal.PlainDate, than: Temporal.PlainDate): string {
  return englishDate(day, true, day.year !== than.year);
}

/** "9:12 AM EDT", "12:50 PM PDT on Sunday, October 31" on another day, then "(3:12 PM CEST in Zürich)". */
function at(instant: Instant, clock: Clock): string {
  const local = (zone: string) => {
    const day = plainDate(instant, zone);
    const same = Temporal.PlainDate.compare(day, clock.day) === 0;
    return same ? clockTime(instant, zone) : `${clockTime(instant, zone)} on ${dayText(day, clock.day)}`;
  };
  const elsewhere = clock.places.map((p) => `${local(p.zone)} in ${joinList(p.names)}`);
  return elsewhere.length ? `${local(clock.zone)} (${elsewhere.join('; ')})` : local(clock.zone);
}

const before = (a: Instant, b: Instant) => Temporal.Instant.compare(a, b) < 0;

/** Public windows that customers may read about (listed, `public: true`, not data loss). */
function toldWindows(incident: Incident): ImpactWindow[] {
  return incident.windows.filter((w) => w.public && !w.implicit);
}

/** Levels at which customers could not use (part of) the service: what "how long" counts. */
const DOWN_LEVELS: readonly string[] = ['outage', 'partial-outage'];

/**
 * Where the letter says the interruption ended: `resolved` (or the end of the last window),
 * except when the public windows show that the end was only a degraded or delayed tail (such
 * as a feature switched back on later): then the end of the last public outage or
 * partial-outage window. Windows that are not public never move it; undefined while the
 * interruption is not over.
 */
function toldEnd(incident: Incident): Instant | undefined {
  const toResolve = durations(incident).toResolve;
  const resolved = toResolve === null ? undefined : incident.started.add({ milliseconds: Math.round(toResolve * 60000) });
  const told = toldWindows(incident);
  const down = told.filter((w) => DOWN_LEVELS.includes(w.level));
  if (!resolved || down.length === 0 || told.some((w) => !w.to)) return resolved;
  const last = (ws: ImpactWindow[]) => ws.map((w) => w.to!).reduce((a, b) => (before(a, b) ? b : a));
  const lastDown = last(down);
  const tailIsTold = before(lastDown, last(told)) && !before(last(told), resolved);
  return tailIsTold ? lastDown : resolved;
}

/** Records a claim (about `incident`, default: the incident being told) and returns its text. */
type Say = (rule: SentenceRuleId, fields: string[], text: string, incident?: string) => string;

function whenSentence(incident: Incident, end: Instant | undefined, clock: Clock, say: Say): string {
  const began = `It began at ${at(incident.started, clock)}`;
  const fromWindows = toldWindows(incident).some((w) => DOWN_LEVELS.includes(w.level));
  const fields = ['started', fromWindows ? 'impact.windows[].to' : 'resolved', ...(clock.places.length ? ['locations'] : [])];
  if (!end) return say('when', fields, `${began} and was not yet over when we wrote this letter.`);
  return say('when', fields, `${began} and lasted ${humanDuration(minutesBetween(incident.started, end))}, until ${at(end, clock)}.`);
}

/** How much was restored when: the share at mitigation with its unit, else the public windows with a scope. */
function restoration(incident: Incident, end: Instant | undefined, clock: Clock, say: Say): string[] {
  const { percent_resolved_at_mitigation: percent, percent_resolved_of: of } = incident.impact;
  const mitigated = incident.mitigated;
  if (
    percent !== undefined &&
    of &&
    mitigated &&
    percent > 0 &&
    percent < 100 &&
    before(incident.started, mitigated) &&
    (!end || before(mitigated, end))
  ) {
    return [
      say(
        'restored-share',
        ['impact.percent_resolved_at_mitigation', 'impact.percent_resolved_of', 'mitigated'],
        `By ${at(mitigated, clock)}, service was back for ${percentPhrase(percent)} of ${unitPhrase(of)}.`,
      ),
    ];
  }
  return toldWindows(incident)
    .filter((w) => w.scope)
    .sort((a, b) => Temporal.Instant.compare(a.from, b.from) || a.index - b.index)
    .map((w) => {
      const span = w.to ? `From ${at(w.from, clock)} to ${at(w.to, clock)}` : `Since ${at(w.from, clock)}`;
      const fields = ['from', 'to', 'level', 'scope'].map((f) => `impact.windows[${w.index - 1}].${f}`);
      return say('window-stage', fields, `${span}, ${LEVEL_PHRASES[w.level]} affected ${scopePhrase(w.scope!)}.`);
    });
}

/**
 * The Customer summary in both forms. The Markdown is written when first read: the Atom feed (the
 * site's `feed.xml`, 50 letters on every cold build) shows only the HTML, and the Markdown's
 * parse and serialisation (remark) cost more than the rest of the letter model.
 */
function customerSummary(markdown: string, number: number): NonNullable<LetterIncident['summary']> {
  let written: Handlebars.SafeString | undefined;
  return {
    // Footnote ids per incident: a letter about several must not repeat them.
    html: sanitizedHtml(markdownToHtml(markdown, 'customer', `user-content-${number}-`)),
    get markdown() {
      written ??= safeMarkdown(customerMarkdown(markdown));
      return written;
    },
  };
}

function letterIncident(incident: Incident, number: number, config: Config, say: Say): LetterIncident {
  const clock = incidentClock(incident, config);
  const locations = incident.locations.map((id) => plainText(locationName(config, id)));
  // a configured display name, else the id in words ("smtp-inbound" → "SMTP inbound")
  const service = (id: string) => {
    const name = config.service_names.get(id);
    return name === undefined ? serviceLabel(plainText(id)) : plainText(name);
  };
  const services = incident.services.map(service);
  const end = toldEnd(incident);
  const summaryMarkdown = withoutDeadMarkup(incident.customer_summary ?? '').trim();
  const summary = summaryMarkdown ? customerSummary(summaryMarkdown, number) : null;
  const date = longDate(incident.started, clock.zone);
  say('heading', locations.length ? ['started', 'locations'] : ['started'], locations.length ? `${date} — ${joinList(locations)}` : date);
  const experience = say('experience', ['impact.summary'], plainText(incident.impact.summary));
  const when = whenSentence(incident, end, clock, say);
  const restored = restoration(incident, end, clock, say);
  if (summary) say('summary', ['customer.summary'], summaryMarkdown.replace(/\s+/g, ' '));
  const zoned = zoneFormatOf(clock.zone);
  const iso = (instant: Instant | undefined) => (instant ? zoned.isoInZone(instant) : null);
  return {
    number,
    id: incident.id,
    title: plainText(incident.title),
    times: { started: iso(incident.started)!, mitigated: iso(incident.mitigated), resolved: iso(end) },
    service_ids: [...incident.services],
    windows: incident.windows
      .filter((w) => w.public)
      .map((w) => ({
        from: iso(w.from)!,
        to: iso(w.to),
        level: w.level,
        services: w.services.map(service),
        locations: w.locations.map((id) => plainText(locationName(config, id))),
        summary: w.summary?.trim() ? plainText(oneLine(w.summary)) : null,
      })),
    timeline: incident.timeline
      .filter((entry) => entry.public)
      .map((entry) => ({
        time: entryTime(entry, clock.day, clock.zone),
        event: plainText(oneLine(entry.event)),
        at: iso(entry.at)!,
        precision: entry.precision,
        approximate: entry.approximate,
      })),
    date,
    short_date: englishDate(clock.day, false, false),
    weekday: weekdayName(clock.day),
    locations,
    location_text: joinList(locations),
    services,
    services_text: joinList(services),
    experience,
    symptoms: incident.impact.symptoms.map(plainText),
    when,
    restoration: restored,
    summary,
  };
}

/** One sentence per set of incidents that share symptoms: "Both incidents left customers unable to access email." */
function sharedSymptoms(incidents: readonly Incident[], views: readonly LetterIncident[], say: Say): string[] {
  if (incidents.length < 2) return [];
  const bySymptom = new Map<string, { label: string; members: number[] }>();
  incidents.forEach((incident, index) => {
    for (const symptom of incident.impact.symptoms) {
      const label = plainText(symptom);
      const entry = bySymptom.get(label.toLowerCase()) ?? { label, members: [] };
      if (!entry.members.includes(index)) entry.members.push(index);
      bySymptom.set(label.toLowerCase(), entry);
    }
  });
  // Symptoms felt in the same set of incidents are told in one sentence.
  const groups = new Map<string, { labels: string[]; members: number[] }>();
  for (const { label, members } of bySymptom.values()) {
    if (members.length < 2) continue;
    const group = groups.get(members.join(',')) ?? { labels: [], members };
    group.labels.push(label);
    groups.set(members.join(','), group);
  }
  return [...groups.values()].map(({ labels, members }) => {
    const which =
      members.length === incidents.length
        ? members.length === 2
          ? 'Both incidents'
          : `All ${numberWord(members.length)} incidents`
        : `The incidents on ${joinList(members.map((m) => views[m]!.short_date))}`;
    return say('shared-symptom', ['impact.symptoms'], `${which} left customers ${joinList(labels.map(symptomPhrase))}.`);
  });
}

/** The customer wordings that incidents share a cause, each once; only these make a letter call incidents related. */
function relatedCauses(incidents: readonly Incident[], say: Say): string[] {
  if (incidents.length < 2) return [];
  const texts = incidents.map((i) => plainText(i.customer?.related_cause ?? '')).filter(Boolean);
  return [...new Set(texts)].map((text) => say('related-cause', ['customer.related_cause'], text));
}

interface Changes {
  changed: LetterChangeGroup[];
  changing: LetterChangeGroup[];
}

/** Public remediations, split into done by the letter date and still to do, grouped by their public leader. */
function changes(incidents: readonly Incident[], config: Config, letterDate: Temporal.PlainDate, say: Say): Changes {
  const owners = new Map(config.owners.map((o) => [o.id, o]));
  const result: Changes = { changed: [], changing: [] };
  for (const incident of incidents) {
    for (const r of incident.remediations) {
      if (!r.public || r.status === 'wont-do') continue;
      const completed = r.completed ? Temporal.PlainDate.from(r.completed) : undefined;
      const done = r.status === 'done' && (!completed || Temporal.PlainDate.compare(completed, letterDate) <= 0);
      const owner = owners.get(r.owner);
      const lead = owner?.public ? person(owner) : null;
      const section = done ? result.changed : result.changing;
      let group = section.find((g) => g.lead?.name === lead?.name);
      if (!group) {
        const leadText = lead
          ? say('leader', [`remediations[${r.id}].owner`], `Led by ${leaderPhrase(lead.name, lead.title)}`, incident.id)
          : null;
        group = { lead, lead_text: leadText, changes: [] };
        section.push(group);
      }
      const wording = r.customer_action ? 'customer_action' : 'action';
      const text = customerWording(r);
      const when = done
        ? completed
          ? `completed ${mediumDate(completed)}`
          : null
        : r.due
          ? `by ${mediumDate(Temporal.PlainDate.from(r.due))}`
          : null;
      const fields = [`remediations[${r.id}].${wording}`, ...(when ? [`remediations[${r.id}].${done ? 'completed' : 'due'}`] : [])];
      say(done ? 'changed' : 'changing', fields, when ? `${text} (${when})` : text, incident.id);
      group.changes.push({ text, when });
    }
  }
  // Changes nobody public leads come last, after those with a named leader.
  for (const section of [result.changed, result.changing]) section.sort((a, b) => Number(!a.lead) - Number(!b.lead));
  return result;
}

function letterDate(options: LetterOptions, incidents: readonly Incident[], zone: string): Temporal.PlainDate {
  if (!options.date) return defaultLetterDate(incidents, zone);
  try {
    return Temporal.PlainDate.from(options.date, { overflow: 'reject' });
  } catch {
    throw new LetterInputError(`letter date "${options.date}" is not a real date (YYYY-MM-DD)`);
  }
}

function signerOf(options: LetterOptions, config: Config): LetterPerson | null {
  if (!options.signer) return null;
  const owner = config.owners.find((o) => o.id === options.signer);
  if (!owner) throw new LetterInputError(`signer "${options.signer}" is not in the owners directory of postmortem.config.yaml`);
  if (!owner.public) {
    throw new LetterInputError(
      `signer "${options.signer}" is not public: true in the owners directory, so customer letters may not name them`,
    );
  }
  return person(owner);
}

/**
 * Builds the customer view model of a letter about `incidents`. The only function that
 * reads incidents for customer documents (see the allowlist above).
 */
export function customerLetter(incidentList: readonly Incident[], config: Config, options: LetterOptions): CustomerLetter {
  if (incidentList.length === 0) throw new LetterInputError('a letter needs at least one incident');
  const zone = config.timezone;
  const incidents = chronological(incidentList);
  const signer = signerOf(options, config);
  const date = letterDate(options, incidents, zone);
  const claims: Claim[] = [];
  let current: string | null = null;
  const say: Say = (rule, fields, text, incident) => {
    claims.push({ rule, incident: incident ?? current, fields, text });
    return text;
  };

  const first = incidents[0]!;
  const lastDay = defaultLetterDate(incidents, zone);
  const firstDay = plainDate(first.started, zone);
  const days = firstDay.until(lastDay, { largestUnit: 'days' }).days + 1;
  const count = incidents.length;
  const audience = plainText(options.audience) || 'customers';
  const sameYear = firstDay.year === lastDay.year;
  const withWeekday = (d: Temporal.PlainDate, year: boolean) => englishDate(d, true, year);
  const subject =
    count === 1
      ? plainText(first.title)
      : days === 1
        ? `Service interruptions on ${mediumDate(lastDay)}`
        : count === 2
          ? // "on" names the days the two interruptions began (not the day the second one ended)
            `Service interruptions on ${sameYear ? englishDate(firstDay, false, false) : mediumDate(firstDay)} and ${mediumDate(plainDate(incidents[1]!.started, zone))}`
          : `Service interruptions between ${sameYear ? englishDate(firstDay, false, false) : mediumDate(firstDay)} and ${mediumDate(lastDay)}`;
  const spanText =
    days === 1 ? `on ${withWeekday(firstDay, true)}` : `between ${withWeekday(firstDay, !sameYear)} and ${withWeekday(lastDay, true)}`;
  const countTimes = count === 1 ? 'once' : count === 2 ? 'twice' : `${numberWord(count)} times`;
  // one incident: its heading, right below the opening, names the day (and its \`when\` sentence the
  // end), so the opening names none (the day said twice, the end of a multi-day incident too)
  if (count > 1) say('span', ['started', 'resolved'], `Our service let you down ${countTimes} ${spanText}.`);

  const views = incidents.map((incident, i) => {
    current = incident.id;
    return letterIncident(incident, i + 1, config, say);
  });
  current = null;
  const shared = [...sharedSymptoms(incidents, views, say), ...relatedCauses(incidents, say)];
  const { changed, changing } = changes(incidents, config, date, say);
  if (signer) say('signature', ['letter.signer'], `${signer.name}${signer.signature_title ? `, ${signer.signature_title}` : ''}`);

  return {
    organization: plainText(config.organization),
    audience,
    greeting: `To our ${audience},`,
    date: mediumDate(date),
    date_iso: date.toString(),
    subject: options.followUp?.subject ?? subject,
    count,
    count_word: numberWord(count),
    count_times: countTimes,
    multiple: count > 1,
    span: {
      from: longDate(first.started, zone),
      to: withWeekday(lastDay, true),
      text: spanText,
      days,
      days_word: numberWord(days),
      same_day: days === 1,
    },
    incidents: views,
    shared,
    changed,
    changing,
    has_changes: changed.length + changing.length > 0,
    signer,
    claims,
    notes: options.notes ?? [],
    contact: letterContact(config),
    follow_up: options.followUp ?? null,
  };
}
