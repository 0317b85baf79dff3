import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '../src/commands/search.js';
import { runSql } from '../src/commands/sql.js';
import { ftsPhrases } from '../src/db/queries/search.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { fixtureFiles } from './fixtures/db-kb.js';

let root: string;
let dbPath: string;
beforeAll(async () => {
  root = tempKb(fixtureFiles());
  dbPath = (await runSql(captureContext(root), 'SELECT 1')).exitCode === 0 ? `${root}/out/postmortems.db` : '';
});
afterAll(() => removeKb(root));
const ctx = () => captureContext(root, { now: '2007-07-01' });
const digest = () => createHash('sha256').update(readFileSync(dbPath)).digest('hex');

describe('postmortem search', () => {
  it('finds words in bodies, ranked, with a snippet', async () => {
    const { rows } = await runSearch(ctx(), 'file descriptors', { format: 'json' });
    expect(rows.map((r) => [r.incident_id, r.field, r.label, r.snippet])).toEqual([
      ['2007-06-05-pop', 'section', 'Summary', 'The POP proxies ran out of [file] [descriptors].'],
    ]);
    const title = await runSearch(ctx(), 'balancer', { format: 'json' });
    expect(title.rows[0]?.incident_id).toBe('2007-06-04-lb');
    const prefix = await runSearch(ctx(), 'daylig*', { format: 'json' });
    expect(prefix.rows.map((r) => r.incident_id)).toEqual(['2007-03-11-dst']);
  });

  it.each([
    '"',
    'AND',
    'OR NOT',
    'NEAR(',
    '*',
    'title:clocks',
    '-webmail',
    "'); DROP TABLE incidents; --",
    '^start',
    'a"b',
    '(((',
    '\u0000',
    '{title} : x',
  ])('treats %j as plain text', async (input) => {
    const before = digest();
    const c = ctx();
    const result = await runSearch(c, input, { format: 'json' });
    const output = JSON.parse(c.out_()) as unknown;
    // Either rows, or (when nothing searchable is left) the one error shape: never an FTS syntax error.
    if (result.exitCode === 0) expect(Array.isArray(output)).toBe(true);
    else expect(output).toMatchObject({ error: { code: 'search-empty' } });
    expect(digest()).toBe(before);
  });

  it('quotes every token', () => {
    expect(ftsPhrases('load AND "balancer" NEAR(x) pre*')).toEqual(['"load"', '"AND"', '"""balancer"""', '"NEAR(x)"', '"pre"*']);
    expect(ftsPhrases('  ')).toEqual([]);
  });

  it('reports an empty search in the JSON error shape', async () => {
    const c = ctx();
    const result = await runSearch(c, '""', { format: 'json' });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(c.out_())).toEqual({
      error: { code: 'search-empty', message: 'give one or more words to search for', hint: 'Example: postmortem search "load balancer"' },
    });
  });
});

describe('postmortem sql', () => {
  it('runs a read-only query', async () => {
    const c = ctx();
    const { result } = await runSql(c, "SELECT id, minutes_to_resolve FROM incidents WHERE id LIKE '%dst%'", { format: 'json' });
    expect(result?.rows).toEqual([{ id: '2007-03-11-dst', minutes_to_resolve: 60 }]);
    expect(JSON.parse(c.out_())).toEqual([{ id: '2007-03-11-dst', minutes_to_resolve: 60 }]);
    const info = await runSql(ctx(), 'PRAGMA table_info(tags)', { format: 'json' });
    expect(info.result?.rows.map((r) => r.name)).toEqual(['incident_id', 'tag']);
  });

  it.each([
    ['DELETE FROM incidents', 'this statement would change the database'],
    ['UPDATE incidents SET title = 1', 'this statement would change the database'],
    ['DROP TABLE incidents', 'this statement would change the database'],
    ['INSERT INTO tags VALUES (1, 2)', 'this statement would change the database'],
    ['CREATE TEMP TABLE t (x)', 'this statement would change the database'],
    ['VACUUM', 'this statement would change the database'],
    ["ATTACH '/tmp/evil.db' AS evil", 'ATTACH is not allowed'],
    ['  /* hi */ -- there\n attach database ":memory:" as m', 'ATTACH is not allowed'],
    ['DETACH main', 'DETACH is not allowed'],
    ['PRAGMA journal_mode = WAL', 'PRAGMA journal_mode with a value'],
    ['PRAGMA writable_schema=1', 'PRAGMA writable_schema with a value'],
    ['pragma main.user_version = 5', 'PRAGMA user_version with a value'],
    ['PRAGMA query_only(0)', 'PRAGMA query_only with a value'],
    ['BEGIN', 'returns no rows'],
    ['SELECT 1; DELETE FROM incidents', 'run one statement at a time'],
    ['SELEC * FROM incidents', 'SQL error: near "SELEC": syntax error'],
    ['', 'give a SELECT statement to run'],
  ])('refuses %j', async (sql, message) => {
    const before = digest();
    await expect(runSql(ctx(), sql)).rejects.toThrow(message);
    const c = ctx();
    const result = await runSql(c, sql, { format: 'json' });
    expect(result.exitCode).toBe(1);
    expect((JSON.parse(c.out_()) as { error: { message: string } }).error.message).toContain(message);
    expect(digest()).toBe(before);
  });

  it('caps the rows', async () => {
    const c = ctx();
    const { result } = await runSql(c, 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 5000) SELECT x FROM n', {
      limit: 10,
      format: 'json',
    });
    expect(result?.rows).toHaveLength(10);
    expect(result?.truncated).toBe(true);
    expect(c.err_()).toContain('showing the first 10 rows; use --limit to see more');
  });

  it('stops a query that runs too long', async () => {
    const started = Date.now();
    await expect(
      runSql(ctx(), 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n', { timeout: 0.5 }),
    ).rejects.toThrow('the query was stopped after 0.5 s');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});
