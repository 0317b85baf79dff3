import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecurrence } from '../src/commands/recurrence.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { fixtureFiles } from './fixtures/db-kb.js';

let root: string;
beforeAll(() => {
  root = tempKb(fixtureFiles());
});
afterAll(() => removeKb(root));
const ctx = () => captureContext(root, { now: '2007-07-01' });

describe('postmortem recurrence', () => {
  it('groups incidents sharing category and service within the window', async () => {
    const wide = await runRecurrence(ctx(), { format: 'json', show: 'groups' });
    expect(wide.groups).toEqual([
      {
        category: 'software',
        service: 'webmail',
        incidents: 3,
        first_started: '2007-03-11',
        last_started: '2007-06-30',
        span_days: 111,
        incident_ids: ['2007-03-11-dst', '2007-06-04-lb', '2007-06-30-late'],
      },
    ]);
    const narrow = await runRecurrence(ctx(), { format: 'json', show: 'groups', windowDays: 60 });
    expect(narrow.groups.map((g) => g.incident_ids)).toEqual([['2007-06-04-lb', '2007-06-30-late']]);
  });

  it('finds done remediations after which the same category and service failed again', async () => {
    const { fixes } = await runRecurrence(ctx(), { format: 'json', show: 'fixes' });
    // not in git and no completed field: dated by the due date, and marked so
    expect(fixes.map((f) => f.done_from)).toEqual(['due', 'due']);
    expect(
      fixes.map((f) => [f.incident_id, f.remediation_id, f.done_by, f.services, f.failed_again_id, f.days_after, f.later_incidents]),
    ).toEqual([
      ['2007-03-11-dst', 'R1', '2007-03-20', 'webmail', '2007-06-04-lb', 76, 2],
      ['2007-06-04-lb', 'R3', '2007-06-10', 'webmail', '2007-06-30-late', 20, 1],
    ]);
  });

  it('prints both tables by default, and one row shape with a kind column in json', async () => {
    const c = ctx();
    await runRecurrence(c, {});
    expect(c.out_()).toContain('Recurring incidents (same category and service within 90 days)');
    expect(c.out_()).toContain('Did the fix work?');
    const j = ctx();
    await runRecurrence(j, { format: 'json' });
    const rows = JSON.parse(j.out_()) as { kind: string }[];
    expect(rows.map((r) => r.kind)).toEqual(['group', 'fix', 'fix']);
  });
});
