import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { replaceFileAtomic } from '../output/write-file.js';
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

/**
 * Puts a page together. Pieces copied from consecutive places of the previous file (most of
 * them, after an edit) are copied as one run, and their places worked out in one go.
 */
class Assembler {
  private readonly parts: Buffer[] = [];
  private readonly keyLists: (readonly string[])[] = [];
  private spans = new Uint32Array(64);
  private pieces = 0;
  private size = 0;
  private rendered = 0;
  private copied = 0;
  /** A run of the previous file not yet added to `parts`. */
  private run: [number, number] | undefined;
  private readonly texts = new Map<string, Buffer>();

  constructor(private readonly source: Buffer | undefined) {}

  private flush(): void {
    if (this.run) this.parts.push(this.source!.subarray(this.run[0], this.run[1]));
    this.run = undefined;
  }

  private room(pieces: number): void {
    if (2 * (this.pieces + pieces) > this.spans.length) {
      const bigger = new Uint32Array(Math.max(2 * this.spans.length, 2 * (this.pieces + pieces)));
      bigger.set(this.spans.subarray(0, 2 * this.pieces));
      this.spans = bigger;
    }
  }

  text(s: string): void {
    if (s === '') return;
    let b = this.texts.get(s);
    if (!b) this.texts.set(s, (b = Buffer.from(s, 'utf8')));
    this.bytes(b);
  }

  bytes(b: Buffer): void {
    if (b.length === 0) return;
    this.flush();
    this.parts.push(b);
    this.size += b.length;
  }

  /** Bytes of the previous file, from `start` (not a piece). */
  copy(start: number, length: number): void {
    if (length === 0) return;
    if (this.run && this.run[1] === start) this.run[1] += length;
    else {
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
    const b = Buffer.from(html, 'utf8');
    this.room(1);
    this.spans[2 * this.pieces] = this.size;
    this.spans[2 * this.pieces + 1] = b.length;
    this.pieces++;
    if (b.length > 0) this.rendered++;
    this.bytes(b);
  }

  /** Pieces `from` to `to` (exclusive) of the previous file's layout, which lie one after the other. */
  copiedPieces(layout: Layout, from: number, to: number): void {
    this.room(to - from);
    const start = layout.spans[2 * from]!;
    const delta = this.size - start;
    for (let m = from; m < to; m++) {
      const length = layout.spans[2 * m + 1]!;
      this.spans[2 * this.pieces] = layout.spans[2 * m]! + delta;
      this.spans[2 * this.pieces + 1] = length;
      this.pieces++;
      if (length > 0) this.copied++;
    }
    this.copy(start, layout.spans[2 * (to - 1)]! + layout.spans[2 * (to - 1) + 1]! - start);
  }

  done(): Assembled {
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
  return out.done();
}

/**
 * The previous page with some of its pieces replaced (`replace` gives the new key and HTML of
 * a piece, or nothing to keep it): for an incident page whose links alone changed.
 */
export function splice(previous: PreviousPage, replace: (key: string) => { key: string; html: string } | undefined): Assembled {
  const out = new Assembler(previous.bytes);
  const { layout } = previous;
  const keys = [...layout.keys];
  let at = 0;
  keys.forEach((key, n) => {
    const start = layout.spans[2 * n]!;
    const length = layout.spans[2 * n + 1]!;
    out.copy(at, start - at);
    const next = replace(key);
    if (next) {
      keys[n] = next.key;
      out.piece(next.html);
    } else {
      out.copiedPieces(layout, n, n + 1);
    }
    at = start + length;
  });
  out.keys(keys);
  out.copy(at, previous.bytes.length - at);
  return out.done();
}

/**
 * Replaces a file atomically (temp file in the same folder, then rename) without an fsync:
 * for pages and the state, which are worked out again if lost (see docs/site.md), when the
 * caller knows the bytes changed (`writeFileAtomic` would read the file again to compare).
 */
export function replaceFile(file: string, bytes: Uint8Array | readonly Uint8Array[]): void {
  replaceFileAtomic(file, bytes, { durable: false });
}
