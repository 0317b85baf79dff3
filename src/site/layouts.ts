import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { hash } from './base.js';
import { Column, columnOf as column, keptColumn as kept, type Kept } from './column.js';
import { replaceFile } from './pieces.js';

/**
 * The layouts of the pages built from pieces (`pieces.ts`), kept by the site's state in parts
 * of their own, `<out>/site/.state-layouts/<part>`: one part per page over many incidents (the
 * index's and the action items' layouts are most of the bytes) and the incident pages' in
 * buckets. A build reads only the parts of the pages it renders again, and writes only the
 * parts it changed; the state names each part it goes with by a token written into the part,
 * so a part that another build wrote (one that stopped before saving its state) or that is
 * missing, damaged or of another shape is not used: its pages are rendered whole.
 */
export const LAYOUTS_DIR = '.state-layouts';
/** Buckets of incident pages' layouts (a part each). */
const INCIDENT_BUCKETS = 128;

/** Where the pieces of a page lie in its file, and which file that was. */
export interface Layout {
  ino: number;
  size: number;
  mtimeMs: number;
  /** What the page's pieces were put in: a digest of the rest of its inputs (see `build.ts`). */
  head: string;
  keys: readonly string[];
  /** Byte offset and length of each piece, two numbers per key. */
  spans: Uint32Array;
}

/** A layout as kept: its keys joined. */
type KeptLayout = Omit<Layout, 'keys'> & { count: number; keysText: string };

const keptLayout = (l: Layout): KeptLayout => ({
  ino: l.ino,
  size: l.size,
  mtimeMs: l.mtimeMs,
  head: l.head,
  spans: l.spans,
  count: l.keys.length,
  keysText: l.keys.join('\u0001'),
});

const split = (s: string, separator: string) => (s === '' ? [] : s.split(separator));

/** The part a page's layout is kept in. */
export function partOf(path: string): string {
  if (!path.startsWith('incidents/')) return `page-${hash(path).slice(0, 16)}`;
  // FNV-1a: cheap, and the same on every machine
  let h = 0x811c9dc5;
  for (let n = 0; n < path.length; n++) h = Math.imul(h ^ path.charCodeAt(n), 0x01000193);
  return `incidents-${String((h >>> 0) % INCIDENT_BUCKETS).padStart(3, '0')}`;
}

/** One part's file. */
interface PartFile {
  format: string;
  key: string;
  /** Names this writing of the part (the state keeps the token of each part it goes with). */
  token: string;
  paths: string;
  /** Inode, size and modification time of each page. */
  stats: Float64Array;
  /** Each page's keys separated by \u0001; pages separated by \u0000. */
  keys: Kept;
  /** Each page's head, one per line. */
  heads: Kept;
  /** Pieces per page. */
  counts: Uint32Array;
  spans: Uint32Array;
}

/** The layouts of one part, decoded page by page when asked for. */
class LayoutPart {
  private readonly at: Map<string, number>;
  private readonly starts: Uint32Array;

  constructor(
    readonly paths: string[],
    private readonly stats: Float64Array,
    private readonly keys: Column,
    private readonly heads: Column,
    private readonly counts: Uint32Array,
    private readonly spans: Uint32Array,
  ) {
    this.at = new Map(paths.map((p, n) => [p, n]));
    this.starts = new Uint32Array(paths.length + 1);
    for (let n = 0; n < paths.length; n++) this.starts[n + 1] = this.starts[n]! + counts[n]!;
  }

  static empty(): LayoutPart {
    return new LayoutPart(
      [],
      new Float64Array(0),
      new Column('', '\u0000', 0),
      new Column('', '\n', 0),
      new Uint32Array(0),
      new Uint32Array(0),
    );
  }

  /** The part in a file, when it is the one `token` names and of the right shape; else none (its pages are rendered whole). */
  static read(file: string, format: string, key: string, token: string): LayoutPart {
    try {
      const f = deserialize(readFileSync(file)) as Partial<PartFile> | null;
      if (!f || f.format !== format || f.key !== key || f.token !== token || typeof f.paths !== 'string') return LayoutPart.empty();
      const paths = split(f.paths, '\n');
      const n = paths.length;
      const { stats, counts, spans } = f;
      if (!(stats instanceof Float64Array) || !(counts instanceof Uint32Array) || !(spans instanceof Uint32Array))
        return LayoutPart.empty();
      if (!Array.isArray(f.keys) || !Array.isArray(f.heads) || !(f.keys[2] instanceof Uint32Array) || !(f.heads[2] instanceof Uint32Array))
        return LayoutPart.empty();
      if (typeof f.keys[0] !== 'string' || typeof f.heads[0] !== 'string') return LayoutPart.empty();
      const keys = column(f.keys, '\u0000');
      const heads = column(f.heads, '\n');
      const pieces = counts.reduce((sum, c) => sum + c, 0);
      if (stats.length !== 3 * n || counts.length !== n || spans.length !== 2 * pieces || keys.count !== n || heads.count !== n)
        return LayoutPart.empty();
      if (!keys.valid() || !heads.valid()) return LayoutPart.empty();
      return new LayoutPart(paths, stats, keys, heads, counts, spans);
    } catch {
      // missing or damaged
      return LayoutPart.empty();
    }
  }

  has(path: string): boolean {
    return this.at.has(path);
  }

  get(path: string): Layout | undefined {
    const n = this.at.get(path);
    if (n === undefined) return undefined;
    return {
      ino: this.stats[3 * n]!,
      size: this.stats[3 * n + 1]!,
      mtimeMs: this.stats[3 * n + 2]!,
      head: this.heads.get(n),
      keys: split(this.keys.get(n), '\u0001'),
      spans: this.spans.subarray(2 * this.starts[n]!, 2 * this.starts[n + 1]!),
    };
  }

  /** This part with the given layouts replaced or added and those of `removed` paths dropped. */
  with(changedLayouts: ReadonlyMap<string, Layout>, removed: ReadonlySet<string>): LayoutPart {
    const changed = new Map([...changedLayouts].map(([path, l]) => [path, keptLayout(l)]));
    // the usual case: pages rendered again with as many pieces as before, none gone or new
    if (
      [...removed].every((path) => !this.at.has(path)) &&
      [...changed].every(([path, l]) => this.at.has(path) && this.counts[this.at.get(path)!] === l.count)
    ) {
      const stats = this.stats.slice();
      const spans = this.spans.slice();
      const keys = new Map<number, string>();
      const heads = new Map<number, string>();
      for (const [path, l] of changed) {
        const n = this.at.get(path)!;
        stats.set([l.ino, l.size, l.mtimeMs], 3 * n);
        spans.set(l.spans, 2 * this.starts[n]!);
        // most often the same keys (a page of rows whose order did not change): the text is kept
        if (!this.keys.equals(n, l.keysText)) keys.set(n, l.keysText);
        heads.set(n, l.head);
      }
      return new LayoutPart(this.paths, stats, this.keys.with(keys), this.heads.with(heads), this.counts, spans);
    }
    const paths: string[] = [];
    const stats: number[] = [];
    const keys: string[] = [];
    const heads: string[] = [];
    const counts: number[] = [];
    const spans: Uint32Array[] = [];
    const add = (path: string, l: KeptLayout) => {
      paths.push(path);
      stats.push(l.ino, l.size, l.mtimeMs);
      heads.push(l.head);
      keys.push(l.keysText);
      counts.push(l.count);
      spans.push(l.spans);
    };
    for (let n = 0; n < this.paths.length; n++) {
      const path = this.paths[n]!;
      if (changed.has(path) || removed.has(path)) continue;
      add(path, {
        ino: this.stats[3 * n]!,
        size: this.stats[3 * n + 1]!,
        mtimeMs: this.stats[3 * n + 2]!,
        head: this.heads.get(n),
        keysText: this.keys.get(n),
        count: this.counts[n]!,
        spans: this.spans.subarray(2 * this.starts[n]!, 2 * this.starts[n + 1]!),
      });
    }
    for (const [path, l] of changed) if (!removed.has(path)) add(path, l);
    const all = new Uint32Array(spans.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const s of spans) {
      all.set(s, at);
      at += s.length;
    }
    return new LayoutPart(
      paths,
      Float64Array.from(stats),
      Column.of(keys, '\u0000'),
      Column.of(heads, '\n'),
      Uint32Array.from(counts),
      all,
    );
  }

  encode(): Omit<PartFile, 'format' | 'key' | 'token'> {
    return {
      paths: this.paths.join('\n'),
      stats: this.stats,
      keys: kept(this.keys),
      heads: kept(this.heads),
      counts: this.counts,
      spans: this.spans,
    };
  }
}

/** Where kept parts are read from: the site folder, and the state's format and key they must carry. */
interface Source {
  siteDir: string;
  format: string;
  key: string;
}

/** The layouts of a state: its parts read when a page of theirs is asked for. */
export class Layouts {
  private constructor(
    /** Where the parts are (none: a build with no state). */
    private readonly source: Source | undefined,
    /** The token of each part these layouts include as kept. */
    private readonly tokens: ReadonlyMap<string, string>,
    /** Parts read, or replaced by `with`. */
    private readonly parts: Map<string, LayoutPart>,
    /** Parts replaced since read (`save` writes them). */
    private readonly changed: ReadonlySet<string>,
  ) {}

  static empty(): Layouts {
    return new Layouts(undefined, new Map(), new Map(), new Set());
  }

  /** The layouts a state kept: `tokens` names each part it goes with. */
  static kept(source: Source, tokens: ReadonlyMap<string, string>): Layouts {
    return new Layouts(source, tokens, new Map(), new Set());
  }

  private part(name: string): LayoutPart {
    let p = this.parts.get(name);
    if (!p) {
      const token = this.tokens.get(name);
      const s = this.source;
      p = s && token ? LayoutPart.read(join(s.siteDir, LAYOUTS_DIR, name), s.format, s.key, token) : LayoutPart.empty();
      this.parts.set(name, p);
    }
    return p;
  }

  has(path: string): boolean {
    return this.part(partOf(path)).has(path);
  }

  get(path: string): Layout | undefined {
    return this.part(partOf(path)).get(path);
  }

  /** These layouts with the given ones replaced or added and those of `removed` paths dropped (only their parts are read). */
  with(changed: ReadonlyMap<string, Layout>, removed: Iterable<string>): Layouts {
    const byPart = new Map<string, { changed: Map<string, Layout>; removed: Set<string> }>();
    const of = (path: string) => {
      const name = partOf(path);
      let e = byPart.get(name);
      if (!e) byPart.set(name, (e = { changed: new Map(), removed: new Set() }));
      return e;
    };
    for (const [path, l] of changed) of(path).changed.set(path, l);
    for (const path of removed) of(path).removed.add(path);
    const parts = new Map(this.parts);
    for (const [name, e] of byPart) {
      // a part with none of the removed pages and nothing changed stays as kept
      if (e.changed.size === 0 && ![...e.removed].some((path) => this.has(path))) continue;
      parts.set(name, this.part(name).with(e.changed, e.removed));
    }
    const touched = [...byPart.keys()].filter((name) => parts.get(name) !== this.parts.get(name));
    return new Layouts(this.source, this.tokens, parts, new Set([...this.changed, ...touched]));
  }

  /**
   * Writes the parts changed since they were read (a new token each) into the site folder they
   * were read from, and returns the token of every part, to keep with the state; with `tidy`,
   * removes the files of parts it does not name.
   */
  save(siteDir: string, format: string, key: string, tidy: boolean): [part: string, token: string][] {
    const dir = join(siteDir, LAYOUTS_DIR);
    const tokens = new Map(this.tokens);
    try {
      mkdirSync(dir, { recursive: true });
    } catch {
      // a file of that name (the folder is the build's own, as every `.state` name): replaced
      rmSync(dir, { force: true, recursive: true });
      mkdirSync(dir);
      tokens.clear();
    }
    for (const name of [...this.changed].sort()) {
      const p = this.part(name);
      if (p.paths.length === 0) {
        tokens.delete(name);
        rmSync(join(dir, name), { force: true });
        continue;
      }
      const token = randomBytes(8).toString('hex');
      const file: PartFile = { format, key, token, ...p.encode() };
      replaceFile(join(dir, name), serialize(file));
      tokens.set(name, token);
    }
    if (tidy) for (const name of readdirSync(dir)) if (!tokens.has(name)) rmSync(join(dir, name), { force: true });
    return [...tokens].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
