import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachePathFor, updateKnowledgeBase, type BuiltKnowledgeBase } from '../src/db/knowledge-base.js';
import { reportPathFor } from '../src/db/cache.js';
import { formatProblems } from '../src/problems.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { BAD, DST, fixtureFiles, incidentText, LB, pathOf, POP } from './fixtures/db-kb.js';

/**
 * After an edit the build copies every other file's lines from the report it kept (`db/report.ts`)
 * and reads the kept checks' problems only when asked for (`db/kept-problems.ts`): both can go
 * stale or be damaged; the output must then be that of a build from scratch, never a failure.
 */
const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

const NOW = '2007-07-01';
let coldBuilds = 0;
const cold = (root: string) =>
  updateKnowledgeBase(captureContext(root, { now: NOW }), { dbPath: join(root, `cold-${coldBuilds++}`, 'kb.db') });

function setup() {
  const root = tempKb(fixtureFiles());
  roots.push(root);
  const ctx = captureContext(root, { now: NOW });
  const cachePath = cachePathFor(join(ctx.out, 'postmortems.db'));
  return { root, ctx, cachePath };
}

/** Gives `spec`'s file another title (its lines in the report stay, its digest changes). */
const retitle = (root: string, spec: typeof LB, title: string) => writeFileSync(join(root, pathOf(spec)), incidentText({ ...spec, title }));

async function expectSameAsCold(root: string, kb: BuiltKnowledgeBase) {
  const fresh = await cold(root);
  expect(Buffer.from(kb.report.bytes).toString()).toBe(formatProblems(fresh.problems));
  expect([kb.report.errors, kb.report.warnings]).toEqual([fresh.report.errors, fresh.report.warnings]);
  expect(kb.problems).toEqual(fresh.problems);
}

function inCache(cachePath: string, sql: string) {
  const db = new Database(cachePath);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

const DAMAGES: [string, (cachePath: string) => void][] = [
  ['nothing damaged', () => {}],
  ['an index that is not JSON', (c) => inCache(c, 'UPDATE replay SET parts = \'{"context":\'')],
  ['an index of another shape', (c) => inCache(c, `UPDATE replay SET parts = '{"context":1,"runs":{}}'`)],
  ['an index whose runs do not fit the report', (c) => inCache(c, `UPDATE replay SET parts = json_set(parts, '$.runs[0][3]', 1)`)],
  ['an empty index (a report kept by an older build)', (c) => inCache(c, "UPDATE replay SET parts = ''")],
  ['a replay table of an older version (no index column)', (c) => inCache(c, 'ALTER TABLE replay DROP COLUMN parts')],
  ['a report file changed by hand', (c) => writeFileSync(reportPathFor(c), readFileSync(reportPathFor(c)).subarray(10))],
  ['no kept problems table (a cache of an older version)', (c) => inCache(c, 'DROP TABLE check_problems')],
  ['kept problems of another digest', (c) => inCache(c, "UPDATE check_problems SET digest = 'x'")],
];

describe('the report and problems kept for the next build', () => {
  it.each(DAMAGES)('after one edit, with %s: the same as a build from scratch', async (_, damage) => {
    const { root, ctx, cachePath } = setup();
    await updateKnowledgeBase(ctx);
    damage(cachePath);
    retitle(root, LB, 'Load balancer retitled');
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.parsed).toBe(1);
    await expectSameAsCold(root, kb);
    // and the build after it, from what this one kept
    retitle(root, DST, 'DST retitled');
    await expectSameAsCold(root, await updateKnowledgeBase(ctx));
  });

  it("keeps a build's problems as they were when a later build changed the cache before they were read", async () => {
    const { root, ctx } = setup();
    await updateKnowledgeBase(ctx);
    retitle(root, LB, 'Load balancer retitled');
    const second = await updateKnowledgeBase(ctx); // its problems are not read yet
    const expected = (await cold(root)).problems;
    // the next build checks again, for another evaluation date, the files the second one took from the cache
    await updateKnowledgeBase({ ...ctx, now: '2007-09-01' });
    expect(second.problems).toEqual(expected);
    expect(second.problems.some((p) => p.file === pathOf(BAD))).toBe(true);
  });

  it('says to build again, and does not fail, when a file changed and the cache no longer has what the build saw', async () => {
    const { root, ctx } = setup();
    await updateKnowledgeBase(ctx);
    retitle(root, LB, 'Load balancer retitled');
    const second = await updateKnowledgeBase(ctx);
    retitle(root, POP, 'POP retitled');
    await updateKnowledgeBase(ctx); // prunes the parse of POP the second build saw
    retitle(root, POP, 'POP retitled again');
    expect(() => second.problems).toThrow(`${pathOf(POP)} changed since its problems were kept; run the build again`);
  });
});
