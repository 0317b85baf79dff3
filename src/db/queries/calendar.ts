import type Database from 'better-sqlite3';

/** One remediation as its calendar entry needs it (every status: a done one must reach calendars as COMPLETED). */
export interface CalendarRow {
  incident_id: string;
  incident_title: string;
  /** ISO 8601 UTC. */
  incident_started_at: string;
  remediation_id: string;
  action: string;
  type: string;
  owner: string;
  owner_name: string | null;
  team: string | null;
  due: string | null;
  status: 'open' | 'in-progress' | 'done' | 'wont-do';
  ticket: string | null;
  /** The record's own `completed` field. */
  completed_field: string | null;
  /** When it was done: the field, else the day git first saw it done (see `remediation_completion`). */
  completed: string | null;
}

export const CALENDAR_SQL = `
SELECT r.incident_id, i.title AS incident_title, i.started_at AS incident_started_at, r.remediation_id, r.action, r.type,
       r.owner, o.name AS owner_name, o.team, r.due, r.status, r.ticket, r.completed AS completed_field, c.completed
  FROM remediations r
  JOIN incidents i ON i.id = r.incident_id
  LEFT JOIN owners o ON o.id = r.owner
  LEFT JOIN remediation_completion c ON c.incident_id = r.incident_id AND c.remediation_id = r.remediation_id
 WHERE (@status IS NULL OR CASE @status
         WHEN 'open' THEN r.status IN ('open', 'in-progress')
         WHEN 'overdue' THEN r.status IN ('open', 'in-progress') AND r.due IS NOT NULL AND r.due < @today
         WHEN 'done' THEN r.status = 'done'
         ELSE 1 END)
   AND (@due_before IS NULL OR (r.due IS NOT NULL AND r.due < @due_before))
 ORDER BY i.started_at, r.incident_id, r.position`;

/** A change of a remediation's status, due date, owner or completed field, from git (oldest first). */
export interface RevisionRow {
  incident_id: string;
  remediation_id: string;
  commit_id: string;
  committed_at: string;
  field: 'status' | 'due' | 'owner' | 'completed';
  new_value: string | null;
}

export const REVISIONS_SQL = `
SELECT incident_id, remediation_id, commit_id, committed_at, field, new_value
  FROM remediation_history
 WHERE field IN ('status', 'due', 'owner', 'completed')
 ORDER BY position`;

export function queryCalendarRows(db: Database.Database, filter: { status?: string; dueBefore?: string; today: string }): CalendarRow[] {
  return db
    .prepare(CALENDAR_SQL)
    .all({ status: filter.status ?? null, due_before: filter.dueBefore ?? null, today: filter.today }) as CalendarRow[];
}

export function queryRevisions(db: Database.Database): RevisionRow[] {
  return db.prepare(REVISIONS_SQL).all() as RevisionRow[];
}
