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

/**
 * What to record after a build wrote the database at `dbPath` from `found` (the database it
 * found there, now the kept one) with these file rows; undefined when it found none.
 */
export function keptBasisAfter(
  dbPath: string,
  found: Previous | undefined,
  rows: readonly { file: string; digest: string; id: string | null }[],
): KeptBasis | undefined {
  const current = fileStampOf(dbPath);
  const kept = fileStampOf(keptPathFor(dbPath));
  if (!found || current === undefined || kept === undefined) return undefined;
  const now = new Map(rows.map((row) => [row.file, row]));
  const delta: KeptBasis['delta'] = [];
  for (const [file, digest] of found.files) {
    const id = found.incidents.get(file)?.id ?? null;
    const row = now.get(file);
    if (!row || row.digest !== digest || row.id !== id) delta.push([file, digest, id]);
  }
  for (const { file } of rows) if (!found.files.has(file)) delta.push([file, null, null]);
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
  const files = new Map(current.files);
  const incidents = new Map(current.incidents);
  for (const [file, digest, id] of basis.delta) {
    if (digest === null) files.delete(file);
    else files.set(file, digest);
    if (digest === null || id === null) incidents.delete(file);
    else incidents.set(file, { id, digest });
  }
  return { meta: new Map(basis.meta), files, incidents, problems: () => readProblems(keptPath) };
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
