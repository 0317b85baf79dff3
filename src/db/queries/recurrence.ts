import type Database from 'better-sqlite3';
import { Temporal } from '../../model/time.js';
import { QueryError } from '../errors.js';

export interface RecurrenceOptions {
  /** Incidents of the same category and service at most this many days apart form a group. Default 90. */
  windowDays?: number;
}

export interface RecurrenceGroupRow {
  category: string;
  service: string;
  incidents: number;
  first_started: string;
  last_started: string;
  span_days: number;
  incident_ids: string[];
}

export interface FixRow {
  incident_id: string;
  remediation_id: string;
  action: string;
  type: string;
  owner: string;
  /** The day the remediation was done: its completion date, else its due date (see `done_from`). */
  done_by: string;
  /** Where `done_by` comes from: `field` (completed), `git` (the commit that marked it done) or `due` (no completion date known). */
  done_from: 'field' | 'git' | 'due';
  category: string;
  /** Services the two incidents share, comma-separated. */
  services: string;
  failed_again_id: string;
  failed_again_started: string;
  days_after: number;
  later_incidents: number;
}

/** Every (category, service, incident) with its local start date, in order. */
export const RECURRENCE_SQL = `
SELECT i.root_cause_category AS category, s.service, i.id, i.started_local_date, i.started_at
  FROM incidents i JOIN incident_services s ON s.incident_id = i.id
 ORDER BY i.root_cause_category, s.service, i.started_at, i.id`;

const days = (from: string, to: string) => Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to)).days;

/** Groups of incidents sharing root-cause category and service, each no more than the window after the previous one. */
export function queryRecurrence(db: Database.Database, options: RecurrenceOptions = {}): RecurrenceGroupRow[] {
  const window = options.windowDays ?? 90;
  if (!Number.isFinite(window) || window < 0) throw new QueryError('invalid-option', '--window must be a number of days, 0 or more');
  const rows = db.prepare(RECURRENCE_SQL).raw().all() as [string, string, string, string, string][];
  const groups: RecurrenceGroupRow[] = [];
  let current: { category: string; service: string; ids: string[]; dates: string[] } | undefined;
  const close = () => {
    if (current && current.ids.length > 1) {
      groups.push({
        category: current.category,
        service: current.service,
        incidents: current.ids.length,
        first_started: current.dates[0]!,
        last_started: current.dates[current.dates.length - 1]!,
        span_days: days(current.dates[0]!, current.dates[current.dates.length - 1]!),
        incident_ids: current.ids,
      });
    }
  };
  for (const [category, service, id, date] of rows) {
    const last = current?.dates[current.dates.length - 1];
    if (current && current.category === category && current.service === service && last !== undefined && days(last, date) <= window) {
      current.ids.push(id);
      current.dates.push(date);
    } else {
      close();
      current = { category, service, ids: [id], dates: [date] };
    }
  }
  close();
  return groups.sort(
    (a, b) =>
      b.incidents - a.incidents ||
      (a.first_started < b.first_started ? -1 : a.first_started > b.first_started ? 1 : 0) ||
      (a.service < b.service ? -1 : 1),
  );
}

/**
 * "Did the fix work?": each remediation marked done, with the first later incident (started after
 * the day it was done) of the same root-cause category sharing a service with its incident. The
 * day it was done is its completion date (the `completed` field, else the first commit of its run
 * of "done" in git: `remediation_completion`), else its due date; `done_from` says which.
 */
export const FIXES_SQL = `
WITH done AS (
  SELECT r.incident_id, r.remediation_id, r.position, r.action, r.type, r.owner,
         coalesce(c.completed, r.due) AS done_by,
         CASE WHEN c.completed IS NOT NULL THEN c.completed_from ELSE 'due' END AS done_from,
         i.root_cause_category AS category
    FROM remediations r JOIN incidents i ON i.id = r.incident_id
    LEFT JOIN remediation_completion c ON c.incident_id = r.incident_id AND c.remediation_id = r.remediation_id
   WHERE r.status = 'done' AND coalesce(c.completed, r.due) IS NOT NULL
), later AS (
  SELECT d.*, j.id AS failed_again_id, j.started_local_date AS failed_again_started,
         row_number() OVER (PARTITION BY d.incident_id, d.remediation_id ORDER BY j.started_at, j.id) AS nth,
         count(*) OVER (PARTITION BY d.incident_id, d.remediation_id) AS later_incidents
    FROM done d
    JOIN incidents j ON j.root_cause_category = d.category AND j.started_local_date > d.done_by AND j.id <> d.incident_id
   WHERE EXISTS (SELECT 1 FROM incident_services a JOIN incident_services b ON b.service = a.service
                  WHERE a.incident_id = d.incident_id AND b.incident_id = j.id)
)
SELECT l.incident_id, l.remediation_id, l.action, l.type, l.owner, l.done_by, l.done_from, l.category,
       (SELECT group_concat(service, ', ') FROM (
          SELECT a.service FROM incident_services a JOIN incident_services b ON b.service = a.service
           WHERE a.incident_id = l.incident_id AND b.incident_id = l.failed_again_id ORDER BY a.position)) AS services,
       l.failed_again_id, l.failed_again_started, l.later_incidents
  FROM later l WHERE nth = 1
 ORDER BY l.failed_again_started, l.incident_id, l.position`;

export function queryFixes(db: Database.Database): FixRow[] {
  const rows = db.prepare(FIXES_SQL).all() as Omit<FixRow, 'days_after'>[];
  return rows.map((r) => ({
    incident_id: r.incident_id,
    remediation_id: r.remediation_id,
    action: r.action,
    type: r.type,
    owner: r.owner,
    done_by: r.done_by,
    done_from: r.done_from,
    category: r.category,
    services: r.services,
    failed_again_id: r.failed_again_id,
    failed_again_started: r.failed_again_started,
    days_after: days(r.done_by, r.failed_again_started),
    later_incidents: r.later_incidents,
  }));
}
