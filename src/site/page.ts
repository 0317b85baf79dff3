import type { Incident } from '../model/incident.js';
import { writeFileAtomicAsync, writePartsAtomic } from '../output/write-file.js';
import type { MarkdownTask, PageTask, ShardTask } from './parallel.js';

/** A page rendered: its bytes, and where its pieces lie in them (see `pieces.ts`). */
export interface Rendered {
  /** The page's bytes, or its parts (see `pieces.ts`). */
  content: string | Uint8Array | { parts: Buffer[]; size: number };
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

/** A page written by a worker thread (see `parallel.ts`): what the build records of it. */
export interface WrittenPage {
  changed: boolean;
  pieces?: PagePieces;
  /** The file's inode, size and modification time after the write (for its layout). */
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
  render(full: (id: string) => Incident, results: readonly string[]): Rendered | Promise<Rendered>;
}

function partsOf(content: Rendered['content']): Buffer[] {
  return typeof content === 'string' ? [Buffer.from(content, 'utf8')]
    : content instanceof Uint8Array ? [Buffer.from(content.buffer, content.byteOffset, content.length)] : content.parts;
}

/**
 * Writes a page: atomically, without an fsync (see docs/site.md), and only when its bytes
 * changed — compared with `previous` when the build read the file already. `folders`: those
 * the build made already.
 */
export async function writePage(file: string, r: Rendered, folders: Set<string>): Promise<boolean> {
  return writeFileAtomicAsync(file, partsOf(r.content), { ...(r.previous ? { previous: r.previous } : {}), folders });
}

/** `writePage` blocking the thread (in a worker thread). */
export function writePageSync(file: string, r: Rendered, folders: Set<string>): boolean {
  return writePartsAtomic(file, partsOf(r.content), { ...(r.previous ? { previous: r.previous } : {}), folders });
}
