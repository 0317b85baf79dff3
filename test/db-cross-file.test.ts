import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../src/commands/check.js';
import { updateKnowledgeBase, type BuiltKnowledgeBase } from '../src/db/knowledge-base.js';
import { formatProblems } from '../src/problems.js';
import { RULES } from '../src/rules/index.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { CONFIG, DST, fixtureFiles, incidentText, LB, pathOf, POP } from './fixtures/db-kb.js';

/**
 * The cross-file rules after an edit of another file: the incremental build (caches, kept
 * database) gives the same problems, report and incidents as a build from scratch and as
 * `check`, for an edit that adds a problem to a file that did not change and one that removes it.
 */
const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

type Files = Record<string, string>;
const LETTER = `${CONFIG}documents:\n  - {type: letter, name: june-letter, incidents: [${LB.id}]}\n`;
const lbPublic = () => incidentText(LB).replace('status: open}', 'status: open, public: true}');
const write = (root: string, files: Files) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
};

interface Case {
  rule: string;
  /** Files on top of the fixture before the first build. */
  start?: Files;
  /** Adds a problem to a file the edit does not touch... */
  add: (root: string) => void;
  /** ...and takes it away again. */
  remove: (root: string) => void;
  /** The file that gets the problem without being edited. */
  elsewhere: string;
}

const CASES: Case[] = [
  {
    rule: 'duplicate-id',
    add: (root) => write(root, { 'incidents/0000/2007-06-05-pop.md': incidentText({ ...POP, title: 'An earlier copy' }) }),
    remove: (root) => rmSync(join(root, 'incidents/0000/2007-06-05-pop.md')),
    elsewhere: pathOf(POP),
  },
  {
    rule: 'related-exists',
    add: (root) => rmSync(join(root, pathOf(LB))),
    remove: (root) => write(root, { [pathOf(LB)]: incidentText(LB) }),
    elsewhere: pathOf(DST),
  },
  {
    rule: 'related-exists',
    add: (root) => write(root, { [pathOf(LB)]: incidentText(LB).replace(`id: ${LB.id}`, 'id: 2007-06-04-other') }),
    remove: (root) => write(root, { [pathOf(LB)]: incidentText(LB) }),
    elsewhere: pathOf(DST),
  },
  {
    rule: 'letter-customer-wording',
    start: { 'postmortem.config.yaml': LETTER, [pathOf(LB)]: lbPublic() },
    // a later file with the same id is the one the letter names (and is rejected as a duplicate): the problem moves to it
    add: (root) => rmSync(join(root, 'incidents/zz/2007-06-04-lb.md')),
    remove: (root) => write(root, { 'incidents/zz/2007-06-04-lb.md': lbPublic() }),
    elsewhere: pathOf(LB),
  },
];

let coldBuilds = 0;
/** A build from scratch of the same files (its own database and cache). */
const cold = (root: string) =>
  updateKnowledgeBase(captureContext(root, { now: '2007-07-01' }), { dbPath: join(root, `cold-${coldBuilds++}`, 'kb.db') });

function rows(kb: BuiltKnowledgeBase, sql: string): unknown[] {
  const db = kb.openDb();
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}
const ids = (kb: BuiltKnowledgeBase) => rows(kb, 'SELECT id, file FROM incidents ORDER BY id');
const problemRows = (kb: BuiltKnowledgeBase) => rows(kb, 'SELECT * FROM problems ORDER BY rowid');

async function expectSameAsCold(root: string, kb: BuiltKnowledgeBase): Promise<void> {
  const fresh = await cold(root);
  expect(kb.problems).toEqual(fresh.problems);
  expect(Buffer.from(kb.report.bytes).toString()).toBe(formatProblems(fresh.problems));
  expect(kb.problems).toEqual(runCheck(captureContext(root, { now: '2007-07-01' })).problems);
  expect(ids(kb)).toEqual(ids(fresh));
  expect(problemRows(kb)).toEqual(problemRows(fresh));
  expect(problemRows(kb).length).toBe(kb.problems.length);
  expect([kb.report.errors, kb.report.warnings]).toEqual([fresh.report.errors, fresh.report.warnings]);
}

describe('cross-file rules after an edit elsewhere: the same as a build from scratch', () => {
  it('covers every cross-file rule', () => {
    const crossFile = RULES.filter((r) => r.checkKnowledgeBase).map((r) => r.id);
    expect([...new Set(CASES.map((c) => c.rule))].sort()).toEqual([...crossFile].sort());
  });

  it.each(CASES.map((c, i) => [`${c.rule} (${i})`, c] as const))('%s', async (_, c) => {
    const root = tempKb({ ...fixtureFiles(), ...c.start });
    roots.push(root);
    if (c.rule === 'letter-customer-wording') c.remove(root);
    const ctx = captureContext(root, { now: '2007-07-01' });
    const has = (kb: BuiltKnowledgeBase) => kb.problems.some((p) => p.ruleId === c.rule && p.file === c.elsewhere);
    const before = await updateKnowledgeBase(ctx);
    await expectSameAsCold(root, before);

    c.add(root);
    const added = await updateKnowledgeBase(ctx);
    expect(has(before)).toBe(false);
    expect(has(added)).toBe(true);
    expect(added.parsed).toBeLessThanOrEqual(1);
    await expectSameAsCold(root, added);

    c.remove(root);
    const removed = await updateKnowledgeBase(ctx);
    expect(has(removed)).toBe(false);
    await expectSameAsCold(root, removed);
  });
});
