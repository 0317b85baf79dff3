import type Database from 'better-sqlite3';
import type { AttributionParty, ImpactLevel } from '../schema/incident.js';
import { MAINTENANCE_TAG } from '../schema/contract.js';

/** One service's impact window as credits see it: times in epoch milliseconds, who caused it, whether it was maintenance. */
export interface CreditWindow {
  incident: string;
  service: string;
  level: ImpactLevel;
  from: number;
  /** null: still open. */
  to: number | null;
  cause: AttributionParty | null;
  provider: string | null;
  /** The incident is tagged `scheduled-maintenance`. */
  maintenance: boolean;
}

interface WindowRow {
  incident_id: string;
  service: string;
  level: ImpactLevel;
  from_at: string;
  to_at: string | null;
  attribution: AttributionParty | null;
  attribution_provider: string | null;
  maintenance: number;
}

/**
 * The windows of the given services in every incident that involves `provider` (lists it in
 * `provider`, or has a window attributed to it), read from the knowledge base, oldest first.
 */
export function creditWindows(db: Database.Database, provider: string, services: readonly string[]): CreditWindow[] {
  if (services.length === 0) return [];
  const rows = db
    .prepare(`SELECT w.incident_id, w.service, w.level, w.from_at, w.to_at, w.attribution, w.attribution_provider,
      EXISTS (SELECT 1 FROM tags t WHERE t.incident_id = w.incident_id AND t.tag = ?) AS maintenance
    FROM impact_windows w
    WHERE w.service IN (${services.map(() => '?').join(', ')})
      AND (EXISTS (SELECT 1 FROM incident_providers p WHERE p.incident_id = w.incident_id AND p.provider = ?)
        OR EXISTS (SELECT 1 FROM impact_windows a WHERE a.incident_id = w.incident_id AND a.attribution_provider = ?))
    ORDER BY w.from_at, w.incident_id, w.window_index, w.service`)
    .all(MAINTENANCE_TAG, ...services, provider, provider) as WindowRow[];
  return rows.map((r) => ({
    incident: r.incident_id,
    service: r.service,
    level: r.level,
    from: Date.parse(r.from_at),
    to: r.to_at === null ? null : Date.parse(r.to_at),
    cause: r.attribution,
    provider: r.attribution_provider,
    maintenance: r.maintenance === 1,
  }));
}
