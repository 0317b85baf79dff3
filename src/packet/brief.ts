import type Database from 'better-sqlite3';
import { queryActions } from '../db/queries/actions.js';
import { queryStats, type StatsRow } from '../db/queries/stats.js';
import type { Temporal } from '../model/time.js';
import { providerList, type Config } from '../schema/config.js';
import { PROVIDER_OWNER_PREFIX } from '../schema/incident.js';
import { causedBy } from '../model/attribution.js';
import type { Period } from './period.js';

/**
 * The numbers of the packet's one-page brief for a provider, each from the query behind a
 * command, so the brief says what these say for the period and the meeting day:
 * - incidents: `stats --by severity --provider P` (and `--attributed-to P`, `causedBy`, for those they caused);
 * - customer impact they caused: `stats --by level --attributed-to P`;
 * - availability of the contract services (else the services their incidents hit):
 *   `stats --by service --attributed-to P --service …`;
 * - remediations they own: `actions --owner provider:P --status all` on the meeting day.
 */
export interface BriefNumbers {
  provider: string;
  incidents: { total: number; caused: number; bySeverity: { severity: string; incidents: number }[] };
  impactByLevel: { level: string; incidents: number; minutes: number }[];
  availability: { service: string; percent: number | null; target: number | null }[];
  /** Where the services of `availability` come from: the provider's contract, else the incidents that involved them. */
  servicesFrom: 'contract' | 'incidents';
  remediations: { done: number; open: number; overdue: number; wontDo: number };
}

const total = (rows: readonly StatsRow[]) => rows.reduce((sum, r) => sum + r.incidents, 0);

export function briefNumbers(
  db: Database.Database,
  config: Config,
  provider: string,
  period: Period,
  today: Temporal.PlainDate,
): BriefNumbers {
  const range = { since: period.since.toString(), until: period.until.toString() };
  const bySeverity = queryStats(db, { by: 'severity', ...range, provider });
  const caused = queryStats(db, { by: 'severity', ...range, ...causedBy(provider) });
  const impactByLevel = queryStats(db, { by: 'level', ...range, ...causedBy(provider) });
  const contract = providerList(config).find((p) => p.id === provider)?.contract;
  const services = contract ? [...contract.services.keys()] : queryStats(db, { by: 'service', ...range, provider }).map((r) => r.group);
  const serviceRows = services.length
    ? queryStats(db, { by: 'service', ...range, ...causedBy(provider), service: services, weights: config.availability_weights })
    : [];
  const actions = queryActions(db, { owner: `${PROVIDER_OWNER_PREFIX}${provider}`, status: 'all', today: today.toString() });
  return {
    provider,
    incidents: {
      total: total(bySeverity),
      caused: total(caused),
      bySeverity: bySeverity.map((r) => ({ severity: r.group, incidents: r.incidents })),
    },
    impactByLevel: impactByLevel.map((r) => ({ level: r.group, incidents: r.incidents, minutes: r.impact_minutes })),
    availability: services
      .map((service) => ({
        service,
        // a service none of their windows touched was fully available as far as they are concerned
        percent: serviceRows.find((r) => r.group === service)?.availability_percent ?? 100,
        target: contract?.services.get(service)?.target ?? null,
      }))
      .sort((a, b) => (a.percent ?? 100) - (b.percent ?? 100) || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0)),
    servicesFrom: contract ? 'contract' : 'incidents',
    remediations: {
      done: actions.filter((a) => a.status === 'done').length,
      open: actions.filter((a) => a.status === 'open' || a.status === 'in-progress').length,
      overdue: actions.filter((a) => a.days_overdue !== null).length,
      wontDo: actions.filter((a) => a.status === 'wont-do').length,
    },
  };
}
