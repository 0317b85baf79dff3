import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeKb, tempKb } from './helpers/kb.js';
import { fixtureFiles } from './fixtures/db-kb.js';

// The real binary (`npm run build` first, as `npm test` does): options, exit codes and streams.
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let root: string;
beforeAll(() => {
  root = tempKb(fixtureFiles());
});
afterAll(() => removeKb(root));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--root', root, '--now', '2007-08-01', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the query commands, end to end', () => {
  it('stats --by quarter --format json', () => {
    const r = run('stats', '--by', 'quarter', '--format', 'json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { group: string; incidents: number }[]).map((x) => [x.group, x.incidents])).toEqual([
      ['2007-Q1', 1],
      ['2007-Q2', 3],
    ]);
    expect(r.err).toContain('1 file has errors and is left out; run "postmortem check" to see them');
  }, 60_000);

  it('actions --status overdue --due-before --format csv', () => {
    const r = run('actions', '--status', 'overdue', '--due-before', '2007-07-01', '--format', 'csv');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(
      'incident_id,remediation_id,action,type,owner,owner_name,due,status,days_overdue,public,incident_title',
    );
    expect(r.out.split('\n')[1]).toBe(
      '2007-06-04-lb,R1,Add capacity.,prevent,dana,Dana Example,2007-06-30,open,32,false,Load balancer overload',
    );
  }, 60_000);

  it('search and sql', () => {
    expect(run('search', 'file', 'descriptors', '--format', 'json').out).toContain('"incident_id": "2007-06-05-pop"');
    const refused = run('sql', 'DROP TABLE incidents');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('postmortem: this statement would change the database; only read-only queries are allowed');
    const json = run('sql', 'DROP TABLE incidents', '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'sql-refused' } });
    const bad = run('stats', '--by', 'week');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      'Argument: by, Given: "week", Choices: "month", "quarter", "year", "service", "level", "severity", "category", "location", "provider"',
    );
  }, 60_000);
});
