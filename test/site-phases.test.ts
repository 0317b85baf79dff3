import { existsSync, fstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { FileError } from '../src/output/file-error.js';
import { hash } from '../src/site/base.js';
import { diffListing, relatedUpdates, type Changes, type Listing } from '../src/site/changes.js';
import { Column } from '../src/site/column.js';
import { keyPlaces, keysOf, keysText } from '../src/site/layout-keys.js';
import type { Brief } from '../src/site/brief.js';
import { FactsBuilder } from '../src/site/facts.js';
import { NEWEST_FINAL_SQL, newestFinal } from '../src/site/feed.js';
import { isoUtc } from '../src/db/write.js';
import { Temporal } from '../src/model/time.js';
import { propertyRuns } from './helpers/runs.js';
import { BUILDING_FILE, manifestText, missingPages, NextPages, readManifest } from '../src/site/manifest.js';
import { holding, tryHolding, writeLock, type Page } from '../src/site/page.js';
import { createTaskPool, spreadTasks, type ShardTask } from '../src/site/parallel.js';
import type { Request, Thread } from '../src/threads/pool.js';
import { OpenFiles, spliceFile, writeSpliced } from '../src/site/pieces.js';
import { planShards } from '../src/site/plan.js';
import { deleteGone } from '../src/site/save.js';
import { shardOf, shardPath } from '../src/site/search.js';
import { shardsFromFile, shardsHandler, type ShardMembers, type ShardsRequest } from '../src/site/search-terms.js';
import type { IncidentLinks } from '../src/site/similar.js';
import type { SiteState } from '../src/site/state.js';
import { REMOTE_WINDOW, sendRemote, writePages } from '../src/site/write-pages.js';

/**
 * Each phase of a site build (see src/site/build.ts) on its own, with small inputs. The whole
 * build, phases together, is test/site-incremental.test.ts.
 */
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pm-phases-'));
  dirs.push(dir);
  return dir;
}

const listing = (rows: [id: string, digest: string, file: string][]): Listing => ({
  ids: rows.map((r) => r[0]),
  digests: Column.of(
    rows.map((r) => r[1]),
    '\n',
  ),
  files: Column.of(
    rows.map((r) => r[2]),
    '\u0000',
  ),
  key: '',
});

describe('phase 1, what changed: diffListing', () => {
  const before = listing([
    ['INC-1', 'd1', 'a.md'],
    ['INC-2', 'd2', 'b.md'],
    ['INC-3', 'd3', 'c.md'],
  ]);

  it('takes every incident as new without a previous build', () => {
    expect(diffListing(undefined, before)).toEqual({
      contentChanged: ['INC-1', 'INC-2', 'INC-3'],
      moved: [],
      removed: [],
      added: ['INC-1', 'INC-2', 'INC-3'],
    });
  });

  it('finds an edited file and a moved one among the same incidents', () => {
    const now = {
      ...listing([
        ['INC-1', 'd1', 'a.md'],
        ['INC-2', 'd2*', 'b.md'],
        ['INC-3', 'd3', 'z.md'],
      ]),
      ids: before.ids,
    };
    expect(diffListing(before, now)).toEqual({ contentChanged: ['INC-2'], moved: ['INC-3'], removed: [], added: [] });
  });

  it('finds nothing when nothing changed', () => {
    expect(diffListing(before, { ...before })).toEqual({ contentChanged: [], moved: [], removed: [], added: [] });
  });

  it('finds incidents added and removed, with the same answer for equal id lists given as other arrays', () => {
    const now = listing([
      ['INC-0', 'd0', '0.md'],
      ['INC-2', 'd2', 'b.md'],
      ['INC-4', 'd4', 'd.md'],
    ]);
    expect(diffListing(before, now)).toEqual({
      contentChanged: ['INC-0', 'INC-4'],
      moved: [],
      removed: ['INC-1', 'INC-3'],
      added: ['INC-0', 'INC-4'],
    });
    const same = listing([
      ['INC-1', 'd1', 'a.md'],
      ['INC-2', 'd2*', 'b.md'],
      ['INC-3', 'd3', 'z.md'],
    ]);
    expect(diffListing(before, same)).toEqual({ contentChanged: ['INC-2'], moved: ['INC-3'], removed: [], added: [] });
  });
});

describe('phase 2, which pages: Column.entryAt', () => {
  it('finds the entry a character lies in as counting the separators before it does, empty entries too', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[ab]{0,3}$/), { minLength: 1, maxLength: 20 }), fc.boolean(), (values, known) => {
        const column = known ? Column.of(values, '\u0000') : new Column(values.join('\u0000'), '\u0000', values.length);
        const { text } = column;
        for (let at = 0; at < text.length; at++) {
          if (text[at] === '\u0000') continue;
          expect(column.entryAt(at)).toBe(text.slice(0, at).split('\u0000').length - 1);
        }
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe('phase 1, what changed: Column.differences', () => {
  /** Every position whose entries differ, one entry at a time. */
  const naive = (a: Column, b: Column) => a.values().flatMap((v, n) => (v === b.get(n) ? [] : [n]));
  const values = Array.from({ length: 1000 }, (_, n) => `d${n.toString(36)}`);

  it('finds the entries that differ, a longer or shorter one moving the rest, in the first, a middle and the last block', () => {
    const before = Column.of(values, '\n');
    for (const changes of [[0], [1], [127, 128], [500], [999], [3, 640, 998], []]) {
      for (const change of [(v: string) => `${v}x`, (v: string) => v.slice(1), (v: string) => `${v.slice(0, -1)}!`, () => '']) {
        const now = values.map((v, n) => (changes.includes(n) ? change(v) : v));
        for (const column of [Column.of(now, '\n'), new Column(now.join('\n'), '\n', now.length)]) {
          expect(before.differences(column)).toEqual(changes);
          expect(column.differences(before)).toEqual(naive(column, before));
        }
      }
    }
  });

  it('tells an incident whose file changed and moved from one that only moved, over many blocks', () => {
    const rows = values.map((v, n): [string, string, string] => [`INC-${String(n).padStart(4, '0')}`, v, `${v}.md`]);
    const before = listing(rows);
    const now = listing(rows.map((r, n) => (n === 7 ? [r[0], 'edited', 'moved.md'] : n === 300 ? [r[0], r[1], 'moved.md'] : r)));
    expect(diffListing(before, { ...now, ids: before.ids })).toEqual({
      contentChanged: ['INC-0007'],
      moved: ['INC-0300'],
      removed: [],
      added: [],
    });
  });
});

describe('phase 2, which pages: codes of the facts, and the newest final incidents of the feed from them', () => {
  const brief = (id: string, status: string, started: number): Brief => ({
    id,
    title: id,
    status,
    severity: 'SEV2',
    services: [],
    serviceMinutes: [],
    category: 'capacity',
    provider: '',
    started,
    detected: undefined,
    mitigated: undefined,
    resolved: undefined,
    startedDate: '',
    commander: '',
    authors: [],
    reviewers: [],
    remediations: [],
    related: [],
    textDigest: '',
    trendDigest: '',
    groupDigest: '',
    rowDigest: '',
    actionDigest: '',
    ownerDigest: '',
  });
  /** What the incidents table gives for the same incidents (`started_at` written as the database writes it). */
  const fromSql = (briefs: readonly Brief[], count: number) => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE incidents (id TEXT PRIMARY KEY, status TEXT, started_at TEXT, digest TEXT)');
      const insert = db.prepare('INSERT INTO incidents VALUES (?, ?, ?, ?)');
      for (const b of briefs) insert.run(b.id, b.status, isoUtc(Temporal.Instant.fromEpochMilliseconds(b.started)), `d-${b.id}`);
      return (db.prepare(NEWEST_FINAL_SQL).all(count) as { id: string }[]).map((r) => r.id);
    } finally {
      db.close();
    }
  };
  const factsOf = (briefs: readonly Brief[]) => {
    const builder = new FactsBuilder(undefined, briefs.length);
    for (const b of briefs) builder.add(b);
    return builder.build();
  };
  const second = Date.UTC(2007, 5, 4, 13, 10);

  it('orders as the database does: newest by the second (not the millisecond), then by id; drafts left out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('final', 'draft', 'review'), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 999 })), {
          maxLength: 40,
        }),
        fc.constantFrom(1, 3, 50),
        (rows, count) => {
          const briefs = rows.map(([status, s, ms], n) => brief(`INC-${String(n).padStart(3, '0')}`, status, second + s * 1000 + ms));
          const facts = factsOf(briefs);
          expect(newestFinal(facts, count)?.map((n) => facts.id(n))).toEqual(fromSql(briefs, count));
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });

  it('finds the code of a value in the list of the dictionary as its map does, and in patched facts', () => {
    const briefs = ['final', 'draft', 'final', 'review'].map((status, n) => ({
      ...brief(`INC-${n}`, status, second),
      authors: [`p${n % 2}`],
    }));
    const values = ['', 'final', 'draft', 'review', 'SEV2', 'capacity', 'p0', 'p1', 'INC-0', 'missing', 'Final'];
    const fromList = factsOf(briefs);
    const listed = values.map((v) => fromList.codeOf(v));
    const fromMap = factsOf(briefs);
    fromMap.dictionary();
    expect(values.map((v) => fromMap.codeOf(v))).toEqual(listed);
    expect(listed.filter((c) => c < 0)).toHaveLength(3); // 'INC-0' (ids are not coded), 'missing', 'Final'
    for (const [n, v] of values.entries()) if (listed[n]! >= 0) expect(fromList.value(listed[n]!)).toBe(v);
    // patched: a new value gets a new code; the old ones keep theirs
    const patched = fromList.with(new Map([[1, { ...briefs[1]!, status: 'closed' }]]))!;
    expect(values.map((v) => patched.codeOf(v))).toEqual(listed);
    expect(patched.value(patched.codeOf('closed'))).toBe('closed');
    expect(patched.statusCode(1)).toBe(patched.codeOf('closed'));
  });

  it('leaves the order to the database when a start is outside the years 0000 to 9999 (its text does not sort as its time)', () => {
    const edge = (ms: number) => [brief('A', 'final', second), brief('B', 'final', ms)];
    for (const ms of [Date.parse('0000-01-01T00:00:00Z'), Date.parse('9999-12-31T23:59:59.999Z')]) {
      const briefs = edge(ms);
      const facts = factsOf(briefs);
      expect(newestFinal(facts, 50)?.map((n) => facts.id(n))).toEqual(fromSql(briefs, 50));
    }
    for (const ms of [Date.parse('0000-01-01T00:00:00Z') - 1, Date.parse('+010000-01-01T00:00:00Z')]) {
      expect(newestFinal(factsOf(edge(ms)), 50)).toBeUndefined();
    }
    expect(newestFinal(factsOf([brief('A', 'draft', second)]), 50)).toEqual([]);
  });
});

describe('phase 1, what changed: relatedUpdates', () => {
  const links = (related: string[], relatedBy: string[] = []): IncidentLinks => ({ related, relatedBy, similar: [], similarBy: 'none' });
  const known = new Map([
    ['A', links([])],
    ['B', links([], ['C'])],
    ['C', links(['B'])],
  ]);

  it('updates both ends of a link added and of a link removed', () => {
    const updated = relatedUpdates(
      [
        ['A', [], ['B']],
        ['C', ['B'], []],
      ],
      (id) => known.get(id),
    );
    expect(Object.fromEntries(updated)).toEqual({
      A: links(['B']),
      B: links([], ['A']),
      C: links([]),
    });
  });

  it('ignores a link to an incident that does not exist, and a list that did not change', () => {
    const updated = relatedUpdates(
      [
        ['A', [], ['NOPE', 'A']],
        ['C', ['B'], ['B']],
      ],
      (id) => known.get(id),
    );
    expect(Object.fromEntries(updated)).toEqual({ A: links(['NOPE', 'A']) });
  });
});

describe('phase 2, which pages: planShards', () => {
  // 300 incidents: 4 shards
  const rows = Array.from({ length: 300 }, (_, n) => [`INC-${String(n).padStart(3, '0')}`, `d${n}`, `${n}.md`] as [string, string, string]);
  const now = listing(rows);
  const base = { ids: now.ids, listing: now, base: 'B', sameBase: true, contentChanged: [] as string[], removed: [] as string[] };
  const previousOf = (pages: Record<string, string>) => ({ format: 'site-2', pages, digest: 'x', text: 'x' });

  it('plans every shard from scratch, and says which shards of the previous build are gone', () => {
    const plan = planShards({ ...base, state: undefined, previous: previousOf({ [shardPath(7)]: 'old' }) }, new Set());
    expect(plan.paths).toEqual([0, 1, 2, 3].map(shardPath));
    expect(plan.stale.map((s) => s.path)).toEqual(plan.paths);
    expect(plan.stale.flatMap((s) => s.ids).sort()).toEqual(now.ids);
    expect(plan.gone).toEqual([shardPath(7)]);
  });

  it("after an edit, only the edited incident's shard, and it is stale only when its digest changed", () => {
    const fresh = planShards({ ...base, state: undefined, previous: previousOf({}) }, new Set());
    const digests = Object.fromEntries(fresh.stale.map((s) => [s.path, s.digest]));
    const state = { ids: now.ids } as unknown as SiteState;
    const edited = 'INC-042';
    const shard = shardPath(shardOf(edited, 4));
    const after = listing(rows.map((r) => (r[0] === edited ? [r[0], 'changed', r[2]] : r)));
    const plan = planShards({ ...base, listing: after, state, contentChanged: [edited], previous: previousOf(digests) }, new Set());
    expect(plan.stale.map((s) => s.path)).toEqual([shard]);
    expect(plan.stale[0]!.ids).toContain(edited);
    // the same members and digests: not stale, unless its file is missing
    const unchanged = planShards({ ...base, state, contentChanged: [edited], previous: previousOf(digests) }, new Set());
    expect(unchanged.stale).toEqual([]);
    const missing = planShards({ ...base, state, previous: previousOf(digests) }, new Set([shardPath(2)]));
    expect(missing.stale.map((s) => s.path)).toEqual([shardPath(2)]);
    expect(missing.gone).toEqual([]);
  });
});

describe('phase 2, which pages: missingPages', () => {
  it('lists the pages not on disk, without listing a folder said to be unchanged', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'incidents'));
    writeFileSync(join(dir, 'index.html'), '');
    writeFileSync(join(dir, 'incidents', 'a.html'), '');
    const paths = ['index.html', 'trends.html', 'incidents/a.html', 'incidents/b.html', 'services/x.html'];
    expect(missingPages(dir, paths, () => false)).toEqual(['trends.html', 'incidents/b.html', 'services/x.html']);
    expect(missingPages(dir, paths, (folder) => folder === 'incidents')).toEqual(['trends.html', 'services/x.html']);
  });
});

describe('phase 4, write: writePages and the manifest', () => {
  const page = (path: string, digest: string, content: string | (() => never)): Page => ({
    path,
    digest,
    render: () => ({ content: typeof content === 'string' ? content : content() }),
  });
  const changesOf = (siteDir: string) =>
    ({
      previous: readManifest(join(siteDir, '.manifest.json')),
      building: new Set<string>(),
      todayText: '2030-01-01',
    }) as unknown as Changes;
  const write = (siteDir: string, stale: Page[], gone: string[] = []) =>
    writePages(
      {
        root: siteDir,
        siteDir,
        manifestPath: join(siteDir, '.manifest.json'),
        config: {} as never,
        source: {} as never,
        changes: changesOf(siteDir),
        gone: new Set(gone),
        load: () => [],
        pool: () => createTaskPool(0),
        lap: () => undefined,
      },
      stale,
    );

  it('writes the pages whose bytes changed, and records every digest in the manifest', async () => {
    const dir = tempDir();
    const first = await write(dir, [page('index.html', 'i1', 'index'), page('incidents/a.html', 'a1', 'A')]);
    expect(first.written).toEqual(['index.html', 'incidents/a.html']);
    expect(readFileSync(join(dir, 'incidents', 'a.html'), 'utf8')).toBe('A');
    expect(JSON.parse(readFileSync(join(dir, '.manifest.json'), 'utf8'))).toEqual({
      format: 'site-2',
      pages: { 'incidents/a.html': 'a1', 'index.html': 'i1' },
    });
    // a new digest with the same bytes: rendered, not written; a page gone leaves the manifest
    const second = await write(dir, [page('index.html', 'i2', 'index')], ['incidents/a.html']);
    expect(second.rendered).toEqual(['index.html']);
    expect(second.written).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, '.manifest.json'), 'utf8')).pages).toEqual({ 'index.html': 'i2' });
    expect(existsSync(join(dir, BUILDING_FILE))).toBe(true); // removed by phase 5 (doneBuilding)
  });

  it('after a page fails, keeps the old digest of every page not written, so the next build renders them again', async () => {
    const dir = tempDir();
    await write(dir, [page('a.html', 'a1', 'A'), page('b.html', 'b1', 'B')]);
    const failing = write(dir, [
      page('a.html', 'a2', 'A2'),
      page('b.html', 'b2', () => {
        throw new Error('template failed');
      }),
    ]);
    await expect(failing).rejects.toThrow('template failed');
    expect(JSON.parse(readFileSync(join(dir, '.manifest.json'), 'utf8')).pages).toEqual({ 'a.html': 'a2', 'b.html': 'b1' });
    expect(JSON.parse(readFileSync(join(dir, BUILDING_FILE), 'utf8'))).toEqual(['a.html', 'b.html']);
  });

  it('writes a page made elsewhere (a search shard indexed since the build started) as soon as it comes, not in its turn', async () => {
    const dir = tempDir();
    const shardFile = join(dir, 'assets', 'search', 'shard-000.js');
    let indexed!: (script: string) => void;
    const script = new Promise<string>((resolve) => (indexed = resolve));
    let shardOnDisk: boolean | undefined;
    const out = await write(dir, [
      {
        path: 'actions.html',
        digest: 'a1',
        render: async () => {
          indexed('shard script');
          await new Promise((resolve) => setImmediate(resolve));
          shardOnDisk = existsSync(shardFile);
          return { content: 'actions' };
        },
      },
      {
        path: 'assets/search/shard-000.js',
        digest: 's1',
        ready: () => script.then((content) => ({ content })),
        render: () => {
          throw new Error('rendered in its turn');
        },
      },
    ]);
    expect(shardOnDisk).toBe(true);
    expect(readFileSync(shardFile, 'utf8')).toBe('shard script');
    expect(out.written).toEqual(['actions.html', 'assets/search/shard-000.js']);
    expect(JSON.parse(readFileSync(join(dir, '.manifest.json'), 'utf8')).pages).toEqual({
      'actions.html': 'a1',
      'assets/search/shard-000.js': 's1',
    });
  });

  it('fails the build when a page made elsewhere fails, keeping its old digest, after writing the others', async () => {
    const dir = tempDir();
    await write(dir, [page('a.html', 'a1', 'A'), page('s.js', 's1', 'S')]);
    const failing = write(dir, [
      { path: 's.js', digest: 's2', ready: () => Promise.reject(new Error('shard failed')), render: () => ({ content: 'S2' }) },
      page('a.html', 'a2', 'A2'),
    ]);
    await expect(failing).rejects.toThrow('shard failed');
    expect(readFileSync(join(dir, 'a.html'), 'utf8')).toBe('A2');
    expect(JSON.parse(readFileSync(join(dir, '.manifest.json'), 'utf8')).pages).toEqual({ 'a.html': 'a2', 's.js': 's1' });
  });

  /** The pages `pages` after a build of `previous` that set these digests and removed the rest. */
  const nextOf = (previous: Record<string, string>, pages: Record<string, string>) => {
    const next = new NextPages(previous, new Set(Object.keys(previous).filter((p) => !(p in pages))));
    for (const [p, digest] of Object.entries(pages)) next.put(p, digest);
    return next;
  };
  const fromScratch = (pages: Record<string, string>) => manifestText({ pages: {}, text: '' }, nextOf({}, pages));

  it('manifestText: the previous text with digests replaced is the text written from scratch', () => {
    const pages = { 'b.html': '2', 'a.html': '1', 'with space.html': '3' };
    const text = fromScratch(pages);
    expect(JSON.parse(text)).toEqual({ format: 'site-2', pages });
    expect(Object.keys(JSON.parse(text).pages)).toEqual(['a.html', 'b.html', 'with space.html']);
    const next = { ...pages, 'b.html': '9' };
    expect(manifestText({ pages, text }, nextOf(pages, next))).toBe(fromScratch(next));
    // several changed, listed in another order than the text's
    const all = { 'b.html': '7', 'with space.html': '8', 'a.html': '10' };
    expect(manifestText({ pages, text }, nextOf(pages, all))).toBe(fromScratch(all));
    expect(JSON.parse(manifestText({ pages, text }, nextOf(pages, all))).pages).toEqual(all);
  });

  it('NextPages: the previous pages less those gone, with the digests set, in path order, without copying them', () => {
    const previous = JSON.parse('{"b.html":"2","a.html":"1","c/d.html":"3","10.html":"4"}') as Record<string, string>;
    const next = new NextPages(previous, new Set(['c/d.html', 'x.html']));
    next.put('a.html', '9');
    next.put('e.html', '5');
    expect(next.paths()).toEqual(['10.html', 'a.html', 'b.html', 'e.html']);
    expect(next.paths().map((p) => next.digest(p))).toEqual(['4', '9', '2', '5']);
    expect(next.digest('c/d.html')).toBeUndefined();
    expect(next.samePages()).toBe(false);
    expect(manifestText({ pages: previous, text: 'unused' }, next)).toBe(
      fromScratch({ 'a.html': '9', 'b.html': '2', 'e.html': '5', '10.html': '4' }),
    );
    // gone and written again: still there; only digests changed: the same pages, the previous order checked
    const again = new NextPages(previous, new Set(['b.html']));
    again.put('b.html', '7');
    expect(again.paths()).toEqual(['10.html', 'a.html', 'b.html', 'c/d.html']);
    const same = new NextPages(previous, new Set(['gone-before.html']));
    same.put('c/d.html', '8');
    expect(same.samePages()).toBe(true);
    expect(same.paths()).toEqual(['10.html', 'a.html', 'b.html', 'c/d.html']);
    expect(previous).toEqual({ 'b.html': '2', 'a.html': '1', 'c/d.html': '3', '10.html': '4' });
  });
});

describe('phase 4, write: incident pages handed to the worker threads a window at a time (sendRemote)', () => {
  const pages = (n: number): Page[] =>
    Array.from({ length: n }, (_, k) => ({
      path: `incidents/i${k}.html`,
      digest: String(k),
      remote: () => ({
        kind: 'page',
        job: { id: `i${k}`, path: `incidents/i${k}.html`, file: '', digest: '', rest: '', links: '' },
        linksOf: { related: [], relatedBy: [], similar: [], similarBy: 'none' },
      }),
      render: () => ({ content: '' }),
    }));
  const later = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('sends every page in order, never more than the window unwritten, and settles when all are written', async () => {
    const sent: string[] = [];
    let waiting = 0;
    let most = 0;
    await sendRemote(pages(3 * REMOTE_WINDOW + 5), async (_page, task) => {
      sent.push(task.job.id);
      most = Math.max(most, ++waiting);
      await later();
      waiting--;
    });
    expect(sent).toEqual(Array.from({ length: 3 * REMOTE_WINDOW + 5 }, (_, k) => `i${k}`));
    expect(most).toBe(REMOTE_WINDOW);
    expect(waiting).toBe(0);
    await expect(sendRemote([], async () => undefined)).resolves.toBeUndefined();
  });

  it('rejects with the first failure and sends no page after it', async () => {
    const sent: string[] = [];
    const done = sendRemote(pages(3 * REMOTE_WINDOW), async (_page, task) => {
      sent.push(task.job.id);
      await later();
      if (task.job.id === 'i3') throw new Error('disk full');
    });
    await expect(done).rejects.toThrow('disk full');
    const before = sent.length;
    for (let k = 0; k < 5; k++) await later();
    expect(sent.length).toBe(before);
    expect(before).toBeLessThan(3 * REMOTE_WINDOW);
  });
});

describe('phase 4, write: a big page spliced from its previous file without reading it', () => {
  /** A page of three pieces, its layout as a build records it, and the previous file open. */
  const setUp = (pieces: string[], separator = '|') => {
    const dir = tempDir();
    const file = join(dir, 'index.html');
    const text = `<p>${pieces.join(separator)}</p>`;
    writeFileSync(file, text);
    const spans = new Uint32Array(2 * pieces.length);
    let at = 3;
    pieces.forEach((p, n) => {
      spans.set([at, p.length], 2 * n);
      at += p.length + separator.length;
    });
    const st = statSync(file);
    const layout = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, head: 'h', keys: pieces.map((_, n) => `k${n}`), spans };
    const files = new OpenFiles();
    return { file, text, layout, files, previous: files.open(file, layout)! };
  };
  const write = async (s: ReturnType<typeof setUp>, replace: Record<string, string>) => {
    const page = spliceFile(s.previous, s.files, (key) => (replace[key] === undefined ? undefined : { key, html: replace[key]! }));
    const written = await writeSpliced(s.file, page, new Set());
    await s.files.closeAll();
    return { written, bytes: readFileSync(s.file, 'utf8'), page };
  };

  it('writes the previous file with the replaced pieces, and where each piece now lies', async () => {
    const s = setUp(['aa', 'bbb', 'c']);
    const { written, bytes, page } = await write(s, { k1: 'BBBBB' });
    expect(written).toBe(true);
    expect(bytes).toBe('<p>aa|BBBBB|c</p>');
    expect([...page.spans]).toEqual([3, 2, 6, 5, 12, 1]);
    expect(page.rendered).toBe(1);
    expect(page.copied).toBe(2);
  });

  it('leaves the file alone when the bytes are the same, also when pieces moved by as much as others grew', async () => {
    const same = setUp(['aa', 'bbb', 'c']);
    expect((await write(same, { k1: 'bbb' })).written).toBe(false);
    // "xx" "x" "x" → "x" "x" "xx": the piece between moves, and the bytes are still those of the file
    const moved = setUp(['xx', 'x', 'x'], '');
    const r = await write(moved, { k0: 'x', k2: 'xx' });
    expect(r.bytes).toBe('<p>xxxx</p>');
    expect([...r.page.spans]).toEqual([3, 1, 4, 1, 5, 2]);
    expect(r.written).toBe(false);
    // the same size, other bytes
    const other = setUp(['aa', 'bb', 'cc']);
    const o = await write(other, { k0: 'a', k2: 'ccc' });
    expect(o.written).toBe(true);
    expect(o.bytes).toBe('<p>a|bb|ccc</p>');
  });

  it('writes pages spliced at once one after another, each with its own bytes (the copies share one buffer)', async () => {
    // pieces of more than the 1 MB buffer: each page's copy takes several reads and writes, in libuv's threads
    const big = (c: string) => c.repeat(1_500_000);
    const a = setUp([big('a'), 'x', big('b')]);
    const b = setUp([big('c'), 'y', big('d')]);
    const replace = (s: ReturnType<typeof setUp>, html: string) =>
      spliceFile(s.previous, s.files, (key) => (key === 'k1' ? { key, html } : undefined));
    const writes = [writeSpliced(a.file, replace(a, 'XX'), new Set()), writeSpliced(b.file, replace(b, 'YY'), new Set())];
    expect(await Promise.all(writes)).toEqual([true, true]);
    await Promise.all([a.files.closeAll(), b.files.closeAll()]);
    expect(readFileSync(a.file, 'utf8')).toBe(`<p>${big('a')}|XX|${big('b')}</p>`);
    expect(readFileSync(b.file, 'utf8')).toBe(`<p>${big('c')}|YY|${big('d')}</p>`);
  });

  it('splices from the places of the replaced pieces what asking every key gives, with empty pieces, pieces that grow and shrink, and runs at either end', async () => {
    // a small random generator (seeded: the same cases each run)
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    // (the previous pieces in ASCII: \`setUp\` lays them out by their length in characters)
    const before = ['', 'a', 'bb', 'ccc', 'x'.repeat(40)];
    const texts = [...before, 'é', '日本'];
    for (let round = 0; round < 60; round++) {
      const pieces = Array.from({ length: 1 + next(30) }, () => before[next(before.length)]!);
      const replace: Record<string, string> = {};
      for (let n = 0; n < pieces.length; n++) if (next(4) === 0) replace[`k${n}`] = texts[next(texts.length)]!;
      if (round % 5 === 0) replace.k0 = 'first';
      if (round % 7 === 0) replace[`k${pieces.length - 1}`] = '';
      const keys = pieces.map((_, n) => `k${n}`);
      const places = keys.flatMap((key, n) => (replace[key] === undefined ? [] : [n]));
      const asked: string[] = [];
      const a = setUp(pieces);
      const byKey = spliceFile(a.previous, a.files, (key) => (replace[key] === undefined ? undefined : { key, html: replace[key]! }));
      const b = setUp(pieces);
      const byPlace = spliceFile(
        b.previous,
        b.files,
        (key) => {
          asked.push(key);
          return { key, html: replace[key]! };
        },
        places,
      );
      // only the replaced pieces are asked for
      expect(asked).toEqual(places.map((n) => keys[n]));
      // the page as written from scratch: its bytes, where each piece lies, what was copied and rendered
      const after = pieces.map((p, n) => replace[`k${n}`] ?? p);
      const spans: number[] = [];
      let at = 3;
      for (const p of after) {
        const length = Buffer.byteLength(p);
        spans.push(at, length);
        at += length + 1;
      }
      for (const page of [byKey, byPlace]) {
        expect([...page.spans]).toEqual(spans);
        expect(page.keys).toEqual(keys);
        expect(page.size).toBe(Buffer.byteLength(`<p>${after.join('|')}</p>`));
        expect(page.copied).toBe(pieces.filter((p, n) => replace[`k${n}`] === undefined && p !== '').length);
        expect(page.rendered).toBe(places.filter((n) => replace[keys[n]!] !== '').length);
      }
      await writeSpliced(b.file, byPlace, new Set());
      expect(readFileSync(b.file, 'utf8')).toBe(`<p>${after.join('|')}</p>`);
      await Promise.all([a.files.closeAll(), b.files.closeAll()]);
    }
  });

  it("keeps the keys' kept text through a splice that keeps every key, and not through one that changes a key", async () => {
    for (const [key, after] of [
      ['k1', 'k0\u0001k1\u0001k2'],
      ['z', 'k0\u0001z\u0001k2'],
    ] as const) {
      const s = setUp(['aa', 'bbb', 'c']);
      const previous = { ...s.previous, layout: { ...s.previous.layout, keys: keysOf('k0\u0001k1\u0001k2') } };
      const page = spliceFile(previous, s.files, (k) => (k === 'k1' ? { key, html: 'B' } : undefined));
      expect(page.keys).toEqual(after.split('\u0001'));
      expect(keysText(page.keys)).toBe(after);
      // known (found in the text) only when every key was kept
      expect(keyPlaces(page.keys, [key])).toEqual(key === 'k1' ? [1] : undefined);
      await s.files.closeAll();
    }
  });

  it('rejects with a located error when the page cannot be written, leaves no temp file and closes the previous file', async () => {
    const s = setUp(['aa', 'bbb', 'c']);
    const blocked = join(s.file, 'index.html'); // a folder that is a file
    const page = spliceFile(s.previous, s.files, (key) => (key === 'k1' ? { key, html: 'B' } : undefined));
    const failed = writeSpliced(blocked, page, new Set());
    await expect(failed).rejects.toBeInstanceOf(FileError);
    await expect(failed).rejects.toThrow(/^cannot write .*index\.html\/index\.html: /);
    await s.files.closeAll();
    expect(() => fstatSync(s.previous.fd)).toThrow(/EBADF/);
    expect(readdirSync(join(s.file, '..'))).toEqual(['index.html']);
    expect(readFileSync(s.file, 'utf8')).toBe(s.text);
    // the next page is written all the same
    const t = setUp(['aa', 'bbb', 'c']);
    expect((await write(t, { k1: 'D' })).bytes).toBe('<p>aa|D|c</p>');
  });

  it('does not open a file that is not the one the layout was recorded for', () => {
    const s = setUp(['aa', 'bbb', 'c']);
    s.files.close(s.previous.fd);
    writeFileSync(s.file, '<p>other</p>');
    expect(s.files.open(s.file, s.layout)).toBeUndefined();
  });
});

describe('phase 5, save state: deleteGone', () => {
  it('deletes the files of pages gone, reports those that were there, and never touches a path outside the site', () => {
    const dir = tempDir();
    const site = join(dir, 'site');
    mkdirSync(join(site, 'incidents'), { recursive: true });
    writeFileSync(join(site, 'incidents', 'a.html'), '');
    writeFileSync(join(dir, 'outside.html'), '');
    expect(deleteGone(site, ['incidents/a.html', 'incidents/never.html', '../outside.html'])).toEqual(['incidents/a.html']);
    expect(existsSync(join(site, 'incidents', 'a.html'))).toBe(false);
    expect(existsSync(join(dir, 'outside.html'))).toBe(true);
  });
});

describe('the digest of the site (base.ts: hash)', () => {
  it('is that of the parts joined, each ended by \\u0000, whether they are given one by one or joined', () => {
    const joined = (parts: string[]) =>
      createHash('sha256')
        .update(parts.map((p) => `${p}\u0000`).join(''))
        .digest('hex')
        .slice(0, 32);
    const big = 'é\ud83d\ude00x'.repeat(50_000);
    for (const parts of [[], [''], ['a', 'b'], [big, '\ud83d', '\ude00'], Array.from({ length: 17 }, (_, n) => `${n}é`)])
      expect(hash(...parts)).toBe(joined(parts));
    expect(hash('ab', 'c')).not.toBe(hash('a', 'bc'));
  });
});

describe('the lock of the threads that write pages (page.ts)', () => {
  it('runs what it is given, tries without waiting, and is free again after a failure', () => {
    const lock = writeLock();
    const ran: string[] = [];
    holding(lock, () => ran.push(`held ${Atomics.load(lock, 0)}`));
    expect(tryHolding(lock, () => ran.push('tried'))).toBe(true);
    Atomics.store(lock, 0, 1); // another thread holds it
    expect(tryHolding(lock, () => ran.push('not run'))).toBe(false);
    Atomics.store(lock, 0, 0);
    expect(() =>
      holding(lock, () => {
        throw new Error('EISDIR');
      }),
    ).toThrow('EISDIR');
    expect(Atomics.load(lock, 0)).toBe(0);
    expect(ran).toEqual(['held 1', 'tried']);
  });

  it('waits while another thread holds it, and goes on when that thread frees it', async () => {
    const lock = writeLock();
    const done = new Int32Array(new SharedArrayBuffer(4));
    // the other thread takes the lock, keeps it 200 ms, marks that it is done, then frees it (as `release` does)
    const thread = new Worker(
      `const { workerData: [lock, done], parentPort } = require('node:worker_threads');
       Atomics.store(lock, 0, 1);
       parentPort.postMessage('held');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
       Atomics.store(done, 0, 1);
       Atomics.store(lock, 0, 0);
       Atomics.notify(lock, 0, 1);`,
      { eval: true, workerData: [lock, done] },
    );
    await new Promise((resolve) => thread.once('message', resolve));
    let seen = 0;
    holding(lock, () => {
      seen = Atomics.load(done, 0);
    });
    expect(seen).toBe(1);
    await thread.terminate();
  });
});

describe('search shards answered as bytes (search-terms.ts)', () => {
  /** A database with the searchable texts of incidents a, b and c. */
  function searchDb(): string {
    const path = join(tempDir(), 'kb.db');
    const db = new Database(path);
    db.exec('CREATE TABLE search_content (doc_id INTEGER PRIMARY KEY, incident_id TEXT, field TEXT, body TEXT)');
    const add = db.prepare('INSERT INTO search_content (incident_id, field, body) VALUES (?, ?, ?)');
    for (const [id, field, body] of [
      ['a', 'title', 'Mail queue stalled — café'],
      ['b', 'title', 'DNS outage 🙂'],
      ['b', 'impact', 'resolvers timed out'],
      ['c', 'title', 'Disk full'],
    ])
      add.run(id, field, body);
    db.close();
    return path;
  }
  const text = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  /** A shard of these incidents (each file's digest made up), its analyses kept in a folder of its own. */
  const members = (n: number, ids: string[]): ShardMembers => ({ path: shardPath(n), ids, digests: ids.map((id) => `digest-${id}`) });
  const keptSite = () => ({ siteDir: tempDir(), base: 'base' });

  it("gives each script's UTF-8 bytes in a buffer of their own, to move to the asking thread", () => {
    const db = searchDb();
    const shards = [members(0, ['a']), members(1, ['b', 'c']), members(2, [])];
    const scripts = shardsFromFile(db, keptSite(), shards);
    expect(shardsHandler.handle({ db, site: keptSite(), shards })).toEqual({ result: scripts });
    const { result, transfer } = shardsHandler.handle({ db, site: keptSite(), shards, bytes: true });
    const bytes = result as Uint8Array[];
    expect(bytes.map(text)).toEqual(scripts);
    expect(transfer).toEqual(bytes.map((b) => b.buffer));
    for (const b of bytes) expect([b.byteOffset, b.buffer.byteLength]).toEqual([0, b.length]);
  });

  it('gives the same bytes in this thread when there are no worker threads', async () => {
    const db = searchDb();
    const pool = createTaskPool(0);
    const tasks: ShardTask[] = [
      { kind: 'shard', db, site: keptSite(), ...members(0, ['a', 'b']) },
      { kind: 'shard', db, site: keptSite(), ...members(1, ['c']) },
    ];
    expect((await Promise.all(pool.spread(tasks))).map(text)).toEqual(shardsFromFile(db, keptSite(), tasks));
  });
});

describe("tasks spread over the threads at once (a cold build's search shards)", () => {
  const site = { siteDir: 'site', base: 'base' };
  const shard = (n: number): ShardTask => ({
    kind: 'shard',
    db: 'kb.db',
    site,
    path: `shard-${n}.js`,
    ids: [`id-${n}`],
    digests: [`d-${n}`],
  });
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
  /**
   * Threads that answer each request with its shards' ids as bytes, in the order asked, or fail
   * (thread `failing`). Answered after a while, later for the first threads; or, `held`, only
   * when `answerNext(k)` answers thread k's next request.
   */
  function fakeThreads(count: number, o: { failing?: number; held?: boolean } = {}) {
    const sent: { thread: number; request: Request }[] = [];
    const waiting: (() => void)[][] = Array.from({ length: count }, () => []);
    const threads = Array.from({ length: count }, (_, k): { thread: Thread } => ({
      thread: {
        call<T>(request: Request) {
          sent.push({ thread: k, request });
          const { shards } = request.body as ShardsRequest;
          return new Promise<T>((resolve, reject) => {
            const answer = () =>
              k === o.failing
                ? reject(new Error(`thread ${k} failed`))
                : resolve(shards.map((s) => new TextEncoder().encode(s.ids.join(','))) as T);
            if (o.held) waiting[k]!.push(answer);
            else setTimeout(answer, (count - k) * 5);
          });
        },
      },
    }));
    return { threads, sent, answerNext: (k: number) => waiting[k]!.shift()!() };
  }

  it('sends every task at once, a message each (task n to thread n mod the count), and gives each its own result as bytes', async () => {
    const tasks = Array.from({ length: 11 }, (_, n) => shard(n));
    const { threads, sent } = fakeThreads(3);
    const failures: Error[] = [];
    const results = spreadTasks(tasks, threads, (error) => failures.push(error));
    expect(sent.map((s) => s.thread)).toEqual(tasks.map((_, n) => n % 3));
    expect(sent.map((s) => s.request)).toEqual(
      tasks.map((t) => ({
        kind: 'shards',
        body: { db: 'kb.db', site, shards: [{ path: t.path, ids: t.ids, digests: t.digests }], bytes: true },
      })),
    );
    expect((await Promise.all(results)).map(text)).toEqual(tasks.map((t) => t.ids.join(',')));
    expect(failures).toEqual([]);
  });

  it("gives a task its result as soon as its thread answers it, not once the thread's whole share is done", async () => {
    const { threads, answerNext } = fakeThreads(2, { held: true });
    const results = spreadTasks([shard(0), shard(1), shard(2), shard(3)], threads, () => undefined);
    const settled: number[] = [];
    results.forEach((r, n) => void r.then(() => settled.push(n)));
    answerNext(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toEqual([0]);
    answerNext(1);
    answerNext(0);
    answerNext(1);
    expect((await Promise.all(results)).map(text)).toEqual(['id-0', 'id-1', 'id-2', 'id-3']);
  });

  it("rejects a failed thread's tasks and fails the pool, the other threads' tasks still answered", async () => {
    const tasks = Array.from({ length: 4 }, (_, n) => shard(n));
    const { threads } = fakeThreads(2, { failing: 1 });
    const failures: Error[] = [];
    const settled = await Promise.allSettled(spreadTasks(tasks, threads, (error) => failures.push(error)));
    expect(settled.map((r) => (r.status === 'fulfilled' ? text(r.value) : (r.reason as Error).message))).toEqual([
      'id-0',
      'thread 1 failed',
      'id-2',
      'thread 1 failed',
    ]);
    expect(failures.map((e) => e.message)).toEqual(['thread 1 failed', 'thread 1 failed']);
  });

  it('runs them in this thread when there are no worker threads', async () => {
    const pool = createTaskPool(0);
    expect(pool.threads).toBe(0);
    const failing: ShardTask = { ...shard(0), db: join(tmpdir(), 'no-such-dir', 'kb.db') };
    await expect(Promise.all(pool.spread([failing]))).rejects.toThrow();
  });
});
