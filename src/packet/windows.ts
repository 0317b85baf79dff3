import { compactDuration, minutesBetween, shortDateTime } from '../format/time.js';
import { serviceNames } from '../format/names.js';
import type { ImpactWindow } from '../model/impact.js';
import type { Config } from '../schema/config.js';
import { locationName } from './incident-view.js';

/** How a packet names an impact level. */
export const LEVEL_LABEL: Record<ImpactWindow['level'], string> = {
  outage: 'Outage',
  'partial-outage': 'Partial outage',
  degraded: 'Degraded',
  delayed: 'Delayed',
  'data-loss': 'Data loss',
};

function scopeText(scope: ImpactWindow['scope']): string {
  if (!scope) return '';
  return scope.kind === 'percent' ? `${scope.value}% of ${scope.of}` : `${scope.value.toLocaleString('en-US')} ${scope.of}`;
}

/** One row of a packet's table of impact windows. */
export interface WindowView {
  from: string;
  to: string;
  duration: string;
  level: string;
  services: string;
  locations: string;
  scope: string;
  summary: string | undefined;
  /** Whether the window may appear in customer documents (`public`): in the internal packet only. */
  shared?: boolean;
}

/**
 * A listed impact window as a packet shows it. For the provider (`audience: provider`) a
 * window's scope and summary are ours unless the window is public (its unit may name a
 * customer group); the internal packet shows every field.
 */
export function windowView(w: ImpactWindow, config: Config, audience: 'internal' | 'provider'): WindowView {
  const zone = config.timezone;
  const shown = audience === 'internal' || w.public;
  return {
    from: shortDateTime(w.from, zone),
    to: w.to ? shortDateTime(w.to, zone) : 'still open',
    duration: w.to ? compactDuration(minutesBetween(w.from, w.to)) : '—',
    level: LEVEL_LABEL[w.level],
    services: serviceNames(config, w.services),
    locations: w.locations.map((l) => locationName(config, l)).join(', '),
    scope: shown ? scopeText(w.scope) : '',
    summary: shown && w.summary ? w.summary : undefined,
    ...(audience === 'internal' ? { shared: w.public } : {}),
  };
}
