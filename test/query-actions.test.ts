import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActions } from '../src/commands/actions.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { fixtureFiles } from './fixtures/db-kb.js';

let root: string;
beforeAll(() => {
  root = tempKb(fixtureFiles());
});
afterAll(() => removeKb(root));

const pick = (rows: { incident_id: string; remediation_id: string; status: string; days_overdue: number | null }[]) =>
  rows.map((r) => [r.incident_id, r.remediation_id, r.status, r.days_overdue]);

describe('postmortem actions', () => {
  it('lists open and in-progress remediations with days overdue relative to the clock', async () => {
    const { rows } = await runActions(captureContext(root, { now: '2007-07-01' }), { format: 'json' });
    expect(pick(rows)).toEqual([
      ['2007-06-04-lb', 'R1', 'open', 1],
      ['2007-06-04-lb', 'R2', 'in-progress', null],
    ]);
    expect(rows[0]).toEqual({
      incident_id: '2007-06-04-lb',
      incident_title: 'Load balancer overload',
      remediation_id: 'R1',
      action: 'Add capacity.',
      type: 'prevent',
      owner: 'dana',
      owner_name: 'Dana Example',
      due: '2007-06-30',
      status: 'open',
      public: false,
      days_overdue: 1,
    });
  });

  it('counts overdue days against another day', async () => {
    const { rows } = await runActions(captureContext(root, { now: '2007-08-01' }), { status: 'overdue', format: 'json' });
    expect(pick(rows)).toEqual([
      ['2007-06-04-lb', 'R1', 'open', 32],
      ['2007-06-04-lb', 'R2', 'in-progress', 17],
    ]);
    const early = await runActions(captureContext(root, { now: '2007-06-30' }), { status: 'overdue', format: 'json' });
    expect(early.rows).toEqual([]); // due today is not overdue
  });

  it('filters by status, owner and due date', async () => {
    const c = () => captureContext(root, { now: '2007-07-01' });
    expect(pick((await runActions(c(), { status: 'done', format: 'json' })).rows)).toEqual([
      ['2007-03-11-dst', 'R1', 'done', null],
      ['2007-06-04-lb', 'R3', 'done', null],
    ]);
    expect((await runActions(c(), { status: 'all', format: 'json' })).rows).toHaveLength(4);
    expect(pick((await runActions(c(), { owner: 'bill', status: 'all', format: 'json' })).rows).map((r) => r[1])).toEqual([
      'R1',
      'R3',
      'R2',
    ]);
    expect(pick((await runActions(c(), { status: 'all', dueBefore: '2007-06-30', format: 'json' })).rows).map((r) => r[1])).toEqual([
      'R1',
      'R3',
    ]);
  });

  it('prints a table', async () => {
    const c = captureContext(root, { now: '2007-07-01' });
    await runActions(c, {});
    expect(c.out_()).toMatch(
      /│ 2007-06-04-lb\s+│ R1\s+│ Add capacity\.\s+│ prevent │ dana\s+│ Dana Example\s+│ 2007-06-30 │ open\s+│\s+1 │ no\s+│ Load balancer overload │/,
    );
  });
});
