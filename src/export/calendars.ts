import type { Config } from '../schema/config.js';
import { ownerName, PROVIDER_OWNER_PREFIX } from '../format/names.js';
import { Temporal } from '../model/time.js';
import { slugify } from '../source/sections.js';
import type { CalendarRow, RevisionRow } from '../db/queries/calendar.js';
import { icsDate, icsLines, icsText, icsUtc, type IcsLine } from './ics.js';

/**
 * Remediation due dates as iCalendar (RFC 5545) calendars, one per owner, team and provider.
 *
 * Each remediation is a VTODO: its statuses are VTODO's own (open → NEEDS-ACTION,
 * in-progress → IN-PROCESS, done → COMPLETED, wont-do → CANCELLED), its due date is DUE (a
 * DATE), and a task client keeps a done task as done instead of deleting an event.
 *
 * Updates without the wall clock: the UID is the incident id and remediation id; SEQUENCE
 * counts the commits that changed the remediation's due date, status, owner or completed field
 * after the one that added it (from git, `remediation_history`), plus one when the file differs
 * from its last commit; LAST-MODIFIED is the time of the last such commit; DTSTAMP is that
 * time, else the start of the incident.
 */
export const ICS_STATUS: Record<CalendarRow['status'], string> = {
  open: 'NEEDS-ACTION',
  'in-progress': 'IN-PROCESS',
  done: 'COMPLETED',
  'wont-do': 'CANCELLED',
};

export interface Revision {
  sequence: number;
  /** ISO 8601 of the last commit that changed it, when git knows one. */
  lastModified?: string;
}

const keyOf = (incident: string, remediation: string) => `${incident}\u0000${remediation}`;

/** SEQUENCE and LAST-MODIFIED of every remediation, from its history and its current fields. */
export function revisions(rows: readonly CalendarRow[], history: readonly RevisionRow[]): Map<string, Revision> {
  const seen = new Map<string, { commits: Set<string>; last: string; values: Map<string, string | null> }>();
  for (const h of history) {
    const key = keyOf(h.incident_id, h.remediation_id);
    const entry = seen.get(key) ?? { commits: new Set<string>(), last: h.committed_at, values: new Map() };
    entry.commits.add(h.commit_id);
    entry.last = h.committed_at;
    entry.values.set(h.field, h.new_value);
    seen.set(key, entry);
  }
  const out = new Map<string, Revision>();
  for (const r of rows) {
    const key = keyOf(r.incident_id, r.remediation_id);
    const entry = seen.get(key);
    if (!entry) {
      out.set(key, { sequence: 0 });
      continue;
    }
    const now: Record<RevisionRow['field'], string | null> = { status: r.status, due: r.due, owner: r.owner, completed: r.completed_field };
    const edited = (Object.keys(now) as RevisionRow['field'][]).some((f) => (entry.values.has(f) ? entry.values.get(f)! : null) !== now[f]);
    out.set(key, { sequence: entry.commits.size - 1 + (edited ? 1 : 0), lastModified: entry.last });
  }
  return out;
}

/** A calendar: which remediations it holds and what it is called. */
export interface CalendarSpec {
  /** File name without `.ics`: `owner-<id>`, `team-<slug>`, `provider-<id>`. */
  name: string;
  title: string;
  rows: CalendarRow[];
}

const providerOf = (owner: string) => (owner.startsWith(PROVIDER_OWNER_PREFIX) ? owner.slice(PROVIDER_OWNER_PREFIX.length) : undefined);

/** Every calendar: one per owner named by a remediation, per team of those owners, per provider. */
export function allCalendars(rows: readonly CalendarRow[], config: Config): CalendarSpec[] {
  const groups = new Map<string, CalendarSpec>();
  const add = (name: string, title: string, row: CalendarRow) => {
    const spec = groups.get(name) ?? { name, title, rows: [] };
    spec.rows.push(row);
    groups.set(name, spec);
  };
  for (const row of rows) {
    const provider = providerOf(row.owner);
    if (provider !== undefined) {
      add(`provider-${slugify(provider)}`, `${config.provider_names.get(provider) ?? provider} remediations`, row);
      continue;
    }
    add(`owner-${slugify(row.owner)}`, `${row.owner_name ?? row.owner} remediations`, row);
    if (row.team) add(`team-${slugify(row.team)}`, `${row.team} team remediations`, row);
  }
  return [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface CalendarSelection {
  owner?: string;
  team?: string;
  provider?: string;
}

/** The one calendar a selection names (rows filtered by owner, team or provider). */
export function selectedCalendar(rows: readonly CalendarRow[], config: Config, selection: CalendarSelection): CalendarSpec {
  if (selection.owner !== undefined) {
    const id = selection.owner;
    const name = ownerName(config, id);
    return { name: `owner-${slugify(id)}`, title: `${name} remediations`, rows: rows.filter((r) => r.owner === id) };
  }
  if (selection.team !== undefined) {
    const team = selection.team;
    return {
      name: `team-${slugify(team)}`,
      title: `${team} team remediations`,
      rows: rows.filter((r) => r.team === team && providerOf(r.owner) === undefined),
    };
  }
  const provider = selection.provider ?? '';
  return {
    name: `provider-${slugify(provider)}`,
    title: `${config.provider_names.get(provider) ?? provider} remediations`,
    rows: rows.filter((r) => providerOf(r.owner) === provider),
  };
}

function startOfDay(day: string, zone: string): Temporal.Instant {
  return Temporal.PlainDate.from(day).toZonedDateTime({ timeZone: zone }).toInstant();
}

function todo(row: CalendarRow, revision: Revision, config: Config): IcsLine[] {
  const stamp = icsUtc(Temporal.Instant.from(revision.lastModified ?? row.incident_started_at));
  const owner =
    providerOf(row.owner) !== undefined
      ? (config.provider_names.get(providerOf(row.owner)!) ?? row.owner)
      : row.owner_name
        ? `${row.owner_name} (${row.owner})`
        : row.owner;
  const description = [
    `Incident ${row.incident_id}: ${row.incident_title}`,
    `Remediation ${row.remediation_id} (${row.type}), owner ${owner}, status ${row.status}`,
    ...(row.ticket ? [`Ticket ${row.ticket}`] : []),
  ].join('\n');
  const lines: IcsLine[] = [
    ['BEGIN', 'VTODO'],
    ['UID', icsText(`${row.incident_id}/${encodeURIComponent(row.remediation_id)}@postmortem-kb`)],
    ['DTSTAMP', stamp],
    ...(revision.lastModified ? [['LAST-MODIFIED', stamp] as IcsLine] : []),
    ['SEQUENCE', String(revision.sequence)],
    ['SUMMARY', icsText(row.action.replace(/\s+/g, ' ').trim())],
    ['DESCRIPTION', icsText(description)],
    ['CATEGORIES', icsText(row.type)],
    ...(row.due ? [['DUE;VALUE=DATE', icsDate(row.due)] as IcsLine] : []),
    ['STATUS', ICS_STATUS[row.status]],
  ];
  if (row.status === 'done') {
    lines.push(['PERCENT-COMPLETE', '100']);
    // the record knows the day only: the start of that day in the configured zone
    if (row.completed) lines.push(['COMPLETED', icsUtc(startOfDay(row.completed, config.timezone))]);
  }
  lines.push(['END', 'VTODO']);
  return lines;
}

/** One calendar as an iCalendar stream. */
export function renderCalendar(spec: CalendarSpec, revisionsByKey: ReadonlyMap<string, Revision>, config: Config): string {
  const title = icsText(`${config.organization}: ${spec.title}`);
  return icsLines([
    ['BEGIN', 'VCALENDAR'],
    ['VERSION', '2.0'],
    ['PRODID', '-//postmortem-kb//remediations//EN'],
    ['CALSCALE', 'GREGORIAN'],
    ['NAME', title],
    ['X-WR-CALNAME', title],
    ...spec.rows.flatMap((row) => todo(row, revisionsByKey.get(keyOf(row.incident_id, row.remediation_id)) ?? { sequence: 0 }, config)),
    ['END', 'VCALENDAR'],
  ]);
}
