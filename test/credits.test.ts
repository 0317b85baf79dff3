import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCredits } from '../src/commands/credits.js';
import { runCheck } from '../src/commands/check.js';
import { runStats } from '../src/commands/stats.js';
import { BASE_CONFIG } from '../src/rules/fixtures.js';
import { isBelow } from '../src/credits/compute.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * A contract computed by hand. June 2007 in New York has 30 × 1440 = 43,200 minutes, so 99.9%
 * allows 43.2 minutes; July and August 44,640; November 43,260 (clocks went back on the 4th).
 */
const CONFIG = BASE_CONFIG.replace(
  'providers: [rackspace]',
  `providers:
  - id: rackspace
    contract:
      services: {webmail: {target: 99.9}}
      tiers: [{below: 99.9, credit_percent: 10}, {below: 99, credit_percent: 25}]
      exclusions: [scheduled-maintenance, customer-caused]
      monthly_fee: {amount: 1000, currency: USD}
      claim_within_days: 30`,
);

interface Spec {
  from: string;
  to: string;
  attribution?: string;
  tags?: string;
  windows?: string[];
  provider?: string;
}

function incident(id: string, s: Spec): string {
  return [
    '---',
    `id: ${id}`,
    `title: ${id}`,
    'status: final',
    'severity: SEV2',
    'services: [webmail]',
    ...(s.provider === '' ? [] : [`provider: ${s.provider ?? 'rackspace'}`]),
    ...(s.attribution ? [`attribution: ${s.attribution}`] : []),
    ...(s.tags ? [`tags: ${s.tags}`] : []),
    `started: ${s.from}`,
    `resolved: ${s.to}`,
    'impact:',
    '  summary: Webmail was down.',
    ...(s.windows ? ['  windows:', ...s.windows.map((w) => `    - ${w}`)] : []),
    'root_cause: {category: hardware, summary: A switch failed.}',
    'timeline:',
    `  - {at: ${s.from}, event: Alert fired., kind: detection}`,
    'owners: {authors: [bill]}',
    '---',
    'Body.',
    '',
  ].join('\n');
}

const INCIDENTS: Record<string, Spec> = {
  // June: 43.2 minutes the provider caused (exactly 99.9%), plus maintenance, ours and shared time
  '2007-06-04-provider': { from: '2007-06-04T09:00:00-04:00', to: '2007-06-04T09:43:12-04:00', attribution: 'provider' },
  '2007-06-10-maintenance': {
    from: '2007-06-10T02:00:00-04:00',
    to: '2007-06-10T03:00:00-04:00',
    attribution: 'provider',
    tags: '[scheduled-maintenance]',
  },
  '2007-06-12-ours': { from: '2007-06-12T10:00:00-04:00', to: '2007-06-12T10:30:00-04:00', attribution: 'us' },
  '2007-06-14-shared': { from: '2007-06-14T10:00:00-04:00', to: '2007-06-14T10:10:00-04:00', attribution: 'shared' },
  '2007-06-20-no-provider': { from: '2007-06-20T10:00:00-04:00', to: '2007-06-20T20:00:00-04:00', provider: '' },
  // July: 45 minutes, just under 99.9%
  '2007-07-02-provider': { from: '2007-07-02T09:00:00-04:00', to: '2007-07-02T09:45:00-04:00', attribution: 'provider' },
  // an hour on each side of midnight at the end of August
  '2007-08-31-crossing': { from: '2007-08-31T23:00:00-04:00', to: '2007-09-01T01:00:00-04:00', attribution: 'provider' },
  // October: the provider's 20 minutes, then two hours of our own restore (a window of its own)
  '2007-10-03-mixed': {
    from: '2007-10-03T10:00:00-04:00',
    to: '2007-10-03T12:20:00-04:00',
    attribution: 'provider',
    windows: [
      '{from: 2007-10-03T10:00:00-04:00, to: 2007-10-03T10:20:00-04:00}',
      '{from: 2007-10-03T10:20:00-04:00, to: 2007-10-03T12:20:00-04:00, attribution: {cause: us, fixed_by: us}}',
    ],
  },
  // November: 500 minutes, below 99%
  '2007-11-20-long': { from: '2007-11-20T09:00:00-05:00', to: '2007-11-20T17:20:00-05:00', attribution: 'provider' },
};

let root: string;
beforeAll(() => {
  root = tempKb({
    'postmortem.config.yaml': CONFIG,
    ...Object.fromEntries(Object.entries(INCIDENTS).map(([id, s]) => [`incidents/${id}.md`, incident(id, s)])),
  });
});
afterAll(() => removeKb(root));

const run = async (options: { since?: string; until?: string; format?: 'table' | 'csv' | 'json' } = {}) => {
  const ctx = captureContext(root, { now: '2008-01-15' });
  const result = await runCredits(ctx, { provider: 'rackspace', since: '2007-06-01', until: '2007-11-30', format: 'json', ...options });
  return { ...result, out: ctx.out_(), err: ctx.err_() };
};

describe('postmortem credits', () => {
  it('the fixture is valid', async () => {
    const ctx = captureContext(root, { now: '2008-01-15' });
    const { problems } = runCheck(ctx, {});
    expect(problems).toEqual([]);
    expect(ctx.out_()).toBe('9 files checked: no problems.\n');
  });

  it('computes gross, excluded, not attributable and billable minutes, tiers and credits by hand', async () => {
    const { rows, exitCode } = await run();
    expect(exitCode).toBe(0);
    const fee = {
      target_percent: 99.9,
      monthly_fee: 1000,
      currency: 'USD',
      month_complete: true,
      provider: 'rackspace',
      service: 'webmail',
    };
    expect(rows).toEqual([
      // 43.2 + 60 maintenance + 30 ours + 10 shared; exactly 99.9% is not below 99.9%: no credit
      {
        ...fee,
        month: '2007-06',
        gross_minutes: 143.2,
        excluded_minutes: 90,
        not_attributable_minutes: 10,
        billable_minutes: 43.2,
        availability_percent: 99.9,
        met_target: true,
        tier: null,
        credit_percent: 0,
        credit_amount: 0,
        claim_by: '2007-07-30',
        incidents: ['2007-06-04-provider', '2007-06-10-maintenance', '2007-06-12-ours', '2007-06-14-shared'],
      },
      // 1 − 45 / 44,640 = 99.89919…%
      {
        ...fee,
        month: '2007-07',
        gross_minutes: 45,
        excluded_minutes: 0,
        not_attributable_minutes: 0,
        billable_minutes: 45,
        availability_percent: 99.8991,
        met_target: false,
        tier: 'below 99.9%',
        credit_percent: 10,
        credit_amount: 100,
        claim_by: '2007-08-30',
        incidents: ['2007-07-02-provider'],
      },
      // the crossing window: 23:00–24:00 in August (1 − 60 / 44,640), 00:00–01:00 in September (1 − 60 / 43,200)
      {
        ...fee,
        month: '2007-08',
        gross_minutes: 60,
        excluded_minutes: 0,
        not_attributable_minutes: 0,
        billable_minutes: 60,
        availability_percent: 99.8655,
        met_target: false,
        tier: 'below 99.9%',
        credit_percent: 10,
        credit_amount: 100,
        claim_by: '2007-09-30',
        incidents: ['2007-08-31-crossing'],
      },
      {
        ...fee,
        month: '2007-09',
        gross_minutes: 60,
        excluded_minutes: 0,
        not_attributable_minutes: 0,
        billable_minutes: 60,
        availability_percent: 99.8611,
        met_target: false,
        tier: 'below 99.9%',
        credit_percent: 10,
        credit_amount: 100,
        claim_by: '2007-10-30',
        incidents: ['2007-08-31-crossing'],
      },
      // our two hours after the provider's 20 minutes never count against them: 1 − 20 / 44,640
      {
        ...fee,
        month: '2007-10',
        gross_minutes: 140,
        excluded_minutes: 120,
        not_attributable_minutes: 0,
        billable_minutes: 20,
        availability_percent: 99.9551,
        met_target: true,
        tier: null,
        credit_percent: 0,
        credit_amount: 0,
        claim_by: '2007-11-30',
        incidents: ['2007-10-03-mixed'],
      },
      // 1 − 500 / 43,260 = 98.8441…%: below 99%, the 25% tier
      {
        ...fee,
        month: '2007-11',
        gross_minutes: 500,
        excluded_minutes: 0,
        not_attributable_minutes: 0,
        billable_minutes: 500,
        availability_percent: 98.8441,
        met_target: false,
        tier: 'below 99%',
        credit_percent: 25,
        credit_amount: 250,
        claim_by: '2007-12-30',
        incidents: ['2007-11-20-long'],
      },
    ]);
  });

  it('without the customer-caused exclusion, our windows are still not billable', async () => {
    const own = tempKb({
      'postmortem.config.yaml': CONFIG.replace('exclusions: [scheduled-maintenance, customer-caused]', 'exclusions: []'),
      'incidents/2007-06-12-ours.md': incident('2007-06-12-ours', INCIDENTS['2007-06-12-ours']!),
    });
    try {
      const ctx = captureContext(own, { now: '2008-01-15' });
      const { rows } = await runCredits(ctx, { provider: 'rackspace', since: '2007-06-01', until: '2007-06-30', format: 'json' });
      expect(
        rows.map((r) => [
          r.month,
          r.gross_minutes,
          r.excluded_minutes,
          r.not_attributable_minutes,
          r.billable_minutes,
          r.availability_percent,
          r.credit_amount,
        ]),
      ).toEqual([['2007-06', 30, 0, 30, 0, 100, 0]]);
    } finally {
      removeKb(own);
    }
  });

  it('counts nothing after --until, and marks the month incomplete', async () => {
    const { rows } = await run({ since: '2007-08-01', until: '2007-08-31' });
    expect(rows.map((r) => [r.month, r.billable_minutes, r.month_complete])).toEqual([['2007-08', 60, true]]);
    const partial = await run({ since: '2007-11-01', until: '2007-11-20' });
    // 09:00 to the end of the 20th is all of it; the month is not over yet
    expect(partial.rows.map((r) => [r.month, r.billable_minutes, r.month_complete])).toEqual([['2007-11', 500, false]]);
  });

  it('writes claim-ready CSV rows', async () => {
    const { out } = await run({ since: '2007-07-01', until: '2007-07-31', format: 'csv' });
    expect(out).toBe(
      [
        'provider,service,month,gross_minutes,excluded_minutes,not_attributable_minutes,billable_minutes,availability_percent,target_percent,met_target,tier,credit_percent,monthly_fee,credit_amount,currency,claim_by,month_complete,incidents',
        'rackspace,webmail,2007-07,45,0,0,45,99.8991,99.9,false,below 99.9%,10,1000,100,USD,2007-08-30,true,2007-07-02-provider',
        '',
      ].join('\n'),
    );
  });

  it('prints the method under the table', async () => {
    const { out } = await run({ format: 'table' });
    expect(out).toContain('Availability = 1 − billable minutes ÷ minutes in the month');
    expect(out).toContain('Excluded by the contract (scheduled-maintenance, customer-caused) first');
  });

  it('says what to do for an unknown provider or one without a contract', async () => {
    const ctx = captureContext(root, { now: '2008-01-15' });
    const result = await runCredits(ctx, { provider: 'rackspce', format: 'json' });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(ctx.out_())).toEqual({
      error: { code: 'error', message: 'Unknown provider "rackspce"', hint: 'Providers in postmortem.config.yaml: rackspace.' },
    });
  });

  it('compares percentages exactly', () => {
    const june = 30 * 1440 * 60000;
    expect(isBelow(43.2 * 60000, june, 99.9)).toBe(false);
    expect(isBelow(43.2 * 60000 + 1, june, 99.9)).toBe(true);
  });
});

describe('stats split by attribution', () => {
  it('--by level --attributed-to counts only the windows the provider caused', async () => {
    const stats = async (attributedTo?: string) =>
      (
        await runStats(captureContext(root, { now: '2008-01-15' }), {
          by: 'level',
          since: '2007-06-01',
          until: '2007-06-30',
          provider: 'rackspace',
          attributedTo,
          format: 'json',
        })
      ).rows.map((r) => [r.group, r.incidents, r.impact_minutes]);
    // June: the provider's 43.2 minutes and its 60 minutes of maintenance; not our 30, not the shared 10
    expect(await stats('rackspace')).toEqual([['outage', 2, 103.2]]);
    expect(await stats()).toEqual([['outage', 4, 143.2]]);
  });

  it("--by service --attributed-to measures availability from the provider's windows alone", async () => {
    const { rows } = await runStats(captureContext(root, { now: '2008-01-15' }), {
      by: 'service',
      since: '2007-10-01',
      until: '2007-10-31',
      attributedTo: 'rackspace',
      format: 'json',
    });
    // October: 20 of the 140 minutes were the provider's; 1 − 20 / 44,640
    expect(rows.map((r) => [r.group, r.incidents, r.impact_minutes, r.downtime_minutes, r.availability_percent])).toEqual([
      ['webmail', 1, 20, 20, 99.9552],
    ]);
  });
});

describe('contract checks', () => {
  it('reports every contract problem at its value in the config', () => {
    const bad = BASE_CONFIG.replace(
      'providers: [rackspace]',
      `providers:
  - id: rackspace
    contract:
      services: {webmail: {target: 99.9}, calendar: {target: 99.5}}
      tiers: [{below: 99, credit_percent: 25}, {below: 99.9, credit_percent: 10}]
      claim_within_days: 30`,
    );
    const own = tempKb({ 'postmortem.config.yaml': bad });
    try {
      const ctx = captureContext(own, { now: '2008-01-15' });
      runCheck(ctx, {});
      expect(
        ctx
          .out_()
          .split('\n')
          .filter((l) => l.startsWith('postmortem.config.yaml')),
      ).toEqual([
        'postmortem.config.yaml:8:27: error provider "rackspace": contract service "webmail" has no `monthly_fee` (on the service or the contract), so no credit can be computed [required-field]',
        'postmortem.config.yaml:8:53: error provider "rackspace": contract service "calendar" has no `monthly_fee` (on the service or the contract), so no credit can be computed [required-field]',
        'postmortem.config.yaml:8:53: error provider "rackspace": contract service "calendar" is not in the config `services` (webmail, pop, imap) [unknown-service]',
        'postmortem.config.yaml:9:56: error provider "rackspace": tier 2 (below 99.9) must have a lower `below` than tier 1 (below 99); list tiers highest first [field-value]',
      ]);
    } finally {
      removeKb(own);
    }
  });
});
