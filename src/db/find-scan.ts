import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentFiles } from '../kb/files.js';
import type { FileStat } from './file-stat.js';

/**
 * The incident files of `build` and their stats, from GNU `find` started before the CLI is loaded.
 * A thread of our own (`early-scan.ts`) begins 60–150 ms after it is asked for (a new V8 isolate and
 * Node's start, on a core the main thread shares), so the main thread of a one-edit build at
 * 10,000 still walked and stat'ed most files itself (~40 ms). `find` starts in ~2 ms and walks
 * and stats 10,000 files in 20–30 ms; its lines are read back in 7–14 ms (docs/performance.md,
 * sixteenth round).
 *
 * Only where the answer is the walk's (`scanIncidentFiles`) by construction: Linux, a `find` that
 * knows `-printf` (GNU; a BSD or BusyBox `find` fails and the walk runs), nothing on standard error,
 * exit 0, only folders and regular files met (a symbolic link, a socket: the walk runs, so that its
 * problems are the walk's), and every name UTF-8 (Node names a file whose name is not with U+FFFD,
 * which no file has). Names beginning with `.` are pruned as the walk skips them; a file
 * is an incident when its name ends in `.md` in any case, as in the walk. The stats are `lstat`'s,
 * which for a regular file are `stat`'s; `mtimeMs` is made from the seconds and nanoseconds as
 * Node makes it. The output goes to an unlinked temporary file (a pipe fills at 64 KB and would
 * stop `find` until the main thread reads), and its end is marked by a line the shell writes after
 * `find` exits, with its code, so that the main thread knows without the event loop.
 */

/** Where the started `find` is kept between `start.ts`'s modules and the CLI bundle's (two copies of this module). */
const KEY = Symbol.for('postmortem-kb.find-scan');

/** The shell that runs `find` (found on the `PATH` by it) and writes the last line. */
const SHELL = '/bin/sh';

/** How long the main thread waits for `find` before it walks itself. */
const WAIT_MS = 2000;

interface Started {
  root: string;
  /** Stopped when the main thread gives up waiting. */
  stop: () => void;
  out: number;
  err: number;
  token: string;
  fromMs: number;
}

type Holder = { [KEY]?: Started };

/** The record per entry: type, size, modification time (seconds.fraction), inode, path under `incidents/`. */
const FORMAT = '%y %s %T@ %i %P\\0';

/** A file of our own, unlinked at once (its descriptor is what `find` writes to). */
function unlinkedFile(name: string): number {
  const path = join(tmpdir(), `postmortem-${name}-${process.pid}-${Date.now()}`);
  const fd = openSync(path, 'wx+', 0o600);
  unlinkSync(path);
  return fd;
}

/** Starts `find` over `<root>/incidents` (Linux only); true when it was started. */
export function startFindScan(root: string): boolean {
  if (process.platform !== 'linux') return false;
  let out: number | undefined;
  let err: number | undefined;
  try {
    const { spawn } = process.getBuiltinModule('node:child_process');
    out = unlinkedFile('scan');
    err = unlinkedFile('scan-err');
    const token = `${process.pid}.${Date.now()}`;
    const fromMs = Date.now();
    const script = `find "$1" -name '.*' -prune -o -printf '${FORMAT}'; printf '\\nend %s %s\\n' "$2" "$?"`;
    const child = spawn(SHELL, ['-c', script, 'sh', join(root, 'incidents'), token], {
      stdio: ['ignore', out, err],
      env: { ...process.env, LC_ALL: 'C' },
      // a process group of its own, so that `stop` ends `find` with the shell
      detached: true,
    });
    child.on('error', () => undefined);
    // not started (no shell there): no answer will come, and the caller starts the thread
    const pid = child.pid;
    if (pid === undefined) throw new Error('not started');
    child.unref();
    const stop = () => {
      try {
        process.kill(-pid);
      } catch {
        // ended meanwhile
      }
    };
    (globalThis as Holder)[KEY] = { root, stop, out, err, token, fromMs };
    return true;
  } catch {
    if (out !== undefined) closeSync(out);
    if (err !== undefined) closeSync(err);
    return false;
  }
}

/** Bytes [from, from + length) of `fd` (fewer at its end). */
function readAt(fd: number, from: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (let n = 1; at < length && n > 0; at += n) n = readSync(fd, bytes, at, length - at, from + at);
  return bytes.subarray(0, at);
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The longest last line the shell writes (`end <token> <code>`). */
const LAST_LINE = 96;

/**
 * The records, then NUL and `find`'s exit code, once the shell's last line is there (its end
 * polled every millisecond); undefined after `WAIT_MS` (`find` is stopped).
 */
function finished(started: Started): string | undefined {
  const marker = `\nend ${started.token} `;
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const size = fstatSync(started.out).size;
    const tail = readAt(started.out, Math.max(0, size - LAST_LINE), Math.min(size, LAST_LINE)).toString('latin1');
    const at = tail.lastIndexOf(marker);
    if (at >= 0 && tail.endsWith('\n')) {
      const text = readAt(started.out, 0, size).toString('utf8');
      const end = text.lastIndexOf(marker);
      return `${text.slice(0, end)}\u0000${text.slice(end + marker.length, -1)}`;
    }
    if (Date.now() > until) {
      started.stop();
      return undefined;
    }
    sleep(1);
  }
}

export interface FoundScan {
  scanned: IncidentFiles;
  stats: FileStat[];
  fromMs: number;
}

/** `find`'s answer for `root`, once, when it is the walk's; undefined when there is none (the caller walks). */
export function takeFindScan(root: string): FoundScan | undefined {
  const holder = globalThis as Holder;
  const started = holder[KEY];
  if (!started) return undefined;
  delete holder[KEY];
  try {
    if (started.root !== root) return undefined;
    const text = finished(started);
    if (text === undefined || fstatSync(started.err).size > 0) return undefined;
    return parsed(text, started.fromMs);
  } catch {
    return undefined;
  } finally {
    closeSync(started.out);
    closeSync(started.err);
  }
}

/**
 * The records (`FORMAT`, each ended by NUL) then the exit code; undefined unless every entry is a
 * folder or a regular file, the first is `incidents/` itself, and find exited 0. Read with
 * `indexOf` and `Number` over slices: this runs once per build, as cold code, where a regular
 * expression per record cost ~15 ms at 10,000.
 */
function parsed(text: string, fromMs: number): FoundScan | undefined {
  const last = text.lastIndexOf('\u0000');
  const first = text.indexOf('\u0000');
  // the first record is `incidents/` itself (its path '')
  if (text.slice(last + 1) !== '0' || !text.startsWith('d ') || text.charCodeAt(first - 1) !== 32) return undefined;
  // a name that is not UTF-8: Node names it with U+FFFD, which no file has, so the walk finds no stat for it; find does
  if (text.includes('\ufffd')) return undefined;
  const paths: string[] = [];
  const stats: FileStat[] = [];
  for (let at = first + 1; at < last; ) {
    const end = text.indexOf('\u0000', at);
    if (end < 0 || !taken(text, at, end, paths, stats)) return undefined;
    at = end + 1;
  }
  const order = paths.map((_, i) => i).sort((a, b) => (paths[a]! < paths[b]! ? -1 : paths[a]! > paths[b]! ? 1 : 0));
  return { scanned: { files: order.map((i) => paths[i]!), problems: [] }, stats: order.map((i) => stats[i]!), fromMs };
}

/**
 * Takes the record [at, end) into `paths` and `stats` when it is an incident file; false when it is
 * neither a folder nor a regular file, or not of `FORMAT`. A function of its own, called per
 * record, so that V8 compiles it after a few calls (a loop body runs as cold code to its end).
 */
function taken(text: string, at: number, end: number, paths: string[], stats: FileStat[]): boolean {
  const type = text.charCodeAt(at);
  if (text.charCodeAt(at + 1) !== 32) return false;
  if (type === 100) return true; // d
  if (type !== 102) return false; // f; anything else, and the walk runs
  const sizeEnd = text.indexOf(' ', at + 2);
  const dot = text.indexOf('.', sizeEnd + 1);
  const timeEnd = text.indexOf(' ', dot + 1);
  const inoEnd = text.indexOf(' ', timeEnd + 1);
  if (sizeEnd < 0 || dot < 0 || timeEnd < 0 || inoEnd < 0 || inoEnd >= end || timeEnd - dot < 10) return false;
  const path = text.slice(inoEnd + 1, end);
  if (!isIncidentName(path)) return true;
  const seconds = Number(text.slice(sizeEnd + 1, dot));
  const nanoseconds = Number(text.slice(dot + 1, dot + 10));
  // as Node makes `mtimeMs` from the seconds and nanoseconds
  stats.push({
    size: Number(text.slice(at + 2, sizeEnd)),
    mtimeMs: seconds * 1e3 + nanoseconds / 1e6,
    ino: Number(text.slice(timeEnd + 1, inoEnd)),
  });
  paths.push(`incidents/${path}`);
  return true;
}

/** A name the walk takes as an incident: ending in `.md`, in any case. */
function isIncidentName(path: string): boolean {
  const n = path.length;
  return n > 3 && path.charCodeAt(n - 3) === 46 && (path.charCodeAt(n - 2) | 32) === 109 && (path.charCodeAt(n - 1) | 32) === 100;
}
