import { minutesBetween } from '../format/time.js';
import type { Incident } from '../model/incident.js';
import { milestones } from '../model/impact.js';

// (a module of its own: the site's incident pages draw the phase bar without loading the
// packet's Markdown and printing code, see `site/render-kit.ts`)

/**
 * Phases to scale: started → detected → mitigated → resolved (skipping the milestones not
 * recorded), mitigated and resolved by `milestones` (from the windows when the fields are not
 * given: the chart and the stated times to mitigate and resolve agree; an outage window that
 * ends with the resolution draws no phase of its own).
 */
export function phasesOf(incident: Incident): { label: string; minutes: number }[] {
  const { resolved, ...found } = milestones(incident);
  // an outage that ended only with the resolution adds no phase of its own
  const mitigated =
    found.mitigated?.from === 'windows' && resolved && found.mitigated.at.epochMilliseconds >= resolved.at.epochMilliseconds
      ? null
      : found.mitigated;
  const points: { label: string; at: Incident['started'] }[] = [];
  if (incident.detected) points.push({ label: 'To detect', at: incident.detected });
  if (mitigated) points.push({ label: incident.detected ? 'Detected to mitigated' : 'To mitigate', at: mitigated.at });
  if (resolved)
    points.push({
      label: mitigated ? 'Mitigated to resolved' : incident.detected ? 'Detected to resolved' : 'To resolve',
      at: resolved.at,
    });
  const phases: { label: string; minutes: number }[] = [];
  let from = incident.started;
  for (const p of points) {
    phases.push({ label: p.label, minutes: Math.max(0, minutesBetween(from, p.at)) });
    from = p.at;
  }
  return phases;
}
