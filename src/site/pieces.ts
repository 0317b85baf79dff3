import { sameKeys } from './layout-keys.js';
import { randomBytes } from 'node:crypto';
import { close, closeSync, fstatSync, openSync, read, readFileSync, readSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { replaceFileAtomic, replaceFileAtomicAsync, writeAllTo } from '../output/write-file.js';
import type { Layout } from './state.js';
import { renderKit } from './render-kit.js';

/**
 * Pages built from pieces. A page over many incidents is mostly lists of per-incident pieces
 * (index rows, action items), and an incident page is mostly its sections' HTML. Such a page
 * is rendered as a *skeleton* — its templates filled with a marker where each piece, or list of
 * pieces, goes — and the pieces are put in their place afterwards, each either rendered or,
 * when its inputs did not change, copied from the page's previous file (whose layout the state
 * recorded). Every build does it this way, from scratch or not, so the bytes are the same
 * either way.
 *
 * A piece's key names its inputs: an incident id (rows: the incident did not change), an
 * incident id, position and overdue flag (action items), a digest of the Markdown (sections),
 * a digest of what the links section shows. A layout's *head* names the rest of the page's
 * inputs: when it is the same, the new page is the previous file with the changed pieces
 * replaced (`splice`), and the templates are not filled at all.
 */
interface PieceList {
  keys: readonly string[];
  /** Piece `n`'s HTML, when it is not copied. */
  render(n: number): string;
}

const NONCE = randomBytes(6).toString('hex');
let made = 0;

export class Pieces {
  readonly lists: PieceList[] = [];
  /** Markers cannot occur in page text: a NUL and a nonce (random for the thread, then counted: random bytes for each page cost a quarter of a second on a big build). */
  readonly tag = `\u0000${NONCE}${(made++).toString(36)}:`;

  /** The place of a list of pieces in the skeleton (ready HTML for the templates). */
  list(keys: readonly string[], render: (n: number) => string) {
    this.lists.push({ keys, render });
    return renderKit().sanitizedHtml(this.marker(this.lists.length - 1));
  }

  /** The place of one piece in the skeleton. */
  one(key: string, render: () => string) {
    return this.list([key], render);
  }

  private marker(n: number): string {
    return `${this.tag}${n}\u0000`;
  }
}

/** A page's previous file, when it is the one its layout describes. */
export interface PreviousPage {
  bytes: Buffer;
  layout: Layout;
  /** Whether the previous file has a piece. */
  has(key: string): boolean;
}

/** Whether the file is the one a layout was recorded for (inode, size, modification time). */
export function matches(file: string, layout: Layout | undefined): layout is Layout {
  if (!layout) return false;
  try {
    const stat = statSync(file);
    return stat.ino === layout.ino && stat.size === layout.size && stat.mtimeMs === layout.mtimeMs;
  } catch {
    return false;
  }
}

/**
 * Previous files held open from the plan of a page to its writing (`spliceFile`): what was
 * planned is copied from the file as it was then. A build closes those it did not write
 * (it stopped half-way) when it ends.
 */
export class OpenFiles {
  private readonly fds = new Set<number>();
  /** Files being closed in libuv's threads (see `close`). */
  private readonly closing: Promise<void>[] = [];

  /** The file, open, when it is the one the layout was recorded for. */
  open(file: string, layout: Layout | undefined): { fd: number; layout: Layout } | undefined {
    if (!layout) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      const stat = fstatSync(fd);
      if (stat.ino === layout.ino && stat.size === layout.size && stat.mtimeMs === layout.mtimeMs) {
        this.fds.add(fd);
        return { fd, layout };
      }
    } catch {
      // missing or unreadable: rendered whole
    }
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }

  /**
   * Closes a file in libuv's threads, not this one: once a page is replaced, closing its
   * previous file (the last descriptor of a file no longer named) is when the kernel frees its
   * blocks and cached pages — 6–8 ms for the index's 8.6 MB or the action items' 12.5 MB, which
   * this thread does not wait for (`closeAll` does).
   */
  close(fd: number): void {
    if (this.fds.delete(fd)) this.closing.push(new Promise((done) => close(fd, () => done())));
  }

  /** Closes the files still open (those of pages not written: the build stopped half-way); settles once every file is closed. */
  async closeAll(): Promise<void> {
    for (const fd of this.fds) closeSync(fd);
    this.fds.clear();
    await Promise.all(this.closing.splice(0));
  }
}

export function previousPage(file: string, layout: Layout | undefined): PreviousPage | undefined {
  if (!matches(file, layout)) return undefined;
  try {
    const bytes = readFileSync(file);
    if (bytes.length !== layout.size) return undefined;
    let keys: Set<string> | undefined;
    return { bytes, layout, has: (key) => (keys ??= new Set(layout.keys)).has(key) };
  } catch {
    return undefined;
  }
}

/** A stretch of the previous file, `start` to `end` (exclusive): a part of a page spliced from that file without reading it (`spliceFile`). */
export type Run = [start: number, end: number];

export interface Assembled {
  /** The page's bytes, in parts (most of them runs of the previous file). */
  parts: Buffer[];
  size: number;
  keys: string[];
  spans: Uint32Array;
  /** Pieces rendered, and copied from the previous file (empty ones aside). */
  rendered: number;
  copied: number;
}

/** The sizes of the buffers a page's rendered text is written into (each twice the last, from the smallest). */
const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;

/** How many of these places (offset and length of each piece) have a length of 0: found by the typed array's own search, not a loop. */
function emptyPieces(spans: Uint32Array): number {
  let empty = 0;
  for (let m = spans.indexOf(0); m >= 0; m = spans.indexOf(0, m + 1)) if (m % 2 === 1) empty++;
  return empty;
}

/**
 * Puts a page together. Pieces copied from consecutive places of the previous file (most of
 * them, after an edit) are copied as one run, and their places worked out in one go.
 */
class Assembler {
  private readonly parts: (Buffer | Run)[] = [];
  private readonly keyLists: (readonly string[])[] = [];
  private spans = new Uint32Array(64);
  private pieces = 0;
  private size = 0;
  private rendered = 0;
  private copied = 0;
  /** A run of the previous file not yet added to `parts`. */
  private run: [number, number] | undefined;
  /**
   * The rendered text (pieces and the skeleton between them) is written into a few large
   * buffers, `written` to `used` of the last not yet added to `parts`: a Buffer for each piece
   * was ~20,000 small ones from Node's pool for the action items page at 10,000 incidents (~19 MB).
   */
  private chunk: Buffer | undefined;
  private written = 0;
  private used = 0;

  /** `source`: the previous file's bytes, or 'runs' to leave its stretches as `Run`s (the file is not read). */
  constructor(private readonly source: Buffer | 'runs' | undefined) {}

  private flush(): void {
    if (this.run) this.parts.push(this.source === 'runs' ? this.run : this.source!.subarray(this.run[0], this.run[1]));
    this.run = undefined;
  }

  /** Adds the text written since the last part to `parts`. */
  private flushWritten(): void {
    if (this.used > this.written) this.parts.push(this.chunk!.subarray(this.written, this.used));
    this.written = this.used;
  }

  /** Writes `s` after the bytes so far; returns its length in bytes. */
  private write(s: string): number {
    if (s === '') return 0;
    this.flush();
    // UTF-8 takes at most 3 bytes per UTF-16 unit: the exact length is worked out only near a chunk's end
    if (!this.chunk || this.chunk.length - this.used < 3 * s.length) {
      const length = Buffer.byteLength(s, 'utf8');
      if (!this.chunk || this.chunk.length - this.used < length) {
        this.flushWritten();
        this.chunk = Buffer.allocUnsafe(Math.max(length, Math.min(MAX_CHUNK, 2 * (this.chunk?.length ?? MIN_CHUNK / 2))));
        this.written = this.used = 0;
      }
    }
    const n = this.chunk.write(s, this.used, 'utf8');
    this.used += n;
    this.size += n;
    return n;
  }

  private room(pieces: number): void {
    if (2 * (this.pieces + pieces) > this.spans.length) {
      const bigger = new Uint32Array(Math.max(2 * this.spans.length, 2 * (this.pieces + pieces)));
      bigger.set(this.spans.subarray(0, 2 * this.pieces));
      this.spans = bigger;
    }
  }

  text(s: string): void {
    this.write(s);
  }

  /** Bytes of the previous file, from `start` (not a piece). */
  copy(start: number, length: number): void {
    if (length === 0) return;
    if (this.run && this.run[1] === start) this.run[1] += length;
    else {
      this.flushWritten();
      this.flush();
      this.run = [start, start + length];
    }
    this.size += length;
  }

  /** Keys of the pieces that follow (in order). */
  keys(keys: readonly string[]): void {
    this.keyLists.push(keys);
  }

  piece(html: string): void {
    this.room(1);
    this.spans[2 * this.pieces] = this.size;
    const length = this.write(html);
    this.spans[2 * this.pieces + 1] = length;
    this.pieces++;
    if (length > 0) this.rendered++;
  }

  /**
   * Pieces `from` to `to` (exclusive) of the previous file's layout, which lie one after the
   * other. Their places are copied in one go and shifted by how far the page moved them: a loop
   * over each piece's four numbers ran in V8's interpreter (the command runs without on-stack
   * replacement, `v8-flags.ts`, and this is called a few times with runs of thousands), 3.8 ms
   * for the 40,000 pieces of an edit at 10,000 against 1.0 ms so (`--no-use-osr`, fresh
   * processes; docs/performance.md, thirteenth round: e15site).
   */
  copiedPieces(layout: Layout, from: number, to: number): void {
    this.room(to - from);
    const start = layout.spans[2 * from]!;
    const delta = this.size - start;
    const into = this.spans.subarray(2 * this.pieces, 2 * (this.pieces + to - from));
    into.set(layout.spans.subarray(2 * from, 2 * to));
    // (a Uint32Array wraps the sum as it wrapped `layout.spans[…] + delta` stored into it)
    if (delta !== 0) for (let m = 0; m < into.length; m += 2) into[m]! += delta;
    this.pieces += to - from;
    this.copied += to - from - emptyPieces(into);
    this.copy(start, layout.spans[2 * (to - 1)]! + layout.spans[2 * (to - 1) + 1]! - start);
  }

  done(): Omit<Assembled, 'parts'> & { parts: (Buffer | Run)[] } {
    this.flushWritten();
    this.flush();
    const keys = this.keyLists.length === 1 ? [...this.keyLists[0]!] : ([] as string[]).concat(...this.keyLists);
    return {
      parts: this.parts,
      size: this.size,
      keys,
      spans: this.spans.slice(0, 2 * this.pieces),
      rendered: this.rendered,
      copied: this.copied,
    };
  }
}

/**
 * Finds pieces in the previous file's layout: the next one when they come in the same order
 * (`skip` moves past a run), else by key.
 */
export function finder(previous: PreviousPage | undefined): { find(key: string): number | undefined; skip(to: number): void } {
  if (!previous) return { find: () => undefined, skip: () => undefined };
  const keys = previous.layout.keys;
  let next = 0;
  let at: Map<string, number> | undefined;
  return {
    find(key) {
      if (keys[next] === key) return next++;
      if (!at) {
        at = new Map();
        for (let n = keys.length - 1; n >= 0; n--) at.set(keys[n]!, n);
      }
      const n = at.get(key);
      if (n !== undefined) next = n + 1;
      return n;
    },
    skip(to) {
      next = to;
    },
  };
}

/**
 * The page: the skeleton with each marker replaced by its pieces — copied from `previous` when
 * `reusable(key)` and the previous file has it, else rendered.
 */
export function assemble(
  skeleton: string,
  pieces: Pieces,
  previous: PreviousPage | undefined,
  reusable: (key: string) => boolean,
): Assembled {
  const out = new Assembler(previous?.bytes);
  const { find, skip } = finder(previous);
  const layout = previous?.layout;
  const { tag } = pieces;
  let at = 0;
  for (;;) {
    const mark = skeleton.indexOf(tag, at);
    if (mark < 0) break;
    const end = skeleton.indexOf('\u0000', mark + tag.length);
    const list = pieces.lists[Number(skeleton.slice(mark + tag.length, end))]!;
    out.text(skeleton.slice(at, mark));
    out.keys(list.keys);
    const { keys } = list;
    for (let n = 0; n < keys.length; ) {
      const old = reusable(keys[n]!) ? find(keys[n]!) : undefined;
      if (old === undefined) {
        out.piece(list.render(n));
        n++;
        continue;
      }
      // the longest run of following pieces that lie one after the other in the previous file
      let m = old + 1;
      let k = n + 1;
      while (
        k < keys.length &&
        m < layout!.keys.length &&
        layout!.keys[m] === keys[k] &&
        layout!.spans[2 * m] === layout!.spans[2 * (m - 1)]! + layout!.spans[2 * (m - 1) + 1]! &&
        reusable(keys[k]!)
      ) {
        m++;
        k++;
      }
      out.copiedPieces(layout!, old, m);
      skip(m);
      n = k;
    }
    at = end + 1;
  }
  out.text(skeleton.slice(at));
  return out.done() as Assembled;
}

/**
 * The previous page with some of its pieces replaced (`replace` gives the new key and HTML of
 * a piece, or nothing to keep it): for an incident page whose links alone changed.
 */
export function splice(previous: PreviousPage, replace: (key: string) => Replacement | undefined): Assembled {
  const { places, piece } = replacements(previous.layout.keys, replace);
  return spliceInto(new Assembler(previous.bytes), previous.layout, previous.bytes.length, places, piece) as Assembled;
}

/** A page spliced from its previous file, open in `files` (see `spliceFile`). */
export interface SplicedPage {
  parts: (Buffer | Run)[];
  size: number;
  from: { fd: number; size: number; files: OpenFiles };
}

/**
 * `splice` of a file that is not read: the stretches kept are `Run`s of it, copied from the
 * file when the page is written (`writeSpliced`). For the big pages (the index, the action
 * items: megabytes each), which an edit changes a row of: reading them whole into new memory
 * cost several times the CPU of copying them through a small buffer. `places`, when the caller
 * knows them, are the places of the pieces replaced (`replace` then gives a piece for each of
 * them and is asked nothing else); otherwise `replace` is asked about every key.
 */
export function spliceFile(
  previous: { fd: number; layout: Layout },
  files: OpenFiles,
  replace: (key: string) => Replacement | undefined,
  places?: readonly number[],
): Omit<Assembled, 'parts'> & SplicedPage {
  try {
    const { layout } = previous;
    const fresh = places ? { places, piece: (n: number) => replace(layout.keys[n]!)! } : replacements(layout.keys, replace);
    const page = spliceInto(new Assembler('runs'), layout, layout.size, fresh.places, fresh.piece);
    return { ...page, from: { fd: previous.fd, size: layout.size, files } };
  } catch (error) {
    files.close(previous.fd);
    throw error;
  }
}

const COPY_CHUNK = 1 << 20;
const readFrom = promisify(read);

/** `length` bytes of the file from `position`, into `into` (at its start), in libuv's threads. */
async function readAt(fd: number, into: Buffer, length: number, position: number): Promise<Buffer> {
  for (let at = 0; at < length; ) {
    const { bytesRead } = await readFrom(fd, into, at, length - at, position + at);
    if (bytesRead === 0) throw new Error('the previous page file ended early');
    at += bytesRead;
  }
  return into.subarray(0, length);
}

/** Whether the spliced page's bytes are the previous file's (each part compared where it lies). */
async function sameAsPrevious(page: SplicedPage, buffer: Buffer): Promise<boolean> {
  const { fd, size } = page.from;
  if (page.size !== size) return false;
  let other: Buffer | undefined;
  let at = 0;
  for (const part of page.parts) {
    if (Buffer.isBuffer(part)) {
      for (let done = 0; done < part.length; done += COPY_CHUNK) {
        const n = Math.min(COPY_CHUNK, part.length - done);
        if (!(await readAt(fd, buffer, n, at + done)).equals(part.subarray(done, done + n))) return false;
      }
      at += part.length;
      continue;
    }
    const [start, end] = part;
    // a run that lies where it was is the same; one that moved is compared
    if (start !== at) {
      for (let done = 0; done < end - start; done += COPY_CHUNK) {
        const n = Math.min(COPY_CHUNK, end - start - done);
        const moved = await readAt(fd, buffer, n, start + done);
        if (!moved.equals(await readAt(fd, (other ??= Buffer.allocUnsafe(COPY_CHUNK)), n, at + done))) return false;
      }
    }
    at += end - start;
  }
  return true;
}

/** The spliced page's bytes, read (for a page that goes to another thread: never the big pages). */
export function splicedBytes(page: SplicedPage): Buffer[] {
  return page.parts.map((part) => {
    if (Buffer.isBuffer(part)) return part;
    const bytes = Buffer.allocUnsafe(part[1] - part[0]);
    if (readSync(page.from.fd, bytes, 0, bytes.length, part[0]) !== bytes.length) throw new Error('the previous page file ended early');
    return bytes;
  });
}

/** The spliced pages being written, one after another: each is copied through the one buffer. */
let writing: Promise<unknown> = Promise.resolve();
let chunk: Buffer | undefined;

/**
 * Writes a spliced page (atomically, without an fsync, as `writePage`) when its bytes are not
 * the previous file's, copying the runs through a buffer; closes the previous file. In
 * libuv's threads (`replaceFileAtomicAsync`): the index's and the action items' 21 MB cost the
 * kernel ~10 ms to write, which this thread spends rendering the next pages instead. Settles to
 * true when the file changed.
 */
export function writeSpliced(file: string, page: SplicedPage, folders: Set<string>): Promise<boolean> {
  const done = writing.then(() => copySpliced(file, page, folders));
  writing = done.catch(() => undefined);
  return done;
}

async function copySpliced(file: string, page: SplicedPage, folders: Set<string>): Promise<boolean> {
  const { fd, files } = page.from;
  try {
    const buffer = (chunk ??= Buffer.allocUnsafe(COPY_CHUNK));
    if (await sameAsPrevious(page, buffer)) return false;
    await replaceFileAtomicAsync(
      file,
      async (out) => {
        for (const part of page.parts) {
          if (Buffer.isBuffer(part)) {
            await writeAllTo(out, part);
            continue;
          }
          for (let at = part[0]; at < part[1]; at += COPY_CHUNK)
            await writeAllTo(out, await readAt(fd, buffer, Math.min(COPY_CHUNK, part[1] - at), at));
        }
      },
      folders,
    );
    return true;
  } finally {
    files.close(fd);
  }
}

/** A piece put in place of one of the previous file's: its key and HTML. */
type Replacement = { key: string; html: string };

/** The places of the keys `replace` gives a new piece for, in order, and those pieces. */
function replacements(
  keys: readonly string[],
  replace: (key: string) => Replacement | undefined,
): { places: number[]; piece: (n: number) => Replacement } {
  const fresh = new Map<number, Replacement>();
  keys.forEach((key, n) => {
    const r = replace(key);
    if (r) fresh.set(n, r);
  });
  return { places: [...fresh.keys()], piece: (n) => fresh.get(n)! };
}

/**
 * The previous file's pieces at `places` (in order) replaced by `piece(n)`; each run of the
 * pieces between them copied in one go (`copiedPieces`, with what lies between them: the same
 * skeleton). Only the replaced places are visited: a page of 10,000 rows after an edit of one
 * is two runs, not 10,000 steps of a loop that runs once (see `copiedPieces`).
 */
function spliceInto(out: Assembler, layout: Layout, size: number, places: readonly number[], piece: (n: number) => Replacement) {
  const keys = [...layout.keys];
  const { spans } = layout;
  /** Where the bytes not yet added start in the previous file; the first piece not yet added. */
  let at = 0;
  let next = 0;
  const keepTo = (to: number) => {
    if (to <= next) return;
    out.copy(at, spans[2 * next]! - at);
    out.copiedPieces(layout, next, to);
    at = spans[2 * (to - 1)]! + spans[2 * (to - 1) + 1]!;
  };
  let same = true;
  for (const n of places) {
    keepTo(n);
    const fresh = piece(n);
    out.copy(at, spans[2 * n]! - at);
    same &&= fresh.key === keys[n];
    keys[n] = fresh.key;
    out.piece(fresh.html);
    at = spans[2 * n]! + spans[2 * n + 1]!;
    next = n + 1;
  }
  keepTo(keys.length);
  out.keys(keys);
  out.copy(at, size - at);
  const page = out.done();
  if (same) sameKeys(page.keys, layout.keys);
  return page;
}

/**
 * Replaces a file atomically (temp file in the same folder, then rename) without an fsync:
 * for pages and the state, which are worked out again if lost (see docs/site.md), when the
 * caller knows the bytes changed (`writeFileAtomic` would read the file again to compare).
 */
export function replaceFile(file: string, bytes: Uint8Array | readonly Uint8Array[]): void {
  replaceFileAtomic(file, bytes, { durable: false });
}
