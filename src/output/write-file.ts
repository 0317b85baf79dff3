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
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, bytes);
      if (options.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return true;
}
