import type Database from 'better-sqlite3';
import { Temporal } from '../../model/time.js';

export const ACTION_STATUSES = ['open', 'overdue', 'done', 'all'] as const;

export interface ActionsOptions {
  owner?: string;
  /** `open` = open or in-progress; `overdue` = open/in-progress due before `today`; default `open`. */
  status?: (typeof ACTION_STATUSES)[number];
  /** YYYY-MM-DD: only remediations due before this day. */
  dueBefore?: string;
  /** YYYY-MM-DD: the day days_overdue is counted against. */
  today: string;
}

export interface ActionRow {
  incident_id: string;
  incident_title: string;
  remediation_id: string;
  action: string;
  type: string;
  owner: string;
  owner_name: string | null;
  due: string | null;
  status: string;
  public: boolean;
  days_overdue: number | null;
}

/** The remediations query; `days_overdue` is added in code from `today`. */
export const ACTIONS_SQL = `
SELECT r.incident_id, i.title AS incident_title, r.remediation_id, r.action, r.type, r.owner,
       o.name AS owner_name, r.due, r.status, r.public
  FROM remediations r
  JOIN incidents i ON i.id = r.incident_id
  LEFT JOIN owners o ON o.id = r.owner
 WHERE (@owner IS NULL OR r.owner = @owner)
   AND (@due_before IS NULL OR (r.due IS NOT NULL AND r.due < @due_before))
   AND CASE @status
         WHEN 'open' THEN r.status IN ('open', 'in-progress')
         WHEN 'overdue' THEN r.status IN ('open', 'in-progress') AND r.due IS NOT NULL AND r.due < @today
         WHEN 'done' THEN r.status = 'done'
         ELSE 1
       END
 ORDER BY r.due IS NULL, r.due, i.started_at, r.incident_id, r.position`;

/** A day option `YYYY-MM-DD`; a RangeError (reported as an invalid option) otherwise. */
export function dayOption(text: string, flag: string): Temporal.PlainDate {
  try {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    // reported below
  }
  throw new RangeError(`${flag} "${text}" is not a date YYYY-MM-DD`);
}

/** Remediations with their incident, owner, due date, status and days overdue (relative to `today`). */
export function queryActions(db: Database.Database, options: ActionsOptions): ActionRow[] {
  const today = dayOption(options.today, '--now');
  if (options.dueBefore !== undefined) dayOption(options.dueBefore, '--due-before');
  const status = options.status ?? 'open';
  if (!ACTION_STATUSES.includes(status)) throw new RangeError(`--status must be one of ${ACTION_STATUSES.join(', ')}`);
  const rows = db.prepare(ACTIONS_SQL).all({
    owner: options.owner ?? null,
    due_before: options.dueBefore ?? null,
    status,
    today: today.toString(),
  }) as (Omit<ActionRow, 'public' | 'days_overdue'> & { public: number })[];
  return rows.map((r) => {
    const pending = r.status === 'open' || r.status === 'in-progress';
    const days = pending && r.due ? today.since(Temporal.PlainDate.from(r.due)).days : 0;
    return { ...r, public: r.public === 1, days_overdue: pending && r.due && days > 0 ? days : null };
  });
}
