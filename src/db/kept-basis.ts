import { keptPathFor, readProblems, type Previous } from './database-file.js';
import { fileStampOf } from './replay.js';

/**
 * The database kept from the build before last (`keptPathFor`, the next build's starting point)
 * is the database that build found, and differs from the current one only in the files that
 * build changed. So a build records that difference, with the kept database's meta and both
 * files' stamps, and the next build knows the kept database's files from the current one's
 * (which it reads anyway) without reading its 10,000 rows again. When either file is not the
 * one recorded (another build, a hand edit, a build that stopped) or the record is damaged, the
 * kept database is read as before.
 */
export interface KeptBasis {
  /** The stamps (`fileStampOf`) of the database and of the kept one when this was recorded. */
  current: string;
  kept: string;
  /** The kept database's meta rows. */
  meta: [key: string, value: string][];
  /** The files whose row in the kept database is not the current one's: its digest and incident id there, or null digest for none. */
  delta: [file: string, digest: string | null, id: string | null][];
}

/** The file rows a build wrote: the files in order (distinct), and each one's row by its path (undefined for a path not among them). */
export interface FileRows {
  files: readonly string[];
  rowOf(file: string): { digest: string; id: string | null } | undefined;
}

/**
 * What to record after a build wrote the database at `dbPath` from `found` (the database it
 * found there, now the kept one) with these file rows; undefined when it found none.
 */
export function keptBasisAfter(dbPath: string, found: Previous | undefined, rows: FileRows): KeptBasis | undefined {
  const current = fileStampOf(dbPath);
  const kept = fileStampOf(keptPathFor(dbPath));
  if (!found || current === undefined || kept === undefined) return undefined;
  const delta: KeptBasis['delta'] = [];
  let stayed = 0;
  found.files.forEach((digest, file) => {
    const id = found.incidents.get(file)?.id ?? null;
    const row = rows.rowOf(file);
    if (row) stayed++;
    if (!row || row.digest !== digest || row.id !== id) delta.push([file, digest, id]);
  });
  // the files are distinct, each with a row: when every one was found, none is new (no 10,000 lookups)
  if (stayed < rows.files.length) for (const file of rows.files) if (!found.files.has(file)) delta.push([file, null, null]);
  return { current, kept, meta: [...found.meta], delta };
}

/**
 * The kept database as `readPrevious` would read it, from `current` (the database at `dbPath`,
 * as read) and the recorded basis, when both files are those recorded; else undefined.
 */
export function keptFromBasis(dbPath: string, current: Previous | undefined, recorded: unknown): Previous | undefined {
  const basis = isKeptBasis(recorded) ? recorded : undefined;
  const keptPath = keptPathFor(dbPath);
  if (!current || !basis || fileStampOf(dbPath) !== basis.current || fileStampOf(keptPath) !== basis.kept) return undefined;
  const files = new Map<string, string | undefined>();
  const incidents = new Map<string, { id: string; digest: string } | undefined>();
  for (const [file, digest, id] of basis.delta) {
    files.set(file, digest ?? undefined);
    incidents.set(file, digest === null || id === null ? undefined : { id, digest });
  }
  // the current rows seen through the delta: 10,000 rows not copied twice for one edit
  return {
    meta: new Map(basis.meta),
    files: new Patched(current.files, files),
    incidents: new Patched(current.incidents, incidents),
    problems: () => readProblems(keptPath),
  };
}

/**
 * `base` with some entries replaced or removed (`changes`: undefined removes), read through
 * without copying `base`. Iterates `base`'s entries that did not change, then the changed ones.
 */
export class Patched<V> implements ReadonlyMap<string, V> {
  constructor(
    private readonly base: ReadonlyMap<string, V>,
    private readonly changes: ReadonlyMap<string, V | undefined>,
  ) {}

  get size(): number {
    let size = this.base.size;
    for (const [key, value] of this.changes) size += (value === undefined ? 0 : 1) - (this.base.has(key) ? 1 : 0);
    return size;
  }

  get(key: string): V | undefined {
    return this.changes.has(key) ? this.changes.get(key) : this.base.get(key);
  }

  has(key: string): boolean {
    return this.changes.has(key) ? this.changes.get(key) !== undefined : this.base.has(key);
  }

  *entries(): MapIterator<[string, V]> {
    for (const entry of this.base) if (!this.changes.has(entry[0])) yield entry;
    for (const [key, value] of this.changes) if (value !== undefined) yield [key, value];
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  /** As `entries` orders them, without a generator (the builds walk 10,000 entries with this: see `readPrevious`). */
  forEach(each: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    this.base.forEach((value, key) => {
      if (!this.changes.has(key)) each(value, key, this);
    });
    this.changes.forEach((value, key) => {
      if (value !== undefined) each(value, key, this);
    });
  }
}

/** A record of the shape written (one damaged by hand, or of another version, is not used). */
function isKeptBasis(value: unknown): value is KeptBasis {
  const v = value as Partial<KeptBasis> | null | undefined;
  const text = (x: unknown) => typeof x === 'string';
  const orNull = (x: unknown) => x === null || typeof x === 'string';
  return (
    text(v?.current) &&
    text(v?.kept) &&
    Array.isArray(v?.meta) &&
    v.meta.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every(text)) &&
    Array.isArray(v.delta) &&
    v.delta.every((entry) => Array.isArray(entry) && entry.length === 3 && text(entry[0]) && orNull(entry[1]) && orNull(entry[2]))
  );
}
