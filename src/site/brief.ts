import { createHash } from 'node:crypto';
import type { SiteIncident } from './summaries.js';

/**
 * What the pages over many incidents (index, services, categories, action items, owners,
 * trends) and other incidents' pages show of an incident — no long text, no body. Kept for
 * every incident in the site's state (`state.ts`), so that a build after an edit works these
 * pages out without reading 10,000 incidents from the database; the few incidents that
 * changed are read again and their briefs replaced.
 *
 * Times are epoch milliseconds (Temporal instants are costly to make 40,000 of).
 */
export interface BriefRemediation {
  id: string;
  owner: string;
  status: string;
  /** `YYYY-MM-DD`, or '' when none. */
  due: string;
}

export interface Brief {
  id: string;
  title: string;
  status: string;
  severity: string;
  services: string[];
  /** Minutes of impact of each of `services`, from its own windows. */
  serviceMinutes: number[];
  category: string;
  /** '' when none. */
  provider: string;
  started: number;
  /**
   * When detection, mitigation and resolution count as done, from the impact windows: `started`
   * plus the database's minutes to detect (0 for proactive detection), mitigate and resolve.
   */
  detected: number | undefined;
  mitigated: number | undefined;
  resolved: number | undefined;
  /** `YYYY-MM-DD` of the start in the display time zone. */
  startedDate: string;
  /** '' when none. */
  commander: string;
  authors: string[];
  reviewers: string[];
  remediations: BriefRemediation[];
  /** As listed (sorted, as the database returns them). */
  related: string[];
  /** Digest of the words that finding similar incidents by text reads (title, summaries, tags). */
  textDigest: string;
  /** Digest of what the trends page reads: times, severity, category, services, remediations' owners, states and due dates. */
  trendDigest: string;
  /** Digest of what the lists of services and categories read: services, category. */
  groupDigest: string;
  /** Digest of what an incident's row (index, service and category pages) shows, and the counts and filters around it read. */
  rowDigest: string;
  /** Digest of what the action items page shows of an incident: its title and remediations. */
  actionDigest: string;
  /**
   * Digest of what the owners page reads: people, remediations' owners, states and due dates, and
   * what a reference to the incident shows but its title (the page's digest has the titles of the
   * few incidents it refers to: `ownersShown`).
   */
  ownerDigest: string;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

const after = (i: SiteIncident, minutes: number | null) => (minutes === null ? undefined : i.started + minutes * 60000);
const ms = (t: number | undefined) => (t === undefined ? '' : String(t));

export function briefOf(i: SiteIncident): Brief {
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    severity: i.severity,
    services: [...i.services],
    serviceMinutes: [...i.serviceMinutes],
    category: i.root_cause.category,
    provider: i.provider ?? '',
    started: i.started,
    detected: after(i, i.minutes.toDetect),
    mitigated: after(i, i.minutes.toMitigate),
    resolved: after(i, i.minutes.toResolve),
    startedDate: i.startedDate,
    commander: i.owners.commander ?? '',
    authors: [...i.owners.authors],
    reviewers: [...i.owners.reviewers],
    remediations: i.remediations.map((r) => ({ id: r.id, owner: r.owner, status: r.status, due: r.due ?? '' })),
    related: [...i.related],
    textDigest: hash(`${i.title}\u0000${i.impact.summary}\u0000${i.root_cause.summary}\u0000${i.tags.join('\u0001')}`),
    trendDigest: hash(
      [
        ms(i.started),
        ms(i.detected),
        ms(i.mitigated),
        ms(i.resolved),
        String(i.minutes.toDetect),
        String(i.minutes.toMitigate),
        String(i.minutes.toResolve),
        String(i.minutes.impact),
        i.severity,
        i.root_cause.category,
        i.services.join('\u0001'),
        i.serviceMinutes.join('\u0001'),
        ...i.remediations.map((r) => `${r.owner}\u0001${r.status}\u0001${r.due ?? ''}`),
      ].join('\u0000'),
    ),
    groupDigest: hash(`${i.services.join('\u0001')}\u0000${i.root_cause.category}`),
    rowDigest: hash(
      [
        i.id,
        i.title,
        i.severity,
        i.services.join('\u0001'),
        i.root_cause.category,
        i.provider ?? '',
        i.status,
        ms(i.started),
        ms(i.mitigated),
        ms(i.resolved),
        String(i.minutes.toResolve),
        String(i.minutes.impact),
      ].join('\u0000'),
    ),
    actionDigest: hash(
      [
        i.id,
        i.title,
        ...i.remediations.map((r) =>
          [r.id, r.action, r.type, r.owner, r.due ?? '', r.status, r.ticket ?? '', String(r.public)].join('\u0001'),
        ),
      ].join('\u0000'),
    ),
    ownerDigest: hash(
      [
        i.id,
        i.severity,
        ms(i.started),
        i.owners.commander ?? '',
        i.owners.authors.join('\u0001'),
        i.owners.reviewers.join('\u0001'),
        ...i.remediations.map((r) => `${r.owner}\u0001${r.status}\u0001${r.due ?? ''}`),
      ].join('\u0000'),
    ),
  };
}

// Free-text values kept in the state are escaped: \u0000-\u0005 in them become \u0005 and the
// character + 0x40, so that they can be joined with those as separators.
const SPECIAL = /[\u0000-\u0005]/;
const SPECIAL_ALL = /[\u0000-\u0005]/g;
const ESCAPED = /\u0005([\u0040-\u0045])/g;

export function escapeField(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => `\u0005${String.fromCharCode(c.charCodeAt(0) + 0x40)}`) : s;
}

export function unescapeField(s: string): string {
  return s.includes('\u0005') ? s.replace(ESCAPED, (_, c: string) => String.fromCharCode(c.charCodeAt(0) - 0x40)) : s;
}

/**
 * Escaped fields joined by a separator, split and unescaped: when the text holds no escape, the
 * fields as split (the state's dictionary, 9,000 values at 10,000 incidents: a call each, in
 * cold code, cost 2.4 against 1.1 ms for the split alone).
 */
export function unescapeFields(text: string, separator: string): string[] {
  if (text === '') return [];
  const fields = text.split(separator);
  return text.includes('\u0005') ? fields.map(unescapeField) : fields;
}
