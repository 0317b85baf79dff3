import { describe, expect, it } from 'vitest';
import type { FileStamp } from '../src/db/cache.js';
import { manifestEntries, manifestOf, type FileStat } from '../src/db/replay.js';
import { digestOf } from '../src/source/read.js';

/** The manifest's text as the build before this one made it, whole, for each digest (the plain path). */
function plainManifest(
  files: readonly string[],
  stats: readonly (FileStat | undefined)[],
  database: FileStat | undefined,
  stamps?: ReadonlyMap<string, FileStamp>,
): string {
  const entry = (name: string, stat: FileStat | undefined, racy: boolean) =>
    `${name}\u0000${racy ? '?' : stat ? `${stat.size}\u0000${stat.mtimeMs}\u0000${stat.ino}` : '-'}\n`;
  let text = entry('\u0000database', database, stamps !== undefined && database === undefined);
  files.forEach((file, i) => {
    const stamp = stamps?.get(file);
    text += entry(file, stats[i], stamps !== undefined && (stamp === undefined || stamp.mtimeMs === 0));
  });
  return digestOf(text);
}

describe('the replay manifest, its files’ entries made once', () => {
  const files = Array.from({ length: 40 }, (_, n) => `incidents/${n < 20 ? 'a' : 'b'}/f-${n}-é.md`);
  const stats = files.map((_, n): FileStat | undefined =>
    n % 13 === 5 ? undefined : { size: 100 + n, mtimeMs: 1.7e12 + n / 3, ino: 9000 + n },
  );
  const stamp = (n: number, mtimeMs = 1.7e12 + n / 3): FileStamp => ({ size: 100 + n, mtimeMs, digest: `d${n}` });
  const stampsWith = (racy: (n: number) => boolean, missing: (n: number) => boolean = () => false) => {
    const stamps = new Map<string, FileStamp>();
    files.forEach((file, n) => {
      if (!missing(n)) stamps.set(file, stamp(n, racy(n) ? 0 : undefined));
    });
    return stamps;
  };
  const db: FileStat = { size: 123456, mtimeMs: 1.7e12 + 0.125, ino: 42 };

  it('is the digest of the whole text, with and without stamps, whichever files are marked', () => {
    const entries = manifestEntries(files, stats);
    const cases: (ReadonlyMap<string, FileStamp> | undefined)[] = [
      undefined,
      stampsWith(() => false),
      stampsWith((n) => n === 0),
      stampsWith((n) => n === files.length - 1),
      stampsWith((n) => n === 17 || n === 18 || n === 31),
      stampsWith(() => true),
      stampsWith(
        () => false,
        (n) => n === 3 || n === 39,
      ),
      stampsWith(
        (n) => n % 2 === 0,
        (n) => n === 0,
      ),
    ];
    for (const stamps of cases)
      for (const database of [db, undefined]) {
        // its entries used for both digests, as a build that does not replay does
        expect(manifestOf(files, entries, database, stamps)).toBe(plainManifest(files, stats, database, stamps));
      }
  });

  it('is the digest of the database alone when there are no files', () => {
    const entries = manifestEntries([], []);
    expect(manifestOf([], entries, db)).toBe(plainManifest([], [], db));
    expect(manifestOf([], entries, undefined, new Map())).toBe(plainManifest([], [], undefined, new Map()));
  });
});
