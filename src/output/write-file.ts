import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file atomically (temp file in the same folder, then rename), and leaves it alone
 * when the content is already identical. Returns true when the file changed.
 * `durable: false` skips the fsync before the rename: for thousands of regenerable files
 * (the site's pages) where an fsync each costs more than the rest of the write.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: { durable?: boolean } = {}): boolean {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  try {
    if (readFileSync(path).equals(bytes)) return false;
  } catch {
    // missing or unreadable: write it
  }
  replaceFileAtomic(path, bytes, { durable: options.durable !== false });
  return true;
}

/**
 * Replaces a file atomically (temp file in the same folder, then rename) without comparing:
 * for callers that know the bytes changed. `content` may come in parts.
 */
export function replaceFileAtomic(path: string, content: Uint8Array | readonly Uint8Array[], options: { durable: boolean; folders?: Set<string> }): void {
  const dir = dirname(path);
  if (!options.folders?.has(dir)) {
    mkdirSync(dir, { recursive: true });
    options.folders?.add(dir);
  }
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(temp, 'w');
    try {
      for (const part of content instanceof Uint8Array ? [content] : content) {
        for (let at = 0; at < part.length;) at += writeSync(fd, part, at);
      }
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
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

