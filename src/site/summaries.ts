import type Database from 'better-sqlite3';
import type { Incident } from '../model/incident.js';
import { impactMinutes, type ImpactSpan } from '../model/impact.js';
import type { ImpactLevel } from '../schema/incident.js';
import type { Remediation } from '../schema/incident.js';
import { grouped } from './rows.js';
import { linkText } from './similar.js';

/**
 * What the site's pages over many incidents need of each one (index rows, trends, action
 * items, owners, links between incidents): the front-matter without the timeline, the
 * contributing factors and the body. Read straight from the knowledge-base database, so a
 * build after a one-file edit does not rebuild 10,000 typed incidents; the full incident is
 * loaded only for the pages and search shards that are rendered again.
 */
export type SiteIncident = Pick<
  Incident,
  | 'id'
  | 'title'
  | 'status'
  | 'severity'
  | 'services'
  | 'locations'
  | 'provider'
  | 'impact'
  | 'root_cause'
  | 'remediations'
  | 'owners'
  | 'related'
  | 'tags'
  | 'digest'
  | 'file'
> & {
  /**
   * The times, as epoch milliseconds of the database's whole seconds (not Temporal instants: making
   * 40,000 of them cost ~0.2 s of a cold build's main thread at 10,000).
   */
  started: number;
  detected?: number;
  mitigated?: number;
  resolved?: number;
  /** `YYYY-MM-DD` of `started` in the display time zone: the database's `started_local_date`. */
  startedDate: string;
  /** Minutes from `started`, as the database computes them from the impact windows (null: unknown or open). */
  minutes: { toDetect: number | null; toMitigate: number | null; toResolve: number | null; impact: number | null };
  /** Minutes of impact of each of `services`, from that service's own windows (`impactMinutesByService`). */
  serviceMinutes: number[];
};

interface IncidentRow {
  id: string;
  title: string;
  status: Incident['status'];
  severity: string;
  started_at: string;
  started_local_date: string;
  detected_at: string | null;
  mitigated_at: string | null;
  resolved_at: string | null;
  impact_summary: string;
  impact_level: Incident['impact']['level'];
  symptoms: string;
  customers_affected: number | null;
  percent_resolved_at_mitigation: number | null;
  root_cause_category: string;
  root_cause_summary: string;
  provider: string | null;
  file: string;
  digest: string;
  minutes_to_detect: number | null;
  minutes_to_mitigate: number | null;
  minutes_to_resolve: number | null;
  impact_minutes: number | null;
}

/**
 * Incidents' remediations, kept from reading the summaries to rendering the action items page,
 * as JSON arrays of their fields: 10,000 generated incidents' (50,550 remediations) as objects
 * were ~18 MB of the site's planning, that text is 7.8 MB. Each remediation is its own text,
 * parsed when its action item is rendered: one text per incident, parsed whole for each of its
 * items, cost 0.44 s of a cold build's main thread at 10,000 (profiled at load ~10; an incident
 * has ~5 remediations, each an item).
 */
type Remediations = SiteIncident['remediations'];
type Fields = [
  Remediations[number]['id'],
  Remediations[number]['action'],
  Remediations[number]['type'],
  Remediations[number]['owner'],
  Remediations[number]['status'],
  boolean,
  string | null,
  string | null,
];

export class RemediationsOf {
  private readonly json = new Map<string, string[]>();

  set(id: string, remediations: SiteIncident['remediations']): void {
    // as arrays of fields: the keys repeated for each of 50,000 remediations were a third of the text
    this.json.set(
      id,
      remediations.map((r) => JSON.stringify([r.id, r.action, r.type, r.owner, r.status, r.public, r.due ?? null, r.ticket ?? null])),
    );
  }

  has(id: string): boolean {
    return this.json.has(id);
  }

  /** The incident's remediation at `k` (0-based), as read. */
  get(id: string, k: number): Remediations[number] | undefined {
    const text = this.json.get(id)?.[k];
    if (text === undefined) return undefined;
    const [rid, action, type, owner, status, pub, due, ticket] = JSON.parse(text) as Fields;
    return {
      id: rid,
      action,
      type,
      owner,
      status,
      public: pub,
      ...(due !== null ? { due } : {}),
      ...(ticket !== null ? { ticket } : {}),
    };
  }

  clear(): void {
    this.json.clear();
  }
}

/**
 * Valid incidents of the database (by id), lists in their order in the record (related and
 * tags sorted): all of them, or only those with these ids.
 */
export function readSiteIncidents(db: Database.Database, ids?: readonly string[]): SiteIncident[] {
  if (ids?.length === 0) return [];
  // a few ids (after an edit) go through the tables' primary keys; all of them, through a scan
  const only = (column: string, and = false) => (ids ? ` ${and ? 'AND' : 'WHERE'} ${column} IN (SELECT value FROM json_each(?))` : '');
  const params = ids ? [JSON.stringify(ids)] : [];
  const incidents = db
    .prepare(`SELECT id, title, status, severity, started_at, started_local_date, detected_at, mitigated_at, resolved_at,
      impact_summary, impact_level, symptoms, customers_affected, percent_resolved_at_mitigation, root_cause_category, root_cause_summary,
      provider, file, digest, minutes_to_detect, minutes_to_mitigate, minutes_to_resolve, impact_minutes
      FROM incidents${only('id')} ORDER BY id`)
    .all(...params) as IncidentRow[];
  const all = <T>(sql: string) =>
    db
      .prepare(sql)
      .raw()
      .all(...params) as T[];
  const services = grouped(
    all<[string, string, number]>(`SELECT incident_id, service, position FROM incident_services${only('incident_id')}`),
    (r) => r[2],
  );
  const locations = grouped(
    all<[string, string, number]>(`SELECT incident_id, location_id, position FROM incident_locations${only('incident_id')}`),
    (r) => r[2],
  );
  // role order: commander, author, reviewer are read separately below; position orders each role
  const people = grouped(
    all<[string, string, string, number]>(`SELECT incident_id, role, person, position FROM incident_people${only('incident_id')}`),
    (r) => r[3],
  );
  const tags = grouped(all<[string, string]>(`SELECT incident_id, tag FROM tags${only('incident_id')}`));
  const windows = grouped(
    all<[string, string, string, string | null, ImpactLevel]>(
      `SELECT incident_id, service, from_at, to_at, level FROM impact_windows${only('incident_id')}`,
    ),
  );
  const related = grouped(
    all<[string, string]>(`SELECT declared_by, related_id FROM related WHERE declared_by = incident_id${only('declared_by', true)}`),
  );
  type RemediationRow = [
    string,
    string,
    string,
    Remediation['type'],
    string,
    string | null,
    Remediation['status'],
    string | null,
    number,
    number,
  ];
  const remediations = grouped(
    all<RemediationRow>(
      `SELECT incident_id, remediation_id, action, type, owner, due, status, ticket, public, position FROM remediations${only('incident_id')}`,
    ),
    (r) => r[9],
  );
  return incidents.map((row) => {
    const roles = people.get(row.id) ?? [];
    const commander = roles.find((p) => p[1] === 'commander')?.[2];
    const incident: SiteIncident = {
      id: row.id,
      title: row.title,
      status: row.status,
      severity: row.severity,
      services: (services.get(row.id) ?? []).map((r) => r[1]),
      locations: (locations.get(row.id) ?? []).map((r) => r[1]),
      started: Date.parse(row.started_at),
      startedDate: row.started_local_date,
      impact: {
        summary: row.impact_summary,
        level: row.impact_level,
        symptoms: JSON.parse(row.symptoms) as string[],
        ...(row.customers_affected !== null ? { customers_affected: row.customers_affected } : {}),
        ...(row.percent_resolved_at_mitigation !== null ? { percent_resolved_at_mitigation: row.percent_resolved_at_mitigation } : {}),
      },
      root_cause: { category: row.root_cause_category, summary: row.root_cause_summary },
      remediations: (remediations.get(row.id) ?? []).map(([, id, action, type, owner, due, status, ticket, pub]) => ({
        id,
        action,
        type,
        owner,
        status,
        public: pub === 1,
        ...(due !== null ? { due } : {}),
        ...(ticket !== null ? { ticket } : {}),
      })),
      owners: {
        ...(commander !== undefined ? { commander } : {}),
        authors: roles.filter((p) => p[1] === 'author').map((p) => p[2]),
        reviewers: roles.filter((p) => p[1] === 'reviewer').map((p) => p[2]),
      },
      related: (related.get(row.id) ?? []).map((r) => r[1]).sort(),
      tags: (tags.get(row.id) ?? []).map((r) => r[1]).sort(),
      digest: row.digest,
      file: row.file,
      minutes: {
        toDetect: row.minutes_to_detect,
        toMitigate: row.minutes_to_mitigate,
        toResolve: row.minutes_to_resolve,
        impact: row.impact_minutes,
      },
      serviceMinutes: [],
    };
    // each row is one service's window: its spans, as `impactMinutesByService` makes them of the windows
    const spans = new Map<string, ImpactSpan[]>();
    for (const [, service, from, to, level] of windows.get(row.id) ?? []) {
      let list = spans.get(service);
      if (!list) spans.set(service, (list = []));
      list.push({ from: Date.parse(from), to: to === null ? null : Date.parse(to), level });
    }
    incident.serviceMinutes = incident.services.map((s) => {
      const list = spans.get(s);
      return list ? impactMinutes(list) : 0;
    });
    if (row.provider !== null) incident.provider = row.provider;
    if (row.detected_at !== null) incident.detected = Date.parse(row.detected_at);
    if (row.mitigated_at !== null) incident.mitigated = Date.parse(row.mitigated_at);
    if (row.resolved_at !== null) incident.resolved = Date.parse(row.resolved_at);
    return incident;
  });
}

/**
 * For finding similar incidents by text: each valid incident's title, impact and root-cause
 * summaries and tags (sorted), as `linkText` joins them.
 */
export function readLinkTexts(db: Database.Database): Map<string, string> {
  const tags = grouped(db.prepare('SELECT incident_id, tag FROM tags').raw().all() as [string, string][]);
  const rows = db.prepare('SELECT id, title, impact_summary, root_cause_summary FROM incidents').raw().all() as [
    string,
    string,
    string,
    string,
  ][];
  return new Map(
    rows.map(([id, title, impact, rootCause]) => [id, linkText(title, impact, rootCause, (tags.get(id) ?? []).map((t) => t[1]).sort())]),
  );
}
