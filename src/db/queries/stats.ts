import type Database from 'better-sqlite3';
import { Temporal } from '../../model/time.js';
import { impactMinutes, unionMs, weightedMs, type ImpactSpan } from '../../model/impact.js';
import { DEFAULT_AVAILABILITY_WEIGHTS } from '../../schema/config.js';
import type { ImpactLevel } from '../../schema/incident.js';
import { percentile, round } from './percentile.js';

/** How much a minute at each impact level counts against availability (the config's `availability_weights`). */
export type AvailabilityWeights = Record<ImpactLevel, number>;

/** The one sentence every document that shows availability uses to say how it was counted. */
export function availabilityMethod(weights: AvailabilityWeights): string {
  const levels = Object.entries(weights) as [ImpactLevel, number][];
  const counted = levels.filter(([, w]) => w > 0).map(([level, w]) => (w === 1 ? `${level} minutes in full` : `${level} minutes × ${w}`));
  const shown = levels.filter(([level, w]) => w === 0 && (level === 'degraded' || level === 'delayed')).map(([level]) => level);
  return (
    `Availability per service is 1 − counted minutes ÷ minutes in the period, from the impact windows of each service: ${counted.join(', ') || 'nothing'} (where windows overlap, the heaviest level counts)` +
    `${shown.length ? `; ${shown.join(' and ')} minutes are shown but not counted` : ''}.`
  );
}

export const STATS_GROUPS = ['month', 'quarter', 'year', 'service', 'level', 'severity', 'category', 'location', 'provider'] as const;
export type StatsGroupBy = (typeof STATS_GROUPS)[number];

export interface StatsOptions {
  by: StatsGroupBy;
  /** YYYY-MM-DD, inclusive, a day in the config's time zone; an incident belongs to a period by its `started`. */
  since?: string;
  until?: string;
  severity?: string[];
  service?: string[];
  /** Only incidents involving this provider (listed in `provider`). */
  provider?: string;
  /**
   * Only what this provider caused: incidents with a window attributed to it (`attribution:
   * provider`), and with `by: service` or `level` only those windows count in impact and availability.
   */
  attributedTo?: string;
  /** Default: outage 1, partial-outage 0.3, degraded/delayed/data-loss 0. */
  weights?: AvailabilityWeights;
}

export interface StatsRow {
  group: string;
  incidents: number;
  detect_median: number | null;
  detect_p90: number | null;
  mitigate_median: number | null;
  mitigate_p90: number | null;
  resolve_median: number | null;
  resolve_p90: number | null;
  impact_minutes: number;
  /** Only with `by: 'service'`: 100 × (1 − downtime minutes / minutes of the period). */
  availability_percent?: number | null;
  /** Only with `by: 'service'`: weighted minutes of the service's windows within the period. */
  downtime_minutes?: number;
  /** Only with `by: 'service'`: minutes of `degraded` / `delayed` windows in the period (shown, not counted by default). */
  degraded_minutes?: number;
  delayed_minutes?: number;
}

/** Label for incidents without a value (no provider, no location). */
export const NONE = '(none)';

/** The group expression per grouping, over `incidents i` (joined tables aliased `g`). */
const GROUP_SQL: Record<StatsGroupBy, { expr: string; join?: string; order: string }> = {
  month: { expr: 'substr(i.started_local_date, 1, 7)', order: 'grp' },
  quarter: {
    expr: "substr(i.started_local_date, 1, 4) || '-Q' || ((CAST(substr(i.started_local_date, 6, 2) AS INTEGER) + 2) / 3)",
    order: 'grp',
  },
  year: { expr: 'substr(i.started_local_date, 1, 4)', order: 'grp' },
  severity: { expr: 'i.severity', order: 'min(i.severity_rank), grp' },
  // every root cause counts: an incident with causes in two categories is in both groups
  category: {
    expr: 'g.category',
    join: 'JOIN (SELECT DISTINCT incident_id, category FROM root_causes) g ON g.incident_id = i.id',
    order: 'count(*) DESC, grp',
  },
  provider: {
    expr: `coalesce(g.provider, '${NONE}')`,
    join: 'LEFT JOIN incident_providers g ON g.incident_id = i.id',
    order: 'count(*) DESC, grp',
  },
  service: { expr: 'g.service', join: 'JOIN incident_services g ON g.incident_id = i.id', order: 'count(*) DESC, grp' },
  // each level an incident's windows reach (per level, impact minutes from those windows alone)
  level: {
    expr: 'g.level',
    join: 'JOIN (SELECT DISTINCT incident_id, level FROM impact_windows) g ON g.incident_id = i.id',
    order: 'count(*) DESC, grp',
  },
  location: {
    expr: `coalesce(g.location_id, '${NONE}')`,
    join: 'LEFT JOIN incident_locations g ON g.incident_id = i.id',
    order: 'count(*) DESC, grp',
  },
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A window (alias `a`) caused by the provider bound as its parameter: the only kind that counts against it. */
const ATTRIBUTED = "a.attribution = 'provider' AND a.attribution_provider = ?";

function selection(options: StatsOptions): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (options.since) {
    clauses.push('i.started_local_date >= ?');
    params.push(options.since);
  }
  if (options.until) {
    clauses.push('i.started_local_date <= ?');
    params.push(options.until);
  }
  if (options.severity?.length) {
    clauses.push(`i.severity IN (${options.severity.map(() => '?').join(', ')})`);
    params.push(...options.severity);
  }
  if (options.service?.length) {
    clauses.push(
      `EXISTS (SELECT 1 FROM incident_services s WHERE s.incident_id = i.id AND s.service IN (${options.service.map(() => '?').join(', ')}))`,
    );
    params.push(...options.service);
  }
  if (options.provider !== undefined) {
    clauses.push('EXISTS (SELECT 1 FROM incident_providers p WHERE p.incident_id = i.id AND p.provider = ?)');
    params.push(options.provider);
  }
  if (options.attributedTo !== undefined) {
    clauses.push(`EXISTS (SELECT 1 FROM impact_windows a WHERE a.incident_id = i.id AND ${ATTRIBUTED})`);
    params.push(options.attributedTo);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function groupFilter(options: StatsOptions, where: string): { sql: string; params: unknown[] } {
  if (options.by === 'level' && options.attributedTo !== undefined) {
    return {
      sql: `${where ? ' AND' : 'WHERE'} EXISTS (SELECT 1 FROM impact_windows a WHERE a.incident_id = i.id AND a.level = g.level AND ${ATTRIBUTED})`,
      params: [options.attributedTo],
    };
  }
  if (options.by !== 'service' || !options.service?.length) return { sql: '', params: [] };
  return { sql: `${where ? ' AND' : 'WHERE'} g.service IN (${options.service.map(() => '?').join(', ')})`, params: [...options.service] };
}

/**
 * Time to resolve for one service `g.service` of incident `i`: when the record lists impact
 * windows, `started` to the end of that service's last listed window (not `data-loss`; none
 * open), so a service hit briefly is not charged the whole incident; otherwise, and for a
 * service no listed window names, the incident's own time to resolve.
 */
const SERVICE_RESOLVE_MINUTES = `coalesce((
    SELECT CASE WHEN count(*) = count(w.to_at) THEN (julianday(max(w.to_at)) - julianday(i.started_at)) * 1440 END
      FROM impact_windows w
     WHERE w.incident_id = i.id AND w.service = g.service AND w.implicit = 0 AND w.level <> 'data-loss'
    HAVING count(*) > 0), i.minutes_to_resolve)`;

/**
 * The aggregate query of one grouping: per group the count, the impact total, and the
 * durations as comma-separated lists (percentiles are taken from them in code).
 */
export function statsSql(options: StatsOptions): { sql: string; params: unknown[] } {
  const group = GROUP_SQL[options.by];
  const { where, params } = selection(options);
  const extra = groupFilter(options, where);
  // Durations travel as whole milliseconds: SQLite writes integers much faster than reals.
  const ms = (column: string) => `group_concat(CAST(round(i.${column} * 60000) AS INTEGER))`;
  const resolve =
    options.by === 'service' ? `group_concat(CAST(round(${SERVICE_RESOLVE_MINUTES} * 60000) AS INTEGER))` : ms('minutes_to_resolve');
  const sql = `SELECT ${group.expr} AS grp, count(*), total(i.impact_minutes),
    ${ms('minutes_to_detect')}, ${ms('minutes_to_mitigate')}, ${resolve}
    FROM incidents i ${group.join ?? ''} ${where}${extra.sql}
    GROUP BY grp ORDER BY grp`;
  return { sql, params: [...params, ...extra.params] };
}

/** Each service's impact windows of the selected incidents (for availability and impact minutes). */
function windowsSql(options: StatsOptions): { sql: string; params: unknown[] } {
  const { where, params } = selection(options);
  const clauses: string[] = [];
  const extra: unknown[] = [];
  if (options.service?.length) {
    clauses.push(`g.service IN (${options.service.map(() => '?').join(', ')})`);
    extra.push(...options.service);
  }
  if (options.attributedTo !== undefined) {
    clauses.push(ATTRIBUTED.replaceAll('a.', 'g.'));
    extra.push(options.attributedTo);
  }
  const only = clauses.length ? `${where ? ' AND' : 'WHERE'} ${clauses.join(' AND ')}` : '';
  const key = options.by === 'level' ? 'g.level' : 'g.service';
  const sql = `SELECT ${key}, g.level, g.from_at, g.to_at, g.incident_id
    FROM incidents i JOIN impact_windows g ON g.incident_id = i.id ${where}${only}`;
  return { sql, params: [...params, ...extra] };
}

interface Span extends ImpactSpan {
  incident: string;
}

/** Minutes of impact of one service: per incident, the union of its own windows (`impactMinutes`), summed. */
function serviceImpactMinutes(spans: readonly Span[]): number {
  const byIncident = new Map<string, Span[]>();
  for (const s of spans) {
    if (!byIncident.has(s.incident)) byIncident.set(s.incident, []);
    byIncident.get(s.incident)!.push(s);
  }
  return [...byIncident.values()].reduce((sum, s) => sum + impactMinutes(s), 0);
}

/** Minutes at one level: per incident, the union of its windows at that level (any service), summed; `data-loss` too. */
function levelMinutes(spans: readonly Span[]): number {
  const byIncident = new Map<string, [number, number][]>();
  for (const s of spans) {
    if (s.to === null) continue;
    if (!byIncident.has(s.incident)) byIncident.set(s.incident, []);
    byIncident.get(s.incident)!.push([s.from, s.to]);
  }
  return [...byIncident.values()].reduce((sum, list) => sum + unionMs(list) / 60000, 0);
}

/** Per service: weighted downtime, degraded and delayed minutes within the period, and availability. */
function serviceAvailability(spans: readonly Span[], period: [number, number] | undefined, weights: AvailabilityWeights) {
  if (!period) return { availability_percent: null, downtime_minutes: 0, degraded_minutes: 0, delayed_minutes: 0 };
  const [start, end] = period;
  const down = weightedMs(
    spans.map((s) => ({ from: s.from, to: s.to, weight: weights[s.level] })),
    period,
  );
  const at = (level: ImpactLevel) =>
    unionMs(spans.filter((s) => s.level === level).map((s) => [Math.max(s.from, start), Math.min(s.to ?? end, end)] as const)) / 60000;
  return {
    availability_percent: Math.round(100 * (1 - down / (end - start)) * 10000) / 10000,
    downtime_minutes: round(down / 60000),
    degraded_minutes: round(at('degraded')),
    delayed_minutes: round(at('delayed')),
  };
}

function validate(options: StatsOptions): void {
  if (!STATS_GROUPS.includes(options.by)) throw new RangeError(`cannot group by "${options.by}"; use one of ${STATS_GROUPS.join(', ')}`);
  for (const key of ['since', 'until'] as const) {
    const value = options[key];
    if (value !== undefined && (!DATE.test(value) || !safeDate(value)))
      throw new RangeError(`--${key} "${value}" is not a date YYYY-MM-DD`);
  }
}

function safeDate(text: string): Temporal.PlainDate | undefined {
  try {
    return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    return undefined;
  }
}

/** A comma-separated list of milliseconds as sorted minutes. */
const minutes = (list: string | null): Float64Array => {
  if (!list) return new Float64Array(0);
  const parts = list.split(',');
  const values = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) values[i] = Number(parts[i]) / 60000;
  return values.sort();
};

/** Incident count, median and p90 of time to detect/mitigate/resolve, impact minutes, per group. */
export function queryStats(db: Database.Database, options: StatsOptions): StatsRow[] {
  validate(options);
  const { sql, params } = statsSql(options);
  const rows = db
    .prepare(sql)
    .raw()
    .all(...params) as [string, number, number, string | null, string | null, string | null][];
  let windows: Map<string, Span[]> | undefined;
  let period: [number, number] | undefined;
  if (options.by === 'service' || options.by === 'level') {
    windows = new Map();
    const w = windowsSql(options);
    for (const [service, level, from, to, incident] of db
      .prepare(w.sql)
      .raw()
      .all(...w.params) as [string, ImpactLevel, string, string | null, string][]) {
      let list = windows.get(service);
      if (!list) windows.set(service, (list = []));
      list.push({ from: Date.parse(from), to: to === null ? null : Date.parse(to), level, incident });
    }
    if (options.by === 'service') period = periodOf(db, options);
  }
  const weights = options.weights ?? DEFAULT_AVAILABILITY_WEIGHTS;
  const result = rows.map(([group, count, impact, detectList, mitigateList, resolveList]): StatsRow => {
    const detect = minutes(detectList);
    const mitigate = minutes(mitigateList);
    const resolve = minutes(resolveList);
    const row: StatsRow = {
      group,
      incidents: count,
      detect_median: percentile(detect, 0.5),
      detect_p90: percentile(detect, 0.9),
      mitigate_median: percentile(mitigate, 0.5),
      mitigate_p90: percentile(mitigate, 0.9),
      resolve_median: percentile(resolve, 0.5),
      resolve_p90: percentile(resolve, 0.9),
      impact_minutes: round(impact),
    };
    if (windows) {
      // per service (or level), its own windows: a service hit briefly does not get the whole incident's minutes
      const spans = windows.get(group) ?? [];
      row.impact_minutes = round(options.by === 'level' ? levelMinutes(spans) : serviceImpactMinutes(spans));
      if (options.by === 'service') Object.assign(row, serviceAvailability(spans, period, weights));
    }
    return row;
  });
  return orderGroups(db, options.by, result);
}

function orderGroups(db: Database.Database, by: StatsGroupBy, rows: StatsRow[]): StatsRow[] {
  if (by === 'month' || by === 'quarter' || by === 'year') return rows; // already chronological
  if (by === 'severity') {
    const ranks = new Map(db.prepare('SELECT DISTINCT severity, severity_rank FROM incidents').raw().all() as [string, number][]);
    return rows.sort((a, b) => (ranks.get(a.group) ?? 0) - (ranks.get(b.group) ?? 0) || cmp(a.group, b.group));
  }
  return rows.sort((a, b) => b.incidents - a.incidents || cmp(a.group, b.group));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The period availability is measured over, as epoch milliseconds [start, end): from the
 * start of `since` to the end of `until` in the config's time zone; by default from the day
 * of the first selected incident's start to the end of the day the last impact ended (a
 * window still open counts as ending at its start).
 */
function periodOf(db: Database.Database, options: StatsOptions): [number, number] | undefined {
  const zone = (db.prepare("SELECT value FROM meta WHERE key = 'timezone'").pluck().get() as string | undefined) ?? 'UTC';
  let since = options.since;
  let until = options.until;
  if (!since || !until) {
    const { where, params } = selection(options);
    const [first, lastEnd] = db
      .prepare(`SELECT min(i.started_local_date),
        max(max(i.started_at, coalesce((SELECT max(w.to_at) FROM impact_windows w WHERE w.incident_id = i.id), i.started_at)))
        FROM incidents i ${where}`)
      .raw()
      .get(...params) as [string | null, string | null];
    since ??= first ?? undefined;
    // the day of the last moment of impact (an end at midnight closes the day before)
    const lastDay = lastEnd
      ? Temporal.Instant.from(lastEnd).subtract({ milliseconds: 1 }).toZonedDateTimeISO(zone).toPlainDate().toString()
      : undefined;
    until ??= lastDay && first && lastDay < first ? first : lastDay;
  }
  if (!since || !until) return undefined;
  const start = Temporal.PlainDate.from(since).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  const end = Temporal.PlainDate.from(until).add({ days: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  return end > start ? [start, end] : undefined;
}

/** What the numbers leave out: drafts without a start (in no group), and day-precision starts among the selected (counted, never timed). */
export interface Untimed {
  undated: number;
  dayPrecision: number;
}

export function queryUntimed(db: Database.Database, options: StatsOptions): Untimed {
  const { where, params } = selection(options);
  const undated = db.prepare('SELECT count(*) FROM files WHERE undated = 1').pluck().get() as number;
  const dayPrecision = db
    .prepare(`SELECT count(*) FROM incidents i ${where ? `${where} AND` : 'WHERE'} i.started_precision = 'day'`)
    .pluck()
    .get(...params) as number;
  return { undated, dayPrecision };
}

/** The sentence printed under the table about `Untimed`, or undefined when nothing was left out. */
export function untimedNote({ undated, dayPrecision }: Untimed): string | undefined {
  const parts = [
    undated ? `${undated} draft${undated === 1 ? '' : 's'} without a start time ${undated === 1 ? 'is' : 'are'} in no group` : '',
    dayPrecision
      ? `${dayPrecision} incident${dayPrecision === 1 ? '' : 's'} with only a start day ${dayPrecision === 1 ? 'is' : 'are'} counted but not timed`
      : '',
  ].filter(Boolean);
  return parts.length ? `Not measured: ${parts.join('; ')}.` : undefined;
}
