import type { Incident } from '../model/incident.js';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writePartsAtomic } from '../output/write-file.js';
import type { MarkdownTask, PageTask, ShardTask } from './parallel.js';
import { splicedBytes, writeSpliced, type SplicedPage } from './pieces.js';

/** A page rendered: its bytes, and where its pieces lie in them (see `pieces.ts`). */
export interface Rendered {
  /** The page's bytes, or its parts, or its parts and runs of its previous file (see `pieces.ts`). */
  content: string | Uint8Array | { parts: Buffer[]; size: number } | SplicedPage;
  /** Where the page's pieces lie in `content`, for the next build. */
  pieces?: PagePieces;
  /** The page's previous bytes, when known (read to copy pieces from). */
  previous?: Buffer;
}

/** Where a page's pieces lie in its file: the layout the state keeps, and how many were rendered and copied. */
export interface PagePieces {
  head: string;
  keys: string[];
  spans: Uint32Array;
  rendered: number;
  copied: number;
}

/** An incident page a worker thread rendered and wrote (see `worker.ts`): what the build's thread records of it. */
export interface WrittenPage {
  /** Whether its file changed. */
  changed: boolean;
  pieces?: PagePieces;
  /** The file as it is now, when the page has pieces (the layout the state keeps, see `write-pages.ts`). */
  stat?: { ino: number; size: number; mtimeMs: number };
}

/** A page of the site, as the build plans it: rendered only when its digest changed or its file is missing. */
export interface Page {
  path: string;
  digest: string;
  /** Incidents whose full record the page needs (asked once the page is known to be rendered). */
  needs?(): readonly string[];
  /** Costly work done before rendering, in worker threads on big builds; results come to `render` in order. */
  tasks?(full: (id: string) => Incident): (MarkdownTask | ShardTask)[];
  /** About how many tasks (to decide whether to start worker threads). */
  weight?: number;
  /**
   * The page as a task that a worker thread renders and writes whole (with worker threads
   * only); undefined when this thread does it (when the page is cheap to make here).
   */
  remote?(): PageTask | undefined;
  /**
   * The page made elsewhere already (a search shard a worker thread started indexing when the
   * build started): written as soon as it comes, so that this thread does not hold it meanwhile.
   * Taken once; `render` gives the same page to a caller that does not ask for this.
   */
  ready?(): Promise<Rendered>;
  render(full: (id: string) => Incident, results: readonly string[]): Rendered | Promise<Rendered>;
}

const spliced = (content: Rendered['content']): content is SplicedPage => typeof content === 'object' && 'from' in content;

function partsOf(content: Rendered['content']): Buffer[] {
  if (spliced(content)) return splicedBytes(content);
  return typeof content === 'string'
    ? [Buffer.from(content, 'utf8')]
    : content instanceof Uint8Array
      ? [Buffer.from(content.buffer, content.byteOffset, content.length)]
      : content.parts;
}

/**
 * Writes a page: atomically, without an fsync (see docs/site.md), and only when its bytes
 * changed — compared with `previous` when the build read the file already. `folders`: those
 * the build made already. Returns true when the file changed; for a page spliced from its
 * previous file, promises it (`writeSpliced`: written in libuv's threads).
 *
 * Pages are written one at a time: on ext4, files created at once by several threads in one
 * folder cost several times the system CPU (they queue, spinning, on the folder's lock) —
 * 10,000 pages written by two threads took 8 s of system time against 0.6 s. The worker threads
 * write their incident pages holding one lock (`holding`); this thread writes the others.
 */
export function writePage(file: string, r: Rendered, folders: Set<string>): boolean | Promise<boolean> {
  if (spliced(r.content)) return writeSpliced(file, r.content, folders);
  return writePageHere(file, r, folders);
}

/**
 * `writePage` on this thread, before it returns (a spliced page's parts read first): the worker
 * threads' incident pages. `fresh`: folders this build made (see `writePartsAtomic`).
 */
export function writePageHere(file: string, r: Rendered, folders: Set<string>, fresh?: ReadonlySet<string>): boolean {
  return writePartsAtomic(file, partsOf(r.content), {
    ...(r.previous ? { previous: r.previous } : {}),
    folders,
    ...(fresh ? { fresh } : {}),
  });
}

/**
 * The folders of `files` (paths in `siteDir`), made now: those this call made, which hold no
 * file yet. A folder it cannot make is left to the page's write, which reports the error.
 */
export function freshFolders(siteDir: string, files: readonly string[]): string[] {
  const fresh: string[] = [];
  for (const dir of new Set(files.map((file) => dirname(join(siteDir, file))))) {
    try {
      // `recursive` returns the first folder it made: when any, `dir` itself is new
      if (mkdirSync(dir, { recursive: true }) !== undefined) fresh.push(dir);
    } catch {
      // reported by the write of the first page in it
    }
  }
  return fresh;
}

/** A lock shared by the threads that write pages (see `writePage`): 0 free, 1 held. */
export type WriteLock = Int32Array;

export function writeLock(): WriteLock {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Runs `f` holding `lock` (waiting, asleep, while another thread holds it). */
export function holding(lock: WriteLock, f: () => void): void {
  while (!tryHolding(lock, f)) Atomics.wait(lock, 0, 1);
}

/** Runs `f` holding `lock` if no other thread holds it: whether it ran. */
export function tryHolding(lock: WriteLock, f: () => void): boolean {
  if (Atomics.compareExchange(lock, 0, 0, 1) !== 0) return false;
  try {
    f();
  } finally {
    release(lock);
  }
  return true;
}

/** Frees `lock`, and wakes a thread waiting for it (also when a thread that held it failed: see `parallel.ts`). */
export function release(lock: WriteLock): void {
  Atomics.store(lock, 0, 0);
  Atomics.notify(lock, 0, 1);
}
