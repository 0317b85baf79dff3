import { compactDuration, mediumDate } from '../format/time.js';
import { Temporal } from '../model/time.js';
import { serviceName } from '../format/names.js';
import type { Config } from '../schema/config.js';
import type { PacketDelta } from './delta.js';
import { safe, type SafeHtml } from './html.js';
import { ownerName } from '../format/names.js';
import { statusLabel } from './incident-view.js';

/** What the "Since our last review" chapter prints. */
export interface DeltaView {
  intro: string;
  newIncidents: { anchor: string; date: string; title: string; severity: string }[];
  changedIncidents: { title: string; changes: string[] }[];
  done: { incident: string; id: string; action: string; owner: string; completed: string }[];
  slipped: { incident: string; id: string; action: string; owner: string; from: string; to: string; by: string }[];
  reopened: { incident: string; id: string; action: string; owner: string; status: string }[];
  newlyOverdue: { incident: string; id: string; action: string; owner: string; due: string; overdue: string }[];
  promises: { number: number; ask: string; status: string; met: boolean; note: string }[];
  recorded: { title: string; date: string; html: SafeHtml }[];
  services: {
    service: string;
    availabilityBefore: number | null;
    availabilityAfter: number | null;
    resolveBefore: string;
    resolveAfter: string;
    incidentsBefore: number;
    incidentsAfter: number;
  }[];
  periodBefore: string;
  periodAfter: string;
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
const day = (text: string) => mediumDate(Temporal.PlainDate.from(text));
const FIELD_NAMES: Record<string, string> = {
  severity: 'severity',
  customers_affected: 'customers affected',
  impact: 'impact summary',
  started: 'start',
  detected: 'detection',
  mitigated: 'mitigation',
  resolved: 'resolution',
};

function change(field: string, before: string | null, after: string | null, zone: string): string {
  const show = (v: string | null) => {
    if (v === null) return 'none';
    if (/^\d{4}-\d{2}-\d{2}T/.test(v))
      return Temporal.Instant.from(v).toZonedDateTimeISO(zone).toPlainDateTime().toString({ smallestUnit: 'minute' }).replace('T', ' ');
    return v.length > 60 ? 'rewritten' : v;
  };
  if (field === 'impact') return 'impact summary rewritten';
  return `${FIELD_NAMES[field] ?? field}: ${show(before)} → ${show(after)}`;
}

export function deltaView(delta: PacketDelta, config: Config): DeltaView {
  const r = delta.remediations;
  const parts = [
    plural(delta.new_incidents.length, 'new incident'),
    `${plural(r.done.length, 'remediation')} done`,
    `${r.slipped.length} slipped`,
    `${r.reopened.length} reopened`,
    `${r.newly_overdue.length} newly overdue`,
  ];
  const met = delta.promises.filter((p) => p.status === 'met').length;
  const previous = /^[0-9a-f]{7,40}$/.test(delta.previous.ref) ? `commit ${delta.previous.ref.slice(0, 7)}` : delta.previous.ref;
  const intro =
    `Since our last review (${previous}, evaluated as of ${day(delta.previous.date)}), up to ${day(delta.current.date)}: ${parts.join(', ')}` +
    `${delta.promises.length ? `; ${met} of the ${plural(delta.promises.length, 'ask')} we made then met` : ''}.`;
  const who = (id: string) => ownerName(config, id);
  return {
    intro,
    newIncidents: delta.new_incidents.map((i) => ({
      anchor: `incident-${i.id}`,
      date: mediumDate(Temporal.Instant.from(i.started), config.timezone),
      title: i.title,
      severity: i.severity,
    })),
    changedIncidents: delta.changed_incidents.map((i) => ({
      title: i.title,
      changes: i.changes.map((c) => change(c.field, c.before, c.after, config.timezone)),
    })),
    done: r.done.map((d) => ({
      incident: d.incident_title,
      id: d.remediation_id,
      action: d.action,
      owner: who(d.owner),
      completed: d.completed ? `${day(d.completed)}${d.completed_from === 'git' ? ' (from git)' : ''}` : 'date not recorded',
    })),
    slipped: r.slipped.map((s) => ({
      incident: s.incident_title,
      id: s.remediation_id,
      action: s.action,
      owner: who(s.owner),
      from: day(s.due_before),
      to: day(s.due_after),
      by: plural(s.days, 'day'),
    })),
    reopened: r.reopened.map((s) => ({
      incident: s.incident_title,
      id: s.remediation_id,
      action: s.action,
      owner: who(s.owner),
      status: statusLabel(s.status_after),
    })),
    newlyOverdue: r.newly_overdue.map((s) => ({
      incident: s.incident_title,
      id: s.remediation_id,
      action: s.action,
      owner: who(s.owner),
      due: day(s.due),
      overdue: plural(s.days_overdue, 'day'),
    })),
    promises: delta.promises.map((p) => ({
      number: p.number,
      ask: p.ask,
      status: p.status === 'met' ? 'Met' : p.status === 'not met' ? 'Not met' : 'Not reviewed',
      met: p.status === 'met',
      note: p.note ?? '',
    })),
    recorded: delta.recorded.map((s) => ({ title: s.title, date: day(s.date), html: safe(s.html) })),
    services: delta.services.map((s) => ({
      service: serviceName(config, s.service),
      availabilityBefore: s.before.availability_percent,
      availabilityAfter: s.after.availability_percent,
      resolveBefore: compactDuration(s.before.resolve_median),
      resolveAfter: compactDuration(s.after.resolve_median),
      incidentsBefore: s.before.incidents,
      incidentsAfter: s.after.incidents,
    })),
    periodBefore: `${day(delta.previous.period.since)} – ${day(delta.previous.period.until)}`,
    periodAfter: `${day(delta.current.period.since)} – ${day(delta.current.period.until)}`,
  };
}
