import type Database from 'better-sqlite3';
import { queryStats, type AvailabilityWeights } from '../db/queries/stats.js';
import type { Incident } from '../model/incident.js';
import { Temporal } from '../model/time.js';
import type { Notes, NotesSection } from './notes.js';
import type { Period } from './period.js';

/**
 * "Since our last review": what changed between the previous review's evaluation date and this
 * one's, from the knowledge base as it stood on each day. Plain data: the packet's first
 * chapter and `postmortem packet --delta --format json`.
 */
export interface PacketDelta {
  previous: { ref: string; date: string; commit: string | null; period: { since: string; until: string } };
  current: { date: string; commit: string | null; period: { since: string; until: string } };
  new_incidents: { id: string; title: string; started: string; severity: string }[];
  changed_incidents: { id: string; title: string; changes: { field: string; before: string | null; after: string | null }[] }[];
  remediations: {
    done: (RemediationRef & { completed: string | null; completed_from: string | null })[];
    slipped: (RemediationRef & { due_before: string; due_after: string; days: number })[];
    reopened: (RemediationRef & { status_before: string; status_after: string })[];
    newly_overdue: (RemediationRef & { due: string; days_overdue: number })[];
  };
  promises: { number: number; ask: string; status: 'met' | 'not met' | 'not reviewed'; note: string | null }[];
  /** Notes sections of the previous review dated after it (e.g. decisions recorded after the meeting). */
  recorded: { title: string; date: string; html: string }[];
  services: { service: string; before: ServiceFigures; after: ServiceFigures }[];
}

export interface RemediationRef {
  incident_id: string;
  incident_title: string;
  remediation_id: string;
  action: string;
  owner: string;
}

interface ServiceFigures {
  incidents: number;
  availability_percent: number | null;
  resolve_median: number | null;
}

/** One side of the comparison: the knowledge base as of a day. */
export interface DeltaSide {
  date: Temporal.PlainDate;
  commit?: string;
  period: Period;
  db: Database.Database;
  incidents: readonly Incident[];
  notes?: Notes;
}

interface RemediationState extends RemediationRef {
  due: string | null;
  status: string;
}

const pending = (status: string) => status === 'open' || status === 'in-progress';

function remediationsOf(db: Database.Database, inScope: (id: string) => boolean): Map<string, RemediationState> {
  const rows = db
    .prepare(`SELECT r.incident_id, i.title AS incident_title, r.remediation_id, r.action, r.owner, r.due, r.status
    FROM remediations r JOIN incidents i ON i.id = r.incident_id ORDER BY i.started_at, r.incident_id, r.position`)
    .all() as RemediationState[];
  return new Map(rows.filter((r) => inScope(r.incident_id)).map((r) => [`${r.incident_id}\0${r.remediation_id}`, r]));
}

const ref = (r: RemediationState): RemediationRef => ({
  incident_id: r.incident_id,
  incident_title: r.incident_title,
  remediation_id: r.remediation_id,
  action: r.action,
  owner: r.owner,
});
const overdueDays = (r: RemediationState, day: Temporal.PlainDate) =>
  pending(r.status) && r.due && r.due < day.toString() ? Temporal.PlainDate.from(r.due).until(day).days : 0;

function incidentChanges(before: Incident, after: Incident): PacketDelta['changed_incidents'][number]['changes'] {
  const fields: [string, (i: Incident) => string | null][] = [
    ['severity', (i) => i.severity],
    ['customers_affected', (i) => (i.impact.customers_affected === undefined ? null : String(i.impact.customers_affected))],
    ['impact', (i) => i.impact.summary],
    ['started', (i) => i.started.toString()],
    ['detected', (i) => i.detected?.toString() ?? null],
    ['mitigated', (i) => i.mitigated?.toString() ?? null],
    ['resolved', (i) => i.resolved?.toString() ?? null],
  ];
  return fields.map(([field, read]) => ({ field, before: read(before), after: read(after) })).filter((c) => c.before !== c.after);
}

function promises(previous: Notes | undefined, current: Notes | undefined): PacketDelta['promises'] {
  const asks = previous?.sections.find((s) => s.flags.includes('asks'))?.items ?? [];
  const review = [...(current?.sections ?? [])].find((s) => s.flags.includes('promises'))?.items ?? [];
  return asks.map((ask) => {
    const reviewed = review.find((r) => r.number === ask.number);
    return {
      number: ask.number,
      ask: ask.lead,
      status: reviewed === undefined || reviewed.checked === null ? 'not reviewed' : reviewed.checked ? 'met' : 'not met',
      note: reviewed?.text ?? null,
    };
  });
}

function serviceFigures(db: Database.Database, period: Period, weights: AvailabilityWeights): Map<string, ServiceFigures> {
  const rows = queryStats(db, { by: 'service', since: period.since.toString(), until: period.until.toString(), weights });
  return new Map(
    rows.map((r) => [
      r.group,
      { incidents: r.incidents, availability_percent: r.availability_percent ?? null, resolve_median: r.resolve_median },
    ]),
  );
}

const NONE: ServiceFigures = { incidents: 0, availability_percent: 100, resolve_median: null };

/** Compares the two sides for the incidents `inScope` (the packet's provider and included incidents). */
export function packetDelta(
  previousRef: string,
  before: DeltaSide,
  after: DeltaSide,
  inScope: (incident: Incident) => boolean,
  weights: AvailabilityWeights,
): PacketDelta {
  const then = new Map(before.incidents.filter(inScope).map((i) => [i.id, i]));
  const now = after.incidents.filter(inScope).sort((a, b) => Temporal.Instant.compare(a.started, b.started) || (a.id < b.id ? -1 : 1));
  const scopeIds = new Set([...then.keys(), ...now.map((i) => i.id)]);
  const newIncidents = now.filter((i) => !then.has(i.id));
  const changed = now.flatMap((i) => {
    const old = then.get(i.id);
    const changes = old ? incidentChanges(old, i) : [];
    return changes.length ? [{ id: i.id, title: i.title, changes }] : [];
  });
  const remThen = remediationsOf(before.db, (id) => scopeIds.has(id));
  const remNow = remediationsOf(after.db, (id) => scopeIds.has(id));
  const completion = new Map(
    (
      after.db.prepare('SELECT incident_id, remediation_id, completed, completed_from FROM remediation_completion').raw().all() as [
        string,
        string,
        string | null,
        string | null,
      ][]
    ).map(([i, r, c, f]) => [`${i}\0${r}`, { completed: c, completed_from: f }]),
  );
  const delta: PacketDelta['remediations'] = { done: [], slipped: [], reopened: [], newly_overdue: [] };
  for (const [key, r] of remNow) {
    const old = remThen.get(key);
    if (r.status === 'done' && old?.status !== 'done')
      delta.done.push({ ...ref(r), ...(completion.get(key) ?? { completed: null, completed_from: null }) });
    if (old?.due && r.due && r.due > old.due)
      delta.slipped.push({
        ...ref(r),
        due_before: old.due,
        due_after: r.due,
        days: Temporal.PlainDate.from(old.due).until(Temporal.PlainDate.from(r.due)).days,
      });
    if (old?.status === 'done' && r.status !== 'done')
      delta.reopened.push({ ...ref(r), status_before: old.status, status_after: r.status });
    const days = overdueDays(r, after.date);
    if (days > 0 && !(old && overdueDays(old, before.date) > 0)) delta.newly_overdue.push({ ...ref(r), due: r.due!, days_overdue: days });
  }
  delta.done.sort((a, b) => ((a.completed ?? '') < (b.completed ?? '') ? -1 : (a.completed ?? '') > (b.completed ?? '') ? 1 : 0));
  const figuresThen = serviceFigures(before.db, before.period, weights);
  const figuresNow = serviceFigures(after.db, after.period, weights);
  const services = [...new Set([...figuresThen.keys(), ...figuresNow.keys()])].sort();
  const recorded = (before.notes?.later ?? []).filter((s: NotesSection) => s.date! <= after.date.toString());
  const period = (p: Period) => ({ since: p.since.toString(), until: p.until.toString() });
  return {
    previous: { ref: previousRef, date: before.date.toString(), commit: before.commit ?? null, period: period(before.period) },
    current: { date: after.date.toString(), commit: after.commit ?? null, period: period(after.period) },
    new_incidents: newIncidents.map((i) => ({ id: i.id, title: i.title, started: i.started.toString(), severity: i.severity })),
    changed_incidents: changed,
    remediations: delta,
    promises: promises(before.notes, after.notes),
    recorded: recorded.map((s) => ({ title: s.title, date: s.date!, html: s.html })),
    services: services.map((service) => ({ service, before: figuresThen.get(service) ?? NONE, after: figuresNow.get(service) ?? NONE })),
  };
}
