import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { onFile } from '../output/file-error.js';
import { UserError } from '../commands/context.js';

/** One input file: its bytes as text, and its path as messages show it (relative to the working folder). */
export interface InputFile {
  shown: string;
  text: string;
}

/** The files named (a folder: every file in it with one of `extensions`, recursively), sorted by path. */
export function inputFiles(paths: readonly string[], extensions: readonly string[], cwd: string): InputFile[] {
  const found: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const stat = onFile(absolute, 'read', () => {
      try {
        return statSync(absolute);
      } catch {
        throw new UserError(`${path} does not exist`, 'Name the files or folders to import.');
      }
    });
    if (stat.isDirectory()) found.push(...walk(absolute).filter((f) => extensions.includes(extname(f).toLowerCase())));
    else found.push(absolute);
  }
  return [...new Set(found)].sort().map((absolute) => ({
    shown: shownPath(absolute, cwd),
    text: onFile(absolute, 'read', () => readFileSync(absolute, 'utf8')).replace(/^\uFEFF/, ''),
  }));
}

function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? walk(join(folder, e.name)) : [join(folder, e.name)]));
}

/** A path as messages show it: relative to the working folder when inside it, else absolute. */
export function shownPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute).split('\\').join('/');
  return rel && !rel.startsWith('../') && rel !== '..' ? rel : absolute;
}
