import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
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
 * to its temp file first, and only when all are written are they swapped into place (`swapIn`);
 * a failure at any step leaves the previous set as it was. Returns, per file, whether it changed.
 */
export function writeFilesAtomic(
  files: readonly { path: string; content: string | Uint8Array }[],
  options: { durable?: boolean } = {},
): boolean[] {
  const staged: Staged[] = [];
  try {
    const changed = files.map(({ path, content }) => {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
      if (sameFile(path, bytes)) return false;
      staged.push({ temp: onFile(path, 'write', () => stage(path, [bytes], { durable: options.durable !== false })), path });
      return true;
    });
    swapIn(staged);
    return changed;
  } finally {
    for (const { temp } of staged) rmSync(temp, { force: true }); // the ones not renamed into place
  }
}

interface Staged {
  temp: string;
  path: string;
}

/**
 * Renames staged files into place, all or none. One file is one atomic rename. For several, each
 * existing target is first hard-linked to a backup name (the target stays readable throughout);
 * when a backup or a rename fails, every target already replaced gets its backup back (or is
 * removed when it did not exist before) and the error is thrown. Backups are removed at the end;
 * one is left behind only when putting it back failed too, as the last copy of the old file.
 */
function swapIn(staged: readonly Staged[]): void {
  if (staged.length === 1) {
    onFile(staged[0]!.path, 'write', () => renameSync(staged[0]!.temp, staged[0]!.path));
    return;
  }
  const backups: (string | null)[] = [];
  let renamed = 0;
  try {
    for (const { path } of staged) backups.push(onFile(path, 'write', () => backUp(path)));
    for (const { temp, path } of staged) {
      onFile(path, 'write', () => renameSync(temp, path));
      renamed++;
    }
  } catch (error) {
    staged.slice(0, renamed).forEach(({ path }, i) => putBack(path, backups[i]!));
    backups.slice(renamed).forEach((backup) => backup && rmSync(backup, { force: true }));
    throw error;
  }
  backups.forEach((backup) => backup && rmSync(backup, { force: true }));
}

/** Hard-links `path` to a backup name next to it and returns that name; null when `path` does not exist. */
function backUp(path: string): string | null {
  const backup = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.bak`);
  try {
    linkSync(path, backup);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return null;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    copyFileSync(path, backup, constants.COPYFILE_EXCL); // a file system without hard links
  }
  return backup;
}

/** Undoes one rename of `swapIn`, best effort: the backup stays behind when it cannot be put back. */
function putBack(path: string, backup: string | null): void {
  try {
    if (backup) renameSync(backup, path);
    else rmSync(path, { force: true });
  } catch {
    // the backup (the old file) is left next to it; the original error is what the user sees
  }
}

function sameFile(path: string, bytes: Buffer): boolean {
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false; // missing or unreadable: write it
  }
}

/** Writes `content` (or what `content` writes to the file descriptor) to a temp file next to `path` and returns the temp file's path. */
function stage(
  path: string,
  content: readonly Uint8Array[] | ((fd: number) => void),
  options: { durable: boolean; folders?: Set<string> },
): string {
  const temp = tempFor(path, options.folders);
  try {
    const fd = openSync(temp, 'w');
    try {
      if (typeof content === 'function') content(fd);
      else for (const part of content) writeAll(fd, part);
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

/** The temp file `path` is staged in, next to it; its folder is made first unless `folders` (those made already) has it. */
function tempFor(path: string, folders: Set<string> | undefined): string {
  const dir = dirname(path);
  if (!folders?.has(dir)) {
    mkdirSync(dir, { recursive: true });
    folders?.add(dir);
  }
  return join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Writes all of `bytes` at the file descriptor's position. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

/**
 * Replaces a file atomically (temp file in the same folder, then rename) without comparing:
 * for callers that know the bytes changed. `content` may come in parts, or be written by a
 * function given the temp file's descriptor.
 */
export function replaceFileAtomic(
  path: string,
  content: Uint8Array | readonly Uint8Array[] | ((fd: number) => void),
  options: { durable: boolean; folders?: Set<string> },
): void {
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

/**
 * `replaceFileAtomic` without an fsync, in libuv's threads: `write` gives the temp file its
 * bytes (`writeAllTo`), then it is renamed over `path`. For the big pages of the site spliced
 * after an edit (megabytes each): the kernel's work of writing them goes on while this thread
 * renders the next pages.
 */
export function replaceFileAtomicAsync(path: string, write: (file: FileHandle) => Promise<void>, folders: Set<string>): Promise<void> {
  return onFile(path, 'write', async () => {
    const temp = tempFor(path, folders);
    try {
      const file = await open(temp, 'w');
      try {
        await write(file);
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  });
}

/** Writes all of `bytes` at the file's position. */
export async function writeAllTo(file: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += (await file.write(bytes, at)).bytesWritten;
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
 * caller has read the file, else read here — unless its folder is one of `fresh`, folders the
 * caller's build made (no file was there to compare with: on a site built from scratch, a
 * failed read per page cost ~35 µs of CPU, an exception made for each; see docs/performance.md,
 * "cold13render"). `folders` are the folders the caller made already (no `mkdir` for each
 * file). Returns true when the file changed.
 */
export function writePartsAtomic(
  path: string,
  parts: readonly Buffer[],
  options: { previous?: Buffer; folders: Set<string>; fresh?: ReadonlySet<string> },
): boolean {
  let old = options.previous;
  if (!old && !options.fresh?.has(dirname(path))) {
    try {
      old = readFileSync(path);
    } catch {
      // missing or unreadable: write it
    }
  }
  if (
    old &&
    sameBytes(
      parts,
      parts.reduce((n, p) => n + p.length, 0),
      old,
    )
  )
    return false;
  replaceFileAtomic(path, parts, { durable: false, folders: options.folders });
  return true;
}
