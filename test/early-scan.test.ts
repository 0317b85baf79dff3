import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuild } from '../src/commands/build.js';
import { MessageChannel } from 'node:worker_threads';
import { answerEarlyScan, earlyScanPending, earlyScanWorthIt, rootOf, startEarlyScan, takeEarlyScan } from '../src/db/early-scan.js';
import { statFiles } from '../src/db/file-stat.js';
import { scanIncidentFiles } from '../src/kb/files.js';
import { captureContext, editFirstTitle, removeKb, tempKb } from './helpers/kb.js';
import { generateKnowledgeBase } from '../src/bench/generate.js';
import { fixtureFiles } from './fixtures/db-kb.js';

/** The thread's bundle as `npm run build` writes it (what `start.ts` starts for `build`). */
const BUNDLE = join(import.meta.dirname, '..', 'dist', 'disk-scan.cjs');

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) removeKb(root);
});

/** A knowledge base of `count` incident files in nested folders, with what the scan reports or leaves out. */
function manyFiles(count: number): string {
  const files: Record<string, string> = {};
  for (let n = 0; n < count; n++)
    files[`incidents/${2000 + (n % 7)}/q${n % 3}/inc-${n}.md`] = `---\nid: inc-${n}\n---\n${'x'.repeat(n % 50)}`;
  files['incidents/UPPER.MD'] = 'upper';
  files['incidents/with space\nand newline.md'] = 'odd name';
  files['incidents/notes.txt'] = 'not an incident';
  files['incidents/.hidden/skipped.md'] = 'hidden';
  const root = tempKb(files);
  symlinkSync(join(root, 'incidents/UPPER.MD'), join(root, 'incidents/link.md'));
  mkdirSync(join(root, 'incidents/empty'));
  roots.push(root);
  return root;
}

/** The thread's answer for `root`, after it has begun (a scan claimed before it begins is started again). */
async function answered(root: string) {
  for (let attempt = 0; attempt < 8; attempt++) {
    startEarlyScan(root, BUNDLE);
    for (let waited = 0; earlyScanPending() === 'waiting' && waited < 5000; waited += 5) await sleep(5);
    // sometimes at once, sometimes after the thread has stat'ed some or all: both threads' shares
    if (attempt % 2 === 1) await sleep(10 * attempt);
    const got = takeEarlyScan(root, scanIncidentFiles);
    if (got) return got;
  }
  throw new Error('the thread never answered');
}

describe('the incident files scanned on a thread while the CLI loads', () => {
  it('reads --root as the command line gives it', () => {
    expect(rootOf(['build', '--root', 'kb'])).toBe(join(process.cwd(), 'kb'));
    expect(rootOf(['build', '--root=kb/../kb2'])).toBe(join(process.cwd(), 'kb2'));
    expect(rootOf(['--out', 'o', 'build', '--root', '/abs/kb'])).toBe('/abs/kb');
    expect(rootOf(['build'])).toBe(process.cwd());
    expect(rootOf(['build', '--', '--root', 'x'])).toBe(process.cwd());
  });

  it('answers with the files, problems and stats scanIncidentFiles and statFiles give, whoever stats them', async () => {
    const root = manyFiles(1300);
    for (let run = 0; run < 4; run++) {
      const before = Date.now();
      const got = await answered(root);
      const scanned = scanIncidentFiles(root);
      expect(got.scanned).toEqual(scanned);
      expect(got.stats).toEqual(statFiles(root, scanned.files));
      expect(got.scanned.files.length).toBe(1302);
      expect(got.scanned.problems.map((p) => p.file)).toEqual(['incidents/link.md']);
      expect(got.fromMs).toBeGreaterThanOrEqual(before);
      expect(got.fromMs).toBeLessThanOrEqual(Date.now());
      expect(earlyScanPending()).toBe('none');
    }
  });

  it('answers as the main thread for a root without incidents/', async () => {
    const root = tempKb({ 'postmortem.config.yaml': '' });
    roots.push(root);
    const got = await answered(root);
    expect(got.scanned).toEqual(scanIncidentFiles(root));
    expect(got.scanned.problems).toHaveLength(1);
    expect(got.stats).toEqual([]);
  });

  it('gives nothing to take for another root, when nothing was started, twice, or when the thread cannot start', async () => {
    const root = manyFiles(5);
    expect(takeEarlyScan(root, scanIncidentFiles)).toBeUndefined();
    startEarlyScan(root, BUNDLE);
    expect(takeEarlyScan(join(root, 'other'), scanIncidentFiles)).toBeUndefined();
    expect(earlyScanPending()).toBe('none');
    expect(takeEarlyScan(root, scanIncidentFiles)).toBeUndefined();
    // a thread that never begins: the main thread walks and stats alone
    startEarlyScan(root, join(root, 'no-such-bundle.cjs'));
    await sleep(300);
    const alone = takeEarlyScan(root, scanIncidentFiles);
    expect(alone?.scanned).toEqual(scanIncidentFiles(root));
    expect(alone?.stats).toEqual(statFiles(root, alone!.scanned.files));
    expect(earlyScanPending()).toBe('none');
  });

  it('walks on the main thread when it asks before the thread began, with the same answer', () => {
    const root = manyFiles(1300);
    for (let run = 0; run < 4; run++) {
      const before = Date.now();
      startEarlyScan(root, BUNDLE);
      expect(earlyScanPending()).toBe('waiting'); // the thread takes tens of milliseconds to begin
      const got = takeEarlyScan(root, scanIncidentFiles);
      expect(got?.scanned).toEqual(scanIncidentFiles(root));
      expect(got?.stats).toEqual(statFiles(root, got!.scanned.files));
      expect(got!.fromMs).toBeGreaterThanOrEqual(before);
      got!.afterScan(undefined);
    }
  });

  it('stats its share of the files the main thread walked and posted, then waits for the warm-up request', () => {
    const root = manyFiles(1300);
    const { files } = scanIncidentFiles(root);
    const { port1, port2 } = new MessageChannel();
    const control = new Int32Array(new SharedArrayBuffer(12));
    const stats = new Float64Array(new SharedArrayBuffer(files.length * 3 * 8));
    port1.postMessage({ files: files.join('\0'), count: files.length, problems: [], stats, fromMs: Date.now() });
    Atomics.store(control, 0, 2); // STATTING: the main thread's files posted
    const warmed: unknown[] = [];
    answerEarlyScan(
      { root, control, port: port2 },
      () => {
        throw new Error('the thread walked again');
      },
      (request) => warmed.push(request),
    );
    expect(Atomics.load(control, 2)).toBe(files.length);
    const packed = statFiles(root, files).flatMap((s) => (s ? [s.size, s.mtimeMs, s.ino] : [Number.NaN, Number.NaN, Number.NaN]));
    expect([...stats]).toEqual(packed);
    port1.close();
    port2.close();
  });

  it('builds the same database, report and stamps from the thread’s answer as from its own scan', async () => {
    const rowsOf = (path: string, sql: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(sql).raw().all();
      } finally {
        db.close();
      }
    };
    // 'begun': the thread has begun when the build asks; 'first': the build asks at once (the main thread walks)
    const outcome = async (root: string, early: 'begun' | 'first' | false) => {
      if (early) startEarlyScan(root, BUNDLE);
      while (early === 'begun' && earlyScanPending() === 'waiting') await sleep(5);
      const ctx = captureContext(root, { now: '2007-07-01' });
      const result = await runBuild(ctx);
      expect(earlyScanPending()).toBe('none');
      const out = join(root, 'out');
      return {
        exit: result.exitCode,
        stdout: ctx.out_().replaceAll(basename(root), 'KB'), // the folder's own name: the build prints it relative to the current folder
        stderr: ctx.err_(),
        incidents: rowsOf(join(out, 'postmortems.db'), 'SELECT * FROM incidents ORDER BY id'),
        files: rowsOf(join(out, 'postmortems.db'), 'SELECT * FROM files ORDER BY 1'),
        stamps: rowsOf(join(out, '.postmortems.db.cache'), 'SELECT file, size, digest FROM stamps ORDER BY 1'),
        site: readFileSync(join(out, 'site', 'index.html'), 'utf8'),
      };
    };
    const a = tempKb(fixtureFiles());
    const b = tempKb(fixtureFiles());
    const c = tempKb(fixtureFiles());
    roots.push(a, b, c);
    const steps: ((root: string) => void)[] = [
      () => undefined,
      (root) => writeFileSync(join(root, 'incidents/extra.md'), readFileSync(join(root, 'postmortem.config.yaml'))),
      (root) => rmSync(join(root, 'incidents/extra.md')),
      (root) => symlinkSync(join(root, 'postmortem.config.yaml'), join(root, 'incidents/link.md')),
      (root) => writeFileSync(join(root, 'incidents/extra.md'), 'a new file with no front matter'),
    ];
    for (const step of steps) {
      step(a);
      step(b);
      step(c);
      const alone = await outcome(b, false);
      expect(await outcome(a, 'begun')).toEqual(alone);
      expect(await outcome(c, 'first')).toEqual(alone);
    }
  });
});

describe('earlyScanWorthIt', () => {
  it('starts the thread only over a large database a previous build left, found as the CLI finds it', () => {
    const root = tempKb({ 'incidents/a.md': 'x', 'elsewhere/keep.txt': 'x' });
    roots.push(root);
    const database = (path: string, bytes: number) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, '');
      truncateSync(path, bytes);
    };
    expect(earlyScanWorthIt(['build', '--root', root], root)).toBe(false); // a first build: no database
    database(join(root, 'out', 'postmortems.db'), 100_000);
    expect(earlyScanWorthIt(['build', '--root', root], root)).toBe(false); // a small knowledge base
    database(join(root, 'out', 'postmortems.db'), 9_000_000);
    expect(earlyScanWorthIt(['build', '--root', root], root)).toBe(true);
    expect(earlyScanWorthIt(['build', '--root', root, `--out=${join(root, 'elsewhere')}`], root)).toBe(false);
    database(join(root, 'elsewhere', 'postmortems.db'), 9_000_000);
    expect(earlyScanWorthIt(['build', '--out', join(root, 'elsewhere')], root)).toBe(true);
    expect(earlyScanWorthIt(['build', '--db', join(root, 'elsewhere', 'keep.txt')], root)).toBe(false);
    expect(earlyScanWorthIt(['build', '--', '--db', join(root, 'elsewhere', 'keep.txt')], root)).toBe(true);
  });
});

describe('`build` through the CLI, with its files from find or from the walk', () => {
  it('asks find first over a large database, and builds the same when find cannot answer', () => {
    const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
    const a = join(tempKb({}), 'kb');
    roots.push(join(a, '..'));
    generateKnowledgeBase(a, 400, 7); // a database of ~10 MB: the scan is started (earlyScanWorthIt)
    const build = (root: string, path: string) => {
      const run = spawnSync(process.execPath, [cli, 'build', '--root', root, '--now', '2030-01-01'], {
        encoding: 'utf8',
        cwd: root, // paths printed relative to it: the same in both knowledge bases
        env: { ...process.env, PATH: path },
      });
      return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    };
    // `find` on the PATH: one that notes each call and runs GNU find, one that notes it and fails as BusyBox's does
    const bin = (name: string, script: string) => {
      const folder = join(a, '..', name);
      mkdirSync(folder);
      writeFileSync(join(folder, 'find'), `#!/bin/sh\necho ${name} >> "${join(a, '..', 'calls')}"\n${script}\n`);
      chmodSync(join(folder, 'find'), 0o755);
      return `${folder}:${process.env.PATH}`;
    };
    const gnu = bin('gnu', 'exec /usr/bin/find "$@"');
    const busybox = bin('busybox', 'echo "find: unrecognized: -printf" >&2; exit 1');
    expect(build(a, gnu).status).toBe(0);
    expect(statSync(join(a, 'out', 'postmortems.db')).size).toBeGreaterThan(8_000_000);
    expect(existsSync(join(a, '..', 'calls'))).toBe(false); // no database yet: nothing started
    const b = join(a, '..', 'kb2');
    cpSync(a, b, { recursive: true });
    rmSync(join(a, '..', 'calls'), { force: true });
    const rows = (root: string) => {
      const db = new Database(join(root, 'out', 'postmortems.db'), { readonly: true });
      try {
        return ['incidents', 'files', 'problems'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().all());
      } finally {
        db.close();
      }
    };
    for (const step of ['(first)', '(second)']) {
      editFirstTitle(a, step);
      editFirstTitle(b, step);
      const fromFind = build(a, gnu);
      const walked = build(b, busybox);
      expect(fromFind).toEqual(walked);
      expect(fromFind.stdout).toContain('(0 added, 1 changed, 0 removed; 1 file parsed)');
      expect(rows(a)).toEqual(rows(b));
      expect(readFileSync(join(a, 'out', 'site', 'index.html'), 'utf8')).toBe(readFileSync(join(b, 'out', 'site', 'index.html'), 'utf8'));
    }
    expect(readFileSync(join(a, '..', 'calls'), 'utf8')).toBe('gnu\nbusybox\ngnu\nbusybox\n');
  });
});
