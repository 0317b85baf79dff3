import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { onFile } from './file-error.js';

/**
 * Writes a file atomically (temp file in the same folder, then rename), and leaves it alone
 * when the content is already identical. Returns true when the file changed.
 * `durable: false` skips the fsync before the rename: for thousands of regenerable files
 * (the site's pages) where an fsync each costs more than the rest of the write.
 * An I/O failure is a `FileError` naming the path.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: { durable?: boolean } = {}): boolean {
  return writeFilesAtomic([{ path, content }], options)[0]!;
}

/**
 * Writes a set of files (one document's formats) all or nothing: every changed file is written
 * to its temp file first, and only when all are written are they renamed into place; a failure
 * leaves the previous set as it was. Returns, per file, whether it changed.
 */
export function writeFilesAtomic(files: readonly { path: string; content: string | Uint8Array }[], options: { durable?: boolean } = {}): boolean[] {
  const staged: { temp: string; path: string }[] = [];
  let renamed = 0;
  try {
    const changed = files.map(({ path, content }) => {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
      if (sameFile(path, bytes)) return false;
      staged.push({ temp: onFile(path, 'write', () => stage(path, [bytes], { durable: options.durable !== false })), path });
      return true;
    });
    for (const { temp, path } of staged) {
      onFile(path, 'write', () => renameSync(temp, path));
      renamed++;
    }
    return changed;
  } finally {
    for (const { temp } of staged.slice(renamed)) rmSync(temp, { force: true });
  }
}

function sameFile(path: string, bytes: Buffer): boolean {
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false; // missing or unreadable: write it
  }
}

/** Writes `content` to a temp file next to `path` and returns the temp file's path. */
function stage(path: string, content: readonly Uint8Array[], options: { durable: boolean; folders?: Set<string> }): string {
  const dir = dirname(path);
  if (!options.folders?.has(dir)) {
    mkdirSync(dir, { recursive: true });
    options.folders?.add(dir);
  }
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(temp, 'w');
    try {
      for (const part of content) {
        for (let at = 0; at < part.length;) at += writeSync(fd, part, at);
      }
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return temp;
}

/**
 * Replaces a file atomically (temp file in the same folder, then rename) without comparing:
 * for callers that know the bytes changed. `content` may come in parts.
 */
export function replaceFileAtomic(path: string, content: Uint8Array | readonly Uint8Array[], options: { durable: boolean; folders?: Set<string> }): void {
  onFile(path, 'write', () => {
    const temp = stage(path, content instanceof Uint8Array ? [content] : content, options);
    try {
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  });
}

/** Whether bytes given in parts (`size` in all) are `previous`'s bytes. */
export function sameBytes(parts: readonly Buffer[], size: number, previous: Buffer): boolean {
  if (size !== previous.length) return false;
  let at = 0;
  for (const part of parts) {
    if (part.buffer === previous.buffer && part.byteOffset === previous.byteOffset + at) {
      // a run copied from the same place
    } else if (!part.equals(previous.subarray(at, at + part.length))) {
      return false;
    }
    at += part.length;
  }
  return true;
}

/**
 * `writeFileAtomic` for regenerable files given in parts (the site's pages), never durable.
 * The file is left alone when its bytes are already these: compared with `previous` when the
 * caller has read the file, else read here. `folders` are the folders the caller made already
 * (no `mkdir` for each file). Returns true when the file changed.
 */
export function writePartsAtomic(path: string, parts: readonly Buffer[], options: { previous?: Buffer; folders: Set<string> }): boolean {
  let old = options.previous;
  if (!old) {
    try {
      old = readFileSync(path);
    } catch {
      // missing or unreadable: write it
    }
  }
  if (old && sameBytes(parts, parts.reduce((n, p) => n + p.length, 0), old)) return false;
  replaceFileAtomic(path, parts, { durable: false, folders: options.folders });
  return true;
}

