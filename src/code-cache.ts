import { isAscii } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { RUN_KINDS, runKind, type RunKind } from './run-kind.js';

/**
 * Runs a CommonJS bundle with V8's code cache (Node 20 has no compile cache for ES modules):
 * the bytecode of every function the last run compiled is kept in the user's cache folder and
 * handed to V8, which then compiles almost nothing. `name` tells runs that compile different
 * functions apart (one cache per command). The cache file is named by the bundle's identity on
 * disk, `name`, Node's version and the architecture (see `cacheFileOf`), so a new build never
 * meets an old cache; a file whose bytes do not match the digest it starts with is not used, and V8
 * itself rejects data that does not fit (another V8, other flags, another source length); then
 * the bundle is compiled from its text as if there were no cache, and the cache written anew
 * when the process exits. The first run that takes a cache writes it once more (`settled`): V8
 * flushes the bytecode of functions that have not run for a while, so the cache a long run (a
 * build from scratch) writes at its end lacks what it ran early (the database's first steps),
 * which every later run then compiled again (~75 ms of CPU of a no-change build at 10,000); the
 * second cache holds the functions of both runs.
 *
 * A command whose runs differ in kind (`run-kind.ts`: `build` from scratch, with nothing changed,
 * after an edit) also writes it again at the first run of a kind the cache has not seen: the cache
 * records the kinds whose functions it holds. Settled by a build from scratch and one with nothing
 * changed (as the benchmark and a fresh clone run them), the cache lacked what an edit runs, and
 * every edit at 10,000 compiled ~380 KB of bytecode again (`v8.getHeapCodeStatistics`): −21 ms of
 * main thread per edit with the edit's functions in it (30 alternating pairs; docs/performance.md,
 * fifteenth round). A build from scratch or a long run (`LONG_RUN_S`) may have flushed what the
 * kinds before it ran, so its cache records its own kind alone.
 * Says whether V8 took the cache, or undefined when there is no such bundle (an unbundled build).
 */
export function runWithCodeCache(bundle: string, name: string, cacheDir = codeCacheDir()): 'cached' | 'compiled' | undefined {
  const run = loadWithCodeCache(bundle, name, cacheDir);
  if (!run) return undefined;
  process.once('exit', () => {
    const kind = kindBit(runKind());
    if (run.settled && (run.kinds & kind) === kind) return;
    run.writeCache(undefined, kind === kindBit('first') || process.uptime() > LONG_RUN_S ? kind : run.kinds | kind);
  });
  return run.cached ? 'cached' : 'compiled';
}

/**
 * A run this long (seconds) may have had bytecode flushed (see `runWithCodeCache`), as a build
 * from scratch may: either records its own kind alone. Far above an edit's or a no-change
 * build's time even on a loaded machine (0.2–0.7 s at 10,000 incidents), so that those never
 * rewrite each other's kinds away.
 */
const LONG_RUN_S = 10;

/** A kind of run as a bit of the cache file's flags byte (bit 0 is `SETTLED`); 0 for none. */
const kindBit = (kind: RunKind | undefined) => (kind === undefined ? 0 : 2 << RUN_KINDS.indexOf(kind));

/** A bundle run by `loadWithCodeCache`. */
export interface CachedRun {
  /** Its `module.exports`. */
  exports: unknown;
  /** Whether V8 took the cache. */
  cached: boolean;
  /** Whether V8 took a cache written by a run that had taken one (`runWithCodeCache` then writes none unless this run is of a new kind). */
  settled: boolean;
  /** The kinds of run whose functions the cache taken holds (bits, see `kindBit`); 0 without one. */
  kinds: number;
  /**
   * Writes the cache of what has been compiled so far (atomically; a failure only means a slower
   * next start), recording `kinds`. With `flags`, only a cache V8 made under that flag hash: false,
   * nothing written, when the flags changed meanwhile (another thread's start; `threads/worker.ts`).
   */
  writeCache(flags?: number, kinds?: number): boolean;
}

/**
 * The module wrapper CommonJS gives a file: its head on the first line, so that line numbers stay
 * the file's. scripts/bundle.mjs writes it into the bundles themselves, so that V8 compiles the
 * file's text as read (a string made outside V8's heap) rather than a copy of it with the wrapper
 * around: ~12 ms less CPU per start of dist/cli.cjs (3.4 MB).
 */
export const MODULE_WRAPPER = { head: '(function (exports, require, module, __filename, __dirname) {', tail: '\n})' };

const wrapped = (text: string) => `${MODULE_WRAPPER.head}${text.replace(/^#!.*/, '')}${MODULE_WRAPPER.tail}`;

/**
 * `runWithCodeCache` for a caller that chooses when to write the cache: a worker thread, which
 * sees no `exit` event when the process ends while it is idle.
 */
export function loadWithCodeCache(bundle: string, name: string, cacheDir = codeCacheDir()): CachedRun | undefined {
  const file = cacheFileOf(bundle, name);
  if (!file) return undefined;
  const bytes = readFileSync(bundle);
  // ASCII (esbuild's output: scripts/bundle.mjs escapes the rest) is read straight into a one-byte string
  const text = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const cachePath = join(cacheDir, file);
  const read = readCache(cachePath);
  const cachedData = read?.data;
  const script = new Script(text.startsWith(MODULE_WRAPPER.head) ? text : wrapped(text), { filename: bundle, cachedData });
  const module = { exports: {} };
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return {
    exports: module.exports,
    cached,
    settled: cached && read!.settled,
    kinds: cached ? read!.kinds : 0,
    writeCache: (flags?: number, kinds = 0) => writeCache(cachePath, script, cached, flags, kinds),
  };
}

/**
 * V8's flags as its code caches record them: the flag hash of an empty script's cache (the fourth
 * 32-bit word of the header: magic number, version hash, source hash, flag hash). V8 refuses a
 * cache made under other flags, and `--heap-growing-percent` is set and reset while the site is
 * built (`site/build.ts`), for every thread; a thread that writes its cache later than it loads
 * it compares this first.
 */
export function v8FlagHash(): number {
  return new Script('').createCachedData().readUInt32LE(12);
}

/**
 * The cache file's name: `<slot>.<version>.bin`. The slot is the bundle's path and `name`; the
 * version, the bundle as the file system knows it (size, modification and change times, inode,
 * device), Node's version and the architecture. Writing or replacing the bundle changes its change
 * time (which no user can set back), so a rebuilt bundle gets a new name without reading and
 * hashing its megabytes at every start; writing a cache removes the other versions of its slot.
 * Undefined when there is no bundle.
 */
function cacheFileOf(bundle: string, name: string): string | undefined {
  const stat = statSync(bundle, { throwIfNoEntry: false, bigint: true });
  if (!stat) return undefined;
  const version = [stat.size, stat.mtimeNs, stat.ctimeNs, stat.ino, stat.dev, process.version, process.arch].join(' ');
  return `${shortDigest(`${bundle}\u0000${name}`)}.${shortDigest(version)}.bin`;
}

const shortDigest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** `$XDG_CACHE_HOME/postmortem-kb/code`, else `~/.cache/postmortem-kb/code`: only the user writes there. */
export function codeCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'postmortem-kb', 'code');
}

/**
 * A cache file is the SHA-256 of the rest, then one byte of flags: whether the run that wrote it
 * had taken a cache (`SETTLED`, bit 0) and the kinds of run whose functions it holds (bits 1–7,
 * `kindBit`), then V8's data: V8 checks the version, flags and length of what it is given, not
 * every byte, so a damaged file is refused here.
 */
const DIGEST_BYTES = 32;
const SETTLED = 1;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

function readCache(path: string): { data: Buffer; settled: boolean; kinds: number } | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  const rest = file.subarray(DIGEST_BYTES);
  if (rest.length < 2 || !sha256(rest).equals(file.subarray(0, DIGEST_BYTES))) return undefined;
  return { data: rest.subarray(1), settled: (rest[0]! & SETTLED) !== 0, kinds: rest[0]! & ~SETTLED };
}

/**
 * The script with its top-level code compiled. V8 flushes the bytecode of functions that have not
 * run for a while, and the top-level code (which only makes the module wrapper) and the wrapper
 * (every module's top-level statements) run once, at start: by the end of a build that collected
 * garbage a few times they have none, and a cache without them makes every later start parse the
 * whole bundle again (~80 ms of `runInThisContext` for dist/cli.cjs). Running the top-level code
 * again compiles it (only when flushed) and the wrapper with it (a parenthesised function, which
 * V8 compiles eagerly); it makes a new wrapper, never called: nothing else runs.
 */
function compiledTopLevel(script: Script): Script {
  script.runInThisContext();
  return script;
}

/**
 * After the run, so the functions it compiled are in it; a cache that cannot be written is only a
 * slower next start. `flags`: the flag hash the cache is named by, which V8's header (fourth 32-bit
 * word, `v8FlagHash`) must hold, else nothing is written.
 */
function writeCache(path: string, script: Script, settled: boolean, flags: number | undefined, kinds: number): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}-${randomUUID()}.tmp`; // worker threads write too (not `threadId`: node:worker_threads costs every start ~5 ms)
    const data = compiledTopLevel(script).createCachedData();
    if (flags !== undefined && data.readUInt32LE(12) !== flags) return false;
    const rest = Buffer.concat([Buffer.of((settled ? SETTLED : 0) | kinds), data]);
    writeFileSync(temp, Buffer.concat([sha256(rest), rest]));
    renameSync(temp, path);
    const name = basename(path);
    const slot = name.slice(0, name.indexOf('.') + 1);
    for (const other of readdirSync(dirname(path))) {
      if (other.startsWith(slot) && other.endsWith('.bin') && other !== name) rmSync(join(dirname(path), other), { force: true });
    }
    pruneCacheFolder(dirname(path), name);
  } catch {
    // read-only or full disk: the next run compiles again
  }
  return true;
}

/**
 * The most the cache folder holds, in bytes. A slot is a bundle's path and a command, so every
 * install of the tool (a clone, a worktree, an `npx` version) adds its own ~20–40 MB of caches,
 * which nothing else ever removes: a developer's folder had grown to 1.26 GB in 777 files. One
 * install's fit several times over.
 */
export const CACHE_FOLDER_BYTES = 160 * 1024 * 1024;
/** A temporary file this old was left by a process that ended before it renamed it. */
const STALE_TEMP_MS = 10 * 60 * 1000;

/**
 * Keeps the cache folder `dir` within `limit` bytes: the caches written longest ago go first (a
 * cache is written by the first runs after a build of the tool, so that is the install used
 * least lately, or gone), never `keep` (the one just written); a temporary file left by a process
 * that ended goes at once. Run after each cache written, which is rare: a few `stat`s.
 */
export function pruneCacheFolder(dir: string, keep: string, limit = CACHE_FOLDER_BYTES, nowMs = Date.now()): void {
  const files: { path: string; size: number; mtimeMs: number }[] = [];
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (name === keep) continue;
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    if (name.endsWith('.tmp') && nowMs - stat.mtimeMs > STALE_TEMP_MS) rmSync(path, { force: true });
    else if (name.endsWith('.bin')) files.push({ path, size: stat.size, mtimeMs: stat.mtimeMs });
    total += name.endsWith('.bin') ? stat.size : 0;
  }
  total += statSync(join(dir, keep), { throwIfNoEntry: false })?.size ?? 0;
  files.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const file of files) {
    if (total <= limit) break;
    rmSync(file.path, { force: true });
    total -= file.size;
  }
}
