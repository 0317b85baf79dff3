import { Temporal } from '../model/time.js';
import type { ImpactLevel } from '../schema/incident.js';
import type { PublicExport, PublicIncident } from './view.js';

/**
 * The public incidents in the shape of a status page's incidents API (Atlassian Statuspage
 * `GET /incidents`), exactly the fields `postmortem import statuspage` reads:
 * `{"incidents": [{id, name, status, impact, created_at, started_at, resolved_at, shortlink,
 * components: [{id, name}], incident_updates: [{id, status, body, created_at, display_at}]}]}`.
 *
 * - `components` are the services (id and display name);
 * - `impact` is the worst public impact window's level (`none` when no window is public);
 * - `incident_updates`, newest first as the API gives them: the impact summary at `started`
 *   (`<id>-impact`), every public timeline entry (`<id>-t<n>`), and the Customer summary at the
 *   end of impact (`<id>-summary`, status `postmortem`). An update's status follows from its
 *   time: before `mitigated` "identified", until `resolved` "monitoring", then "resolved".
 */
export const STATUSPAGE_IMPACT: Record<ImpactLevel, 'critical' | 'major' | 'minor'> = {
  outage: 'critical',
  'data-loss': 'critical',
  'partial-outage': 'major',
  degraded: 'minor',
  delayed: 'minor',
};
const IMPACT_ORDER = ['none', 'minor', 'major', 'critical'] as const;
type Impact = (typeof IMPACT_ORDER)[number];

export interface StatuspageUpdate {
  id: string;
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'postmortem';
  body: string;
  created_at: string;
  display_at: string;
}

export interface StatuspageIncident {
  id: string;
  name: string;
  status: 'investigating' | 'monitoring' | 'resolved';
  impact: Impact;
  created_at: string;
  started_at: string;
  resolved_at: string | null;
  shortlink: string | null;
  components: { id: string; name: string }[];
  incident_updates: StatuspageUpdate[];
}

const ms = (at: string) => Temporal.Instant.from(at).epochMilliseconds;

function impactOf(incident: PublicIncident): Impact {
  return incident.windows
    .map((w) => STATUSPAGE_IMPACT[w.level] as Impact)
    .reduce<Impact>((a, b) => (IMPACT_ORDER.indexOf(b) > IMPACT_ORDER.indexOf(a) ? b : a), 'none');
}

function updateStatus(incident: PublicIncident, at: string): StatuspageUpdate['status'] {
  if (incident.resolved && ms(at) >= ms(incident.resolved)) return 'resolved';
  if (incident.mitigated && ms(at) >= ms(incident.mitigated)) return 'monitoring';
  return 'identified';
}

function updates(incident: PublicIncident): StatuspageUpdate[] {
  const update = (id: string, status: StatuspageUpdate['status'], body: string, at: string): StatuspageUpdate => ({
    id,
    status,
    body,
    created_at: at,
    display_at: at,
  });
  const list = [
    update(`${incident.id}-impact`, 'investigating', incident.impact.summary, incident.started),
    ...incident.timeline.map((e, n) => update(`${incident.id}-t${n + 1}`, updateStatus(incident, e.at), e.event, e.at)),
  ];
  if (incident.customer_summary) {
    const end = incident.resolved ?? list[list.length - 1]!.created_at;
    list.push(update(`${incident.id}-summary`, 'postmortem', incident.customer_summary.markdown, end));
  }
  // newest first; entries at the same time keep the record's order, reversed
  return list
    .map((u, n) => ({ u, n }))
    .sort((a, b) => ms(b.u.display_at) - ms(a.u.display_at) || b.n - a.n)
    .map(({ u }) => u);
}

function statuspageIncident(incident: PublicIncident): StatuspageIncident {
  return {
    id: incident.id,
    name: incident.title,
    status: incident.resolved ? 'resolved' : incident.mitigated ? 'monitoring' : 'investigating',
    impact: impactOf(incident),
    created_at: incident.started,
    started_at: incident.started,
    resolved_at: incident.resolved,
    shortlink: null,
    components: incident.services.map((s) => ({ id: s.id, name: s.name })),
    incident_updates: updates(incident),
  };
}

export function renderStatuspage(data: PublicExport): string {
  return `${JSON.stringify({ incidents: data.incidents.map(statuspageIncident) }, null, 2)}\n`;
}
