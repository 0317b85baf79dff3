import type { ImpactLevel } from '../schema/incident.js';
import type { Instant } from './time.js';
import type { Attribution } from './attribution.js';

/**
 * Impact in stages: one window per stretch of time at one level over some services. Every
 * number about impact (time to mitigate and resolve, impact minutes, availability, charts)
 * is computed from these, never from `started`/`resolved` alone.
 */
export interface ImpactWindow {
  /** 1-based position in `impact.windows`; 1 for the implicit window. */
  index: number;
  from: Instant;
  /** Absent: still open. */
  to?: Instant;
  level: ImpactLevel;
  services: string[];
  locations: string[];
  scope?: { kind: 'percent' | 'count'; value: number; of: string };
  public: boolean;
  summary?: string;
  /** The window derived from `started`…`resolved` when the record lists none. */
  implicit: boolean;
  /** Who caused this window: its own `attribution`, else the incident's (absent: not attributed). */
  attribution?: Attribution;
}

/** What an incident's times say, in minutes from `started` (null when unknown or still open). */
export interface Durations {
  toDetect: number | null;
  /** How long before impact the first sign was seen (proactive detection), else null. */
  detectedBeforeImpact: number | null;
  toMitigate: number | null;
  toResolve: number | null;
  /** Minutes of the union of every window except `data-loss` (null when one is open). */
  impact: number | null;
}

interface Times {
  started: Instant;
  detected?: Instant;
  mitigated?: Instant;
  resolved?: Instant;
  windows: readonly ImpactWindow[];
}

const ms = (i: Instant) => i.epochMilliseconds;
const MINUTE = 60000;

/** The implicit window of a record without `impact.windows`: `started` to `resolved` (else `mitigated`). */
export function implicitWindow(
  times: Omit<Times, 'windows'>,
  level: ImpactLevel,
  services: string[],
  locations: string[],
  attribution?: Attribution,
): ImpactWindow {
  const to = times.resolved ?? times.mitigated;
  return {
    index: 1,
    from: times.started,
    ...(to ? { to } : {}),
    level,
    services,
    locations,
    public: false,
    implicit: true,
    ...(attribution ? { attribution } : {}),
  };
}

/** The latest end of the windows that match, or null when one of them is open or none matches. */
function lastEnd(windows: readonly ImpactWindow[], match: (w: ImpactWindow) => boolean): Instant | null {
  let end: Instant | null = null;
  for (const w of windows) {
    if (!match(w)) continue;
    if (!w.to) return null;
    if (end === null || ms(w.to) > ms(end)) end = w.to;
  }
  return end;
}

/** A milestone and where it comes from: the record's own field, or the end of its listed windows. */
export interface Milestone {
  at: Instant;
  from: 'field' | 'windows';
}

/**
 * When impact was mitigated (`mitigated`, else the end of the last listed `outage` window) and
 * resolved (`resolved`, else the end of the last listed window that is not `data-loss`): the
 * rule of docs/format.md, which every document states times by. Null when neither says.
 */
export function milestones(times: Times): { mitigated: Milestone | null; resolved: Milestone | null } {
  // The implicit window is made of `mitigated`/`resolved` themselves: it says nothing more about them.
  const explicit = times.windows.filter((w) => !w.implicit);
  const of = (field: Instant | undefined, match: (w: ImpactWindow) => boolean): Milestone | null => {
    if (field) return { at: field, from: 'field' };
    const end = lastEnd(explicit, match);
    return end ? { at: end, from: 'windows' } : null;
  };
  return {
    mitigated: of(times.mitigated, (w) => w.level === 'outage'),
    resolved: of(times.resolved, (w) => w.level !== 'data-loss'),
  };
}

/** Total length of the union of [from, to) intervals, in milliseconds. */
export function unionMs(intervals: readonly (readonly [number, number])[]): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (a > end) {
      if (end > start) total += end - start;
      start = a;
      end = b;
    } else if (b > end) end = b;
  }
  if (end > start) total += end - start;
  return total;
}

/**
 * Time to detect (0 when detection came first, the lead then in `detectedBeforeImpact`), to
 * mitigate (`mitigated`, else the end of the last listed `outage` window), to resolve
 * (`resolved`, else the end of the last listed window that is not `data-loss`) and impact minutes.
 */
export function durations(times: Times): Durations {
  const started = ms(times.started);
  const since = (end: Milestone | null) => (end === null ? null : (ms(end.at) - started) / MINUTE);
  const detected = times.detected ? ms(times.detected) : null;
  const counted = times.windows.filter((w) => w.level !== 'data-loss');
  const open = counted.some((w) => !w.to);
  const { mitigated, resolved } = milestones(times);
  return {
    toDetect: detected === null ? null : Math.max(0, detected - started) / MINUTE,
    detectedBeforeImpact: detected !== null && detected < started ? (started - detected) / MINUTE : null,
    toMitigate: since(mitigated),
    toResolve: since(resolved),
    impact: open ? null : unionMs(counted.map((w) => [ms(w.from), ms(w.to!)] as const)) / MINUTE,
  };
}

/**
 * Per service and level, the minutes of the union of that service's windows at that level
 * (overlaps counted once; open windows left out). Same numbers as the `service_impact` view.
 */
export function serviceImpact(windows: readonly ImpactWindow[]): { service: string; level: ImpactLevel; minutes: number }[] {
  const groups = new Map<string, { service: string; level: ImpactLevel; spans: [number, number][] }>();
  for (const w of windows) {
    if (!w.to) continue;
    for (const service of w.services) {
      const key = `${service}\u0000${w.level}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { service, level: w.level, spans: [] }));
      group.spans.push([ms(w.from), ms(w.to)]);
    }
  }
  return [...groups.values()].map((g) => ({ service: g.service, level: g.level, minutes: unionMs(g.spans) / MINUTE }));
}

/**
 * Minutes of customer impact of each service: the union of that service's closed windows at
 * every level but `data-loss` (what the impact charts show; open windows left out, as in `serviceImpact`).
 */
export function impactMinutesByService(windows: readonly Pick<ImpactWindow, 'from' | 'to' | 'level' | 'services'>[]): Map<string, number> {
  const spans = new Map<string, ImpactSpan[]>();
  for (const w of windows) {
    for (const service of w.services) {
      if (!spans.has(service)) spans.set(service, []);
      spans.get(service)!.push({ from: ms(w.from), to: w.to ? ms(w.to) : null, level: w.level });
    }
  }
  return new Map([...spans].map(([service, s]) => [service, impactMinutes(s)]));
}

/** A window of one service in epoch milliseconds (`to` null: still open). */
export interface ImpactSpan {
  from: number;
  to: number | null;
  level: ImpactLevel;
}

/** Minutes of customer impact of one service's windows in one incident: their union, closed windows but `data-loss`. */
export function impactMinutes(spans: readonly ImpactSpan[]): number {
  return unionMs(spans.filter((s) => s.to !== null && s.level !== 'data-loss').map((s) => [s.from, s.to!] as const)) / MINUTE;
}

/**
 * Weighted down-time of one service's windows within [start, end): at every moment the
 * heaviest level in effect counts (a window still open runs to `end`).
 */
export function weightedMs(
  spans: readonly { from: number; to: number | null; weight: number }[],
  [start, end]: readonly [number, number],
): number {
  const events: [time: number, weight: number, delta: 1 | -1][] = [];
  for (const s of spans) {
    const from = Math.max(s.from, start);
    const to = Math.min(s.to ?? end, end);
    if (to > from && s.weight > 0) events.push([from, s.weight, 1], [to, s.weight, -1]);
  }
  events.sort((x, y) => x[0] - y[0]);
  const active = new Map<number, number>();
  let total = 0;
  let last = start;
  for (const [time, weight, delta] of events) {
    const heaviest = Math.max(0, ...[...active].filter(([, n]) => n > 0).map(([w]) => w));
    total += heaviest * (time - last);
    last = time;
    active.set(weight, (active.get(weight) ?? 0) + delta);
  }
  return total;
}
