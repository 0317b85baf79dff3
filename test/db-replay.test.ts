import Database from 'better-sqlite3';
import { closeSync, openSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_STEPS } from '../src/build/steps.js';
import { runBuild } from '../src/commands/build.js';
import { reportPathFor } from '../src/db/cache.js';
import { cachePathFor, updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { copyFile, fileStampOf } from '../src/db/replay.js';
import { formatProblems } from '../src/problems.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { CONFIG, fixtureFiles, LB, pathOf } from './fixtures/db-kb.js';

// The database's part of `build` only: the steps (letters, packets, site) have their own tests.
const realSteps = [...BUILD_STEPS];
beforeAll(() => {
  BUILD_STEPS.splice(0, BUILD_STEPS.length);
});
afterAll(() => {
  BUILD_STEPS.splice(0, BUILD_STEPS.length, ...realSteps);
});

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

const MARKER = 'replayed from the stored report\n';
const LONG_AGO = new Date('2020-01-01T00:00:00Z');

/** Every file of the knowledge base dated long ago: a file changed within 2 s of a build is never replayed. */
function age(root: string, dir = root): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'out') age(root, path);
    } else utimesSync(path, LONG_AGO, LONG_AGO);
  }
}

function setup() {
  const root = tempKb(fixtureFiles());
  roots.push(root);
  age(root);
  return root;
}

async function build(root: string, now = '2007-07-01') {
  const ctx = captureContext(root, { now });
  const { exitCode } = await runBuild(ctx);
  return { exitCode, out: ctx.out_(), err: ctx.err_() };
}

/** Changes the stored report (only the cache's copy: the files and the database are left alone). */
function storeMarker(root: string): void {
  const cachePath = cachePathFor(join(root, 'out', 'postmortems.db'));
  writeFileSync(reportPathFor(cachePath), MARKER);
  const cache = new Database(cachePath);
  try {
    expect(cache.prepare('UPDATE replay SET report_stamp = ?').run(fileStampOf(reportPathFor(cachePath))).changes).toBe(1);
  } finally {
    cache.close();
  }
}

function forgetReplay(root: string): void {
  const cache = new Database(cachePathFor(join(root, 'out', 'postmortems.db')));
  try {
    cache.prepare('DELETE FROM replay').run();
  } finally {
    cache.close();
  }
}

/** What the same build prints without a replay (the files checked against the database, as before). */
async function withoutReplay(root: string, now?: string) {
  forgetReplay(root);
  return build(root, now);
}

describe('build with nothing changed: the previous problems replayed', () => {
  it('prints exactly what the build without a replay prints (stdout, stderr, exit code), from the stored report', async () => {
    const root = setup();
    symlinkSync(join(root, pathOf(LB)), join(root, 'incidents', 'link.md')); // a problem the scan finds afresh
    writeFileSync(join(root, 'postmortem.config.yaml'), `${CONFIG}unknown_key: 1\n`); // and one of the config
    utimesSync(join(root, 'postmortem.config.yaml'), LONG_AGO, LONG_AGO);
    const first = await build(root);
    expect(first.exitCode).toBe(1);
    expect(first.out).toMatch(/error .*\n/);
    expect(first.out).toMatch(/warning symbolic link not followed/);
    const replayed = await build(root);
    const plain = await withoutReplay(root);
    expect(replayed).toEqual(plain);
    expect(replayed.out.split('\n').filter((l) => !l.startsWith('Database '))).toEqual(
      first.out.split('\n').filter((l) => !l.startsWith('Database ')),
    );
    // The next build prints the report the cache holds: it is the one replayed.
    storeMarker(root);
    expect((await build(root)).out.startsWith(MARKER)).toBe(true);
    // A report file other than the one written for the stored row (an interrupted build's) is not replayed.
    writeFileSync(reportPathFor(cachePathFor(join(root, 'out', 'postmortems.db'))), `${MARKER}!`);
    expect(await build(root)).toEqual(plain);
  });

  const changes: [string, (root: string) => void, string?][] = [
    [
      'an incident edited to the same size',
      (root) => writeFileSync(join(root, pathOf(LB)), readFileSync(join(root, pathOf(LB)), 'utf8').replace('Load', 'Lxad')),
    ],
    ['an incident only touched', (root) => utimesSync(join(root, pathOf(LB)), new Date('2021-01-01'), new Date('2021-01-01'))],
    ['an incident removed', (root) => rmSync(join(root, pathOf(LB)))],
    ['an incident added', (root) => writeFileSync(join(root, 'incidents', '2007-09-09-new.md'), '---\nid: 2007-09-09-new\n---\n')],
    ['the config changed', (root) => writeFileSync(join(root, 'postmortem.config.yaml'), CONFIG.replace('America/New_York', 'UTC'))],
    ['a symbolic link added', (root) => symlinkSync(join(root, pathOf(LB)), join(root, 'incidents', 'link.md'))],
    ['the database removed', (root) => rmSync(join(root, 'out', 'postmortems.db'))],
    ['another evaluation date', () => undefined, '2007-08-01'],
  ];
  it.each(changes)('is not used after %s: the output is that of a build without it', async (_, change, now) => {
    const root = setup();
    await build(root);
    storeMarker(root);
    change(root);
    const after = await build(root, now);
    expect(after.out).not.toContain(MARKER);
    const plain = await withoutReplay(root, now);
    const problemLines = (out: string) => out.split('\n').filter((l) => !l.startsWith('Database '));
    expect(problemLines(after.out)).toEqual(problemLines(plain.out));
    expect([after.err, after.exitCode]).toEqual([plain.err, plain.exitCode]);
    expect(statSync(join(root, 'out', 'postmortems.db')).size).toBeGreaterThan(0);
  });
});

describe('the replayed report, read when printed', () => {
  it('is copied whole, in chunks, to an output that keeps every chunk it is given', () => {
    const root = setup();
    const path = join(root, 'report.txt');
    const text = Array.from({ length: 40_000 }, (_, i) => `incidents/x.md:${i}:1: warning line ${i} [r]\n`).join('');
    writeFileSync(path, text);
    const kept: (string | Uint8Array)[] = [];
    const fd = openSync(path, 'r');
    try {
      copyFile(fd, { write: (chunk) => kept.push(chunk) });
    } finally {
      closeSync(fd);
    }
    expect(kept.length).toBeGreaterThan(4);
    expect(Buffer.concat(kept.map((c) => Buffer.from(c))).toString('utf8')).toBe(text);
  });

  it('is made again from the database when its file was replaced after the replay was found', async () => {
    const root = setup();
    const first = await build(root);
    const ctx = captureContext(root, { now: '2007-07-01' });
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.rebuilt).toBe(false);
    writeFileSync(reportPathFor(cachePathFor(kb.dbPath)), MARKER); // another build's, renamed in its place
    kb.report.writeTo(ctx.stdout);
    expect(ctx.out_()).not.toContain(MARKER);
    expect(ctx.out_()).toMatch(/^\S+:\d+:\d+: (error|warning) /);
    expect(ctx.out_()).toBe(formatProblems(kb.problems));
    expect(first.out.startsWith(ctx.out_())).toBe(true);
    expect(Buffer.from(kb.report.bytes).toString()).toBe(ctx.out_());
  });

  it('is that of a build that checked every file too (printed from the file it wrote, or made again when replaced)', async () => {
    const root = setup();
    const ctx = captureContext(root, { now: '2007-07-01' });
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.rebuilt).toBe(true);
    const text = formatProblems(kb.problems);
    expect(text).toMatch(/^\S+:\d+:\d+: (error|warning) /);
    expect(readFileSync(reportPathFor(cachePathFor(kb.dbPath)), 'utf8')).toBe(text);
    expect(Buffer.from(kb.report.bytes).toString()).toBe(text);
    writeFileSync(reportPathFor(cachePathFor(kb.dbPath)), MARKER); // another build's, renamed in its place
    kb.report.writeTo(ctx.stdout);
    expect(ctx.out_()).toBe(text);
  });
});
