import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export const INCIDENTS_DIR = 'incidents';

/** Path relative to the root with forward slashes, as every message shows it. */
export function relativePath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) out.push(full);
  }
}

/** Incident files under `<root>/incidents` (or under the given paths), relative to the root, sorted. */
export function listIncidentFiles(root: string, paths?: readonly string[], cwd = process.cwd()): string[] {
  const found: string[] = [];
  const starts = paths && paths.length > 0
    ? paths.map((p) => (isAbsolute(p) ? p : resolve(cwd, p)))
    : [join(root, INCIDENTS_DIR)];
  for (const start of starts) {
    let isDir = false;
    try {
      isDir = statSync(start).isDirectory();
    } catch {
      found.push(start); // reported as unreadable by the reader
      continue;
    }
    if (isDir) walk(start, found);
    else found.push(start);
  }
  return [...new Set(found.map((f) => relativePath(root, f)))].sort();
}
