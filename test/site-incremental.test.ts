import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runSite } from '../src/commands/site.js';
import { escapeField, unescapeFields } from '../src/site/brief.js';
import { Column } from '../src/site/column.js';
import { DB_FILE as DATABASE_FILE } from '../src/db/cache-key.js';
import { DONE_FILE, LISTING_ROWS_SQL, LISTING_SQL } from '../src/site/done.js';
import { LAYOUTS_DIR, partOf } from '../src/site/layouts.js';
import { SEARCH_TERMS_DIR } from '../src/site/search-terms.js';
import { DELTA_INCIDENTS, SiteState } from '../src/site/state.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { DB, moreIncidents, siteKb } from './site-fixture.js';

/**
 * Builds after an edit render only what the edit reaches, and give the same bytes as a build
 * from scratch: for each kind of edit, build → edit → build, then compare every file with a
 * build of the edited knowledge base into an empty folder, and check which files were written.
 */
const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

const EXTRA = moreIncidents(12);

function kbRoot(): string {
  const root = tempKb(siteKb(EXTRA));
  roots.push(root);
  return root;
}

async function build(root: string, out = join(root, 'out'), now?: string) {
  const ctx = captureContext(root, { out, ...(now ? { now } : {}) });
  const result = await runSite(ctx);
  expect(ctx.err_()).toBe('');
  expectListingOfIncidents(join(out, DATABASE_FILE));
  return { ...result.site, dir: join(out, 'site') };
}

/** The site's listing, read from the `files` table, is the `incidents` table's ids, digests and files (after every build of every kind of change here). */
function expectListingOfIncidents(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const incidents = db
      .prepare(`SELECT group_concat(id, char(10)), group_concat(digest, char(10)), group_concat(file, char(0))
        FROM (SELECT id, digest, file FROM incidents ORDER BY id)`)
      .raw()
      .get();
    expect(db.prepare(LISTING_SQL).raw().get()).toEqual(incidents);
    expect(db.prepare(LISTING_ROWS_SQL).raw().all().length).toBe(db.prepare('SELECT count(*) FROM incidents').pluck().get());
  } finally {
    db.close();
  }
}

/** Every file of a site folder and its bytes; the kept state (`.state`, `.state-delta`, `.state-layouts/`: they record inodes and times) aside. */
function snapshot(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name.startsWith('.state')) continue;
    if (statSync(full).isDirectory()) snapshot(full, base, out);
    else out.set(relative(base, full), readFileSync(full, 'latin1'));
  }
  return out;
}

function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => p !== '.manifest.json' && before.get(p) !== after.get(p)).sort();
}

/** Every file of the site (its manifest too) is the same as in a build into an empty folder. */
async function expectSameAsFresh(root: string, dir: string, now?: string) {
  const fresh = await build(root, join(root, `fresh-${Math.random().toString(36).slice(2)}`), now);
  const a = snapshot(dir);
  const b = snapshot(fresh.dir);
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [path, bytes] of b) expect(a.get(path), path).toBe(bytes);
}

/** In a run of edits, an edit that an earlier one made impossible is left out. */
let lenient = false;

const edit = (root: string, file: string, change: (text: string) => string) => {
  const path = join(root, file);
  if (lenient && !existsSync(path)) return;
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (!lenient) expect(after, `the edit changes ${file}`).not.toBe(before);
  writeFileSync(path, after);
};

const LB_FILE = 'incidents/2007/2007-06-04-lb.md';
const DB_FILE = 'incidents/2007/2007-06-13-db.md';
const MX_FILE = 'incidents/2006/2006-03-01-mx.md';
const X4 = 'incidents/2007/2007-09-05-extra-4.md';
const X7 = 'incidents/2007/2007-09-08-extra-7.md';

interface EditCase {
  name: string;
  /** The evaluation date of the build after the edit. */
  now?: string;
  apply(root: string): void;
  /** The files the build after the edit writes or deletes (each one changed). */
  changed: string[];
}

// The fixture has 16 incidents: one search shard. Pages over many incidents whose bytes do not
// change (the action items after a title edit, say) are rendered again but not written. The Atom
// feed (feed.xml) changes with what customers see of a final incident, or when one comes or goes.
const CASES: EditCase[] = [
  {
    name: 'a title',
    apply: (root) =>
      edit(root, DB_FILE, (t) => t.replace('title: "Mail routing database overloaded"', 'title: "Routing database out of connections"')),
    // db is lb's related and similar incident, and extra-0's similar one; extra-3 and extra-6 find it by text
    changed: [
      'assets/search/shard-000.js',
      'categories/capacity.html',
      'feed.xml',
      'incidents/2007-06-04-lb.html',
      'incidents/2007-06-13-db.html',
      'incidents/2007-09-01-extra-0.html',
      'incidents/2007-09-04-extra-3.html',
      'incidents/2007-09-07-extra-6.html',
      'index.html',
      'services/webmail.html',
    ],
  },
  {
    name: 'a status',
    apply: (root) => edit(root, LB_FILE, (t) => t.replace('status: final', 'status: review')),
    changed: ['categories/capacity.html', 'feed.xml', 'incidents/2007-06-04-lb.html', 'index.html', 'services/webmail.html'],
  },
  {
    name: 'a severity',
    apply: (root) => edit(root, X4, (t) => t.replace('severity: SEV1', 'severity: SEV2')),
    // the owners page lists extra-4 among Dana's latest, with its severity
    changed: [
      'categories/capacity.html',
      'incidents/2007-09-01-extra-0.html',
      'incidents/2007-09-05-extra-4.html',
      'incidents/2007-09-08-extra-7.html',
      'incidents/2007-09-09-extra-8.html',
      'index.html',
      'owners.html',
      'services/dns.html',
      'trends.html',
    ],
  },
  {
    name: 'a remediation status',
    apply: (root) => edit(root, X7, (t) => t.replace(/(id: R1, .*?status: )open/, '$1done')),
    changed: ['actions.html', 'incidents/2007-09-08-extra-7.html', 'owners.html', 'trends.html'],
  },
  {
    name: 'a remediation due date, which makes it overdue',
    apply: (root) => edit(root, X7, (t) => t.replace('due: 2008-08-01', 'due: 2008-01-01')),
    changed: ['actions.html', 'incidents/2007-09-08-extra-7.html', 'owners.html', 'trends.html'],
  },
  {
    name: 'a related link',
    apply: (root) => edit(root, DB_FILE, (t) => t.replace('related: []', 'related: [2006-02-01-dns]')),
    changed: ['incidents/2006-02-01-dns.html', 'incidents/2007-06-13-db.html'],
  },
  {
    name: 'a service',
    apply: (root) => edit(root, MX_FILE, (t) => t.replace('services: [smtp-inbound]', 'services: [dns]')),
    changed: [
      'assets/search/shard-000.js',
      'categories/config.html',
      'feed.xml',
      'incidents/2006-03-01-mx.html',
      'incidents/2007-09-03-extra-2.html',
      'index.html',
      'services/dns.html',
      'services/index.html',
      'services/smtp-inbound.html',
      'trends.html',
    ],
  },
  {
    name: 'a service no incident named before',
    apply: (root) => edit(root, MX_FILE, (t) => t.replace('services: [smtp-inbound]', 'services: [smtp-inbound, pop]')),
    changed: [
      'assets/search/shard-000.js',
      'categories/config.html',
      'feed.xml',
      'incidents/2006-03-01-mx.html',
      'index.html',
      'services/index.html',
      'services/pop.html',
      'services/smtp-inbound.html',
      'trends.html',
    ],
  },
  {
    name: 'a new incident',
    apply: (root) =>
      writeFileSync(
        join(root, 'incidents/2007/2007-06-20-new.md'),
        DB.replace('id: 2007-06-13-db', 'id: 2007-06-20-new')
          .replace(/2007-06-13T/g, '2007-06-20T')
          .replace('Mail routing database overloaded', 'Routing database overloaded again'),
      ),
    changed: [
      'actions.html',
      'assets/search/shard-000.js',
      'categories/capacity.html',
      'categories/index.html',
      'feed.xml',
      'incidents/2007-06-04-lb.html',
      'incidents/2007-06-13-db.html',
      'incidents/2007-06-20-new.html',
      'incidents/2007-09-01-extra-0.html',
      'incidents/2007-09-04-extra-3.html',
      'incidents/2007-09-07-extra-6.html',
      'index.html',
      'owners.html',
      'services/index.html',
      'services/webmail.html',
      'trends.html',
    ],
  },
  {
    name: 'a removed incident',
    apply: (root) => rmSync(join(root, MX_FILE), { force: true }),
    changed: [
      'actions.html',
      'assets/search/shard-000.js',
      'categories/config.html',
      'categories/index.html',
      'feed.xml',
      'incidents/2006-03-01-mx.html',
      'incidents/2007-09-03-extra-2.html',
      'incidents/2007-09-11-extra-10.html',
      'index.html',
      'owners.html',
      'services/index.html',
      'services/smtp-inbound.html',
      'trends.html',
    ],
  },
  {
    name: 'a write-up',
    apply: (root) => edit(root, LB_FILE, (t) => t.replace('Capacity reviews missed', 'Capacity reviews overlooked')),
    changed: ['assets/search/shard-000.js', 'incidents/2007-06-04-lb.html'],
  },
  {
    name: 'a moved file',
    apply: (root) => {
      if (existsSync(join(root, LB_FILE))) renameSync(join(root, LB_FILE), join(root, 'incidents/2007-06-04-lb.md'));
    },
    changed: ['incidents/2007-06-04-lb.html'],
  },
  {
    name: 'the evaluation date',
    now: '2008-03-15',
    apply: () => undefined,
    // remediations of extra-1, -2, -10 and -11 become overdue
    changed: [
      'actions.html',
      'incidents/2007-09-02-extra-1.html',
      'incidents/2007-09-03-extra-2.html',
      'incidents/2007-09-11-extra-10.html',
      'incidents/2007-09-12-extra-11.html',
      'owners.html',
      'trends.html',
    ],
  },
];

/** Edits a file, builds, and expects the owners page written with `text` on it, the site as a build from scratch gives. */
async function expectOwnersPageAfter(root: string, file: string, change: (text: string) => string, text: string) {
  edit(root, file, change);
  const after = await build(root);
  expect(after.written).toContain('site/owners.html');
  expect(readFileSync(join(after.dir, 'owners.html'), 'utf8')).toContain(text);
  await expectSameAsFresh(root, after.dir);
  return after;
}

const DB_TITLE = (t: string) => t.replace('title: "Mail routing database overloaded"', 'title: "Routing database out of connections"');
const X4_TITLE = (t: string) => t.replace('Extra incident 4:', 'Extra incident 4 zanzibar:');

describe('postmortem site after an edit', () => {
  for (const c of CASES) {
    it(`writes only what ${c.name} changes, and the same bytes as a build from scratch`, async () => {
      const root = kbRoot();
      const first = await build(root);
      const before = snapshot(first.dir);
      c.apply(root);
      const after = await build(root, undefined, c.now);
      const changed = changedFiles(before, snapshot(after.dir));
      // every file written or deleted changed, and every changed file was written or deleted
      expect([...after.written, ...after.deleted].map((p) => p.slice('site/'.length)).sort()).toEqual(changed);
      expect(changed).toEqual(c.changed);
      await expectSameAsFresh(root, after.dir, c.now);
    });
  }

  it('gives the same bytes as a build from scratch after a run of edits', async () => {
    const root = kbRoot();
    await build(root);
    lenient = true;
    try {
      for (const c of CASES) {
        c.apply(root);
        const after = await build(root, undefined, c.now);
        await expectSameAsFresh(root, after.dir, c.now);
        // the next build finds nothing to do from the record alone, and leaves the same files
        const again = await build(root, undefined, c.now);
        expect(again.upToDate, c.name).toBe(true);
        expect(again.rendered).toEqual([]);
        expect(again.files).toEqual(after.files);
        await expectSameAsFresh(root, again.dir, c.now);
      }
    } finally {
      lenient = false;
    }
  });

  it('reads its listing from the files table, the same as from the incidents table after invalid files, a duplicate id, an undated draft, an id changed', async () => {
    const root = kbRoot();
    await build(root);
    // each change, and the files' rows after it: files, files of a valid incident, undated drafts
    const changes: [string, (root: string) => void, number[]][] = [
      ['a file with a YAML error', (r) => writeFileSync(join(r, 'incidents/2007/broken.md'), '---\nid: [\n---\n'), [17, 16, 0]],
      ['a duplicate id', (r) => writeFileSync(join(r, 'incidents/2007/copy.md'), readFileSync(join(r, DB_FILE), 'utf8')), [18, 16, 0]],
      [
        'an undated draft',
        (r) =>
          writeFileSync(
            join(r, 'incidents/2007/undated-draft.md'),
            '---\nid: undated-draft\ntitle: "An outage nobody timed"\nstatus: draft\nseverity: unrated\nservices: [webmail]\n' +
              'impact:\n  summary: "Mail was slow."\nroot_cause:\n  category: unknown\n  summary: "Not known."\nowners:\n  authors: [dana]\n---\n\nText.\n',
          ),
        [19, 16, 1],
      ],
      ['an id changed', (r) => edit(r, X7, (t) => t.replace(/^id: .*$/m, 'id: 2007-09-08-renamed')), [19, 15, 1]],
      ['the duplicate gone', (r) => rmSync(join(r, 'incidents/2007/copy.md')), [18, 15, 1]],
    ];
    for (const [name, change, rows] of changes) {
      change(root);
      const ctx = captureContext(root, { out: join(root, 'out') });
      await runSite(ctx);
      expectListingOfIncidents(join(root, 'out', DATABASE_FILE));
      const db = new Database(join(root, 'out', DATABASE_FILE), { readonly: true });
      const counts = db.prepare('SELECT count(*), count(incident_id), sum(undated) FROM files').raw().get();
      db.close();
      expect(counts, name).toEqual(rows);
    }
  });

  it('indexes a search shard again from the kept analyses of its unchanged incidents, the same bytes as from scratch', async () => {
    const root = kbRoot();
    const first = await build(root);
    const shard = join(first.dir, 'assets/search/shard-000.js');
    const kept = join(first.dir, SEARCH_TERMS_DIR, 'shard-000');
    edit(root, X4, (t) => t.replace('Extra incident 4:', 'Extra incident 4 zanzibar:'));
    await build(root);
    expect(readFileSync(shard, 'utf8')).toContain('"zanzibar"');
    await expectSameAsFresh(root, first.dir);
    // the next edit of the shard takes X4's terms from what was kept: a kept term changed shows
    writeFileSync(kept, readFileSync(kept, 'utf8').replace('"zanzibar"', '"quokka"'));
    edit(root, X7, (t) => t.replace('Extra incident 7:', 'Extra incident 7 again:'));
    await build(root);
    expect(readFileSync(shard, 'utf8')).toContain('"quokka"');
    // an unreadable record: every incident of the shard is read again
    writeFileSync(kept, '{');
    edit(root, X7, (t) => t.replace('Extra incident 7 again:', 'Extra incident 7:'));
    await build(root);
    expect(readFileSync(shard, 'utf8')).not.toContain('"quokka"');
    await expectSameAsFresh(root, first.dir);
    // records of other shapes (hand-edited, or JSON of another kind), or kept for another base: the same, never an internal error
    const { base, entries } = JSON.parse(readFileSync(kept, 'utf8')) as { base: string; entries: unknown[] };
    const others = [
      'null',
      JSON.stringify({ base, entries: [null, ...entries] }),
      JSON.stringify({ base, entries: [['x', 'y', 'z']] }),
      JSON.stringify({ base, entries: 'x' }),
      JSON.stringify({ base: `${base}-another`, entries }).replace('"zanzibar"', '"quokka"'),
      // each incident's id and digest as kept, its analysis not of the shape written
      ...[{}, [], ['x'], [[1, 'x', [1]]], [[1, ['t'], ['1']]], [[1, ['t', 'u'], [1]]], [['1', ['t'], [1]]]].map((analysis) =>
        JSON.stringify({ base, entries: (entries as [string, string, unknown][]).map(([id, digest]) => [id, digest, analysis]) }),
      ),
    ];
    for (const [n, other] of others.entries()) {
      writeFileSync(kept, other);
      edit(root, X7, (t) => t.replace(/Extra incident 7( again)?:/, n % 2 ? 'Extra incident 7:' : 'Extra incident 7 again:'));
      await build(root);
      await expectSameAsFresh(root, first.dir);
    }
  });

  it('keeps the analyses of every shard a build from scratch indexes: the first edit of a shard reads only the edited incident', async () => {
    const root = kbRoot();
    edit(root, X4, (t) => t.replace('Extra incident 4:', 'Extra incident 4 zanzibar:'));
    const first = await build(root);
    const shard = join(first.dir, 'assets/search/shard-000.js');
    const kept = join(first.dir, SEARCH_TERMS_DIR, 'shard-000');
    expect(readFileSync(shard, 'utf8')).toContain('"zanzibar"');
    // X4's terms come from what the build from scratch kept: a kept term changed shows
    writeFileSync(kept, readFileSync(kept, 'utf8').replace('"zanzibar"', '"quokka"'));
    // the single record of earlier versions is removed
    const old = join(first.dir, '.state-search-terms');
    writeFileSync(old, '{}');
    edit(root, X7, (t) => t.replace('Extra incident 7:', 'Extra incident 7 again:'));
    await build(root);
    expect(readFileSync(shard, 'utf8')).toContain('"quokka"');
    expect(existsSync(old)).toBe(false);
    // once the kept file is gone, the shard is indexed from the database, the same bytes as from scratch
    rmSync(join(first.dir, SEARCH_TERMS_DIR), { recursive: true });
    edit(root, X7, (t) => t.replace('Extra incident 7 again:', 'Extra incident 7:'));
    await build(root);
    expect(readFileSync(shard, 'utf8')).not.toContain('"quokka"');
    await expectSameAsFresh(root, first.dir);
    expect(readFileSync(kept, 'utf8')).toContain('"zanzibar"');
    // a folder of kept files that is a file: nothing kept, the same bytes, never a failed build
    rmSync(join(first.dir, SEARCH_TERMS_DIR), { recursive: true });
    writeFileSync(join(first.dir, SEARCH_TERMS_DIR), 'not a folder');
    edit(root, X7, (t) => t.replace('Extra incident 7:', 'Extra incident 7 again:'));
    await build(root);
    await expectSameAsFresh(root, first.dir);
  });

  it('copies the pieces of pages whose inputs did not change from the previous files, when they are the files it wrote', async () => {
    const root = kbRoot();
    const first = await build(root);
    expect(first.pieces.copied).toBe(0);
    edit(root, DB_FILE, (t) => t.replace('title: "Mail routing database overloaded"', 'title: "Routing database out of connections"'));
    const after = await build(root);
    // rendered: db's rows (index, webmail, capacity) and the links of the four pages that show db;
    // copied: every other row and action item, db's sections' HTML and links
    expect(after.pieces.rendered).toBe(3 + 4);
    expect(after.pieces.copied).toBeGreaterThan(50);
    // the pages that build spliced (written in libuv's threads while it went on) have their files' layouts kept: the next edit splices them again
    edit(root, DB_FILE, (t) => t.replace('Routing database out of connections', 'Routing database out of sockets'));
    const spliced = await build(root);
    expect(spliced.pieces.rendered).toBe(3 + 4);
    await expectSameAsFresh(root, spliced.dir);
    edit(root, DB_FILE, (t) => t.replace('Routing database out of sockets', 'Routing database out of connections'));
    expect((await build(root)).pieces.rendered).toBe(3 + 4);
    // a page file that is not the one the build wrote (here: touched) is not copied from
    const index = join(after.dir, 'index.html');
    utimesSync(index, new Date(2001, 1, 1), new Date(2001, 1, 1));
    edit(root, DB_FILE, (t) => t.replace('Routing database out of connections', 'Mail routing database overloaded'));
    const again = await build(root);
    expect(again.pieces.rendered).toBe(16 + 2 + 4);
    await expectSameAsFresh(root, again.dir);
  });

  it('renders a page whole when its kept layout is damaged, of another shape or from another build, the same bytes', async () => {
    const root = kbRoot();
    const first = await build(root);
    const part = join(first.dir, LAYOUTS_DIR, partOf('index.html'));
    const titles = ['Mail routing database overloaded', 'Routing database out of connections'];
    let n = 0;
    const editTitle = () => {
      edit(root, DB_FILE, (t) => t.replace(`title: "${titles[n % 2]}"`, `title: "${titles[(n + 1) % 2]}"`));
      n++;
    };
    const kept = () => deserialize(readFileSync(part)) as Record<string, unknown>;
    const older = readFileSync(part);
    editTitle();
    const second = await build(root);
    // db's rows (index, webmail, capacity) and the links of the four pages that show db
    expect(second.pieces.rendered).toBe(3 + 4);
    const damages: [string, () => Uint8Array | string][] = [
      ['truncated', () => readFileSync(part).subarray(0, 100)],
      ['not a serialized value', () => '{'],
      ['null', () => serialize(null)],
      ['spans of another length', () => serialize({ ...kept(), spans: new Uint32Array(1) })],
      ['keys of another type', () => serialize({ ...kept(), keys: 'index' })],
      ['written by an earlier build', () => older],
    ];
    for (const [name, damage] of damages) {
      writeFileSync(part, damage());
      editTitle();
      const after = await build(root);
      // every row of the index rendered again
      expect(after.pieces.rendered, name).toBe(16 + 2 + 4);
      await expectSameAsFresh(root, after.dir);
    }
    // the folder of parts replaced by a file
    rmSync(join(first.dir, LAYOUTS_DIR), { recursive: true });
    writeFileSync(join(first.dir, LAYOUTS_DIR), 'not a folder');
    editTitle();
    const noFolder = await build(root);
    // no layout at all: every page rendered is rendered whole
    expect(noFolder.pieces.copied).toBe(0);
    await expectSameAsFresh(root, noFolder.dir);
    // a part gone
    rmSync(part);
    editTitle();
    expect((await build(root)).pieces.rendered).toBe(16 + 2 + 4);
    // and, kept again, it is used
    editTitle();
    const last = await build(root);
    expect(last.pieces.rendered).toBe(3 + 4);
    await expectSameAsFresh(root, last.dir);
  });

  it('renders the owners page again after a title edit only when it refers to that incident', async () => {
    const root = kbRoot();
    await build(root);
    // db is in no one's latest few: the owners page does not show its title
    edit(root, DB_FILE, DB_TITLE);
    const notShown = await build(root);
    expect(notShown.rendered).not.toContain('site/owners.html');
    expect(notShown.rendered).toContain('site/index.html');
    // extra-4 is among Dana's latest: its new title is on the page
    await expectOwnersPageAfter(root, X4, X4_TITLE, 'Extra incident 4 zanzibar:');
  });

  it("works out again which incidents the owners page shows when an incident's people change; keeps them through a title edit", async () => {
    const root = kbRoot();
    await build(root);
    // db, in no one's latest few, becomes all that Dana reviewed
    edit(root, DB_FILE, (t) => t.replace('  authors: [bill]', '  authors: [bill]\n  reviewers: [dana]'));
    const people = await build(root);
    expect(readFileSync(join(people.dir, 'owners.html'), 'utf8')).toContain('Mail routing database overloaded');
    await expectOwnersPageAfter(root, DB_FILE, DB_TITLE, 'Routing database out of connections');
  });

  it("reads a kept state whose header does not know the owners page's incidents (an earlier version's): works them out, uses the rest", async () => {
    const root = kbRoot();
    const first = await build(root);
    for (const name of ['.state', '.state-delta']) {
      const file = join(first.dir, name);
      if (!existsSync(file)) continue;
      const kept = deserialize(readFileSync(file)) as { ownersShown?: unknown; header?: { ownersShown?: unknown } };
      expect(name === '.state' ? kept.ownersShown : kept.header?.ownersShown).toBeInstanceOf(Uint32Array);
      delete (name === '.state' ? kept : kept.header!).ownersShown;
      writeFileSync(file, serialize(kept));
    }
    // extra-4 is among Dana's latest: its new title is on the owners page
    const after = await expectOwnersPageAfter(root, X4, X4_TITLE, 'Extra incident 4 zanzibar:');
    expect(after.pieces.copied).toBeGreaterThan(0);
  });

  it('renders the pages that link to a service again when a new service takes its page name', async () => {
    const root = kbRoot();
    await build(root);
    // "DNS" sorts before "dns", so it takes services/dns.html and dns moves to services/dns-2.html
    edit(root, MX_FILE, (t) => t.replace('services: [smtp-inbound]', 'services: [smtp-inbound, DNS]'));
    const after = await build(root);
    expect(after.written).toContain('site/services/dns-2.html');
    expect(readFileSync(join(after.dir, 'incidents/2006-02-01-dns.html'), 'utf8')).toContain('href="../services/dns-2.html"');
    await expectSameAsFresh(root, after.dir);
  });

  it('gives the same bytes as a build from scratch when every incident is removed, and when they come back', async () => {
    const root = kbRoot();
    await build(root);
    const files = Object.entries(siteKb(EXTRA)).filter(([path]) => path.startsWith('incidents/'));
    for (const [path] of files) rmSync(join(root, path));
    const empty = await build(root);
    expect(empty.deleted.filter((p) => p.startsWith('site/incidents/'))).toHaveLength(files.length);
    await expectSameAsFresh(root, empty.dir);
    for (const [path, text] of files) writeFileSync(join(root, path), text);
    const back = await build(root);
    await expectSameAsFresh(root, back.dir);
  });

  it('after a build that failed half-way, renders again what that build was writing', async () => {
    const root = kbRoot();
    const { dir } = await build(root);
    edit(root, DB_FILE, (t) => t.replace('title: "Mail routing database overloaded"', 'title: "Routing database out of connections"'));
    // a folder where a page goes: writing that page fails, after others were written
    rmSync(join(dir, 'services/webmail.html'));
    mkdirSync(join(dir, 'services/webmail.html'));
    await expect(runSite(captureContext(root))).rejects.toThrow();
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('Routing database out of connections');
    expect(existsSync(join(dir, '.building'))).toBe(true);
    expect(existsSync(join(dir, DONE_FILE)), 'no record of a finished build').toBe(false);
    rmSync(join(dir, 'services/webmail.html'), { recursive: true });
    // the edit undone: pages the failed build wrote with the new title are written again
    edit(root, DB_FILE, (t) => t.replace('Routing database out of connections', 'Mail routing database overloaded'));
    const again = await build(root);
    expect(again.written).toContain('site/index.html');
    expect(existsSync(join(dir, '.building'))).toBe(false);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).not.toContain('Routing database out of connections');
    await expectSameAsFresh(root, dir);
  });

  it("renders every page again after a template change, copying the sections' HTML", async () => {
    const root = kbRoot();
    const first = await build(root);
    mkdirSync(join(root, 'templates/site'), { recursive: true });
    writeFileSync(join(root, 'templates/site/owner-link.hbs'), '<em>{{name}}</em>');
    const after = await build(root);
    expect(after.rendered.length).toBe(first.rendered.length);
    // every section of every incident page (at least one each)
    expect(after.pieces.copied).toBeGreaterThan(16);
    expect(readFileSync(join(after.dir, 'incidents/2007-06-04-lb.html'), 'utf8')).toContain('<em>Bill Example</em>');
    await expectSameAsFresh(root, after.dir);
  });
});

describe('postmortem site with nothing to do', () => {
  /** Builds again, expecting the record to say whether there is anything to do, and the same files as a build from scratch. */
  async function expectAgain(root: string, upToDate: boolean, rendered: string[] = [], now?: string) {
    const again = await build(root, undefined, now);
    expect(again.upToDate).toBe(upToDate);
    expect(again.rendered).toEqual(rendered);
    await expectSameAsFresh(root, again.dir, now);
    return again;
  }

  it('stops at the record of the previous build when nothing changed', async () => {
    const root = kbRoot();
    const first = await build(root);
    expect(first.upToDate).toBe(false);
    const again = await expectAgain(root, true);
    expect(again.files).toEqual(first.files);
    expect(again.unchanged).toBe(first.files.length);
  });

  it('takes the plain path when a page file is gone, at the top of the site or in a folder', async () => {
    const root = kbRoot();
    const { dir } = await build(root);
    rmSync(join(dir, 'index.html'));
    await expectAgain(root, false, ['site/index.html']);
    rmSync(join(dir, 'incidents/2006-02-01-dns.html'));
    await expectAgain(root, false, ['site/incidents/2006-02-01-dns.html']);
    rmSync(join(dir, 'assets/search/shard-000.js'));
    await expectAgain(root, false, ['site/assets/search/shard-000.js']);
    await expectAgain(root, true);
  });

  it('takes the plain path when the templates, the date, the kept state or the manifest changed', async () => {
    const root = kbRoot();
    const { dir } = await build(root);
    mkdirSync(join(root, 'templates/site'), { recursive: true });
    writeFileSync(join(root, 'templates/site/owner-link.hbs'), '<em>{{name}}</em>');
    expect((await build(root)).upToDate).toBe(false);
    await expectAgain(root, true);
    expect((await build(root, undefined, '2008-03-15')).upToDate).toBe(false);
    await expectAgain(root, true, [], '2008-03-15');
    writeFileSync(join(dir, '.state'), '{');
    await expectAgain(root, false, [], '2008-03-15');
    rmSync(join(dir, '.manifest.json'));
    const all = await build(root, undefined, '2008-03-15');
    expect(all.upToDate).toBe(false);
    expect(all.rendered.length).toBe(all.files.length);
    await expectAgain(root, true, [], '2008-03-15');
  });

  it('takes the plain path when the record is damaged or of another shape, and writes a good one', async () => {
    const root = kbRoot();
    const { dir } = await build(root);
    const good = JSON.parse(readFileSync(join(dir, DONE_FILE), 'utf8')) as Record<string, unknown>;
    for (const damaged of ['{', 'null', '[]', JSON.stringify({ ...good, top: undefined }), JSON.stringify({ ...good, folders: 'x' })]) {
      writeFileSync(join(dir, DONE_FILE), damaged);
      await expectAgain(root, false);
      await expectAgain(root, true);
    }
  });

  it('reads the database when its file is not the one recorded, and stops when it holds the same incidents', async () => {
    const root = kbRoot();
    await build(root);
    // the database's time moved (old enough to be trusted): its incidents are read, found the same, and its new time recorded
    const db = join(root, 'out', 'postmortems.db');
    utimesSync(db, new Date(2001, 1, 1), new Date(2001, 1, 1));
    await expectAgain(root, true);
    const record = JSON.parse(readFileSync(join(root, 'out', 'site', DONE_FILE), 'utf8')) as { database: { stamp: number[] } };
    expect(record.database.stamp[2]).toBe(statSync(db).mtimeMs);
    await expectAgain(root, true);
    // a changed incident makes another database: the plain path
    edit(root, LB_FILE, (t) => t.replace('Capacity reviews missed', 'Capacity reviews overlooked'));
    expect((await build(root)).upToDate).toBe(false);
    await expectAgain(root, true);
  });
});

describe('the kept state with its delta', () => {
  it(`keeps up to ${DELTA_INCIDENTS} edited incidents in a delta, then writes the whole state: the same site either way`, async () => {
    const root = tempKb(siteKb(moreIncidents(DELTA_INCIDENTS + 2)));
    roots.push(root);
    await build(root);
    const files = (readdirSync(join(root, 'incidents'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => join('incidents', f));
    expect(files.length).toBeGreaterThan(DELTA_INCIDENTS + 1);
    const retitle = (file: string, n: number) =>
      edit(root, file, (t) => t.replace(/^title: (["']?)(.*)\1$/m, (_, q: string, title: string) => `title: ${q}${title} (edit ${n})${q}`));
    const deltaIncidents = (dir: string) =>
      (deserialize(readFileSync(join(dir, '.state-delta'))) as { incidents: unknown[] }).incidents.length;
    // as many as a delta holds, edited at once: a delta
    files.slice(0, DELTA_INCIDENTS).forEach((file, n) => retitle(file, n));
    const held = await build(root);
    expect(deltaIncidents(held.dir)).toBe(DELTA_INCIDENTS);
    await expectSameAsFresh(root, held.dir);
    const whole = statSync(join(held.dir, '.state')).ino;
    // one more: the whole state, written anew, and no delta
    retitle(files[DELTA_INCIDENTS]!, DELTA_INCIDENTS);
    const folded = await build(root);
    expect(existsSync(join(folded.dir, '.state-delta'))).toBe(false);
    expect(statSync(join(folded.dir, '.state')).ino).not.toBe(whole);
    await expectSameAsFresh(root, folded.dir);
    // and the next edit starts a delta again
    retitle(files[0]!, 99);
    const next = await build(root);
    expect(deltaIncidents(next.dir)).toBe(1);
    await expectSameAsFresh(root, next.dir);
  });

  it("patches the delta's briefs and an edit's in one: the same facts as patching them in turn", async () => {
    const root = kbRoot();
    await build(root);
    edit(root, DB_FILE, (t) => t.replace('title: "Mail routing database overloaded"', 'title: "Routing database out of connections"'));
    const { dir } = await build(root);
    const file = deserialize(readFileSync(join(dir, '.state')));
    const delta = deserialize(readFileSync(join(dir, '.state-delta')));
    const once = new SiteState(dir, file, delta);
    const inTurn = new SiteState(dir, file, delta);
    const facts = inTurn.facts;
    const n = facts.n;
    const inDelta = inTurn.indexOf('2007-06-13-db')!;
    expect(delta.incidents.map((e: unknown[]) => e[0])).toEqual([inDelta]);
    // read before the facts are patched: the delta's brief, its start and the kept order
    expect(once.brief(inDelta)).toEqual(facts.brief(inDelta));
    expect(once.started(inDelta)).toBe(facts.started(inDelta));
    expect(once.knownOrder()).toEqual(facts.knownOrder());
    // the incident the delta holds edited again and another one, with values no incident had
    const other = (inDelta + 1) % n;
    const changes = new Map([
      [inDelta, { ...facts.brief(inDelta), title: 'Again', commander: 'zed', startedDate: '1999-01-01' }],
      [other, { ...facts.brief(other), title: 'Other', status: 'draft', provider: 'newco' }],
    ]);
    const patched = once.factsWith(changes)!;
    const twice = facts.with(changes)!;
    expect(patched).toBeDefined();
    expect(patched).not.toBe(twice);
    for (let i = 0; i < n; i++) expect(patched.brief(i), `incident ${i}`).toEqual(twice.brief(i));
    for (const column of ['status', 'severity', 'category', 'provider', 'startedDate'] as const)
      expect(patched.used(column)).toEqual(twice.used(column));
    expect(patched.order()).toEqual(twice.order());
  });
});

describe("the incident pages' layouts in the delta", () => {
  it('keeps those an edit changed in the delta, not in their buckets; uses them, puts them in the buckets with the whole state, not over a damaged bucket', async () => {
    const root = kbRoot();
    const first = await build(root);
    const page = 'incidents/2007-06-13-db.html';
    const bucket = join(first.dir, LAYOUTS_DIR, partOf(page));
    const delta = () => deserialize(readFileSync(join(first.dir, '.state-delta'))) as { layouts: [string, unknown][] };
    const titles = ['Mail routing database overloaded', 'Routing database out of connections'];
    let n = 0;
    const editTitle = () => {
      edit(root, DB_FILE, (t) => t.replace(`title: "${titles[n % 2]}"`, `title: "${titles[(n + 1) % 2]}"`));
      n++;
    };
    const written = statSync(bucket);
    editTitle();
    // db's rows (index, webmail, capacity) and the links of the four pages that show db: db's own sections copied
    expect((await build(root)).pieces.rendered).toBe(3 + 4);
    // db's page and the four that show it: their layouts in the delta, their buckets as the build from scratch wrote them
    expect(delta().layouts.map(([path]) => path)).toContain(page);
    expect(delta().layouts.length).toBe(5);
    expect(statSync(bucket).ino).toBe(written.ino);
    expect(statSync(bucket).mtimeMs).toBe(written.mtimeMs);
    // the next edit copies from the layouts the delta holds (else db's page is rendered whole)
    editTitle();
    const again = await build(root);
    expect(again.pieces.rendered).toBe(3 + 4);
    await expectSameAsFresh(root, again.dir);
    expect(statSync(bucket).ino).toBe(written.ino);
    // a damaged bucket: the delta's layouts over it are not used (db's page rendered whole), and the bucket is written again
    writeFileSync(bucket, 'damaged');
    editTitle();
    const damaged = await build(root);
    expect(damaged.pieces.rendered).toBeGreaterThan(3 + 4);
    await expectSameAsFresh(root, damaged.dir);
    expect(readFileSync(bucket, 'latin1')).not.toBe('damaged');
    expect(delta().layouts.map(([path]) => path)).not.toContain(page);
    editTitle();
    expect((await build(root)).pieces.rendered).toBe(3 + 4);
    expect(delta().layouts.map(([path]) => path)).toContain(page);
    // an incident added: the whole state is written, with the delta's layouts in their buckets
    writeFileSync(
      join(root, X4.replace('extra-4', 'extra-new')),
      readFileSync(join(root, X4), 'utf8').replace(/^id: .*$/m, 'id: 2007-09-05-extra-new'),
    );
    await build(root);
    expect(existsSync(join(first.dir, '.state-delta'))).toBe(false);
    const whole = statSync(bucket);
    expect(whole.ino).not.toBe(written.ino);
    editTitle();
    const after = await build(root);
    expect(after.pieces.rendered).toBe(3 + 4);
    await expectSameAsFresh(root, after.dir);
    expect(statSync(bucket).ino).toBe(whole.ino);
  });
});

describe('columns of the kept state', () => {
  it('read, compare and replace entries as a list of strings would', () => {
    const values = ['a', '', 'ccc', 'dd', '', 'ffffff'];
    const column = Column.of(values, '\n');
    expect(column.valid()).toBe(true);
    expect(values.map((_, n) => column.get(n))).toEqual(values);
    expect(values.every((v, n) => column.equals(n, v) && !column.equals(n, `${v}x`))).toBe(true);
    const changes = new Map([
      [0, 'AAAA'],
      [2, ''],
      [5, 'f'],
    ]);
    const next = column.with(changes);
    const expected = values.map((v, n) => changes.get(n) ?? v);
    expect(next.text).toBe(expected.join('\n'));
    expect(expected.map((_, n) => next.get(n))).toEqual(expected);
    // offsets kept with the text agree with those found by scanning it
    const scanned = new Column(next.text, '\n', expected.length);
    expect([...scanned.index()]).toEqual([...next.index()]);
    expect(new Column('a\nb', '\n', 3).valid()).toBe(false);
    expect(Column.of([], '\n').valid()).toBe(true);
    // offsets kept with a text they do not fit: not valid
    const kept = (offsets: number[]) => new Column('ab\ncd\ne', '\n', 3, Uint32Array.from(offsets)).valid();
    expect(kept([0, 3, 6, 8])).toBe(true);
    expect(kept([1, 3, 6, 8])).toBe(false);
    expect(kept([0, 6, 3, 8])).toBe(false);
    expect(kept([0, 3, 3, 8])).toBe(false);
    expect(kept([0, 3, 6, 9])).toBe(false);
    expect(kept([0, 3, 6])).toBe(false);
    expect(new Column('', '\n', 0, Uint32Array.of(0)).valid()).toBe(true);
  });

  it('splits escaped fields as unescaping each would, with and without escapes', () => {
    for (const values of [['pop', 'imap', ''], ['a\u0000b', 'c\u0005d', 'e\nf', 'plain'], ['x'], []]) {
      const text = values.map(escapeField).join('\u0000');
      expect(unescapeFields(text, '\u0000')).toEqual(values.length === 1 && values[0] === '' ? [] : values);
    }
  });
});
