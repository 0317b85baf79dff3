import { minutesBetween } from '../format/time.js';
import type { Incident } from '../model/incident.js';

// (a module of its own: the site's incident pages draw the phase bar without loading the
// packet's Markdown and printing code, see `site/render-kit.ts`)

/** Phases to scale: started → detected → mitigated → resolved (skipping the milestones not recorded). */
export function phasesOf(incident: Incident): { label: string; minutes: number }[] {
  const points: { label: string; at: Incident['started'] }[] = [];
  if (incident.detected) points.push({ label: 'To detect', at: incident.detected });
  if (incident.mitigated) points.push({ label: incident.detected ? 'Detected to mitigated' : 'To mitigate', at: incident.mitigated });
  if (incident.resolved)
    points.push({
      label: incident.mitigated ? 'Mitigated to resolved' : incident.detected ? 'Detected to resolved' : 'To resolve',
      at: incident.resolved,
    });
  const phases: { label: string; minutes: number }[] = [];
  let from = incident.started;
  for (const p of points) {
    phases.push({ label: p.label, minutes: Math.max(0, minutesBetween(from, p.at)) });
    from = p.at;
  }
  return phases;
}
