import type { Incident } from '../model/incident.js';
import { replaceFileAtomic, sameBytes, writePartsAtomic } from '../output/write-file.js';
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

/** An incident page rendered by a worker thread (see `parallel.ts`), for this thread to write. */
export interface RemotePage {
  /** The page's bytes; none when they are those of the previous file (which the worker read). */
  bytes?: Uint8Array;
  /** Whether the worker compared them with the previous file (so they differ). */
  compared: boolean;
  pieces?: PagePieces;
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
 * Pages are written one at a time, by one thread: on ext4, files created at once by several
 * threads in one folder cost several times the system CPU (they queue, spinning, on the
 * folder's lock) — 10,000 pages written by two threads took 8 s of system time against 0.6 s.
 */
export function writePage(file: string, r: Rendered, folders: Set<string>): boolean | Promise<boolean> {
  if (spliced(r.content)) return writeSpliced(file, r.content, folders);
  return writePartsAtomic(file, partsOf(r.content), { ...(r.previous ? { previous: r.previous } : {}), folders });
}

/** Writes a page a worker rendered (see `writePage`). */
export function writeRemotePage(file: string, r: RemotePage, folders: Set<string>): boolean {
  if (!r.bytes) return false;
  const bytes = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.length);
  if (r.compared) {
    replaceFileAtomic(file, bytes, { durable: false, folders });
    return true;
  }
  return writePartsAtomic(file, [bytes], { folders });
}

/** A page rendered in a worker thread, as it goes to this thread: its bytes in one transferable buffer (from `buffer`), unless unchanged. */
export function remotePage(r: Rendered, buffer: (size: number) => Uint8Array = (size) => new Uint8Array(size)): RemotePage {
  const parts = partsOf(r.content);
  const size = parts.reduce((n, p) => n + p.length, 0);
  const base = r.pieces ? { pieces: r.pieces } : {};
  if (r.previous && sameBytes(parts, size, r.previous)) return { compared: true, ...base };
  const bytes = buffer(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, compared: r.previous !== undefined, ...base };
}
