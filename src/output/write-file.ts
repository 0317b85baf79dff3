import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
export function replaceFileAtomic(path: string, content: Uint8Array | readonly Uint8Array[], options: { durable: boolean }): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
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

/**
 * `writeFileAtomic` without blocking the thread (the file system's work runs in libuv's
 * threads, so a build can render the next page meanwhile), never durable: for the site's
 * regenerable pages. `content` may come in parts. With `compare`, a file whose bytes are
 * already these is left alone. Resolves to true when the file changed.
 */
export async function writeFileAtomicAsync(path: string, content: Uint8Array | readonly Uint8Array[], options: { compare: boolean }): Promise<boolean> {
  const parts = content instanceof Uint8Array ? [content] : content;
  if (options.compare) {
    try {
      const old = await readFile(path);
      const size = parts.reduce((n, p) => n + p.length, 0);
      if (old.length === size) {
        let at = 0;
        let same = true;
        for (const part of parts) {
          if (!old.subarray(at, at + part.length).equals(part)) {
            same = false;
            break;
          }
          at += part.length;
        }
        if (same) return false;
      }
    } catch {
      // missing or unreadable: write it
    }
  }
  const dir = dirname(path);
  if (!madeFolders.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeFolders.add(dir);
  }
  const temp = join(dir, `.${basename(path)}.${process.pid}.${(tempCounter++).toString(36)}.tmp`);
  try {
    await writeFile(temp, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}

let tempCounter = 0;
/** Folders made by this process (one removed meanwhile makes a write fail: the next build writes that page again). */
const madeFolders = new Set<string>();
