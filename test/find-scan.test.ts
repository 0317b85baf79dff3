import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statFiles } from '../src/db/file-stat.js';
import { startFindScan, takeFindScan } from '../src/db/find-scan.js';
import { scanIncidentFiles } from '../src/kb/files.js';
import { removeKb, tempKb } from './helpers/kb.js';

// `build` on Linux takes its incident files and their stats from GNU `find`, started before the
// CLI loads (src/db/find-scan.ts), and only when the answer is the walk's: else it walks.

const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

/** Incident files in nested folders, with every kind of name the walk takes or leaves out. */
function oddNames(): string {
  const files: Record<string, string> = {};
  for (let n = 0; n < 120; n++) files[`incidents/${2000 + (n % 7)}/q${n % 3}/inc-${n}.md`] = `---\nid: inc-${n}\n---\n${'x'.repeat(n)}`;
  Object.assign(files, {
    'incidents/UPPER.MD': 'upper case',
    'incidents/mixed.Md': 'mixed case',
    'incidents/with space\nand newline.md': 'odd name',
    'incidents/é-ü-中文.md': 'not ASCII',
    'incidents/😀 after.md': 'outside the BMP: sorted as UTF-16, as the walk sorts',
    'incidents/\uffff-last.md': 'after every surrogate in UTF-16 order, before them in UTF-8',
    'incidents/notes.txt': 'not an incident',
    'incidents/md': 'no dot',
    'incidents/.hidden.md': 'hidden file',
    'incidents/.hidden/skipped.md': 'hidden folder',
    'incidents/2001/.also-hidden/x.md': 'nested hidden folder',
  });
  const root = tempKb(files);
  mkdirSync(join(root, 'incidents/empty/deeper'), { recursive: true });
  roots.push(root);
  return root;
}

/** What `update` would have without `find`: the walk and the stats. */
function walked(root: string) {
  const scanned = scanIncidentFiles(root);
  return { scanned, stats: statFiles(root, scanned.files) };
}

/** Runs `body` with `PATH` starting with a folder holding `find` (a shell script). */
function withFind<T>(script: string, body: () => T): T {
  const bin = tempKb({ find: `#!/bin/sh\n${script}\n` });
  roots.push(bin);
  chmodSync(join(bin, 'find'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    return body();
  } finally {
    process.env.PATH = path;
  }
}

describe('the incident files and their stats from find', () => {
  it('are the walk’s files, in its order, with the stats statSync gives', () => {
    for (const root of [oddNames(), join(import.meta.dirname, '..'), join(import.meta.dirname, 'fixtures', 'public-incidents')]) {
      expect(startFindScan(root)).toBe(true);
      const found = takeFindScan(root);
      const { scanned, stats } = walked(root);
      expect(scanned.problems).toEqual([]);
      expect(found?.scanned).toEqual(scanned);
      expect(found?.stats).toEqual(stats);
    }
  });

  it('takes the root as data, whatever it holds', () => {
    const parent = tempKb({});
    roots.push(parent);
    const marker = join(parent, 'ran');
    const root = join(parent, `we ird'$(touch ${marker})"\`touch ${marker}\`;$HOME`);
    mkdirSync(join(root, 'incidents/2001'), { recursive: true });
    writeFileSync(join(root, 'incidents/2001/a b$(id).md'), 'x');
    startFindScan(root);
    const found = takeFindScan(root);
    expect(found?.scanned).toEqual(walked(root).scanned);
    expect(found?.scanned.files).toEqual(['incidents/2001/a b$(id).md']);
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps mtimeMs as Node makes it from the seconds and nanoseconds', () => {
    const root = tempKb({ 'incidents/a.md': 'a', 'incidents/b.md': 'b', 'incidents/c.md': 'c', 'incidents/d.md': 'd' });
    roots.push(root);
    // whole seconds, and nanoseconds whose milliseconds are not exact in binary
    spawnSync('touch', ['-d', '2007-06-04 09:10:00.000000000', join(root, 'incidents/a.md')]);
    spawnSync('touch', ['-d', '2007-06-04 09:10:00.123456789', join(root, 'incidents/b.md')]);
    spawnSync('touch', ['-d', '@0.000000001', join(root, 'incidents/c.md')]);
    // before 1970: find prints -1.5 for half a second before, as Node's seconds and nanoseconds are
    spawnSync('touch', ['-d', '@-0.5', join(root, 'incidents/d.md')]);
    startFindScan(root);
    expect(takeFindScan(root)?.stats).toEqual(walked(root).stats);
  });

  it('gives nothing where the walk has something to say, so that the walk runs and says it', () => {
    const cases: [string, (root: string) => void][] = [
      ['a symbolic link', (root) => symlinkSync(join(root, 'incidents/a.md'), join(root, 'incidents/link.md'))],
      ['a named pipe', (root) => spawnSync('mkfifo', [join(root, 'incidents/pipe.md')])],
      [
        'incidents/ a link to a folder',
        (root) => {
          rmSync(join(root, 'incidents'), { recursive: true });
          mkdirSync(join(root, 'elsewhere'));
          writeFileSync(join(root, 'elsewhere/a.md'), 'a');
          symlinkSync(join(root, 'elsewhere'), join(root, 'incidents'));
        },
      ],
      ['no incidents/', (root) => rmSync(join(root, 'incidents'), { recursive: true })],
      // Node reads the name as 'caf\ufffd.md', which is no file: the walk has no stat for it
      ['a name that is not UTF-8', (root) => writeFileSync(Buffer.from(join(root, 'incidents/caf\xe9.md'), 'latin1'), 'x')],
      [
        'incidents/ a file',
        (root) => {
          rmSync(join(root, 'incidents'), { recursive: true });
          writeFileSync(join(root, 'incidents'), 'a file');
        },
      ],
    ];
    for (const [name, make] of cases) {
      const root = tempKb({ 'incidents/a.md': 'a' });
      roots.push(root);
      make(root);
      expect(startFindScan(root), name).toBe(true);
      expect(takeFindScan(root), name).toBeUndefined();
    }
  });

  it('gives nothing from a find without -printf, one that fails or says anything on standard error', () => {
    const root = tempKb({ 'incidents/a.md': 'a' });
    roots.push(root);
    const scripts = [
      'echo "find: unknown predicate \\`-printf\'" >&2; exit 1', // BusyBox, BSD
      'exec /usr/bin/find "$@"; exit 0',
      '/usr/bin/find "$@"; echo "find: a warning" >&2',
      '/usr/bin/find "$@"; exit 1',
      'printf "d 4096 1.0 1 \\0f 1 nonsense\\0"',
    ];
    const answers = scripts.map((script) =>
      withFind(script, () => {
        expect(startFindScan(root)).toBe(true);
        return takeFindScan(root);
      }),
    );
    expect(answers.map((a) => a === undefined)).toEqual([true, false, true, true, true]);
    expect(answers[1]).toEqual({ ...walked(root), fromMs: answers[1]!.fromMs });
  });

  it('gives nothing when find is not done within 2 s, and stops it', () => {
    const root = tempKb({ 'incidents/a.md': 'a' });
    roots.push(root);
    const pidFile = join(root, 'pid');
    const started = Date.now();
    const answer = withFind(`echo $$ > '${pidFile}'; sleep 30`, () => {
      startFindScan(root);
      return takeFindScan(root);
    });
    expect(answer).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(Date.now() - started).toBeLessThan(3500);
    // the script that stood for find was stopped with the shell (their process group)
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let waited = 0; alive() && waited < 2000; waited += 10) spawnSync('sleep', ['0.01']);
    expect(alive()).toBe(false);
  });

  it('gives nothing for another root, when nothing was started, or twice', () => {
    const root = tempKb({ 'incidents/a.md': 'a' });
    roots.push(root);
    expect(takeFindScan(root)).toBeUndefined();
    startFindScan(root);
    expect(takeFindScan(`${root}-other`)).toBeUndefined();
    expect(takeFindScan(root)).toBeUndefined();
    startFindScan(root);
    expect(takeFindScan(root)?.scanned.files).toEqual(['incidents/a.md']);
    expect(takeFindScan(root)).toBeUndefined();
  });

  it('takes the time before find began as the start of the stamps’ window', () => {
    const root = tempKb({ 'incidents/a.md': 'a' });
    roots.push(root);
    const before = Date.now();
    startFindScan(root);
    const after = Date.now();
    const { fromMs } = takeFindScan(root)!;
    expect(fromMs).toBeGreaterThanOrEqual(before);
    expect(fromMs).toBeLessThanOrEqual(after);
  });
});
