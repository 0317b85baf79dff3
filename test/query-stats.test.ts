import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStats } from '../src/commands/stats.js';
import { weightedMs } from '../src/model/impact.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { fixtureFiles } from './fixtures/db-kb.js';
import { BASE_CONFIG } from '../src/rules/fixtures.js';
import { TWO_SERVICE_WINDOWS } from './helpers/incidents.js';

let root: string;
beforeAll(() => {
  root = tempKb(fixtureFiles());
});
afterAll(() => removeKb(root));

const ctx = () => captureContext(root, { now: '2007-07-01' });
const blank = { detect_median: null, detect_p90: null, mitigate_median: null, mitigate_p90: null };

describe('postmortem stats', () => {
  it('groups by month in the configured time zone, with exact durations across DST and midnight', async () => {
    const { rows, exitCode } = await runStats(ctx(), { by: 'month', format: 'json' });
    expect(exitCode).toBe(0);
    expect(rows).toEqual([
      {
        group: '2007-03',
        incidents: 1,
        detect_median: 15,
        detect_p90: 15,
        mitigate_median: 45,
        mitigate_p90: 45,
        resolve_median: 60,
        resolve_p90: 60,
        impact_minutes: 60,
      },
      // 2007-06-30 22:30 EDT is July 1 in UTC but belongs to June here.
      {
        group: '2007-06',
        incidents: 3,
        detect_median: 7.5,
        detect_p90: 9.5,
        mitigate_median: 90,
        mitigate_p90: 90,
        resolve_median: 120,
        resolve_p90: 144,
        impact_minutes: 300,
      },
    ]);
  });

  it('groups by quarter, year, severity, category, provider and location', async () => {
    const groups = async (by: Parameters<typeof runStats>[1]['by']) =>
      (await runStats(ctx(), { by, format: 'json' })).rows.map((r) => [r.group, r.incidents]);
    expect(await groups('quarter')).toEqual([
      ['2007-Q1', 1],
      ['2007-Q2', 3],
    ]);
    expect(await groups('year')).toEqual([['2007', 4]]);
    expect(await groups('severity')).toEqual([
      ['SEV1', 1],
      ['SEV2', 3],
    ]);
    expect(await groups('category')).toEqual([
      ['software', 3],
      ['capacity', 1],
    ]);
    expect(await groups('provider')).toEqual([
      ['(none)', 3],
      ['rackspace', 1],
    ]);
    expect(await groups('location')).toEqual([
      ['(none)', 3],
      ['dulles-va', 1],
    ]);
  });

  it('measures availability per service over the period, merging overlapping impact windows', async () => {
    const { rows } = await runStats(ctx(), { by: 'service', since: '2007-06-04', until: '2007-06-05', format: 'json' });
    // Two days of 1440 minutes; pop: 03:00–05:30Z and 04:00–06:00Z merge into 180 minutes.
    expect(rows).toEqual([
      {
        group: 'pop',
        incidents: 2,
        ...blank,
        detect_median: 10,
        detect_p90: 10,
        mitigate_median: 90,
        mitigate_p90: 90,
        resolve_median: 135,
        resolve_p90: 147,
        impact_minutes: 270,
        downtime_minutes: 180,
        degraded_minutes: 0,
        delayed_minutes: 0,
        availability_percent: 93.75,
      },
      {
        group: 'webmail',
        incidents: 1,
        detect_median: 10,
        detect_p90: 10,
        mitigate_median: 90,
        mitigate_p90: 90,
        resolve_median: 150,
        resolve_p90: 150,
        impact_minutes: 150,
        downtime_minutes: 150,
        degraded_minutes: 0,
        delayed_minutes: 0,
        availability_percent: 94.7917,
      },
    ]);
  });

  it("counts each service's impact minutes from its own windows", async () => {
    const incident = TWO_SERVICE_WINDOWS;
    const own = tempKb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/2007-06-04-lb.md': incident });
    try {
      const { rows } = await runStats(captureContext(own, { now: '2007-07-01' }), { by: 'service', format: 'json' });
      expect(rows.map((r) => [r.group, r.impact_minutes, r.downtime_minutes, r.degraded_minutes])).toEqual([
        ['pop', 18, 0, 18],
        ['webmail', 105, 105, 0],
      ]);
      // time to resolve per service from its own windows: pop's ended at 09:48, 38 minutes after 09:10
      expect(rows.map((r) => [r.group, r.resolve_median])).toEqual([
        ['pop', 38],
        ['webmail', 105],
      ]);
    } finally {
      removeKb(own);
    }
  });

  it('measures a period containing a DST change in real minutes (a 23-hour day)', async () => {
    const { rows } = await runStats(ctx(), { by: 'service', since: '2007-03-11', until: '2007-03-11', format: 'json' });
    expect(rows.map((r) => [r.group, r.availability_percent])).toEqual([['webmail', 95.6522]]); // 1 − 60/1380
  });

  it('filters by severity and service', async () => {
    const bySeverity = await runStats(ctx(), { by: 'year', severity: ['SEV1'], format: 'json' });
    expect(bySeverity.rows.map((r) => [r.group, r.incidents, r.impact_minutes])).toEqual([['2007', 1, 150]]);
    const byService = await runStats(ctx(), { by: 'service', service: ['pop'], format: 'json' });
    expect(byService.rows.map((r) => r.group)).toEqual(['pop']);
  });

  it('prints a table with a row per group', async () => {
    const c = ctx();
    await runStats(c, { by: 'quarter' });
    const lines = c.out_().split('\n');
    expect(lines[1]).toMatch(/│ group\s+│ incidents │ detect_median │/);
    expect(lines.find((l) => l.includes('2007-Q2'))).toMatch(/│ 2007-Q2 │\s+3 │\s+7\.5 │\s+9\.5 │\s+90 │\s+90 │\s+120 │\s+144 │\s+300 │/);
  });

  it('rejects a bad date with a clear message (one JSON error shape)', async () => {
    const c = ctx();
    const result = await runStats(c, { by: 'month', since: '2007-02-30', format: 'json' });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(c.out_())).toEqual({ error: { code: 'invalid-option', message: '--since "2007-02-30" is not a date YYYY-MM-DD' } });
    await expect(runStats(ctx(), { by: 'month', until: 'soon' })).rejects.toThrow('--until "soon" is not a date YYYY-MM-DD');
  });
});

describe('weighted down-time', () => {
  it('clips windows to the period, merges overlaps and counts the heaviest level where they overlap', () => {
    const h = 3_600_000;
    const full = (from: number, to: number | null) => ({ from, to, weight: 1 });
    expect(weightedMs([full(0, 2 * h), full(h, 3 * h), full(5 * h, 6 * h)], [0, 10 * h])).toBe(4 * h);
    expect(weightedMs([full(-h, h)], [0, 10 * h])).toBe(h);
    expect(weightedMs([], [0, h])).toBe(0);
    // an open window runs to the end of the period; a partial outage under a full one counts once, in full
    expect(weightedMs([full(9 * h, null)], [0, 10 * h])).toBe(h);
    expect(weightedMs([{ from: 0, to: 4 * h, weight: 0.3 }, full(h, 2 * h)], [0, 10 * h])).toBeCloseTo(h + 3 * h * 0.3, 6);
  });
});
