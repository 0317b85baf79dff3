import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hash, SITE_FORMAT } from './base.js';
import { folderRuns } from './folders.js';

export { SITE_FORMAT } from './base.js';

/**
 * The site's manifest (`<out>/site/.manifest.json`): every page's path and the digest of its
 * inputs, as the last build left them. A page is rendered again only when its digest changed
 * or its file is missing (see `build.ts`).
 */
export const MANIFEST_FILE = '.manifest.json';
/** The pages a build is about to write, while it writes them (see `readBuilding`). */
export const BUILDING_FILE = '.building';

export interface Manifest {
  format: string;
  pages: Record<string, string>;
}

/** The manifest as read, with its text and that text's digest (the state is valid only with the manifest it was saved with). */
export type PreviousManifest = Manifest & { digest: string; text: string };

export const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The manifest at `path`; an empty one when it is missing or damaged (everything is rendered again). */
export function readManifest(path: string): PreviousManifest {
  try {
    const text = readFileSync(path, 'utf8');
    const m = JSON.parse(text) as Manifest;
    if (m.format === SITE_FORMAT && m.pages && typeof m.pages === 'object') return { ...m, digest: hash(text), text };
  } catch {
    // missing or damaged: everything is rendered again
  }
  return { format: SITE_FORMAT, pages: {}, digest: '', text: '' };
}

/** The paths of a manifest's pages, in its order and in path order (see `pagePaths`). */
const pathsOf = new WeakMap<Readonly<Record<string, string>>, { paths: readonly string[]; sorted?: readonly string[] }>();

/**
 * The paths of a manifest's pages, in its order (never changed: shared). `Object.keys` of the
 * 10,000 pages of a one-edit build's manifest cost ~2–3 ms each time, run three times (the
 * missing pages, the services and categories gone, the next manifest's paths): worked out once.
 */
export function pagePaths(pages: Readonly<Record<string, string>>): readonly string[] {
  let known = pathsOf.get(pages);
  if (!known) pathsOf.set(pages, (known = { paths: Object.keys(pages) }));
  return known.paths;
}

/** `pagePaths` in path order: the same array when the manifest is in path order (as written). */
function sortedPagePaths(pages: Readonly<Record<string, string>>): readonly string[] {
  const paths = pagePaths(pages);
  const known = pathsOf.get(pages)!;
  known.sorted ??= inPathOrder(paths) ? paths : [...paths].sort(byId);
  return known.sorted;
}

const inPathOrder = (paths: readonly string[]) => paths.every((p, n) => n === 0 || paths[n - 1]! < p);

/**
 * Every page of the site and its digest after a build: the previous manifest's pages, less those
 * gone, with the digests this build set. Not a copy of the previous pages (10,000 entries at
 * 10,000 incidents, copied in 6–30 ms for an edit that sets a few dozen).
 */
export class NextPages {
  private readonly set = new Map<string, string>();
  private sorted?: readonly string[];

  constructor(
    private readonly previous: Readonly<Record<string, string>>,
    private readonly gone: ReadonlySet<string>,
  ) {}

  /** Records a page's digest. */
  put(path: string, digest: string): void {
    this.set.set(path, digest);
    this.sorted = undefined;
  }

  digest(path: string): string | undefined {
    return this.set.get(path) ?? (this.gone.has(path) ? undefined : this.previous[path]);
  }

  /** The digests set (for pages old or new). */
  changes(): ReadonlyMap<string, string> {
    return this.set;
  }

  /** Whether the pages are the previous ones: none gone, none new (only digests changed). */
  samePages(): boolean {
    return (
      ![...this.gone].some((p) => Object.hasOwn(this.previous, p)) && [...this.set.keys()].every((p) => Object.hasOwn(this.previous, p))
    );
  }

  /** Every page, in path order (never changed: shared). */
  paths(): readonly string[] {
    if (this.sorted) return this.sorted;
    if (this.samePages()) return (this.sorted = sortedPagePaths(this.previous));
    const all = [...new Set([...pagePaths(this.previous).filter((p) => !this.gone.has(p)), ...this.set.keys()])];
    if (!inPathOrder(all)) all.sort(byId);
    this.sorted = all;
    return all;
  }
}

/**
 * The manifest's text: written out by hand, in path order (as JSON.stringify would, at a
 * fraction of the cost); when the same pages are there, the previous text with the changed
 * digests replaced (each found in the previous text, then the text put together once: replacing
 * them one by one copied the whole text for each).
 */
export function manifestText(previous: Pick<PreviousManifest, 'pages' | 'text'>, next: NextPages): string {
  if (previous.text && next.samePages()) {
    const text = previous.text;
    const edits: { at: number; length: number; entry: string }[] = [];
    for (const [p, digest] of next.changes()) {
      const before = previous.pages[p]!;
      if (before === digest) continue;
      const entry = `${quote(p)}:${quote(before)}`;
      const at = text.indexOf(entry);
      if (at < 0 || !PLAIN.test(before)) return manifestText({ ...previous, text: '' }, next);
      edits.push({ at, length: entry.length, entry: `${quote(p)}:${quote(digest)}` });
    }
    edits.sort((a, b) => a.at - b.at);
    const parts: string[] = [];
    let from = 0;
    for (const e of edits) {
      parts.push(text.slice(from, e.at), e.entry);
      from = e.at + e.length;
    }
    parts.push(text.slice(from));
    return parts.join('');
  }
  return `{"format":${JSON.stringify(SITE_FORMAT)},"pages":{${next
    .paths()
    .map((p) => `${quote(p)}:${quote(next.digest(p)!)}`)
    .join(',')}}}\n`;
}

const PLAIN = /^[\w./-]*$/;
const quote = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

/**
 * The pages an earlier build was writing when it stopped (killed, or failed before it could
 * record what it wrote): they are rendered again, whatever their digests say.
 */
export function readBuilding(siteDir: string): Set<string> {
  try {
    const list = JSON.parse(readFileSync(join(siteDir, BUILDING_FILE), 'utf8')) as unknown;
    if (Array.isArray(list)) return new Set(list.filter((p): p is string => typeof p === 'string'));
  } catch {
    // none
  }
  return new Set();
}

/**
 * The pages of the manifest that are not on disk: one listing per folder of the manifest
 * (not a `stat` per page: 10,000 of those cost a tenth of a second).
 */
export function missingPages(siteDir: string, paths: readonly string[], unchanged: (dir: string) => boolean): string[] {
  const listings = new Map<string, Set<string> | undefined>();
  const missing: string[] = [];
  for (const { dir, from, to } of folderRuns(paths)) {
    if (!listings.has(dir)) {
      // a folder unchanged since the previous build wrote its pages holds them all
      if (unchanged(dir)) listings.set(dir, undefined);
      else {
        try {
          listings.set(dir, new Set(readdirSync(join(siteDir, dir))));
        } catch {
          listings.set(dir, new Set());
        }
      }
    }
    const names = listings.get(dir);
    if (names === undefined) continue;
    for (let n = from; n < to; n++) {
      const path = paths[n]!;
      if (!names.has(path.slice(path.lastIndexOf('/') + 1))) missing.push(path);
    }
  }
  return missing;
}

/** Modification times of the folders of these pages. */
export function folderTimes(siteDir: string, paths: readonly string[]): Map<string, number> {
  const dirs = new Set(folderRuns(paths).map((run) => run.dir));
  const times = new Map<string, number>();
  for (const dir of dirs) {
    try {
      times.set(dir, statSync(join(siteDir, dir)).mtimeMs);
    } catch {
      // gone: listed next time
    }
  }
  return times;
}
