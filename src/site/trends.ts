import { compactDuration } from '../format/time.js';
import { ownerName, serviceName } from '../format/names.js';
import { MAIN_CAUSE_RULE, type SiteData } from './model.js';
import { UNRATED } from '../schema/incident.js';
import { renderKit } from './render-kit.js';

/**
 * The trends page: the packet's SVG charts (src/charts) over the whole knowledge base, each
 * with a sentence, a caption and its data as a table (for screen readers and print).
 * Periods are quarters, or years when the knowledge base spans more than six years.
 */
const MAX_QUARTERS = 24;
/**
 * A run of more than this many years without an incident cuts the charts' span: they start
 * after the last such gap (an outlier such as a mistyped year 1628 does not stretch the axis
 * over centuries), and the page says how many earlier incidents are not charted.
 */
export const MAX_EMPTY_YEARS = 10;
const MAX_OWNERS_CHARTED = 12;

interface Period {
  key: string;
  label: string;
}

/** The periods, and each incident's period (an index into them, or -1), worked out once per start date. */
function periodsOf(data: SiteData): { of: Int32Array; periods: Period[]; unit: 'quarter' | 'year'; since: number } {
  const f = data.facts;
  const years = [...new Set(f.used('startedDate').map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);
  const since = years.reduce((start, y, n) => (n > 0 && y - years[n - 1]! - 1 > MAX_EMPTY_YEARS ? y : start), years[0]!);
  const dates = f.used('startedDate').filter((d) => Number(d.slice(0, 4)) >= since);
  const first = since;
  const last = Math.max(...years);
  const quarterOf = (d: string) => `${d.slice(0, 4)}-Q${Math.floor((Number(d.slice(5, 7)) - 1) / 3) + 1}`;
  const byQuarter = (last - first + 1) * 4 <= MAX_QUARTERS;
  const periods: Period[] = [];
  for (let y = first; y <= last; y++) {
    if (byQuarter) for (let q = 1; q <= 4; q++) periods.push({ key: `${y}-Q${q}`, label: `Q${q}\n${y}` });
    else periods.push({ key: String(y), label: String(y) });
  }
  if (byQuarter) {
    // trim empty quarters before the first and after the last incident
    const used = new Set(dates.map(quarterOf));
    while (periods.length > 1 && !used.has(periods[0]!.key)) periods.shift();
    while (periods.length > 1 && !used.has(periods[periods.length - 1]!.key)) periods.pop();
  }
  const index = new Map(periods.map((p, n) => [p.key, n]));
  const byDate = new Map<string, number>();
  const of = new Int32Array(f.n);
  for (let i = 0; i < f.n; i++) {
    const d = f.startedDate(i);
    let p = byDate.get(d);
    if (p === undefined) byDate.set(d, (p = index.get(byQuarter ? quarterOf(d) : d.slice(0, 4)) ?? -1));
    of[i] = p;
  }
  return { of, periods, unit: byQuarter ? 'quarter' : 'year', since };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  // a typed array sorts numerically without a comparator (several times faster on 10,000)
  const s = Float64Array.from(values).sort();
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const hours = (minutes: number) => Math.round((minutes / 60) * 10) / 10;
const hoursLabel = (h: number) => (Number.isInteger(h) ? `${h} h` : `${h.toFixed(1)} h`);

/** As `minutesBetween`, on epoch milliseconds. */
const minutesBetween = (from: number, to: number) => (to - from) / 60000;

export function trendsPage(data: SiteData) {
  const { config, facts: f } = data;
  const incidents = data.order();
  if (incidents.length === 0) {
    return { summary: 'There are no valid incidents in the knowledge base yet.', charts: [] };
  }
  const { of, periods, unit, since } = periodsOf(data);
  // one pass over the incidents, by codes (newest first, as every page lists them)
  const used = new Set(f.used('severity'));
  const severities = [...config.severities, UNRATED].filter((s) => used.has(s));
  const severityAt = new Map(severities.map((s, n) => [f.codeOf(s), n]));
  const series = severities.map((s) => ({ label: s, values: periods.map(() => 0) }));
  const perCategory = new Map<number, number>();
  const impact = new Map<number, number>();
  const resolveMinutes = periods.map(() => [] as number[]);
  const detectMinutes = periods.map(() => [] as number[]);
  const services = f.c.services;
  for (const i of incidents) {
    const p = of[i]!;
    const s = severityAt.get(f.severityCode(i));
    if (s !== undefined && p >= 0) series[s]!.values[p]!++;
    perCategory.set(f.categoryCode(i), (perCategory.get(f.categoryCode(i)) ?? 0) + 1);
    const started = f.started(i);
    const resolved = f.resolved(i);
    const serviceMinutes = f.serviceMinutes(i);
    for (let at = services.offsets[i]!; at < services.offsets[i + 1]!; at++) {
      const code = services.values[at]!;
      // an incident naming a service twice counts once
      let seen = false;
      for (let before = services.offsets[i]!; before < at; before++) if (services.values[before] === code) seen = true;
      if (!seen) impact.set(code, (impact.get(code) ?? 0) + serviceMinutes[at - services.offsets[i]!]!);
    }
    if (p < 0) continue;
    const detected = f.detected(i);
    if (resolved !== undefined) resolveMinutes[p]!.push(minutesBetween(started, resolved));
    if (detected !== undefined) detectMinutes[p]!.push(minutesBetween(started, detected));
  }
  const perPeriod = renderKit().stackedBarChart(
    { categories: periods.map((p) => p.label), series },
    {
      title: `Incidents per ${unit}, by severity`,
      id: 'trend-severity',
      valueAxisLabel: 'Incidents',
    },
  );

  const byCategory = config.categories
    .map((c) => ({ label: c, value: perCategory.get(f.codeOf(c)) ?? 0 }))
    .filter((d) => d.value > 0)
    .sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
  const categoryChart = renderKit().barChart(byCategory, {
    title: 'Incidents by main root-cause category',
    id: 'trend-category',
    valueAxisLabel: 'Incidents',
  });

  const byService = [...impact]
    .map(([code, m]) => ({ label: serviceName(config, f.value(code)), value: hours(m) }))
    .sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
  const serviceChart = renderKit().barChart(byService, {
    title: 'Hours of customer impact by service',
    id: 'trend-service',
    valueAxisLabel: 'Hours',
    format: hoursLabel,
  });

  const mttr = periods.map((p, n) => {
    const m = median(resolveMinutes[n]!);
    return { label: p.label, value: m === null ? null : hours(m) };
  });
  const mttrChart = renderKit().pointChart(mttr, {
    title: `Median time to resolve per ${unit}`,
    id: 'trend-resolve',
    valueAxisLabel: 'Hours',
    format: hoursLabel,
  });
  const mttd = periods.map((p, n) => ({ label: p.label, value: median(detectMinutes[n]!) }));
  const mttdChart = renderKit().pointChart(
    mttd.map((d) => ({ label: d.label, value: d.value === null ? null : Math.round(d.value) })),
    {
      title: `Median time to detect per ${unit}`,
      id: 'trend-detect',
      valueAxisLabel: 'Minutes',
      format: (m) => compactDuration(m),
    },
  );

  const actions = new Map<string, { open: number; overdue: number }>();
  const open = new Set(['open', 'in-progress'].map((s) => f.codeOf(s)));
  const { offsets, values } = f.c.remediations;
  // each owner's name once (by the owner's code), not once per open remediation
  const names = new Map<number, string>();
  const nameOf = (code: number) => names.get(code) ?? names.set(code, ownerName(data.config, f.value(code))).get(code)!;
  for (const i of incidents) {
    for (let at = offsets[i]!; at < offsets[i + 1]!; at += 4) {
      const status = values[at + 2]!;
      if (!open.has(status)) continue;
      const name = nameOf(values[at + 1]!);
      const a = actions.get(name) ?? { open: 0, overdue: 0 };
      a.open++;
      if (data.overdue(status, values[at + 3]!)) a.overdue++;
      actions.set(name, a);
    }
  }
  const owners = [...actions].sort(([a, x], [b, y]) => y.open - x.open || (a < b ? -1 : 1));
  // the chart shows the owners with most open items; the table lists everyone
  const charted = owners.slice(0, MAX_OWNERS_CHARTED);
  const actionsChart = renderKit().stackedBarChart(
    {
      categories: charted.map(([name]) => name.replace(' ', '\n')),
      series: [
        { label: 'Overdue', values: charted.map(([, a]) => a.overdue) },
        { label: 'Open, not overdue', values: charted.map(([, a]) => a.open - a.overdue) },
      ],
    },
    { title: `Open action items by owner, as of ${data.today.toString()}`, id: 'trend-actions', valueAxisLabel: 'Action items' },
  );

  const label = (p: Period) => p.label.replace('\n', ' ');
  const uncharted = incidents.filter((i) => of[i]! < 0).length;
  const first = f.startedDate(incidents[incidents.length - 1]!);
  const last = f.startedDate(incidents[0]!);
  return {
    summary: `${incidents.length} incidents from ${first} to ${last}.${uncharted ? ` ${uncharted} ${uncharted === 1 ? 'incident' : 'incidents'} before ${since}, after more than ${MAX_EMPTY_YEARS} years without incidents, ${uncharted === 1 ? 'is' : 'are'} not in the charts by ${unit}.` : ''} Each chart's data is listed below it.`,
    charts: [
      {
        id: 'severity',
        title: `Incidents per ${unit}`,
        svg: renderKit().sanitizedHtml(perPeriod),
        text: `How many incidents began in each ${unit}, split by severity (${severities.join(', ')}; worst at the bottom of each bar).`,
        caption: `Incidents per ${unit}, stacked by severity.`,
        table: {
          head: [unit === 'quarter' ? 'Quarter' : 'Year', ...severities, 'Total'],
          rows: periods.map((p, n) => [
            label(p),
            ...series.map((s) => String(s.values[n])),
            String(series.reduce((t, s) => t + s.values[n]!, 0)),
          ]),
        },
      },
      {
        id: 'category',
        title: 'Root causes',
        svg: renderKit().sanitizedHtml(categoryChart),
        text: `${MAIN_CAUSE_RULE} Most frequent first.`,
        caption: 'Incidents by main root-cause category.',
        table: { head: ['Category', 'Incidents'], rows: byCategory.map((d) => [d.label, String(d.value)]) },
      },
      {
        id: 'service',
        title: 'Impact by service',
        svg: renderKit().sanitizedHtml(serviceChart),
        text: "Total hours of customer impact per affected service, from that service's own impact windows, overlaps counted once (without windows: from the start to resolution, or mitigation if unresolved); degraded, delayed and partial windows count as impact here, unlike in availability; data-loss windows and windows still open do not.",
        caption: 'Hours of customer impact by service; an incident affecting several services counts for each.',
        table: { head: ['Service', 'Hours'], rows: byService.map((d) => [d.label, hoursLabel(d.value)]) },
      },
      {
        id: 'resolve',
        title: 'Time to resolve',
        svg: renderKit().sanitizedHtml(mttrChart),
        text: `Median hours from the start of impact to resolution, per ${unit}; ${unit}s without a resolved incident are marked “none”.`,
        caption: `Median time to resolve per ${unit}.`,
        table: {
          head: [unit === 'quarter' ? 'Quarter' : 'Year', 'Median hours', 'Resolved incidents'],
          rows: periods.map((p, n) => [
            label(p),
            mttr[n]!.value === null ? 'none' : hoursLabel(mttr[n]!.value!),
            String(resolveMinutes[n]!.length),
          ]),
        },
      },
      {
        id: 'detect',
        title: 'Time to detect',
        svg: renderKit().sanitizedHtml(mttdChart),
        text: `Median minutes from the start of impact to detection, per ${unit}.`,
        caption: `Median time to detect per ${unit}.`,
        table: {
          head: [unit === 'quarter' ? 'Quarter' : 'Year', 'Median', 'Incidents with a detection time'],
          rows: periods.map((p, n) => [label(p), compactDuration(mttd[n]!.value), String(detectMinutes[n]!.length)]),
        },
      },
      {
        id: 'actions',
        title: 'Open action items',
        svg: renderKit().sanitizedHtml(actionsChart),
        text: `Open and in-progress remediations per owner as of ${data.today.toString()}; overdue ones at the bottom of each bar.`,
        caption: 'Open action items by owner, overdue first.',
        table: { head: ['Owner', 'Open', 'Overdue'], rows: owners.map(([name, a]) => [name, String(a.open), String(a.overdue)]) },
      },
    ],
  };
}
