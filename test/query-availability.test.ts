import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStats } from '../src/commands/stats.js';
import type { StatsRow } from '../src/db/queries/stats.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * Availability from impact windows: levels weighted as configured, degraded and delayed minutes
 * shown but not counted, the default period ending at the last impact end. UTC throughout, so
 * a day is 1440 minutes.
 */
const CONFIG = 'timezone: UTC\nservices: [api, web, mail]\n';

function incident(id: string, lines: string[]): string {
  return [
    '---',
    `id: ${id}`,
    `title: ${id}`,
    'status: draft',
    'severity: SEV2',
    ...lines,
    'timeline:',
    '  - {at: 2021-03-01T00:00:00Z, event: Noted., kind: precursor}',
    'owners:',
    '  authors: [ana]',
    '---',
    '',
  ].join('\n');
}

/** 2021-03-01: api down 60 minutes, then partially down 100 minutes; web degraded 240 minutes; mail delayed 30. */
const STAGED = incident('staged', [
  'services: [api, web, mail]',
  'started: 2021-03-01T10:00:00Z',
  'impact:',
  '  summary: Errors, then slowness.',
  '  windows:',
  '    - {from: 2021-03-01T10:00:00Z, to: 2021-03-01T11:00:00Z, level: outage, services: [api]}',
  '    - {from: 2021-03-01T11:00:00Z, to: 2021-03-01T12:40:00Z, level: partial-outage, services: [api], scope: {percent: 20, of: requests}}',
  '    - {from: 2021-03-01T10:00:00Z, to: 2021-03-01T14:00:00Z, level: degraded, services: [web]}',
  '    - {from: 2021-03-01T10:30:00Z, to: 2021-03-01T11:00:00Z, level: delayed, services: [mail]}',
  'root_cause:',
  '  - {category: change, summary: A deploy.}',
  '  - {category: process, summary: No canary.}',
]);

/** The same day without windows: the implicit window, web down 30 minutes, counted in full. */
const PLAIN = incident('plain', [
  'services: [web]',
  'started: 2021-03-01T20:00:00Z',
  'resolved: 2021-03-01T20:30:00Z',
  'impact:',
  '  summary: Pages failed.',
  'root_cause: {category: change, summary: Another deploy.}',
]);

/** A 73-hour outage starting late on 2021-03-10. */
const LONG = incident('long', [
  'services: [api]',
  'started: 2021-03-10T23:00:00Z',
  'resolved: 2021-03-14T00:00:00Z',
  'impact:',
  '  summary: Down for three days.',
  'root_cause: {category: hardware, summary: The array died.}',
]);

const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));
function kb(files: Record<string, string>): string {
  const root = tempKb({ 'postmortem.config.yaml': CONFIG, ...files });
  roots.push(root);
  return root;
}

let root: string;
beforeAll(() => {
  root = kb({ 'incidents/staged.md': STAGED, 'incidents/plain.md': PLAIN });
});

const pick = ({ group, downtime_minutes, degraded_minutes, delayed_minutes, availability_percent }: StatsRow) => ({
  group,
  downtime_minutes,
  degraded_minutes,
  delayed_minutes,
  availability_percent,
});

describe('availability from impact windows', () => {
  it('weights outage 1 and partial outage 0.3; degraded and delayed are shown, not counted', async () => {
    const { rows } = await runStats(captureContext(root), { by: 'service', format: 'json' });
    expect(rows.map(pick)).toEqual([
      // web (two incidents): 240 degraded minutes (not counted) and the plain record's 30 minutes of outage
      { group: 'web', downtime_minutes: 30, degraded_minutes: 240, delayed_minutes: 0, availability_percent: 97.9167 },
      // api: 60 + 0.3 × 100 = 90 minutes of 1440
      { group: 'api', downtime_minutes: 90, degraded_minutes: 0, delayed_minutes: 0, availability_percent: 93.75 },
      { group: 'mail', downtime_minutes: 0, degraded_minutes: 0, delayed_minutes: 30, availability_percent: 100 },
    ]);
  });

  it('uses the configured weights', async () => {
    const weighted = kb({
      'postmortem.config.yaml': `${CONFIG}availability_weights: {partial-outage: 0.5, degraded: 0.25}\n`,
      'incidents/staged.md': STAGED,
    });
    const c = captureContext(weighted);
    const { rows } = await runStats(c, { by: 'service', format: 'json' });
    expect(rows.map((r) => [r.group, r.downtime_minutes, r.availability_percent])).toEqual([
      ['api', 110, 92.3611], // 60 + 0.5 × 100
      ['mail', 0, 100],
      ['web', 60, 95.8333], // 0.25 × 240
    ]);
    const table = captureContext(weighted);
    await runStats(table, { by: 'service' });
    expect(table.out_()).toContain(
      'Availability per service is 1 − counted minutes ÷ minutes in the period, from the impact windows of each service: ' +
        'outage minutes in full, partial-outage minutes × 0.5, degraded minutes × 0.25 (where windows overlap, the heaviest level counts); delayed minutes are shown but not counted.',
    );
  });

  it('ends the default period at the last impact end, not the last start (a 73-hour outage)', async () => {
    const long = kb({ 'incidents/long.md': LONG });
    const { rows } = await runStats(captureContext(long), { by: 'service', format: 'json' });
    // 2021-03-10 to 2021-03-13 inclusive: 4 days = 5760 minutes; 4380 down
    expect(rows.map((r) => [r.group, r.downtime_minutes, r.availability_percent])).toEqual([['api', 4380, 23.9583]]);
  });

  it('counts every root cause by category, and says so', async () => {
    const c = captureContext(root);
    const { rows } = await runStats(c, { by: 'category' });
    expect(rows.map((r) => [r.group, r.incidents])).toEqual([
      ['change', 2],
      ['process', 1],
    ]);
    expect(c.out_()).toContain('Every root cause counts: an incident with causes in several categories is counted in each.');
  });
});
