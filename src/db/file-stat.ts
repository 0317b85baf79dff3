import { statSync } from 'node:fs';
import { join } from 'node:path';

/** What `stat` says of a file; undefined when it cannot be stat'ed. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ino: number;
}

export function statOf(path: string): FileStat | undefined {
  try {
    const st = statSync(path);
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** Each file's stat, in the order of `files` (paths relative to `root`, which is absolute: no join per file). */
export function statFiles(root: string, files: readonly string[]): (FileStat | undefined)[] {
  const prefix = join(root, '/');
  return files.map((file) => statOf(prefix + file));
}
