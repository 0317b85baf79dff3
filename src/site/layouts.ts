import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { hash } from './base.js';
import { Column, columnOf as column, keptColumn as kept, type Kept } from './column.js';
import { keysOf, keysText } from './layout-keys.js';
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

/**
 * Incident pages' layouts that changed since their buckets were written are kept by the state's
 * delta (`state.ts`), not written into their buckets until the whole state is: a title edit at
 * 10,000 renders ~10–19 incident pages again, in as many buckets, and each bucket written is a
 * new file (~0.5–1 ms of kernel CPU to create a 25 KB file and replace the old one on this VM's
 * ext4, whatever its size: 9 of the 16 files of the state an edit wrote). The layouts of the
 * pages over many incidents (hundreds of kilobytes each, rendered again at every edit) keep their
 * parts. A delta's layouts patch the buckets they were written over: when a bucket the state names
 * is missing or damaged, they are not used either, and the bucket is written again.
 */
const inDelta = (path: string) => path.startsWith('incidents/');
/**
 * Past this many layouts the delta's go into their parts (as a whole state's do): a template
 * change renders every incident page again, and 10,000 layouts (~25 MB at 10,000 incidents)
 * would be written and read with every delta until the whole state is. The usual edits stay far
 * below (10–19 pages each; the whole state is written every `DELTA_INCIDENTS` = 16 incidents, `state.ts`).
 */
export const DELTA_LAYOUTS = 512;

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
export type KeptLayout = Omit<Layout, 'keys'> & { count: number; keysText: string };

const keptLayout = (l: Layout): KeptLayout => ({
  ino: l.ino,
  size: l.size,
  mtimeMs: l.mtimeMs,
  head: l.head,
  spans: l.spans,
  count: l.keys.length,
  keysText: keysText(l.keys),
});

const split = (s: string, separator: string) => (s === '' ? [] : s.split(separator));

/** A kept layout as read from the state's delta, when it is of the right shape. */
function keptShape(l: unknown): l is KeptLayout {
  if (!l || typeof l !== 'object') return false;
  const k = l as Partial<KeptLayout>;
  return (
    typeof k.ino === 'number' &&
    typeof k.size === 'number' &&
    typeof k.mtimeMs === 'number' &&
    typeof k.head === 'string' &&
    typeof k.keysText === 'string' &&
    typeof k.count === 'number' &&
    k.spans instanceof Uint32Array &&
    k.spans.length === 2 * k.count
  );
}

/** The layout a kept one says, when its keys are as many as its spans say; else none (its page is rendered whole). */
function layoutOf(k: KeptLayout): Layout | undefined {
  const keys = keysOf(k.keysText);
  if (keys.length !== k.count) return undefined;
  return { ino: k.ino, size: k.size, mtimeMs: k.mtimeMs, head: k.head, keys, spans: k.spans };
}

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

  /** A part the state names that is missing or damaged (read as no layouts). */
  damaged = false;

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

  /** The part in a file, when it is the one `token` names and of the right shape; else none, damaged (its pages are rendered whole). */
  static read(file: string, format: string, key: string, token: string): LayoutPart {
    const part = LayoutPart.readAs(file, format, key, token);
    if (part) return part;
    const none = LayoutPart.empty();
    none.damaged = true;
    return none;
  }

  private static readAs(file: string, format: string, key: string, token: string): LayoutPart | undefined {
    try {
      const f = deserialize(readFileSync(file)) as Partial<PartFile> | null;
      if (!f || f.format !== format || f.key !== key || f.token !== token || typeof f.paths !== 'string') return undefined;
      const paths = split(f.paths, '\n');
      const n = paths.length;
      const { stats, counts, spans } = f;
      if (!(stats instanceof Float64Array) || !(counts instanceof Uint32Array) || !(spans instanceof Uint32Array)) return undefined;
      if (!Array.isArray(f.keys) || !Array.isArray(f.heads) || !(f.keys[2] instanceof Uint32Array) || !(f.heads[2] instanceof Uint32Array))
        return undefined;
      if (typeof f.keys[0] !== 'string' || typeof f.heads[0] !== 'string') return undefined;
      const keys = column(f.keys, '\u0000');
      const heads = column(f.heads, '\n');
      const pieces = counts.reduce((sum, c) => sum + c, 0);
      if (stats.length !== 3 * n || counts.length !== n || spans.length !== 2 * pieces || keys.count !== n || heads.count !== n)
        return undefined;
      if (!keys.valid() || !heads.valid()) return undefined;
      return new LayoutPart(paths, stats, keys, heads, counts, spans);
    } catch {
      // missing or damaged
      return undefined;
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
      keys: keysOf(this.keys.get(n)),
      spans: this.spans.subarray(2 * this.starts[n]!, 2 * this.starts[n + 1]!),
    };
  }

  /** This part with the given layouts replaced or added and those of `removed` paths dropped. */
  with(changed: ReadonlyMap<string, KeptLayout>, removed: ReadonlySet<string>): LayoutPart {
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

/** Layouts of incident pages kept in the state's delta, by path: a page's, or null for a page gone (see `inDelta`). */
export type DeltaLayouts = ReadonlyMap<string, KeptLayout | null>;

/** What `Layouts.save` keeps with the state: the token of every part, and the layouts for the delta. */
export interface SavedLayouts {
  parts: [part: string, token: string][];
  delta: [path: string, layout: KeptLayout | null][];
}

/** The layouts of a state: its parts read when a page of theirs is asked for, patched by the delta's. */
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
    /** Incident pages' layouts changed since their buckets were written. */
    private readonly delta: DeltaLayouts,
  ) {}

  static empty(): Layouts {
    return new Layouts(undefined, new Map(), new Map(), new Set(), new Map());
  }

  /** The layouts a state kept: `tokens` names each part it goes with, `delta` the layouts its delta holds (as read: checked when used). */
  static kept(source: Source, tokens: ReadonlyMap<string, string>, delta: readonly (readonly [unknown, unknown])[] = []): Layouts {
    const layouts = new Map<string, KeptLayout | null>();
    for (const [path, l] of delta) if (typeof path === 'string' && (l === null || keptShape(l))) layouts.set(path, l);
    return new Layouts(source, tokens, new Map(), new Set(), layouts);
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

  /** The delta's layout of a page (undefined when it has none, or when the part it patches is damaged). */
  private fromDelta(path: string, part: LayoutPart): KeptLayout | null | undefined {
    return part.damaged ? undefined : this.delta.get(path);
  }

  has(path: string): boolean {
    const part = this.part(partOf(path));
    const kept = this.fromDelta(path, part);
    return kept === undefined ? part.has(path) : kept !== null;
  }

  get(path: string): Layout | undefined {
    const part = this.part(partOf(path));
    const kept = this.fromDelta(path, part);
    if (kept === undefined) return part.get(path);
    return kept === null ? undefined : layoutOf(kept);
  }

  /** These layouts with the given ones replaced or added and those of `removed` paths dropped (only their parts are read). */
  with(changed: ReadonlyMap<string, Layout>, removed: Iterable<string>): Layouts {
    const delta = new Map(this.delta);
    const byPart = new Map<string, { changed: Map<string, KeptLayout>; removed: Set<string> }>();
    const of = (name: string) => {
      let e = byPart.get(name);
      if (!e) byPart.set(name, (e = { changed: new Map(), removed: new Set() }));
      return e;
    };
    /**
     * Whether a page's change goes to the delta: an incident page whose bucket is as the state
     * names it. Not without a state (a build from scratch writes the whole state: straight into
     * the parts, 10,000 layouts not held twice).
     */
    const toDelta = (path: string) => this.source !== undefined && inDelta(path) && !this.part(partOf(path)).damaged;
    for (const [path, l] of changed) {
      if (toDelta(path)) delta.set(path, keptLayout(l));
      else of(partOf(path)).changed.set(path, keptLayout(l));
    }
    for (const path of removed) {
      // a page with no layout leaves its part as kept
      if (!this.has(path)) continue;
      if (toDelta(path)) delta.set(path, null);
      else of(partOf(path)).removed.add(path);
    }
    const parts = new Map(this.parts);
    for (const [name, e] of byPart) parts.set(name, this.part(name).with(e.changed, e.removed));
    // a part written again (a damaged bucket) holds what it holds: the delta no longer patches it
    if (byPart.size > 0) for (const path of delta.keys()) if (byPart.has(partOf(path))) delta.delete(path);
    return new Layouts(this.source, this.tokens, parts, new Set([...this.changed, ...byPart.keys()]), delta);
  }

  /** These layouts with the delta's put into their parts (those of damaged parts dropped: they patched what is not there). */
  private folded(): Layouts {
    const byPart = new Map<string, { changed: Map<string, KeptLayout>; removed: Set<string> }>();
    for (const [path, l] of this.delta) {
      const name = partOf(path);
      if (this.part(name).damaged) continue;
      let e = byPart.get(name);
      if (!e) byPart.set(name, (e = { changed: new Map(), removed: new Set() }));
      if (l) e.changed.set(path, l);
      else e.removed.add(path);
    }
    const parts = new Map(this.parts);
    for (const [name, e] of byPart) parts.set(name, this.part(name).with(e.changed, e.removed));
    return new Layouts(this.source, this.tokens, parts, new Set([...this.changed, ...byPart.keys()]), new Map());
  }

  /**
   * Writes the parts changed since they were read (a new token each) into the site folder they
   * were read from, and returns the token of every part, to keep with the state, and the layouts
   * for its delta; with `whole` (the whole state is written), or past `DELTA_LAYOUTS`, the
   * delta's layouts go into their parts first; with `whole`, the files of parts it does not name
   * are removed.
   */
  save(siteDir: string, format: string, key: string, whole: boolean): SavedLayouts {
    if (this.delta.size > (whole ? 0 : DELTA_LAYOUTS)) return this.folded().save(siteDir, format, key, whole);
    const dir = join(siteDir, LAYOUTS_DIR);
    const tokens = new Map(this.tokens);
    let delta = [...this.delta];
    if (this.changed.size > 0 || whole) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch {
        // a file of that name (the folder is the build's own, as every `.state` name): replaced,
        // with every part it named (and the delta's layouts over them) gone
        rmSync(dir, { force: true, recursive: true });
        mkdirSync(dir);
        tokens.clear();
        delta = [];
      }
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
    if (whole) for (const name of readdirSync(dir)) if (!tokens.has(name)) rmSync(join(dir, name), { force: true });
    return { parts: [...tokens].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), delta };
  }
}
