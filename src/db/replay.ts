import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { digestOf } from '../source/read.js';
import type { FileStamp } from './cache.js';
import type { Output } from '../commands/context.js';
import { statOf, type FileStat } from './file-stat.js';

export { statFiles, statOf, type FileStat } from './file-stat.js';

/**
 * A build with nothing changed, answered from what the build before kept (`ParseCache.replay`):
 * when every incident file and the database have the size, modification time and inode they had,
 * and the tool, config, evaluation date, git history and the scan's and config's own problems
 * are those of that build, its problems are printed again as it printed them, in one write, and
 * no file is parsed, no rule runs and the database is not opened for writing.
 */
export interface Replay {
  /** What the problems depend on besides the files (see `replayKey`). */
  key: string;
  /** The digest of every incident file and the database as the build saw them (see `manifestOf`). */
  manifest: string;
  /**
   * The problems as `check` prints them (`formatProblems`), UTF-8: a string of 20,000 lines costs
   * far more to read back and write; or the kept report file, by its stamp, when these are its bytes.
   */
  report: Uint8Array | { kept: string };
  /** The report's digest: a build compares it, not the report, with the one it would store. */
  digest: string;
  errors: number;
  warnings: number;
  /** Where each file's lines are in the report (JSON, see `db/report.ts`): after an edit, the next build copies the others' from it. */
  parts: string;
}

/** A file's size, time and inode as one string (undefined when it cannot be stat'ed). */
export function fileStampOf(path: string): string | undefined {
  const stat = statOf(path);
  return stat && stampOf(stat);
}

const stampOf = (stat: FileStat | Stats) => `${stat.size}:${stat.mtimeMs}:${stat.ino}`;

/**
 * `use` given the file at `path` open, when it is the file stamped `stamp` (checked on the open
 * file, so not one renamed in its place since); undefined when it is not or cannot be opened.
 */
export function withStampedFile<T>(path: string, stamp: string, use: (fd: number) => T): T | undefined {
  const file = openStamped(path, stamp);
  if (!file) return undefined;
  try {
    return use(file.fd);
  } finally {
    closeSync(file.fd);
  }
}

/** The file at `path` open, with its size, when it is the file stamped `stamp` (the caller closes it); else undefined. */
export function openStamped(path: string, stamp: string): { fd: number; size: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (stampOf(stat) === stamp) return { fd, size: stat.size };
  } catch {
    // not stat'ed: not the file
  }
  closeSync(fd);
  return undefined;
}

/** Reads bytes [start, end) of the open file `fd` into `target` at `at`; fails when the file is shorter. */
export function readRange(fd: number, target: Uint8Array, at: number, start: number, end: number): void {
  for (let done = 0; done < end - start; ) {
    const n = readSync(fd, target, at + done, end - start - done, start + done);
    if (n === 0) throw new Error('the kept report is shorter than its stamp says');
    done += n;
  }
}

const CHUNK = 1 << 17;

/**
 * The rest of the open file `fd` written to `out` in chunks of 128 KiB: reading an 8 MB report
 * whole cost ~10 times more (fresh memory to fault in) than one buffer used again. The buffer is
 * used again only while `out` keeps none of it: Node's own stdout or stderr with nothing left
 * to write (a file, or a pipe or terminal written at once); any other output gets a new one per chunk.
 */
export function copyFile(fd: number, out: Output): void {
  let buffer = Buffer.allocUnsafeSlow(CHUNK);
  for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) {
    out.write(n < CHUNK ? buffer.subarray(0, n) : buffer);
    if (!hasLetGo(out)) buffer = Buffer.allocUnsafeSlow(CHUNK);
  }
}

const hasLetGo = (out: Output) =>
  (out === process.stdout && process.stdout.writableLength === 0) || (out === process.stderr && process.stderr.writableLength === 0);

/** A file changed too recently to trust its time is saved as '?', one that cannot be stat'ed is read as '-': neither ever matches. */
const entry = (name: string, stat: FileStat | undefined, racy: boolean) =>
  `${name}\u0000${racy ? '?' : stat ? `${stat.size}\u0000${stat.mtimeMs}\u0000${stat.ino}` : '-'}\n`;

/** The files' entries of a manifest as one text, with where each ends (see `manifestOf`). */
export interface ManifestEntries {
  text: string;
  ends: Int32Array;
}

/**
 * The files' entries of a manifest (their stats as read), made once per build: a build that does
 * not replay digests them again with its stamps (`manifestOf`), changing only the few entries it
 * marks; making them twice was ~5 ms of a title edit at 10,000 (the numbers as text, cold code;
 * docs/performance.md, thirteenth round: e15db).
 */
export function manifestEntries(files: readonly string[], stats: readonly (FileStat | undefined)[]): ManifestEntries {
  const ends = new Int32Array(files.length);
  let text = '';
  for (let i = 0; i < files.length; i++) {
    text += entry(files[i]!, stats[i], false);
    ends[i] = text.length;
  }
  return { text, ends };
}

/**
 * The files (their `entries`) and the database as one digest: `stamps` (when saving) marks the
 * files whose time a build does not trust (changed within 2 s of it, or while it ran: `mtimeMs`
 * 0) so that the next build does not replay.
 */
export function manifestOf(
  files: readonly string[],
  entries: ManifestEntries,
  database: FileStat | undefined,
  stamps?: ReadonlyMap<string, FileStamp>,
): string {
  let text = entry('\u0000database', database, stamps !== undefined && database === undefined);
  let from = 0; // where the entries not yet copied begin
  for (let i = 0; stamps && i < files.length; i++) {
    const stamp = stamps.get(files[i]!);
    if (stamp !== undefined && stamp.mtimeMs !== 0) continue;
    text += entries.text.slice(from, i === 0 ? 0 : entries.ends[i - 1]) + entry(files[i]!, undefined, true);
    from = entries.ends[i]!;
  }
  return digestOf(text + entries.text.slice(from));
}

/** What the problems depend on besides the files' contents. */
export function replayKey(parts: {
  cacheVersion: string;
  configDigest: string;
  today: string;
  history: string;
  /** The scan's and the config's problems (found afresh every build). */
  found: readonly unknown[];
}): string {
  return JSON.stringify([parts.cacheVersion, parts.configDigest, parts.today, parts.history, parts.found]);
}
