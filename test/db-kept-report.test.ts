import Database from 'better-sqlite3';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachePathFor, updateKnowledgeBase, type BuiltKnowledgeBase } from '../src/db/knowledge-base.js';
import { ParseCache, reportPathFor, type CheckEntry } from '../src/db/cache.js';
import { cacheVersionOf } from '../src/db/cache-key.js';
import { loadConfig } from '../src/kb/config.js';
import { UserError } from '../src/commands/context.js';
import { digestOf } from '../src/source/read.js';
import { formatProblems } from '../src/problems.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { BAD, CONFIG, DST, fixtureFiles, incidentText, LATE, LB, pathOf, POP } from './fixtures/db-kb.js';

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

function setup(extra: Record<string, string> = {}) {
  const root = tempKb({ ...fixtureFiles(), ...extra });
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
  ['an index whose runs do not fit the report', (c) => inCache(c, `UPDATE replay SET parts = json_set(parts, '$.ends[0]', 1)`)],
  ['an index of an older shape (a run per file)', (c) => inCache(c, `UPDATE replay SET parts = '{"context":"x","runs":[]}'`)],
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

  it('is left as it was after an edit that leaves every line the same, and printed from it; written again when a line changes', async () => {
    const { root, ctx, cachePath } = setup();
    const first = await updateKnowledgeBase(ctx);
    const fileOf = () => {
      const { ino, mtimeMs } = statSync(reportPathFor(cachePath));
      return { ino, mtimeMs, bytes: readFileSync(reportPathFor(cachePath)).toString() };
    };
    const kept = fileOf();
    expect(kept.bytes).toBe(Buffer.from(first.report.bytes).toString());
    retitle(root, LB, 'Load balancer retitled');
    const retitled = await updateKnowledgeBase(ctx);
    expect(fileOf()).toEqual(kept);
    await expectSameAsCold(root, retitled);
    const printed = captureContext(root);
    retitled.report.writeTo(printed.stdout);
    expect(printed.out_()).toBe(kept.bytes);
    // a new line (an unknown service): the report is written again
    writeFileSync(join(root, pathOf(LB)), incidentText({ ...LB, services: ['webmail', 'smtp'] }));
    const changed = await updateKnowledgeBase(ctx);
    expect(fileOf().bytes).not.toBe(kept.bytes);
    expect(fileOf().bytes).toBe(Buffer.from(changed.report.bytes).toString());
    await expectSameAsCold(root, changed);
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

describe('the cross-file result kept for the next build', () => {
  const LETTER = `${CONFIG}documents:\n  - {type: letter, name: june-letter, incidents: [${LB.id}]}\n`;
  const lbPublic = (extra = '') => incidentText(LB).replace('status: open}', `status: open, public: true${extra}}`);
  const duplicate = { 'incidents/0000/2007-06-05-pop.md': incidentText({ ...POP, title: 'An earlier copy' }) };

  it("keeps the checks of the current files only: a removed file's are dropped, also with none made anew", async () => {
    const { root, ctx, cachePath } = setup();
    await updateKnowledgeBase(ctx);
    const kept = () => {
      const db = new Database(cachePath, { readonly: true });
      try {
        return ['checks', 'check_problems'].map((t) => db.prepare(`SELECT file FROM ${t} ORDER BY file`).pluck().all());
      } finally {
        db.close();
      }
    };
    const before = kept();
    expect(before[0]).toContain(pathOf(POP));
    rmSync(join(root, pathOf(POP)));
    const kb = await updateKnowledgeBase(ctx); // no file checked anew: only one gone
    expect(kb.parsed).toBe(0);
    const without = before[0]!.filter((f) => f !== pathOf(POP));
    expect(kept()).toEqual([without, without]);
    await expectSameAsCold(root, kb);
  });

  it('is used again after an edit that leaves every stand-in as it was: the same as a build from scratch', async () => {
    const { root, ctx } = setup(duplicate);
    const first = await updateKnowledgeBase(ctx);
    expect(first.problems.some((p) => p.ruleId === 'duplicate-id')).toBe(true);
    retitle(root, DST, 'DST retitled');
    await expectSameAsCold(root, await updateKnowledgeBase(ctx));
  });

  it('is not used when a file a rule read whole changed, though its stand-in did not', async () => {
    const { root, ctx } = setup({ 'postmortem.config.yaml': LETTER, [pathOf(LB)]: lbPublic() });
    const first = await updateKnowledgeBase(ctx);
    const wording = (kb: BuiltKnowledgeBase) => kb.problems.filter((p) => p.ruleId === 'letter-customer-wording').length;
    expect(wording(first)).toBeGreaterThan(0);
    writeFileSync(join(root, pathOf(LB)), lbPublic(", customer_action: 'We added capacity.'"));
    const kb = await updateKnowledgeBase(ctx);
    expect(wording(kb)).toBe(wording(first) - 1);
    await expectSameAsCold(root, kb);
  });

  it.each([
    ['not JSON', "UPDATE across SET json = '{'"],
    ['of another shape', `UPDATE across SET json = json_set(json, '$.problems', json('[{"file":1}]'))`],
    ['of no table', 'DROP TABLE across'],
  ])('is not used when %s, and does not fail', async (_, sql) => {
    const { root, ctx, cachePath } = setup(duplicate);
    await updateKnowledgeBase(ctx);
    inCache(cachePath, sql);
    retitle(root, DST, 'DST retitled');
    await expectSameAsCold(root, await updateKnowledgeBase(ctx));
  });
});

type CheckRow = [file: string, json: string, valid: number, id: string | null, undated: number, standin: string];

describe("the kept checks' columns (what every build reads of every file, without parsing the stand-in fields)", () => {
  const DRAFT = 'incidents/2007-06-20-draft.md';
  const draft = incidentText({ ...LATE, id: '2007-06-20-draft' })
    .replace('status: final', 'status: draft')
    .replace(/^started: .*\n/m, '');
  const rowsOf = (cachePath: string) => {
    const db = new Database(cachePath, { readonly: true });
    try {
      return db.prepare('SELECT file, json, valid, id, undated, standin FROM checks ORDER BY file').raw().all() as CheckRow[];
    } finally {
      db.close();
    }
  };
  const moved = 'incidents/2007-06-05-pop-copy.md';
  const changes: [string, (root: string) => void][] = [
    ['a title', (root) => retitle(root, DST, 'DST retitled')],
    ['a duplicate id', (root) => writeFileSync(join(root, moved), incidentText({ ...POP, title: 'A copy' }))],
    [
      'a related id to a missing incident',
      (root) => writeFileSync(join(root, pathOf(DST)), incidentText({ ...DST, related: ['2001-01-01-none'] })),
    ],
    ['an error', (root) => writeFileSync(join(root, pathOf(LB)), incidentText({ ...LB, severity: 'SEV9' }))],
    ['a file deleted', (root) => rmSync(join(root, pathOf(POP)))],
    ['a file moved', (root) => writeFileSync(join(root, 'incidents/2007-06-30-late-moved.md'), readAndRemove(root, pathOf(LATE)))],
    ['the id fixed', (root) => rmSync(join(root, moved))],
  ];
  const readAndRemove = (root: string, file: string) => {
    const text = readFileSync(join(root, file), 'utf8');
    rmSync(join(root, file));
    return text;
  };

  it('hold what their stand-in fields hold after each kind of change, and the build is as from scratch', async () => {
    const { root, ctx, cachePath } = setup({ [DRAFT]: draft });
    await updateKnowledgeBase(ctx);
    for (const [, change] of changes) {
      change(root);
      const kb = await updateKnowledgeBase(ctx);
      const rows = rowsOf(cachePath);
      const fields = ([file, json]: (typeof rows)[number]) => {
        const check = JSON.parse(json) as { valid: boolean; id?: string; undated?: boolean };
        return [file, check.valid ? 1 : 0, check.id ?? null, check.undated ? 1 : 0, digestOf(json)];
      };
      expect(rows.map(fields)).toEqual(rows.map(([file, , valid, id, undated, standin]) => [file, valid, id, undated, standin]));
      await expectSameAsCold(root, kb);
    }
    const last = rowsOf(cachePath);
    expect(last.some(([file, , , , undated]) => file === DRAFT && undated === 1)).toBe(true);
    expect(last.some(([, , valid]) => valid === 0)).toBe(true);
  });

  it('are made when the cache has checks of the earlier shape (no columns): the same as from scratch', async () => {
    const { root, ctx, cachePath } = setup({ [DRAFT]: draft });
    await updateKnowledgeBase(ctx);
    inCache(
      cachePath,
      'DROP TABLE checks; CREATE TABLE checks (file TEXT PRIMARY KEY, digest TEXT NOT NULL, context TEXT NOT NULL, json TEXT NOT NULL);',
    );
    retitle(root, DST, 'DST retitled');
    await expectSameAsCold(root, await updateKnowledgeBase(ctx));
    expect(rowsOf(cachePath).length).toBe(6);
  });

  it('are read with their stand-in fields only from the rows they were read from (a build beside this one: build again)', async () => {
    const { ctx, cachePath } = setup();
    await updateKnowledgeBase(ctx);
    const cache = new ParseCache(cachePath, cacheVersionOf(loadConfig(ctx.root).config));
    try {
      const context = firstRow(cachePath).context;
      const [first, second] = [...cache.stampsWithChecks(context).checks().values()];
      expect(second!.check.id).toBe(second!.id); // read now, with every other one: no later change seen
      inCache(cachePath, `UPDATE checks SET standin = 'x'`);
      expect(first!.check).toEqual(JSON.parse(firstRow(cachePath).json));
      // a row replaced before the stand-in fields are read: not this entry's
      const stale = [...cache.stampsWithChecks(context).checks().values()][0]!;
      inCache(cachePath, `UPDATE checks SET standin = 'y'`);
      expect(() => stale.check).toThrow(UserError);
      // `check`'s: read with the rows
      const again = cache.standInChecks(context).values().next().value!;
      inCache(cachePath, `UPDATE checks SET standin = 'z'`);
      expect(again.check).toEqual(JSON.parse(firstRow(cachePath).json));
    } finally {
      cache.close();
    }
  });

  it("are read with the stamps in one pass: every stamp, and the check of each stamped file made in this build's context, as stored", async () => {
    const { root, ctx, cachePath } = setup();
    await updateKnowledgeBase(ctx);
    const context = firstRow(cachePath).context;
    const [otherDigest, otherContext, noStamp, noCheck] = [pathOf(DST), pathOf(LB), pathOf(POP), pathOf(LATE)];
    inCache(
      cachePath,
      `UPDATE checks SET digest = 'made for other bytes' WHERE file = '${otherDigest}';
       UPDATE checks SET context = 'another context' WHERE file = '${otherContext}';
       DELETE FROM stamps WHERE file = '${noStamp}';
       DELETE FROM checks WHERE file = '${noCheck}';`,
    );
    const db = new Database(cachePath, { readonly: true });
    const stored = db
      .prepare('SELECT file, digest, valid, id, undated, standin FROM checks WHERE context = ? AND file IN (SELECT file FROM stamps)')
      .raw()
      .all(context) as [string, string, number, string | null, number, string][];
    db.close();
    const cache = new ParseCache(cachePath, cacheVersionOf(loadConfig(ctx.root).config));
    try {
      const { stamps, checks: checksOf } = cache.stampsWithChecks(context);
      const checks = checksOf();
      expect(stamps).toEqual(cache.stamps());
      expect([...stamps.keys()].sort()).toEqual([pathOf(BAD), otherDigest, noCheck, otherContext].sort());
      const fields = ([file, c]: [string, CheckEntry]) => [file, c.digest, c.valid ? 1 : 0, c.id ?? null, c.undated ? 1 : 0, c.standin];
      expect([...checks].map(fields).sort()).toEqual(stored.sort());
      expect(checks.get(otherDigest)?.digest).toBe('made for other bytes');
      expect([...checks.keys()].sort()).toEqual([pathOf(BAD), otherDigest].sort());
    } finally {
      cache.close();
    }
    // the files whose checks were not read are checked again (from their kept parses): as from scratch
    retitle(root, BAD, 'Bad retitled');
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.parsed).toBe(1);
    await expectSameAsCold(root, kb);
  });
});

/** The first kept check (in file order) as stored. */
function firstRow(cachePath: string): { context: string; json: string } {
  const db = new Database(cachePath, { readonly: true });
  try {
    return db.prepare('SELECT context, json FROM checks ORDER BY file LIMIT 1').get() as { context: string; json: string };
  } finally {
    db.close();
  }
}
