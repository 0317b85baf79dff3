import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKnowledgeBase } from '../src/bench/generate.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { editFirstTitle, siteFiles, tempDirs } from './helpers/kb.js';

// src/quick-exit.ts: a command ends where Node would end it, without V8's heap teardown
// (`npm run build` first). Node's `--trace-exit` prints "Exited the environment with code N"
// when `process.exit()` ends the process, and nothing when it ends by itself: it shows that the
// quick exit was taken, and that it was taken only when nothing was left to do.

const CLI = join(PACKAGE_ROOT, 'dist/cli.js');
const QUICK_EXIT = join(PACKAGE_ROOT, 'dist/quick-exit.js');
const NOW = '2007-07-01';
const { tempDir, removeAll } = tempDirs('quick-exit');
afterAll(removeAll);

/**
 * `node --trace-exit <args>` with stdout through a pipe that a reader empties only after half a
 * second (a 64 KB pipe is full long before): stdout's bytes as the reader got them, stderr, and
 * the exit code.
 */
function throughSlowPipe(args: string[], env: Record<string, string> = {}) {
  const dir = tempDir();
  const got = join(dir, 'stdout');
  const status = join(dir, 'status');
  const command = `"$NODE" --trace-exit "$@" 2>"$ERR" | (sleep 0.5; cat > "$GOT"); echo "\${PIPESTATUS[0]}" > "$STATUS"`;
  const run = spawnSync('bash', ['-c', command, 'bash', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env, NODE: process.execPath, ERR: join(dir, 'stderr'), GOT: got, STATUS: status, NO_COLOR: '1' },
    timeout: 120_000,
  });
  expect(run.status).toBe(0);
  return {
    stdout: readFileSync(got, 'utf8'),
    stderr: readFileSync(join(dir, 'stderr'), 'utf8'),
    status: Number(readFileSync(status, 'utf8')),
  };
}

const QUICK = /Exited the environment with code (\d+)/g;
const quickExits = (stderr: string) => [...stderr.matchAll(QUICK)].map((m) => Number(m[1]));

describe('a command ends without the heap teardown, once nothing is left to do', () => {
  it('after every pending write, timer and late `beforeExit` work, with its exit code and `exit` listeners run once', () => {
    const dir = tempDir();
    const early = join(dir, 'early.bin');
    const late = join(dir, 'late.bin');
    const script = `
      import { writeFile } from 'node:fs/promises';
      import { exitWithoutTeardown } from ${JSON.stringify(QUICK_EXIT)};
      exitWithoutTeardown();
      process.on('exit', (code) => process.stderr.write('exit listener ' + code + '\\n'));
      process.exitCode = 3;
      // 4 MB to a pipe its reader empties later, and 8 MB written by libuv's threads
      process.stdout.write('x'.repeat(4 << 20) + 'END');
      void writeFile(${JSON.stringify(early)}, Buffer.alloc(8 << 20, 1));
      // work a later listener starts when the loop is first empty (as the worker pool does)
      let once = true;
      process.on('beforeExit', () => {
        if (!once) return;
        once = false;
        setTimeout(() => writeFile(${JSON.stringify(late)}, Buffer.alloc(16 << 20, 2)).then(() => process.stderr.write('late write done\\n')), 50);
      });`;
    const run = throughSlowPipe(['--input-type=module', '-e', script]);
    expect(run.status).toBe(3);
    expect(run.stdout).toHaveLength((4 << 20) + 3);
    expect(run.stdout.endsWith('xEND')).toBe(true);
    expect(readFileSync(early).equals(Buffer.alloc(8 << 20, 1))).toBe(true);
    expect(readFileSync(late).equals(Buffer.alloc(16 << 20, 2))).toBe(true);
    expect(run.stderr.match(/late write done|exit listener \d+/g)).toEqual(['late write done', 'exit listener 3']);
    expect(quickExits(run.stderr)).toEqual([3]);
  });

  it('not when an `exit` listener was added after the last `beforeExit`: the process ends as before', () => {
    const script = `
      import { exitWithoutTeardown } from ${JSON.stringify(QUICK_EXIT)};
      exitWithoutTeardown();
      process.on('beforeExit', () => process.on('exit', () => process.stderr.write('added late\\n')));
      process.stdout.write('done');`;
    const run = throughSlowPipe(['--input-type=module', '-e', script]);
    expect(run).toMatchObject({ status: 0, stdout: 'done' });
    expect(run.stderr).toContain('added late');
    expect(quickExits(run.stderr)).toEqual([]);
  });

  it('`postmortem build`: stdout whole through a slow pipe, the pages written after an edit (spliced big pages included) whole, exit codes kept', () => {
    // 70 incidents: worker threads parse and render the first build and write their code caches
    // on `beforeExit`; the edit's build splices the big listing pages, written by libuv's threads
    const kb = tempDir();
    generateKnowledgeBase(kb, 70, 7);
    const out = tempDir();
    const cacheHome = tempDir();
    const build = () => throughSlowPipe(['--', CLI, 'build', '--root', kb, '--out', out, '--now', NOW], { XDG_CACHE_HOME: cacheHome });
    const first = build();
    expect(first.status).toBe(0);
    expect(quickExits(first.stderr)).toEqual([0]);
    expect(first.stdout).toMatch(
      /^Database .*: 70 incidents \(70 added[\s\S]*^site: (\d+) of \1 files rendered again[\s\S]*^0 errors, \d+ warnings\.\n$/m,
    );
    expect(readdirSync(join(cacheHome, 'postmortem-kb', 'code')).length).toBeGreaterThan(1); // the threads' caches too

    const file = editFirstTitle(kb, ' (edited)');
    const edited = build();
    expect(edited.status).toBe(0);
    expect(quickExits(edited.stderr)).toEqual([0]);
    expect(edited.stdout).toMatch(
      /^Database .*: 70 incidents \(0 added, 1 changed[\s\S]*^site: [1-9]\d* of \d+ files rendered again[\s\S]*^0 errors, \d+ warnings\.\n$/m,
    );

    const fresh = tempDir();
    const scratch = spawnSync(process.execPath, [CLI, 'build', '--root', kb, '--out', fresh, '--now', NOW], { encoding: 'utf8' });
    expect(scratch.status).toBe(0);
    const pages = siteFiles(out);
    expect(pages['index.html']).toContain('(edited)');
    expect(pages).toEqual(siteFiles(fresh));

    writeFileSync(file, readFileSync(file, 'utf8').replace(/^severity: .*$/m, 'severity: SEV9'));
    const failing = build();
    expect(failing.status).toBe(1);
    expect(quickExits(failing.stderr)).toEqual([1]);
    expect(failing.stdout).toMatch(/error .*SEV9/);

    const usage = throughSlowPipe(['--', CLI, 'biuld']);
    expect(usage.status).toBe(2);
    expect(quickExits(usage.stderr)).toEqual([2]);
    expect(usage.stderr).toContain('Run "postmortem --help" for usage.');
  });
});
