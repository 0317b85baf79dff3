import type Database from 'better-sqlite3';
import { queryActions, type ActionRow } from '../db/queries/actions.js';
import { queryStats, type StatsRow } from '../db/queries/stats.js';
import { ownerName } from '../format/names.js';
import type { Config } from '../schema/config.js';
import { causedBy } from '../model/attribution.js';
import type { Temporal } from '../model/time.js';
import { monthKey, previousPeriod, quartersOf, trailingMonths, type Period } from './period.js';

/**
 * The packet's numbers, all from the database queries behind `postmortem stats` and
 * `postmortem actions`, so the packet says what those commands say for the same range.
 */
export interface PeriodTotals {
  period: Period;
  /** `queryStats(by: severity)` rows for the period, worst first. */
  bySeverity: StatsRow[];
  incidents: number;
  impactMinutes: number;
  /** The provider's row of `queryStats(by: provider)` (undefined without a provider or without incidents). */
  provider?: StatsRow;
  /** With a provider: the incidents it caused per severity (`causedBy`: `stats --by severity --attributed-to P`). */
  causedBySeverity?: StatsRow[];
}

export interface AvailabilityRow {
  service: string;
  current: number | null;
  previous: number | null;
  currentIncidents: number;
  previousIncidents: number;
  /**
   * With a provider: availability this period counting only the windows attributed to it
   * (`stats --by service --attributed-to P`, as in the brief); 100 when none touched the service.
   */
  caused?: number | null;
}

export interface TrendNumbers {
  since: Temporal.PlainDate;
  until: Temporal.PlainDate;
  months: Temporal.PlainYearMonth[];
  /** Incidents per month (same order as `months`) for each configured severity. */
  monthlyBySeverity: { severity: string; counts: number[] }[];
  /** `queryStats(by: month)` total per month. */
  monthlyTotals: number[];
  /** Median minutes to resolve per quarter (null when no incident of the quarter has one). */
  quarters: { key: string; resolveMedian: number | null; incidents: number }[];
  categories: StatsRow[];
  services: StatsRow[];
  providers: StatsRow[];
  /**
   * With a provider: its incidents per month (same order as `months`), split into those it caused
   * (`causedBy`: `stats --by month --attributed-to P`) and the rest (ours, shared, others, unattributed).
   */
  attribution?: { caused: number[]; other: number[] };
  /**
   * With a provider (`causedBy`, `stats --attributed-to P`): the incidents it caused per category
   * and per service, and per quarter their median time to resolve (same order as `quarters`).
   */
  causedBy?: { categories: StatsRow[]; services: StatsRow[]; resolveMedians: (number | null)[] };
}

export interface OwnerActions {
  owner: string;
  ownerName: string;
  rows: ActionRow[];
  overdue: number;
}

export interface PacketNumbers {
  current: PeriodTotals;
  previous: PeriodTotals;
  availability: AvailabilityRow[];
  trends: TrendNumbers;
  /** Evaluation date for overdue remediations (`--now`, the config's `as_of`, else today). */
  today: Temporal.PlainDate;
  /** Open remediations (open or in-progress) of the packet's incidents, by owner: most overdue first. */
  actionsByOwner: OwnerActions[];
  /** Every remediation of the packet's incidents, keyed `incident-id\u0000remediation-id`. */
  allActions: Map<string, ActionRow>;
}

function totals(db: Database.Database, period: Period, provider: string | undefined): PeriodTotals {
  const range = { since: period.since.toString(), until: period.until.toString() };
  const bySeverity = queryStats(db, { by: 'severity', ...range });
  const providerRow = provider === undefined ? undefined : queryStats(db, { by: 'provider', ...range }).find((r) => r.group === provider);
  return {
    period,
    bySeverity,
    incidents: bySeverity.reduce((s, r) => s + r.incidents, 0),
    impactMinutes: Math.round(bySeverity.reduce((s, r) => s + r.impact_minutes, 0) * 100) / 100,
    provider: providerRow,
    ...(provider === undefined ? {} : { causedBySeverity: queryStats(db, { by: 'severity', ...range, ...causedBy(provider) }) }),
  };
}

/** A provider's incidents per month: those it caused and the rest. */
function attributionSplit(
  countsFor: (rows: StatsRow[]) => number[],
  db: Database.Database,
  range: { since: string; until: string },
  provider: string,
): { caused: number[]; other: number[] } {
  const involved = countsFor(queryStats(db, { by: 'month', ...range, provider }));
  const caused = countsFor(queryStats(db, { by: 'month', ...range, ...causedBy(provider) }));
  return { caused, other: involved.map((n, i) => n - caused[i]!) };
}

export function actionKey(incidentId: string, remediationId: string): string {
  return `${incidentId}\u0000${remediationId}`;
}

export function packetNumbers(
  db: Database.Database,
  config: Config,
  period: Period,
  provider: string | undefined,
  incidentIds: readonly string[],
  today: Temporal.PlainDate,
): PacketNumbers {
  const current = totals(db, period, provider);
  const previous = totals(db, previousPeriod(period), provider);

  const range = (p: Period) => ({ since: p.since.toString(), until: p.until.toString() });
  const nowRows = queryStats(db, { by: 'service', ...range(period), weights: config.availability_weights });
  const beforeRows = queryStats(db, { by: 'service', ...range(previousPeriod(period)), weights: config.availability_weights });
  const causedRows =
    provider === undefined
      ? undefined
      : queryStats(db, { by: 'service', ...range(period), ...causedBy(provider), weights: config.availability_weights });
  const services = [...new Set([...nowRows, ...beforeRows].map((r) => r.group))];
  const availability: AvailabilityRow[] = services
    .map((service) => {
      const now = nowRows.find((r) => r.group === service);
      const before = beforeRows.find((r) => r.group === service);
      return {
        service,
        current: now ? (now.availability_percent ?? null) : 100,
        previous: before ? (before.availability_percent ?? null) : 100,
        currentIncidents: now?.incidents ?? 0,
        previousIncidents: before?.incidents ?? 0,
        ...(causedRows ? { caused: causedRows.find((r) => r.group === service)?.availability_percent ?? 100 } : {}),
      };
    })
    .sort((a, b) => (a.current ?? 100) - (b.current ?? 100) || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));

  const { since, months } = trailingMonths(period.until);
  const trailing = { since: since.toString(), until: period.until.toString() };
  const monthIndex = new Map(months.map((m, i) => [monthKey(m), i]));
  const countsFor = (rows: StatsRow[]) => {
    const counts = months.map(() => 0);
    for (const r of rows) {
      const i = monthIndex.get(r.group);
      if (i !== undefined) counts[i] = r.incidents;
    }
    return counts;
  };
  const monthlyBySeverity = config.severities.map((severity) => ({
    severity,
    counts: countsFor(queryStats(db, { by: 'month', ...trailing, severity: [severity] })),
  }));
  const quarterRows = queryStats(db, { by: 'quarter', ...trailing });
  const quarterKeys = quartersOf(months);
  const medians = (rows: StatsRow[]) => quarterKeys.map((key) => rows.find((r) => r.group === key)?.resolve_median ?? null);
  const trends: TrendNumbers = {
    since,
    until: period.until,
    months,
    monthlyBySeverity,
    monthlyTotals: countsFor(queryStats(db, { by: 'month', ...trailing })),
    quarters: quarterKeys.map((key) => {
      const row = quarterRows.find((r) => r.group === key);
      return { key, resolveMedian: row?.resolve_median ?? null, incidents: row?.incidents ?? 0 };
    }),
    categories: queryStats(db, { by: 'category', ...trailing }),
    services: queryStats(db, { by: 'service', ...trailing, weights: config.availability_weights }),
    providers: queryStats(db, { by: 'provider', ...trailing }),
    ...(provider === undefined
      ? {}
      : {
          attribution: attributionSplit(countsFor, db, trailing, provider),
          causedBy: {
            categories: queryStats(db, { by: 'category', ...trailing, ...causedBy(provider) }),
            services: queryStats(db, { by: 'service', ...trailing, ...causedBy(provider) }),
            resolveMedians: medians(queryStats(db, { by: 'quarter', ...trailing, ...causedBy(provider) })),
          },
        }),
  };

  const ids = new Set(incidentIds);
  const all = queryActions(db, { status: 'all', today: today.toString() }).filter((r) => ids.has(r.incident_id));
  const open = queryActions(db, { status: 'open', today: today.toString() }).filter((r) => ids.has(r.incident_id));
  const byOwner = new Map<string, OwnerActions>();
  for (const row of open) {
    let group = byOwner.get(row.owner);
    if (!group) byOwner.set(row.owner, (group = { owner: row.owner, ownerName: ownerName(config, row.owner), rows: [], overdue: 0 }));
    group.rows.push(row);
    if (row.days_overdue !== null) group.overdue++;
  }
  const actionsByOwner = [...byOwner.values()].sort(
    (a, b) =>
      b.overdue - a.overdue || b.rows.length - a.rows.length || (a.ownerName < b.ownerName ? -1 : a.ownerName > b.ownerName ? 1 : 0),
  );
  return {
    current,
    previous,
    availability,
    trends,
    today,
    actionsByOwner,
    allActions: new Map(all.map((r) => [actionKey(r.incident_id, r.remediation_id), r])),
  };
}
