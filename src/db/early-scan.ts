import { join, resolve } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { IncidentFiles } from '../kb/files.js';
import type { WarmRequest } from '../model/intl-warmup.js';
import { statOf, type FileStat } from './file-stat.js';

/**
 * The incident files of `build` and their stats, found on a second thread while the main thread
 * loads the CLI, where GNU `find` cannot be asked (`find-scan.ts`: Linux, whose `find` starts in
 * ~2 ms where this thread begins after 60–150 ms). The main thread of a one-edit build at 10,000 spent ~60 ms quiet walking
 * `incidents/` (`scanIncidentFiles`, 14 ms) and stat'ing every file (`statFiles`, 47 ms) after
 * ~50–100 ms of loading the bundle and parsing the command line, while the second core was idle.
 * `start.ts` starts a thread for `build` (`startEarlyScan`, the root from the command line as
 * `cli.ts` will resolve it) before anything else; it runs `dist/disk-scan.cjs`
 * (`threads/disk-scan.ts`: the walk, nothing else loaded), posts the files and stats them, `CHUNK`
 * at a time. `update` (`knowledge-base.ts`) asks for them as late as it can (after the config,
 * the cache and the history) and takes them (`takeEarlyScan`) instead of scanning: when the
 * thread has not begun by then (a loaded machine: a thread starts in ~30 ms quiet, 100–500 ms at
 * load 10), the main thread walks and posts the files itself, and the thread, should it begin
 * meanwhile, stats its share of them as below (it did nothing before: the main thread stat'ed
 * all 10,000, ~50 ms, while the thread that began a few ms later sat idle; half of the builds at
 * load ~7); while the thread walks,
 * the main thread waits; once the files are posted, both stat the chunks left (the main thread
 * waits at most for the thread's last chunk); when the thread failed, was for another root or
 * does not move on within `WAIT_MS`, the main thread scans as before. One answer per process,
 * taken once. The same files and stats as `scanIncidentFiles` and `statFiles` (the same
 * functions, in another order in time): a file changed while the build runs is found as before —
 * its stat is read before its contents — and `fromMs` (the time before the walk) is what the
 * stamps' window of untrusted times is measured from (`stampFiles`), as `update`'s start was.
 * Measured (10,000 incidents, alternating pairs against dc591a0 at load 13–25: wall times were the
 * machine's): a title edit's main thread −28 to −63 ms of CPU (43 of 46 pairs lower), the process's
 * about the same (this thread's start, ~55 ms of CPU under the command's V8 flags, against the ICU
 * thread no longer started: `intl-warmup.ts`), +7–10 MB; a build with nothing changed +80–110 ms
 * of CPU and +16 MB, its main thread the same or −16 ms (docs/performance.md, twelfth round: edit14db).
 * The main thread walking when it comes first, with `incidents(ids)` picking before it sorts (the thirteenth round
 * e15db, its first two commits): a title edit's main thread −25.5 ms (12 pairs at load ~4, 9 lower).
 */
/** The control words: the thread's progress (it moves on only by compare-and-exchange), the next file to stat, the files stat'ed. */
const STATE = 0;
const NEXT = 1;
const STATTED = 2;
/** The thread has not begun. */
const WAITING = 0;
const WALKING = 1;
/** The files are posted; both threads stat them, `CHUNK` at a time. */
const STATTING = 2;
const FAILED = 3;
/** Taken by the main thread for another root, or given up: the thread does nothing. */
const CLAIMED = 4;
/** Taken by the main thread before the thread began: the main thread walks and posts the files, then both stat them (`STATTING`). */
const MAIN_WALKING = 5;

/** Files stat'ed per claim: 20 claims at 10,000, each ~2.5 ms quiet — the most the main thread waits for the thread's last. */
const CHUNK = 500;

/** How long the main thread waits for the thread's walk or its last claim before it does the work itself. */
const WAIT_MS = 2000;

/** Where the started scan is kept between `start.ts`'s modules and the CLI bundle's (two copies of this module). */
const KEY = Symbol.for('postmortem-kb.early-scan');

interface Started {
  root: string;
  control: Int32Array;
  port: MessagePort;
}

/** What the thread posts: the files joined by NUL (no file name holds one), and where both threads put their stats: [size, mtimeMs, ino] each (NaN: no stat). */
interface Posted {
  files: string;
  count: number;
  problems: IncidentFiles['problems'];
  stats: Float64Array;
  fromMs: number;
}

/** What `update` gets: the scan, the stats, and the time taken before them. */
export interface EarlyScan {
  scanned: IncidentFiles;
  stats: (FileStat | undefined)[];
  fromMs: number;
  /** The thread's next task: ICU's date data in a zone (`intl-warmup.ts`), or none (it ends). */
  afterScan(request: WarmRequest | undefined): void;
}

type Holder = { [KEY]?: Started };

/** The walk of `incidents/` (`scanIncidentFiles`, passed in: `start.ts` loads this module and keeps its modules few). */
type Scan = (root: string) => IncidentFiles;

/** The value of `--name` on a command line, as yargs reads it (the last one given), or undefined. */
function optionOf(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let n = 0; n < argv.length; n++) {
    const arg = argv[n]!;
    if (arg === '--') break;
    if (arg === `--${name}` && n + 1 < argv.length) value = argv[++n]!;
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  }
  return value;
}

/** The root `build` will scan, as `cli.ts` resolves `--root` (a command line it reads otherwise only gives an answer not taken). */
export function rootOf(argv: readonly string[]): string {
  return resolve(optionOf(argv, 'root') ?? '.');
}

/**
 * The smallest database (bytes) a previous build left for the thread to be started: ~24 KB per
 * incident in the benchmark's knowledge bases, so ~300 incidents. Below it the thread costs more
 * than it saves: on the example knowledge base (38 incidents) a build with nothing changed took
 * 0.185 → 0.215 s wall and 0.195 → 0.29 s CPU with it (10 pairs, quiet), its walk and stats
 * being under a millisecond; a first build has no database and parses every file anyway.
 */
const EARLY_SCAN_MIN_DATABASE = 8_000_000;

/**
 * Whether `build` with this command line scans its files on a thread: the database a previous
 * build left is large (`--db`, else `<out>/postmortems.db`, as `resolveDbPath` and `cli.ts` resolve
 * them; the file's name is written here, not imported, to keep `start.ts`'s modules few).
 */
export function earlyScanWorthIt(argv: readonly string[], root: string): boolean {
  const db = optionOf(argv, 'db');
  const path = db ? resolve(db) : join(resolve(optionOf(argv, 'out') ?? join(root, 'out')), 'postmortems.db');
  return (statOf(path)?.size ?? 0) >= EARLY_SCAN_MIN_DATABASE;
}

/** Starts the thread that scans `root` (`bundle`: `dist/disk-scan.cjs`); without a thread, nothing is started. */
export function startEarlyScan(root: string, bundle: string): void {
  try {
    const { Worker, MessageChannel } = process.getBuiltinModule('node:worker_threads');
    const control = new Int32Array(new SharedArrayBuffer(12));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(bundle, {
      workerData: { root, control, port: port2 },
      transferList: [port2],
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    worker.on('error', () => undefined);
    worker.unref();
    port1.unref();
    (globalThis as Holder)[KEY] = { root, control, port: port1 };
  } catch {
    // no thread (a limit on threads): `update` scans
  }
}

/** Stats files of `files` into `stats`, `CHUNK` at a time, until none is left to claim (both threads run it). */
function statShare(root: string, files: readonly string[], stats: Float64Array, control: Int32Array): void {
  const prefix = join(root, '/');
  for (let from = Atomics.add(control, NEXT, CHUNK); from < files.length; from = Atomics.add(control, NEXT, CHUNK)) {
    const to = Math.min(from + CHUNK, files.length);
    for (let i = from; i < to; i++) {
      const s = statOf(prefix + files[i]);
      stats[3 * i] = s ? s.size : Number.NaN;
      stats[3 * i + 1] = s ? s.mtimeMs : Number.NaN;
      stats[3 * i + 2] = s ? s.ino : Number.NaN;
    }
    Atomics.add(control, STATTED, to - from);
    Atomics.notify(control, STATTED);
  }
}

/**
 * Walks `root` (`scan`) and posts the files to the other thread with the buffer for their stats,
 * then moves `control` to `STATTING`, or to `FAILED` when the walk fails; undefined then.
 */
function walkAndPost(
  root: string,
  scan: Scan,
  control: Int32Array,
  port: MessagePort,
): { scanned: IncidentFiles; posted: Posted } | undefined {
  try {
    const fromMs = Date.now();
    const scanned = scan(root);
    const count = scanned.files.length;
    const stats = new Float64Array(new SharedArrayBuffer(Math.max(1, count) * 3 * Float64Array.BYTES_PER_ELEMENT));
    const posted: Posted = { files: scanned.files.join('\0'), count, problems: scanned.problems, stats, fromMs };
    port.postMessage(posted);
    Atomics.store(control, STATE, STATTING);
    return { scanned, posted };
  } catch {
    Atomics.store(control, STATE, FAILED);
    return undefined;
  } finally {
    Atomics.notify(control, STATE);
  }
}

/** The files the main thread posted (`MAIN_WALKING`), once it has: this thread then stats its share of them. */
function postedByMain(control: Int32Array, port: MessagePort): { files: string[]; stats: Float64Array } | undefined {
  if (Atomics.load(control, STATE) === MAIN_WALKING) waited(control, STATE, MAIN_WALKING);
  if (Atomics.load(control, STATE) !== STATTING) return undefined;
  const posted = process.getBuiltinModule('node:worker_threads').receiveMessageOnPort(port)?.message as Posted | undefined;
  return posted && { files: filesOf(posted), stats: posted.stats };
}

const filesOf = (posted: Posted) => (posted.count === 0 ? [] : posted.files.split('\0'));

/**
 * The thread's side: walks `incidents/` when the main thread has not claimed the work, posts the
 * files, and stats them with the main thread — or, when the main thread came first and walks
 * itself (`MAIN_WALKING`), stats its share of the files it posts; then `warm`s ICU's date data if
 * the main thread asks (`EarlyScan.afterScan`), or ends when it closes its side.
 */
export function answerEarlyScan(data: Started, scan: Scan, warm: (request: WarmRequest) => void): void {
  const { root, control, port } = data;
  const began = Atomics.compareExchange(control, STATE, WAITING, WALKING);
  const walked = began === WAITING ? walkAndPost(root, scan, control, port) : undefined;
  // after the main thread's walk (a thread that begins late stats nothing, but takes the files' message and stays for `warm`)
  const byMain = began === MAIN_WALKING || began === STATTING;
  const share = walked ? { files: walked.scanned.files, stats: walked.posted.stats } : byMain ? postedByMain(control, port) : undefined;
  if (!share) {
    port.close();
    return;
  }
  statShare(root, share.files, share.stats, control);
  port.once('message', (request: WarmRequest) => {
    try {
      warm(request);
    } catch {
      // a zone ICU does not know: the main thread's own formatter reports it
    }
    port.close();
  });
}

/** Whether a started scan is there to take, and whether its thread has begun (tests wait for it). */
export function earlyScanPending(): 'none' | 'waiting' | 'begun' {
  const started = (globalThis as Holder)[KEY];
  return !started ? 'none' : Atomics.load(started.control, STATE) === WAITING ? 'waiting' : 'begun';
}

/** Waits while `control[at]` is `value`; false when it still is after `WAIT_MS`. */
const waited = (control: Int32Array, at: number, value: number) => Atomics.wait(control, at, value, WAIT_MS) !== 'timed-out';

/**
 * The started scan's answer for `root`, once; undefined when there is none to take (the caller
 * scans). When the thread has not begun, this thread walks (`scan`) and the thread, should it
 * begin meanwhile, stats its share of the files.
 */
export function takeEarlyScan(root: string, scan: Scan): EarlyScan | undefined {
  const holder = globalThis as Holder;
  const started = holder[KEY];
  if (!started) return undefined;
  delete holder[KEY];
  const answer = answerOf(started, root, scan);
  if (!answer) started.port.close();
  return answer;
}

/** The files as walked here, or as the thread posted them (waiting for its walk). */
function postedOf({ root: scanned, control, port }: Started, root: string, scan: Scan): { posted: Posted; files: string[] } | undefined {
  if (scanned !== root) {
    Atomics.compareExchange(control, STATE, WAITING, CLAIMED);
    return undefined;
  }
  if (Atomics.compareExchange(control, STATE, WAITING, MAIN_WALKING) === WAITING) {
    const walked = walkAndPost(root, scan, control, port);
    return walked && { posted: walked.posted, files: walked.scanned.files };
  }
  if (Atomics.load(control, STATE) === WALKING && !waited(control, STATE, WALKING)) return undefined;
  if (Atomics.load(control, STATE) !== STATTING) return undefined;
  const posted = process.getBuiltinModule('node:worker_threads').receiveMessageOnPort(port)?.message as Posted | undefined;
  return posted && { posted, files: filesOf(posted) };
}

function answerOf(started: Started, root: string, scan: Scan): EarlyScan | undefined {
  const { control, port } = started;
  const { posted, files } = postedOf(started, root, scan) ?? {};
  if (!posted || !files) return undefined;
  statShare(root, files, posted.stats, control);
  for (let d = Atomics.load(control, STATTED); d < files.length; d = Atomics.load(control, STATTED))
    if (!waited(control, STATTED, d)) return undefined;
  const afterScan = (request: WarmRequest | undefined) => (request ? port.postMessage(request) : port.close());
  return { scanned: { files, problems: posted.problems }, stats: unpacked(posted.stats, files.length), fromMs: posted.fromMs, afterScan };
}

function unpacked(packed: Float64Array, count: number): (FileStat | undefined)[] {
  const stats: (FileStat | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const size = packed[3 * i]!;
    stats.push(Number.isNaN(size) ? undefined : { size, mtimeMs: packed[3 * i + 1]!, ino: packed[3 * i + 2]! });
  }
  return stats;
}
