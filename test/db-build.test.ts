import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachePathFor, packedProblems, updateKnowledgeBase, type BuiltKnowledgeBase } from '../src/db/knowledge-base.js';
import type { Problem } from '../src/problems.js';
import { runCheck } from '../src/commands/check.js';
import { SCHEMA_VERSION } from '../src/db/schema.js';
import { keptPathFor, readPrevious } from '../src/db/database-file.js';
import { keptFromBasis } from '../src/db/kept-basis.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { BAD, CONFIG, DST, fixtureFiles, incidentText, LATE, LB, pathOf, POP } from './fixtures/db-kb.js';

// The files' bytes by their digest: `toEqual` on two Buffers of the database walks them byte by byte (~6 s).
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

function setup(files = fixtureFiles()) {
  const root = tempKb(files);
  roots.push(root);
  return { root, ctx: captureContext(root, { now: '2007-07-01' }) };
}

function all(kb: BuiltKnowledgeBase, sql: string, ...params: unknown[]) {
  const db = kb.openDb();
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
const one = (kb: BuiltKnowledgeBase, sql: string, ...params: unknown[]) => Object.values(all(kb, sql, ...params)[0] ?? {})[0];

/** FTS5's own check that the index matches its external content (on a copy: the check needs a writable database). */
function integrityCheck(kb: BuiltKnowledgeBase): boolean {
  const copy = `${kb.dbPath}.check`;
  copyFileSync(kb.dbPath, copy);
  const writable = new Database(copy);
  try {
    writable.prepare("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)").run();
    return true;
  } finally {
    writable.close();
    rmSync(copy);
  }
}

/** The basis a build recorded of the kept database (`db/kept-basis.ts`), as stored. */
function recordedBasis(kb: BuiltKnowledgeBase): unknown {
  const cache = new Database(cachePathFor(kb.dbPath), { readonly: true });
  try {
    const json = cache.prepare('SELECT json FROM basis').pluck().get() as string | undefined;
    return json === undefined ? undefined : JSON.parse(json);
  } finally {
    cache.close();
  }
}

/** The kept database as the next build knows it from the recorded basis: the kept database as read, row for row. */
function expectKeptFromBasis(kb: BuiltKnowledgeBase) {
  const known = keptFromBasis(kb.dbPath, readPrevious(kb.dbPath), recordedBasis(kb));
  const read = readPrevious(keptPathFor(kb.dbPath));
  expect(known).toBeDefined();
  // as maps (the known one is the current database's rows seen through the delta), with their sizes and lookups
  const rows = (p: typeof read) => ({
    meta: new Map(p?.meta),
    files: new Map(p?.files),
    incidents: new Map(p?.incidents),
    sizes: [p?.files.size, p?.incidents.size],
  });
  expect(rows(known)).toEqual(rows(read));
  for (const [file, digest] of read!.files) {
    expect(known!.files.get(file)).toBe(digest);
    expect(known!.incidents.get(file)).toEqual(read!.incidents.get(file));
    expect(known!.incidents.has(file)).toBe(read!.incidents.has(file));
  }
  for (const file of known!.files.keys()) expect(read!.files.has(file)).toBe(true);
}

describe('postmortem build: the database', () => {
  it('holds every valid incident in normalised tables, with exact UTC times and minutes', async () => {
    const { ctx } = setup();
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.dbPath).toBe(join(ctx.out, 'postmortems.db'));
    expect(
      all(
        kb,
        'SELECT id, started_at, resolved_at, started_local_date, minutes_to_detect, minutes_to_mitigate, minutes_to_resolve, impact_minutes FROM incidents ORDER BY id',
      ),
    ).toEqual([
      {
        id: '2007-03-11-dst',
        started_at: '2007-03-11T06:30:00Z',
        resolved_at: '2007-03-11T07:30:00Z',
        started_local_date: '2007-03-11',
        minutes_to_detect: 15,
        minutes_to_mitigate: 45,
        minutes_to_resolve: 60,
        impact_minutes: 60,
      },
      {
        id: '2007-06-04-lb',
        started_at: '2007-06-05T03:00:00Z',
        resolved_at: '2007-06-05T05:30:00Z',
        started_local_date: '2007-06-04',
        minutes_to_detect: 10,
        minutes_to_mitigate: 90,
        minutes_to_resolve: 150,
        impact_minutes: 150,
      },
      {
        id: '2007-06-05-pop',
        started_at: '2007-06-05T04:00:00Z',
        resolved_at: '2007-06-05T06:00:00Z',
        started_local_date: '2007-06-05',
        minutes_to_detect: null,
        minutes_to_mitigate: null,
        minutes_to_resolve: 120,
        impact_minutes: 120,
      },
      {
        id: '2007-06-30-late',
        started_at: '2007-07-01T02:30:00Z',
        resolved_at: '2007-07-01T03:00:00Z',
        started_local_date: '2007-06-30',
        minutes_to_detect: 5,
        minutes_to_mitigate: null,
        minutes_to_resolve: 30,
        impact_minutes: 30,
      },
    ]);
    const counts = Object.fromEntries(
      [
        'incidents',
        'files',
        'incident_services',
        'incident_locations',
        'remediations',
        'tags',
        'related',
        'sections',
        'timeline_events',
        'owners',
        'services',
        'locations',
        'providers',
      ].map((t) => [t, one(kb, `SELECT count(*) FROM ${t}`)]),
    );
    expect(counts).toEqual({
      incidents: 4,
      files: 5,
      incident_services: 5,
      incident_locations: 1,
      remediations: 4,
      tags: 2,
      related: 2,
      sections: 8,
      timeline_events: 4,
      owners: 2,
      services: 3,
      locations: 1,
      providers: 1,
    });
    expect(all(kb, 'SELECT incident_id, related_id, declared_by FROM related ORDER BY incident_id')).toEqual([
      { incident_id: DST.id, related_id: LB.id, declared_by: DST.id },
      { incident_id: LB.id, related_id: DST.id, declared_by: DST.id },
    ]);
    expect(all(kb, 'SELECT key, audience FROM sections WHERE incident_id = ? ORDER BY position', DST.id)).toEqual([
      { key: 'summary', audience: 'internal' },
      { key: 'customer-summary', audience: 'customer' },
    ]);
    expect(all(kb, 'SELECT file, incident_id FROM files WHERE incident_id IS NULL')).toEqual([{ file: pathOf(BAD), incident_id: null }]);
    expect(
      one(kb, "SELECT incident_id FROM search_documents d JOIN search_fts f ON f.rowid = d.doc_id WHERE search_fts MATCH 'descriptors'"),
    ).toBe(POP.id);
    const db = new Database(kb.dbPath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    db.close();
  });

  it('reports invalid files exactly as check does, leaves them out, and still writes the database', async () => {
    const { ctx } = setup();
    const kb = await updateKnowledgeBase(ctx);
    const check = runCheck(captureContext(ctx.root, { now: '2007-07-01' }));
    expect(kb.problems).toEqual(check.problems);
    expect(kb.problems.filter((p) => p.severity === 'error').map((p) => p.file)).toContain(pathOf(BAD));
    expect(one(kb, 'SELECT count(*) FROM problems')).toBe(check.problems.length);
    expect(kb.incidents().map((i) => i.id)).toEqual([DST.id, LB.id, POP.id, LATE.id]);
    expect(kb.incidents([POP.id]).map((i) => i.title)).toEqual(['POP logins failed']);
  });

  it('parses nothing and leaves the database and cache files alone when nothing changed', async () => {
    const { ctx } = setup();
    const first = await updateKnowledgeBase(ctx);
    expect(first.parsed).toBe(5);
    const files = [first.dbPath, cachePathFor(first.dbPath)];
    const before = files.map((f) => [statSync(f).ino, statSync(f).mtimeMs, sha256(readFileSync(f))]);
    const second = await updateKnowledgeBase(ctx);
    expect(second).toMatchObject({ rebuilt: false, parsed: 0, changed: { added: [], changed: [], removed: [] } });
    expect(second.problems).toEqual(first.problems);
    const after = files.map((f) => [statSync(f).ino, statSync(f).mtimeMs, sha256(readFileSync(f))]);
    expect(after).toEqual(before);
    expect(existsSync(`${cachePathFor(first.dbPath)}-wal`)).toBe(false);
  });

  it('updates incrementally: edit, add, delete and rename parse only what changed', async () => {
    const { root, ctx } = setup();
    await updateKnowledgeBase(ctx);

    writeFileSync(join(root, pathOf(LB)), incidentText({ ...LB, title: 'Load balancers saturated' }));
    let kb = await updateKnowledgeBase(ctx);
    expectKeptFromBasis(kb);
    expect(kb).toMatchObject({ parsed: 1, changed: { added: [], changed: [LB.id], removed: [] } });
    expect(one(kb, 'SELECT title FROM incidents WHERE id = ?', LB.id)).toBe('Load balancers saturated');
    expect(one(kb, 'SELECT count(*) FROM remediations WHERE incident_id = ?', LB.id)).toBe(3);
    // The new title is indexed (stemmed: "saturated" also finds the remediation "Alert on saturation."); the old title is gone.
    expect(
      all(
        kb,
        "SELECT d.incident_id, d.field FROM search_fts f JOIN search_documents d ON d.doc_id = f.rowid WHERE search_fts MATCH 'saturated' ORDER BY d.doc_id",
      ),
    ).toEqual([
      { incident_id: LB.id, field: 'title' },
      { incident_id: LB.id, field: 'remediation' },
    ]);
    expect(one(kb, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'overload'")).toBe(0);

    const extra = {
      ...POP,
      id: '2007-08-01-new',
      title: 'New one',
      body: 'A new incident.',
      started: '2007-08-01T10:00:00-04:00',
      resolved: '2007-08-01T11:00:00-04:00',
    };
    writeFileSync(join(root, pathOf(extra)), incidentText(extra));
    kb = await updateKnowledgeBase(ctx);
    expectKeptFromBasis(kb);
    expect(kb).toMatchObject({ parsed: 1, changed: { added: [extra.id], changed: [], removed: [] } });

    rmSync(join(root, pathOf(POP)));
    kb = await updateKnowledgeBase(ctx);
    expectKeptFromBasis(kb);
    expect(kb).toMatchObject({ parsed: 0, changed: { added: [], changed: [], removed: [POP.id] } });
    expect(one(kb, 'SELECT count(*) FROM incident_services WHERE incident_id = ?', POP.id)).toBe(0);
    expect(one(kb, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'descriptors'")).toBe(0);
    expect(one(kb, 'SELECT count(*) FROM files WHERE file = ?', pathOf(POP))).toBe(0);

    mkdirSync(join(root, 'incidents/2007'));
    renameSync(join(root, pathOf(LATE)), join(root, `incidents/2007/${LATE.id}.md`));
    kb = await updateKnowledgeBase(ctx);
    expectKeptFromBasis(kb);
    expect(kb).toMatchObject({ parsed: 0, changed: { added: [], changed: [], removed: [] } });
    expect(one(kb, 'SELECT file FROM incidents WHERE id = ?', LATE.id)).toBe(`incidents/2007/${LATE.id}.md`);

    // The incremental result equals a build from scratch.
    const fresh = await updateKnowledgeBase({ ...ctx }, { dbPath: join(root, 'fresh', 'kb.db') });
    for (const table of [
      'incidents',
      'incident_services',
      'remediations',
      'related',
      'sections',
      'tags',
      'services',
      'files',
      'problems',
    ]) {
      const rows = (k: BuiltKnowledgeBase) =>
        all(k, `SELECT * FROM ${table}`)
          .map((r) => JSON.stringify(r))
          .sort();
      expect(rows(kb), table).toEqual(rows(fresh));
    }
    const searchable = 'SELECT incident_id, field, position, label, audience, body FROM search_content ORDER BY 1, 2, 3, 6';
    expect(all(kb, searchable)).toEqual(all(fresh, searchable));
    const mail =
      "SELECT d.incident_id, d.field, d.label FROM search_fts f JOIN search_documents d ON d.doc_id = f.rowid WHERE search_fts MATCH 'mail' ORDER BY 1, 2, 3";
    expect(all(kb, mail)).toEqual(all(fresh, mail));
    expect(all(kb, mail).length).toBeGreaterThan(2);
    expect(integrityCheck(kb)).toBe(true);
  });

  it('reads the kept database itself when the recorded basis is not of its files, or damaged', async () => {
    const { root, ctx } = setup();
    await updateKnowledgeBase(ctx);
    writeFileSync(join(root, pathOf(LB)), incidentText({ ...LB, title: 'Load balancers saturated' }));
    const kb = await updateKnowledgeBase(ctx);
    const basis = recordedBasis(kb) as { delta: unknown[] };
    expect(basis.delta.length).toBe(1);
    const current = readPrevious(kb.dbPath);
    expect(keptFromBasis(kb.dbPath, current, { ...basis, delta: [[1, 2, 3]] })).toBeUndefined();
    expect(keptFromBasis(kb.dbPath, current, { ...basis, meta: 'x' })).toBeUndefined();
    expect(keptFromBasis(kb.dbPath, current, null)).toBeUndefined();
    expect(keptFromBasis(kb.dbPath, current, basis)).toBeDefined();
    // another kept database in its place (same content, another file)
    const kept = keptPathFor(kb.dbPath);
    copyFileSync(kept, `${kept}.copy`);
    renameSync(`${kept}.copy`, kept);
    expect(keptFromBasis(kb.dbPath, current, basis)).toBeUndefined();
    // and the build then reads it: the same database as from scratch
    writeFileSync(join(root, pathOf(DST)), incidentText({ ...DST, title: 'Clocks changed again' }));
    const next = await updateKnowledgeBase(ctx);
    const fresh = await updateKnowledgeBase({ ...ctx }, { dbPath: join(root, 'fresh', 'kb.db') });
    const titles = (k: BuiltKnowledgeBase) => all(k, 'SELECT id, title FROM incidents ORDER BY id');
    expect(titles(next)).toEqual(titles(fresh));
    expectKeptFromBasis(next);
  });

  it('applies the cross-file rules to unchanged files: duplicate ids and related incidents that disappear', async () => {
    const { root, ctx } = setup();
    await updateKnowledgeBase(ctx);
    mkdirSync(join(root, 'incidents/2006'));
    writeFileSync(join(root, `incidents/2006/${POP.id}.md`), incidentText({ ...POP, title: 'A copy' }));
    let kb = await updateKnowledgeBase(ctx);
    const dup = kb.problems.filter((p) => p.ruleId === 'duplicate-id');
    expect(dup.map((p) => p.file)).toEqual([`incidents/${POP.id}.md`]); // the later file in path order is rejected
    expect(one(kb, 'SELECT title FROM incidents WHERE id = ?', POP.id)).toBe('A copy');
    expect(kb.changed).toEqual({ added: [], changed: [POP.id], removed: [] });

    rmSync(join(root, `incidents/2006/${POP.id}.md`));
    rmSync(join(root, pathOf(LB)));
    kb = await updateKnowledgeBase(ctx);
    expect(one(kb, 'SELECT title FROM incidents WHERE id = ?', POP.id)).toBe('POP logins failed');
    // DST lists LB as related: with LB gone, DST is rejected although its file did not change.
    expect(kb.problems.filter((p) => p.ruleId === 'related-exists').map((p) => p.file)).toEqual([pathOf(DST)]);
    expect(all(kb, 'SELECT id FROM incidents ORDER BY id').map((r) => r.id)).toEqual([POP.id, LATE.id]);
    expect(one(kb, 'SELECT count(*) FROM related')).toBe(0);
    expect(kb.problems).toEqual(runCheck(captureContext(root, { now: '2007-07-01' })).problems);
  });

  it('leaves out, index entries included, incidents a first build writes and the cross-file rules then reject', async () => {
    const { ctx } = setup(fixtureFiles([DST, POP, LATE])); // DST lists LB as related: rejected after it was written
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.problems.filter((p) => p.ruleId === 'related-exists').map((p) => p.file)).toEqual([pathOf(DST)]);
    expect(all(kb, 'SELECT id FROM incidents ORDER BY id').map((r) => r.id)).toEqual([POP.id, LATE.id]);
    expect(one(kb, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'descriptors'")).toBe(1);
    expect(one(kb, 'SELECT count(*) FROM search_fts')).toBe(one(kb, 'SELECT count(*) FROM search_source'));
    expect(integrityCheck(kb)).toBe(true);
  });

  it('indexes the other new incidents when one written in an update is then rejected by the cross-file rules', async () => {
    const { root, ctx } = setup(fixtureFiles([DST, LB, POP]));
    await updateKnowledgeBase(ctx);
    // both new: LATE is kept, ORPHAN is written and then rejected (it lists an incident that does not exist)
    const orphan = { ...POP, id: '2007-08-02-orphan', title: 'Orphaned descriptors', related: ['2007-01-01-none'] };
    writeFileSync(join(root, pathOf(LATE)), incidentText(LATE));
    writeFileSync(join(root, pathOf(orphan)), incidentText(orphan));
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.problems.filter((p) => p.ruleId === 'related-exists').map((p) => p.file)).toEqual([pathOf(orphan)]);
    expect(all(kb, 'SELECT id FROM incidents ORDER BY id').map((r) => r.id)).toEqual([DST.id, LB.id, POP.id, LATE.id]);
    expect(one(kb, 'SELECT count(*) FROM search_fts')).toBe(one(kb, 'SELECT count(*) FROM search_source'));
    const late =
      "SELECT DISTINCT d.incident_id FROM search_fts f JOIN search_documents d ON d.doc_id = f.rowid WHERE search_fts MATCH 'late'";
    expect(all(kb, late).map((r) => r.incident_id)).toContain(LATE.id);
    expect(integrityCheck(kb)).toBe(true);
  });

  it('rebuilds everything when the config changes, without parsing again', async () => {
    const { root, ctx } = setup();
    await updateKnowledgeBase(ctx);
    writeFileSync(join(root, 'postmortem.config.yaml'), CONFIG.replace('America/New_York', 'UTC'));
    const kb = await updateKnowledgeBase(ctx);
    expect(kb).toMatchObject({ rebuilt: true, parsed: 0, changed: { added: [], changed: [DST.id, LB.id, POP.id, LATE.id], removed: [] } });
    expect(one(kb, 'SELECT started_local_date FROM incidents WHERE id = ?', LATE.id)).toBe('2007-07-01');
  });

  it('re-evaluates problems (not the rows) when the evaluation date changes', async () => {
    const { ctx } = setup();
    const early = await updateKnowledgeBase({ ...ctx, now: '2007-06-01' });
    const late = await updateKnowledgeBase({ ...ctx, now: '2007-08-01' });
    const overdue = (kb: BuiltKnowledgeBase) => kb.problems.filter((p) => p.ruleId === 'remediation-overdue').length;
    expect(overdue(early)).toBe(0);
    expect(overdue(late)).toBe(2);
    expect(late.parsed).toBe(0);
    expect(one(late, "SELECT count(*) FROM problems WHERE rule_id = 'remediation-overdue'")).toBe(2);
    const back = await updateKnowledgeBase({ ...ctx, now: '2007-06-01' }); // from the kept previous version
    expect(one(back, "SELECT count(*) FROM problems WHERE rule_id = 'remediation-overdue'")).toBe(0);
    expect(one(back, "SELECT value FROM meta WHERE key = 'evaluated_at'")).toBe('2007-06-01');
  });

  it('leaves alone a file in the place of the database that is not one of ours (issue 12, item 1)', async () => {
    const { ctx } = setup();
    mkdirSync(ctx.out, { recursive: true });
    writeFileSync(join(ctx.out, 'postmortems.db'), 'not a database');
    await expect(updateKnowledgeBase(ctx)).rejects.toThrow(/postmortems\.db is not a database this tool made; it was left alone/);
    expect(readFileSync(join(ctx.out, 'postmortems.db'), 'utf8')).toBe('not a database');
  });
});

describe('the problems a build keeps, compressed a part at a time', () => {
  const problem = (n: number): Problem => ({
    file: `incidents/${n}.md`,
    line: n + 1,
    column: (n % 7) + 1,
    severity: n % 3 ? 'warning' : 'error',
    ruleId: 'remediation-overdue',
    message: `remediation R${n} is open — ${'é'.repeat(n % 4)} "quoted" \\ overdue`,
  });
  it('reads back every problem, in order, whatever the part boundaries', () => {
    for (const count of [0, 1, 2, 3, 4, 9, 10]) {
      const list = Array.from({ length: count }, (_, n) => problem(n));
      for (const per of [1, 3, 9, 2000]) expect(packedProblems(list, per)()).toEqual(list);
    }
    const many = Array.from({ length: 4500 }, (_, n) => problem(n));
    const read = packedProblems(many);
    expect(read()).toEqual(many);
    expect(read()).not.toBe(read()); // each reader gets its own objects
  });
});
