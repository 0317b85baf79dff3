import type Database from 'better-sqlite3';
import { STORED_BODY_SQL } from '../search/fields.js';
import { providerList, type Config } from '../schema/config.js';
import { durations } from '../model/impact.js';
import type { Incident } from '../model/incident.js';
import { GREGORIAN_INTL, LOCAL_DATE_FORMAT, type Instant } from '../model/time.js';
import type { Problem } from '../problems.js';

/** UTC ISO 8601 with whole seconds (truncated), e.g. 2007-06-04T13:10:00Z: sortable as text. */
export function isoUtc(instant: Instant): string {
  return isoFromMs(instant.epochMilliseconds);
}

function isoFromMs(ms: number): string {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  return `${iso.slice(0, -5)}Z`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date of an instant in a time zone, YYYY-MM-DD (proleptic Gregorian). */
export function localDate(instant: Instant, timeZone: string): string {
  if (instant.epochMilliseconds < GREGORIAN_INTL) return instant.toZonedDateTimeISO(timeZone).toPlainDate().toString();
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { ...LOCAL_DATE_FORMAT, timeZone });
    dateFormats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(instant.epochMilliseconds)) parts[p.type] = p.value;
  return `${parts.year!.padStart(4, '0')}-${parts.month}-${parts.day}`;
}

const bool = (b: boolean | undefined) => (b ? 1 : 0);
type Value = string | number | null;

/**
 * Every row of one incident as plain data (no class instances), so it can be built in a
 * worker thread and inserted in the main one.
 */
export interface IncidentRows {
  id: string;
  file: string;
  incident: Record<string, Value>;
  services: string[];
  locations: string[];
  people: [role: string, person: string, position: number][];
  events: Value[][];
  remediations: Value[][];
  factors: Value[][];
  causes: Value[][];
  providers: string[];
  windows: Value[][];
  links: Value[][];
  credits: Value[][];
  tags: string[];
  related: string[];
  sections: Value[][];
}

/** The rows of an incident. Minutes are exact (instants, so daylight-saving changes do not matter). */
export function incidentRows(incident: Incident, config: Config): IncidentRows {
  const id = incident.id;
  const times = durations(incident);
  /** A day-precision start: no duration is measured from it. */
  const dayStart = incident.started_precision === 'day';
  const rank = config.severities.indexOf(incident.severity);
  const people: IncidentRows['people'] = [];
  if (incident.owners.commander) people.push(['commander', incident.owners.commander, 1]);
  incident.owners.authors.forEach((p, i) => people.push(['author', p, i + 1]));
  incident.owners.reviewers.forEach((p, i) => people.push(['reviewer', p, i + 1]));
  return {
    id,
    file: incident.file,
    incident: {
      id,
      title: incident.title,
      status: incident.status,
      severity: incident.severity,
      severity_rank: rank >= 0 ? rank + 1 : config.severities.length + 1,
      started_at: isoUtc(incident.started),
      detected_at: incident.detected ? isoUtc(incident.detected) : null,
      mitigated_at: incident.mitigated ? isoUtc(incident.mitigated) : null,
      resolved_at: incident.resolved ? isoUtc(incident.resolved) : null,
      started_local_date: localDate(incident.started, config.timezone),
      started_precision: incident.started_precision ?? 'minute',
      source_kind: incident.source?.kind ?? null,
      source_id: incident.source?.id ?? null,
      minutes_to_detect: dayStart ? null : times.toDetect,
      detected_before_impact_minutes: dayStart ? null : times.detectedBeforeImpact,
      minutes_to_mitigate: dayStart ? null : times.toMitigate,
      minutes_to_resolve: dayStart ? null : times.toResolve,
      impact_minutes: dayStart ? null : times.impact,
      impact_level: incident.impact.level,
      impact_summary: incident.impact.summary,
      symptoms: JSON.stringify(incident.impact.symptoms),
      customers_affected: incident.impact.customers_affected ?? null,
      percent_resolved_at_mitigation: incident.impact.percent_resolved_at_mitigation ?? null,
      affected_count: incident.affected?.count ?? null,
      affected_of: incident.affected?.of ?? null,
      root_cause_category: incident.root_cause.category,
      root_cause_summary: incident.root_cause.summary,
      trigger: incident.trigger ?? null,
      provider: incident.provider ?? null,
      detection_method: incident.detection?.method ?? null,
      detection_summary: incident.detection?.summary ?? null,
      customer_summary: incident.customer_summary ?? null,
      extra: JSON.stringify(incident.extra),
      file: incident.file,
      digest: incident.digest,
      attribution: incident.attribution?.cause ?? null,
      attribution_provider: incident.attribution?.provider ?? null,
      fixed_by: incident.attribution?.fixedBy ?? null,
    },
    services: incident.services,
    locations: incident.locations,
    people,
    events: incident.timeline.map((e, i) => [
      i + 1,
      isoUtc(e.at),
      e.kind,
      e.event,
      bool(e.public),
      e.source,
      e.line,
      e.precision,
      bool(e.approximate),
    ]),
    remediations: incident.remediations.map((r, i) => [
      r.id,
      i + 1,
      r.action,
      r.type,
      r.owner,
      r.due ?? null,
      r.completed ?? null,
      r.status,
      r.ticket ?? null,
      bool(r.public),
    ]),
    factors: incident.contributing_factors.map((f, i) => [i + 1, f.category, f.summary]),
    causes: incident.root_causes.map((c, i) => [i + 1, c.category, c.summary]),
    providers: incident.providers,
    // an implicit window from a day-precision start would be a guess: only listed windows are kept
    windows: incident.windows
      .filter((w) => !(dayStart && w.implicit))
      .flatMap((w) =>
        w.services.map((service) => [
          w.index,
          service,
          w.level,
          isoUtc(w.from),
          w.to ? isoUtc(w.to) : null,
          w.to ? (w.to.epochMilliseconds - w.from.epochMilliseconds) / 60000 : null,
          w.scope?.kind ?? null,
          w.scope?.value ?? null,
          w.scope?.of ?? null,
          bool(w.public),
          w.summary ?? null,
          JSON.stringify(w.locations),
          bool(w.implicit),
          w.attribution?.cause ?? null,
          w.attribution?.provider ?? null,
          w.attribution?.fixedBy ?? null,
        ]),
      ),
    links: incident.links.map((l, i) => [i + 1, l.title, l.url, l.audience]),
    credits: incident.credits.map((c, i) => [i + 1, c.summary, c.audience]),
    tags: incident.tags,
    related: incident.related,
    sections: incident.sections.map((s, i) => [i + 1, s.key, s.title, bool(s.recognised), s.audience, s.markdown]),
  };
}

/** How many incidents' full-text entries are written at a time (see `IncidentWriter.flushSearch`). */
const SEARCH_BATCH = 256;

/** Prepared statements that insert and delete one incident's rows. */
export class IncidentWriter {
  private readonly insert: Record<string, Database.Statement>;
  private readonly remove: Database.Statement[];
  private readonly search: Record<'lastDocument' | 'addDocuments' | 'index' | 'unindex' | 'removeDocuments', Database.Statement>;
  /** Incidents added whose full-text entries are not written yet (see `flushSearch`). */
  private pendingSearch: string[] = [];
  private readonly services: Set<string>;
  private readonly locations: Set<string>;

  constructor(private readonly db: Database.Database) {
    this.services = new Set(db.prepare('SELECT name FROM services').pluck().all() as string[]);
    this.locations = new Set(db.prepare('SELECT id FROM locations').pluck().all() as string[]);
    this.insert = {
      incident: db.prepare(`INSERT INTO incidents VALUES (
        @id, @title, @status, @severity, @severity_rank, @started_at, @detected_at, @mitigated_at, @resolved_at,
        @started_local_date, @started_precision, @source_kind, @source_id, @minutes_to_detect, @detected_before_impact_minutes, @minutes_to_mitigate,
        @minutes_to_resolve, @impact_minutes, @impact_level,
        @impact_summary, @symptoms, @customers_affected, @percent_resolved_at_mitigation, @affected_count, @affected_of,
        @root_cause_category, @root_cause_summary, @trigger, @provider, @detection_method, @detection_summary,
        @customer_summary, @extra, @file, @digest, @attribution, @attribution_provider, @fixed_by)`),
      service: db.prepare('INSERT OR IGNORE INTO services VALUES (?, 0)'),
      incidentService: db.prepare('INSERT OR IGNORE INTO incident_services VALUES (?, ?, ?)'),
      location: db.prepare('INSERT OR IGNORE INTO locations VALUES (?, ?, 0)'),
      incidentLocation: db.prepare('INSERT OR IGNORE INTO incident_locations VALUES (?, ?, ?)'),
      person: db.prepare('INSERT INTO incident_people VALUES (?, ?, ?, ?)'),
      event: db.prepare('INSERT INTO timeline_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      remediation: db.prepare('INSERT INTO remediations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      factor: db.prepare('INSERT INTO contributing_factors VALUES (?, ?, ?, ?)'),
      cause: db.prepare('INSERT INTO root_causes VALUES (?, ?, ?, ?)'),
      provider: db.prepare('INSERT OR IGNORE INTO incident_providers VALUES (?, ?, ?)'),
      window: db.prepare('INSERT OR IGNORE INTO impact_windows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      link: db.prepare('INSERT INTO links VALUES (?, ?, ?, ?, ?)'),
      credit: db.prepare('INSERT INTO credits VALUES (?, ?, ?, ?)'),
      tag: db.prepare('INSERT OR IGNORE INTO tags VALUES (?, ?)'),
      related: db.prepare('INSERT OR IGNORE INTO related VALUES (?, ?, ?)'),
      section: db.prepare(
        'INSERT INTO sections (incident_id, position, key, title, recognised, audience, markdown) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    this.search = {
      lastDocument: db.prepare('SELECT coalesce(max(doc_id), 0) FROM search_documents').pluck(),
      // in a fixed order (tags have no position: their text orders them)
      addDocuments: db.prepare(`INSERT INTO search_documents (incident_id, field, position, label, audience, body)
        SELECT incident_id, field, position, label, audience, ${STORED_BODY_SQL} FROM search_source
         WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, field_position, position, body`),
      index: db.prepare('INSERT INTO search_fts (rowid, body) SELECT doc_id, body FROM search_content WHERE doc_id > ? ORDER BY doc_id'),
      unindex: db.prepare(`INSERT INTO search_fts (search_fts, rowid, body)
        SELECT 'delete', doc_id, body FROM search_content WHERE incident_id = ?`),
      removeDocuments: db.prepare('DELETE FROM search_documents WHERE incident_id = ?'),
    };
    this.remove = [
      'DELETE FROM incident_services WHERE incident_id = ?',
      'DELETE FROM incident_locations WHERE incident_id = ?',
      'DELETE FROM incident_people WHERE incident_id = ?',
      'DELETE FROM timeline_events WHERE incident_id = ?',
      'DELETE FROM remediations WHERE incident_id = ?',
      'DELETE FROM contributing_factors WHERE incident_id = ?',
      'DELETE FROM root_causes WHERE incident_id = ?',
      'DELETE FROM incident_providers WHERE incident_id = ?',
      'DELETE FROM impact_windows WHERE incident_id = ?',
      'DELETE FROM links WHERE incident_id = ?',
      'DELETE FROM credits WHERE incident_id = ?',
      'DELETE FROM tags WHERE incident_id = ?',
      'DELETE FROM related WHERE declared_by = ?',
      'DELETE FROM sections WHERE incident_id = ?',
      'DELETE FROM incidents WHERE id = ?',
    ].map((sql) => db.prepare(sql));
  }

  /** Removes an incident and everything that hangs off it (its index entries first). */
  delete(id: string): void {
    // the incident may be among those not indexed yet: they are indexed first, so that what is
    // taken out of the index is what was put in, and the others are not left out of it
    this.flushSearch();
    this.search.unindex.run(id);
    this.search.removeDocuments.run(id);
    for (const statement of this.remove) statement.run(id);
  }

  /** After deletions: drops services and locations no incident names and the config does not list. */
  prune(): void {
    this.db.prepare('DELETE FROM services WHERE in_catalogue = 0 AND name NOT IN (SELECT service FROM incident_services)').run();
    this.db.prepare('DELETE FROM locations WHERE in_config = 0 AND id NOT IN (SELECT location_id FROM incident_locations)').run();
    this.services.clear();
    for (const s of this.db.prepare('SELECT name FROM services').pluck().all() as string[]) this.services.add(s);
    this.locations.clear();
    for (const l of this.db.prepare('SELECT id FROM locations').pluck().all() as string[]) this.locations.add(l);
  }

  add(rows: IncidentRows): void {
    const { insert } = this;
    const id = rows.id;
    insert.incident!.run(rows.incident);
    rows.services.forEach((service, i) => {
      if (!this.services.has(service)) {
        insert.service!.run(service);
        this.services.add(service);
      }
      insert.incidentService!.run(id, service, i + 1);
    });
    rows.locations.forEach((location, i) => {
      if (!this.locations.has(location)) {
        insert.location!.run(location, location);
        this.locations.add(location);
      }
      insert.incidentLocation!.run(id, location, i + 1);
    });
    for (const p of rows.people) insert.person!.run(id, ...p);
    for (const e of rows.events) insert.event!.run(id, ...e);
    for (const r of rows.remediations) insert.remediation!.run(id, ...r);
    for (const f of rows.factors) insert.factor!.run(id, ...f);
    for (const c of rows.causes) insert.cause!.run(id, ...c);
    rows.providers.forEach((p, i) => insert.provider!.run(id, p, i + 1));
    for (const w of rows.windows) insert.window!.run(id, ...w);
    for (const l of rows.links) insert.link!.run(id, ...l);
    for (const c of rows.credits) insert.credit!.run(id, ...c);
    for (const tag of rows.tags) insert.tag!.run(id, tag);
    for (const other of rows.related) {
      insert.related!.run(id, other, id);
      insert.related!.run(other, id, id);
    }
    for (const s of rows.sections) insert.section!.run(id, ...s);
    this.pendingSearch.push(id);
    if (this.pendingSearch.length >= SEARCH_BATCH) this.flushSearch();
  }

  /**
   * Writes the searchable texts of the incidents added since the last call (from the view
   * `search_source`) and indexes them; the build calls it before committing. FTS5 writes its
   * pending terms out as a new segment (to be merged later) at the end of every INSERT … SELECT
   * and whenever a rowid is lower than the one before: indexing incidents one by one made a
   * segment each, and merging them cost more than the indexing. In batches, in rowid order
   * (new documents always get higher rowids), there is one segment per batch.
   *
   * A cold build indexes per batch too, while the other threads still read files: indexing
   * every document in one statement at the end cost the same CPU, but after the last file was
   * read, with the other threads idle (1,000 incidents: ~0.15 s; 10,000: ~1.8 s).
   */
  flushSearch(): void {
    if (this.pendingSearch.length === 0) return;
    const after = this.search.lastDocument.get() as number;
    this.search.addDocuments.run(JSON.stringify(this.pendingSearch));
    this.pendingSearch = [];
    this.search.index.run(after);
  }
}

/** Rows that come from the config: owners, the service catalogue, locations, providers. */
export function writeConfigRows(db: Database.Database, config: Config): void {
  const owner = db.prepare('INSERT INTO owners VALUES (?, ?, ?, ?, ?, ?)');
  for (const o of config.owners) owner.run(o.id, o.name, o.title ?? null, o.team ?? null, o.email ?? null, bool(o.public));
  const service = db.prepare('INSERT OR IGNORE INTO services VALUES (?, 1)');
  for (const s of config.services) service.run(s);
  const location = db.prepare('INSERT OR IGNORE INTO locations VALUES (?, ?, 1)');
  for (const [id, { name }] of config.locations) location.run(id, name);
  const provider = db.prepare('INSERT OR IGNORE INTO providers VALUES (?, ?)');
  for (const p of providerList(config)) provider.run(p.id, p.kind);
}

export function writeProblems(db: Database.Database, problems: readonly Problem[]): void {
  db.prepare('DELETE FROM problems').run();
  const insert = db.prepare('INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?)');
  for (const p of problems) insert.run(p.file, p.line, p.column, p.severity, p.ruleId, p.message);
}
