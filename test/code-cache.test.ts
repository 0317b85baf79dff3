import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKnowledgeBase } from '../src/bench/generate.js';
import { runCheck } from '../src/commands/check.js';
import { CACHE_FOLDER_BYTES, pruneCacheFolder } from '../src/code-cache.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { BASE_CONFIG, BASE_INCIDENT } from '../src/rules/fixtures.js';
import { captureContext, editFirstTitle, removeKb, siteFiles, tempKb } from './helpers/kb.js';

// A named command runs dist/cli.cjs with V8's code cache of that command (src/start.ts,
// src/code-cache.ts; `npm run build` first). Whatever the cache holds, it prints what the
// ES-module path prints.

const CLI = join(PACKAGE_ROOT, 'dist/cli.js');
const NOW = '2007-07-01';
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeKb));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pmkb-code-cache-'));
  dirs.push(dir);
  return dir;
};

const incident = (id: string, edit: (text: string) => string = (t) => t) => edit(BASE_INCIDENT.replace('id: 2007-06-04-lb', `id: ${id}`));
const root = tempKb({
  'postmortem.config.yaml': BASE_CONFIG,
  'incidents/2007-06-04-lb.md': BASE_INCIDENT,
  'incidents/b-local-time.md': incident('b-local-time', (t) =>
    t.replace('started: 2007-06-04T09:10:00-04:00', 'started: 2007-06-04 09:10'),
  ),
  // a heading in the customer summary: the rule parses it with remark, loaded on demand
  'incidents/c-heading.md': incident('c-heading', (t) => `${t}\n## Customer summary\n\nMail was slow.\n\n### Root cause\n\nA surge.\n`),
  'incidents/d-unknown.md': incident('d-unknown', (t) => t.replace('services: [webmail]', 'services: [webmail, fax]\ncolour: red')),
});
dirs.push(root);
const files = ['incidents/b-local-time.md', 'incidents/c-heading.md', 'incidents/d-unknown.md'].map((f) => join(root, f));
const build = spawnSync(process.execPath, [CLI, 'build', '--root', root, '--now', NOW], { encoding: 'utf8' });

/** What the ES-module path (`runCheck`, as `cli.ts` calls it) prints for these files, and its exit code. */
function expected(): { stdout: string; status: number } {
  const ctx = captureContext(root, { now: NOW });
  const { exitCode } = runCheck(ctx, { paths: files, format: 'text' });
  return { stdout: ctx.out_(), status: exitCode };
}

function check(cacheHome: string) {
  const run = spawnSync(process.execPath, [CLI, 'check', '--root', root, '--now', NOW, ...files], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' },
  });
  return { stdout: run.stdout, status: run.status, stderr: run.stderr };
}

const cacheFiles = (cacheHome: string) => {
  const dir = join(cacheHome, 'postmortem-kb', 'code');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
};

/** A cache file as `code-cache.ts` writes it (digest, a byte, then V8's data), of V8 data for another script. */
function foreignCache(): Buffer {
  const rest = Buffer.concat([Buffer.of(0), new Script('globalThis.somethingElse = 1 + 1;').createCachedData()]);
  return Buffer.concat([createHash('sha256').update(rest).digest(), rest]);
}

describe('postmortem check with the code cache', () => {
  it('prints the same problems and exit code without a cache, with one, and with a damaged or foreign one', () => {
    expect([0, 1], build.stderr).toContain(build.status); // the build reports the same problems
    const want = expected();
    expect(want.stdout).toContain('[timestamp-offset]');
    expect(want.stdout).toContain('[internal-heading]');
    expect(want.status).toBe(1);
    const home = tempDir();

    expect(check(home)).toEqual({ ...want, stderr: '' });
    const [cache] = cacheFiles(home);
    expect(cache).toBeDefined();
    expect(check(home)).toEqual({ ...want, stderr: '' });

    const damaged = readFileSync(cache!);
    damaged.fill(0x5a, 4000, 4100);
    writeFileSync(cache!, damaged);
    expect(check(home)).toEqual({ ...want, stderr: '' });
    expect(
      readFileSync(cache!)
        .subarray(4000, 4100)
        .every((b) => b === 0x5a),
    ).toBe(false);

    writeFileSync(cache!, foreignCache());
    expect(check(home)).toEqual({ ...want, stderr: '' });
    writeFileSync(cache!, 'not a cache');
    expect(check(home)).toEqual({ ...want, stderr: '' });
    expect(cacheFiles(home)).toEqual([cache]);
  });

  it('runs every named command from a cache of its own, printing what it prints without one', () => {
    const out = tempDir();
    const run = (cacheHome: string, args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, ...args, '--root', root, '--out', out, '--now', NOW], {
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' },
      });
      return { stdout: r.stdout, stderr: r.stderr, status: r.status };
    };
    run(tempDir(), ['build']); // the first build writes the documents; the runs below have nothing to do
    const home = tempDir();
    const build = run(home, ['build']);
    expect(build.stdout).toContain('is up to date');
    expect(build.status).toBe(1);
    expect(cacheFiles(home)).toHaveLength(1);
    expect(run(home, ['build'])).toEqual(build);
    const stats = run(home, ['stats', '--format', 'json']);
    expect(JSON.parse(stats.stdout)).not.toHaveLength(0);
    expect(cacheFiles(home)).toHaveLength(2);
    expect(run(home, ['stats', '--format', 'json'])).toEqual(stats);
    for (const file of cacheFiles(home)) writeFileSync(file, foreignCache());
    expect(run(home, ['build'])).toEqual(build);
    expect(run(home, ['stats', '--format', 'json'])).toEqual(stats);
    expect(cacheFiles(home)).toHaveLength(2);
  });

  it('keeps the cache folder within its size: the caches written longest ago go, never the one just written', () => {
    const home = tempDir();
    const dir = join(home, 'postmortem-kb', 'code');
    mkdirSync(dir, { recursive: true });
    // another install's cache, written long ago, that alone passes the limit (a sparse file: no disk used)
    const old = join(dir, 'another-install.0123.bin');
    writeFileSync(old, '');
    truncateSync(old, CACHE_FOLDER_BYTES + 1);
    utimesSync(old, new Date('2026-01-01'), new Date('2026-01-01'));
    expect(check(home)).toEqual({ ...expected(), stderr: '' });
    expect(existsSync(old)).toBe(false);
    expect(cacheFiles(home)).toHaveLength(1);
    expect(check(home)).toEqual({ ...expected(), stderr: '' });
  });

  it('still checks when the cache folder cannot be written', () => {
    const blocked = join(tempDir(), 'a-file');
    writeFileSync(blocked, '');
    expect(check(blocked)).toEqual({ ...expected(), stderr: '' });
  });
});

describe('the code cache of `build`', () => {
  it('is written again by the first run of each kind it has not seen (from scratch, nothing changed, an edit), then no more', () => {
    const kb = tempDir();
    generateKnowledgeBase(kb, 20, 7);
    // files written a moment ago are hashed again, not trusted by their stamps (a build with nothing
    // changed then is not a replay): every file, and each edit, dated an hour back
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const f of readdirSync(kb, { recursive: true }) as string[]) utimesSync(join(kb, f), anHourAgo, anHourAgo);
    const edit = (suffix: string, minutes: number) => {
      const t = new Date(anHourAgo.getTime() + minutes * 60_000);
      utimesSync(editFirstTitle(kb, suffix), t, t);
    };
    const out = tempDir();
    const home = tempDir();
    const build = () => {
      const run = spawnSync(process.execPath, [CLI, 'build', '--root', kb, '--out', out, '--now', NOW], {
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: home, NO_COLOR: '1' },
      });
      expect(run.status).toBe(0);
      const files = cacheFiles(home);
      expect(files).toHaveLength(1);
      return readFileSync(files[0]!);
    };
    const first = build(); // from scratch, without a cache: written
    const replay = build(); // nothing changed, the first run to take it: written again (settled)
    expect(replay.equals(first)).toBe(false);
    expect(build().equals(replay)).toBe(true);
    edit(' (edited)', 1);
    const update = build(); // an edit, a kind the cache has not seen: written again
    expect(update.equals(replay)).toBe(false);
    edit(' (again)', 2);
    expect(build().equals(update)).toBe(true);
    expect(build().equals(update)).toBe(true);
  });
});

describe('pruneCacheFolder', () => {
  it('removes the caches written longest ago until the folder is within the limit, and temporary files left behind', () => {
    const dir = tempDir();
    const at = (name: string, bytes: number, minutesAgo: number) => {
      writeFileSync(join(dir, name), Buffer.alloc(bytes));
      const t = new Date(Date.now() - minutesAgo * 60_000);
      utimesSync(join(dir, name), t, t);
    };
    at('kept.1.bin', 3000, 400); // the one just written: never removed, counted
    at('a.1.bin', 3000, 300);
    at('b.1.bin', 3000, 200);
    at('c.1.bin', 3000, 100);
    at('c.1.bin.99-x.tmp', 50, 20); // left by a process that ended
    at('b.1.bin.98-y.tmp', 50, 1); // being written
    at('notes.txt', 9000, 500); // not a cache
    pruneCacheFolder(dir, 'kept.1.bin', 7000);
    expect(readdirSync(dir).sort()).toEqual(['b.1.bin.98-y.tmp', 'c.1.bin', 'kept.1.bin', 'notes.txt']);
    pruneCacheFolder(dir, 'kept.1.bin', 7000);
    expect(readdirSync(dir)).toHaveLength(4);
  });
});

describe('worker threads with the code cache', () => {
  // Worker threads run dist/worker.cjs with a code cache of their own (src/threads/worker.ts),
  // named by the V8 flags they started under. 70 incidents: the database's first parse starts
  // them (under the heap flag of a build from scratch, src/heap-growth.ts), then the site's pages
  // run on them, so the cache is written twice in the first run: after the first parse, and when
  // it ends.
  const kb = tempDir();
  generateKnowledgeBase(kb, 70, 7);
  /** The threads' caches: every cache file but the main thread's (`site`, from dist/cli.cjs). */
  const workerCaches = (cacheHome: string) => {
    const main = createHash('sha256')
      .update(`${join(PACKAGE_ROOT, 'dist/cli.cjs')}\u0000site`)
      .digest('hex')
      .slice(0, 16);
    return cacheFiles(cacheHome).filter((f) => !f.split('/').at(-1)!.startsWith(`${main}.`));
  };
  /** The files' digests (a failure then prints two lines, not a diff of megabytes that took vitest minutes). */
  const contents = (files: string[]) => files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
  const site = (cacheHome: string, out = tempDir(), root = kb) => {
    const r = spawnSync(process.execPath, [CLI, 'site', '--root', root, '--out', out, '--now', NOW], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' },
    });
    return { stdout: r.stdout.replaceAll(out, '<out>'), stderr: r.stderr, status: r.status, files: siteFiles(out) };
  };
  it('writes the same site without a cache, with one, and with a damaged or foreign one; a cache V8 took is kept', () => {
    const home = tempDir();
    const first = site(home);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/\b70 incidents; (\d+) of \1 files rendered/);
    const caches = workerCaches(home);
    expect(caches).toHaveLength(1);
    const written = contents(caches);
    expect(site(home)).toEqual(first);
    expect(workerCaches(home)).toEqual(caches);
    expect(contents(caches)).toEqual(written);

    for (const cache of caches) {
      const damaged = readFileSync(cache);
      damaged.fill(0x5a, 4000, 4100);
      writeFileSync(cache, damaged);
    }
    expect(site(home)).toEqual(first);
    for (const cache of caches)
      expect(
        readFileSync(cache)
          .subarray(4000, 4100)
          .every((b) => b === 0x5a),
      ).toBe(false);
    for (const cache of caches) writeFileSync(cache, foreignCache());
    expect(site(home)).toEqual(first);
    expect(workerCaches(home)).toEqual(caches);
    for (const cache of caches) expect(readFileSync(cache).equals(foreignCache())).toBe(false);
  });

  it("keeps a cache for threads started under V8's own heap flag (an update, not a first build), taken next time", () => {
    const home = tempDir();
    const out = tempDir();
    const root = tempDir();
    cpSync(kb, root, { recursive: true });
    const editAll = (n: number) => {
      for (const f of readdirSync(join(root, 'incidents'), { recursive: true }) as string[])
        if (f.endsWith('.md'))
          writeFileSync(join(root, 'incidents', f), `${readFileSync(join(root, 'incidents', f), 'utf8')}\nEdit ${n}.\n`);
    };
    /** The site of `root` as it is, built with this cache folder, and from scratch with none (its files and messages). */
    const both = () =>
      [site(home, out, root), site(tempDir(), tempDir(), root)].map(({ files, stderr, status }) => ({ files, stderr, status }));
    const [first, plain] = both();
    expect(first).toEqual(plain);
    const [started] = workerCaches(home);
    // every file edited: the database's update parses all 70 in threads started under V8's own flag
    editAll(1);
    const [second, plain2] = both();
    expect(second).toEqual(plain2);
    const other = workerCaches(home).filter((f) => f !== started);
    expect(other).toHaveLength(1);
    const written = readFileSync(other[0]!);
    editAll(2);
    const [third, plain3] = both();
    expect(third).toEqual(plain3);
    expect(readFileSync(other[0]!).equals(written)).toBe(true);
  });

  it('starts no worker thread for a knowledge base under 64 incidents: only the command writes a cache', () => {
    const home = tempDir();
    const small = tempDir();
    generateKnowledgeBase(small, 63, 7);
    const run = site(home, tempDir(), small);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/\b63 incidents; (\d+) of \1 files rendered/);
    expect(cacheFiles(home)).toHaveLength(1);
    expect(workerCaches(home)).toEqual([]);
  });
});

describe('the V8 flags a command runs under', () => {
  // src/start.ts turns on-stack replacement off. `--interrupt-budget=1024` makes V8 count every
  // function and loop hot after about a kilobyte of bytecode, so that a build of 70 incidents
  // (worker threads included) compiles loops on the stack when it may (5 such compiles on 6e82d5b).
  it('compiles no loop on the stack, in the command or its worker threads, and still optimises functions', () => {
    const kb = tempDir();
    generateKnowledgeBase(kb, 70, 7);
    const run = spawnSync(
      process.execPath,
      ['--interrupt-budget=1024', '--trace-opt', CLI, 'build', '--root', kb, '--out', tempDir(), '--now', NOW],
      { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: tempDir(), NO_COLOR: '1' } },
    );
    expect(run.status).toBe(0);
    const compiled = run.stdout.split('\n').filter((line) => line.startsWith('[completed compiling'));
    expect(compiled.filter((line) => line.includes('(target TURBOFAN)')).length).toBeGreaterThan(10);
    expect(compiled.filter((line) => line.includes(' OSR '))).toEqual([]);
  });

  // src/v8-flags.ts: Node compiles its own modules with a cache made under V8's default flags,
  // which V8 refuses under `--no-use-osr`; the modules a command's bundle loads are loaded before
  // the flag is set. Node's `getCacheUsage` (`--expose-internals`) lists the modules a thread
  // compiled without its cache. On dc591a0 a title edit's main thread compiled `assert`,
  // `child_process`, `zlib`, `worker_threads`… (18 modules and more) without it, `check` `assert`.
  it("loads the Node modules of `build` and `check` with Node's code cache", () => {
    const kb = tempDir();
    generateKnowledgeBase(kb, 20, 7);
    const out = tempDir();
    const env = { ...process.env, XDG_CACHE_HOME: tempDir(), NO_COLOR: '1' };
    const usage = join(tempDir(), 'usage.cjs');
    writeFileSync(
      usage,
      `const { internalBinding } = require('internal/test/binding');
      process.on('exit', () => require('node:fs').writeSync(2, 'WITHOUT ' + [...internalBinding('builtins').getCacheUsage().compiledWithoutCache].join(' ') + '\\n'));`,
    );
    const run = (...args: string[]) => {
      const result = spawnSync(process.execPath, ['--expose-internals', '--no-warnings', '--require', usage, CLI, ...args], {
        encoding: 'utf8',
        env,
      });
      expect(result.status).toBe(0);
      return result.stderr.match(/^WITHOUT (.*)$/m)![1]!.split(' ');
    };
    const build = () => run('build', '--root', kb, '--out', out, '--now', NOW);
    build();
    const file = editFirstTitle(kb, ' (edited)');
    const edit = build(); // a title edit, the case measured
    const loaded = [
      'assert',
      'process',
      'child_process',
      'fs/promises',
      'zlib',
      'worker_threads',
      'internal/worker',
      'internal/child_process',
    ];
    expect(edit.filter((module) => loaded.includes(module))).toEqual([]);
    // nor, loaded after the flag, `perf_hooks` and its internals for the site's stopwatch (`site/build.ts`; on 1950acf it read `performance`)
    expect(edit.filter((module) => /^(internal\/)?perf/.test(module))).toEqual([]);
    expect(run('check', '--root', kb, file).filter((module) => loaded.includes(module))).toEqual([]);
  });
});

describe('runWithCodeCache', () => {
  const bundle = join(tempDir(), 'bundle.cjs');
  writeFileSync(bundle, "#!/usr/bin/env node\nconsole.log(require('node:path').basename(__filename), typeof module.exports);\n");
  const run = (cacheDir: string) =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'const { runWithCodeCache } = await import(process.argv[1]); console.log(runWithCodeCache(process.argv[2], "test", process.argv[3]));',
        pathToFileURL(join(PACKAGE_ROOT, 'dist/code-cache.js')).href,
        bundle,
        cacheDir,
      ],
      { encoding: 'utf8' },
    ).stdout;

  it('compiles, then takes the cache; a damaged or foreign cache is not taken, and is written anew', () => {
    const dir = tempDir();
    expect(run(dir)).toBe('bundle.cjs object\ncompiled\n');
    expect(run(dir)).toBe('bundle.cjs object\ncached\n');
    const [cache] = readdirSync(dir).map((f) => join(dir, f));
    const damaged = readFileSync(cache!);
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 1) ^ 0xff, damaged.length - 1);
    writeFileSync(cache!, damaged);
    expect(run(dir)).toBe('bundle.cjs object\ncompiled\n');
    expect(run(dir)).toBe('bundle.cjs object\ncached\n');
    writeFileSync(cache!, foreignCache());
    expect(run(dir)).toBe('bundle.cjs object\ncompiled\n');
    expect(run(dir)).toBe('bundle.cjs object\ncached\n');
  });

  /**
   * Runs `file` (argument: `arg`) with V8 logging its functions' events; says what the run printed
   * and which functions of the file V8 parsed. `flags` are the same for every run (V8 takes a cache
   * made under the same flags only).
   */
  const logged = (dir: string, file: string, arg: string, flags: string[] = []) => {
    const log = join(dir, 'v8.log');
    const stdout = spawnSync(
      process.execPath,
      [
        ...flags,
        '--log-function-events',
        `--logfile=${log}`,
        '--no-logfile-per-isolate',
        '--input-type=module',
        '-e',
        'const { runWithCodeCache } = await import(process.argv[1]); const took = runWithCodeCache(process.argv[2], "test", process.argv[3]); for (let n = 0; n < 4; n++) globalThis.gc?.(); console.log(took);',
        pathToFileURL(join(PACKAGE_ROOT, 'dist/code-cache.js')).href,
        file,
        join(dir, 'cache'),
        arg,
      ],
      { encoding: 'utf8' },
    ).stdout;
    const events = readFileSync(log, 'utf8').split('\n');
    const script = events.find((e) => e.startsWith('script-details,') && e.split(',')[2] === file)?.split(',')[1];
    const parsed = events
      .filter((e) => e.startsWith('function,') && e.split(',')[2] === script && e.includes('parse'))
      .map((e) => e.split(',').at(-1));
    return { stdout, parsed };
  };

  it("holds the bundle's top-level code even when V8 flushed it before the cache was written: a cached start parses nothing", () => {
    const dir = tempDir();
    // every garbage collection flushes the bytecode of functions not running (at the end of a long build, V8 does that by age)
    const flags = ['--stress-flush-code', '--expose-gc'];
    expect(logged(dir, bundle, '', flags).stdout).toBe('bundle.cjs object\ncompiled\n');
    // the first cached start writes the cache again (with its own functions, below): that cache is taken, and nothing parsed
    expect(logged(dir, bundle, '', flags).stdout).toBe('bundle.cjs object\ncached\n');
    expect(logged(dir, bundle, '', flags)).toEqual({ stdout: 'bundle.cjs object\ncached\n', parsed: [] });
  });

  it('writes the cache again after the first run that takes it, with the functions of both runs; then no more', () => {
    const dir = tempDir();
    const file = join(dir, 'two.cjs');
    writeFileSync(
      file,
      "function early() { return 'early'; }\nfunction late() { return 'late'; }\nconsole.log(process.argv[4] === 'late' ? late() : early());\n",
    );
    const cache = () => readdirSync(join(dir, 'cache')).map((f) => readFileSync(join(dir, 'cache', f)));
    const compiled = logged(dir, file, 'early');
    expect(compiled.stdout).toBe('early\ncompiled\n');
    expect(compiled.parsed).toContain('early');
    const first = cache();
    const cached = logged(dir, file, 'late');
    expect(cached.stdout).toBe('late\ncached\n');
    expect(cached.parsed).toContain('late');
    expect(cached.parsed).not.toContain('early');
    const second = cache();
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    expect(logged(dir, file, 'late')).toEqual({ stdout: 'late\ncached\n', parsed: [] });
    expect(logged(dir, file, 'early')).toEqual({ stdout: 'early\ncached\n', parsed: [] });
    expect(cache()).toEqual(second);
  });

  it('keys the cache by the bundle file: an edited bundle never meets its old cache, which is removed', () => {
    const dir = tempDir();
    run(dir);
    const [old] = readdirSync(dir);
    writeFileSync(join(dir, 'another-slot.0123.bin'), 'a cache of another bundle or command');
    writeFileSync(bundle, "console.log(require('node:path').basename(__filename), typeof exports);\n");
    expect(run(dir)).toBe('bundle.cjs object\ncompiled\n');
    expect(readdirSync(dir)).toHaveLength(2);
    expect(readdirSync(dir)).not.toContain(old);
    expect(readdirSync(dir)).toContain('another-slot.0123.bin');
    expect(run(dir)).toBe('bundle.cjs object\ncached\n');
    rmSync(bundle);
    expect(run(dir)).toBe('undefined\n');
  });
});
