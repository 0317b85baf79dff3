import { isAbsolute, relative } from 'node:path';
import { UserError } from '../commands/context.js';

/**
 * Ordinary I/O conditions (a full disk, a read-only folder, a name too long...) as user errors:
 * what happened to which path, and what to do. Any fs error or SQLite I/O error can be turned
 * into one; only errors that are not I/O conditions stay internal errors.
 */
interface Condition {
  what: string;
  hint: string;
}

const OTHER_FOLDER = 'or choose another output folder with --out';

const CONDITIONS: ReadonlyMap<string, Condition> = new Map([
  ['ENOSPC', { what: 'no space left on the device', hint: `Free some space on that disk ${OTHER_FOLDER}, then run the command again.` }],
  ['EDQUOT', { what: 'the disk quota is used up', hint: `Free some space ${OTHER_FOLDER}, then run the command again.` }],
  ['EFBIG', { what: 'the file is too large for the file system', hint: `Write to another disk ${OTHER_FOLDER}.` }],
  ['EACCES', { what: 'permission denied', hint: `Give your user access to it ${OTHER_FOLDER}.` }],
  ['EPERM', { what: 'operation not permitted', hint: `Give your user access to it ${OTHER_FOLDER}.` }],
  ['EROFS', { what: 'the file system is read-only', hint: `Mount it writable ${OTHER_FOLDER}.` }],
  ['EISDIR', { what: 'it is a folder, not a file', hint: 'Rename or remove that folder, or name a file.' }],
  ['ENOTDIR', { what: 'a part of the path is a file, not a folder', hint: 'Check the path: every part before the last must be a folder.' }],
  ['ENAMETOOLONG', { what: 'the name is too long for the file system', hint: 'Use a shorter name (at most 255 bytes per path part).' }],
  ['ENOENT', { what: 'no such file or folder', hint: 'Check the path.' }],
  ['EEXIST', { what: 'it already exists', hint: 'Rename or remove it first.' }],
  ['ELOOP', { what: 'too many symbolic links (a link points back to itself?)', hint: 'Fix or remove the symbolic link.' }],
  ['EMFILE', { what: 'too many open files', hint: 'Raise the limit (ulimit -n) and run the command again.' }],
  ['ENFILE', { what: 'too many open files on the system', hint: 'Close other programs and run the command again.' }],
  ['EIO', { what: 'an input/output error of the device', hint: 'Check the disk, then run the command again.' }],
  ['EBUSY', { what: 'it is busy (in use by another program)', hint: 'Close the other program and run the command again.' }],
  ['ETXTBSY', { what: 'it is busy (in use by another program)', hint: 'Close the other program and run the command again.' }],
  ['EINVAL', { what: 'the name or operation is not valid on this file system', hint: 'Use a plainer name or another folder.' }],
]);

/** SQLite's result codes for the same conditions. */
const SQLITE_CONDITIONS: ReadonlyMap<string, string> = new Map([
  ['SQLITE_FULL', 'ENOSPC'],
  ['SQLITE_READONLY', 'EROFS'],
  ['SQLITE_PERM', 'EACCES'],
  ['SQLITE_CANTOPEN', 'ENOENT'],
  ['SQLITE_IOERR', 'EIO'],
  ['SQLITE_TOOBIG', 'EFBIG'],
]);

/** An I/O failure on one path, as the user sees it. */
export class FileError extends UserError {
  constructor(
    readonly path: string,
    readonly code: string,
    doing: string,
  ) {
    const condition = CONDITIONS.get(code)!;
    super(`cannot ${doing} ${shownPath(path)}: ${condition.what}`, condition.hint);
    this.name = 'FileError';
  }
}

/** A path as messages show it: relative to the current folder when inside it, else absolute. */
export function shownPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  return JSON.stringify(shown).slice(1, -1) === shown ? shown : JSON.stringify(shown);
}

/** The condition code of an fs or SQLite error, when it is an I/O condition. */
function conditionCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (CONDITIONS.has(code)) return code;
  const sqlite = SQLITE_CONDITIONS.get(code) ?? SQLITE_CONDITIONS.get(code.replace(/_[A-Z]+$/, ''));
  return sqlite;
}

/**
 * `error` as a user error: itself when it is one, a `FileError` on `path` (or the path the
 * fs error names) when it is an I/O condition, else undefined (a bug: an internal error).
 */
export function asUserError(error: unknown, path?: string, doing = 'write'): UserError | undefined {
  if (error instanceof UserError) return error;
  const code = conditionCode(error);
  const named = path ?? (error as { path?: unknown }).path;
  if (!code || typeof named !== 'string') return undefined;
  const syscall = (error as { syscall?: unknown }).syscall;
  return new FileError(named, code, path === undefined && typeof syscall === 'string' ? verbOf(syscall) : doing);
}

function verbOf(syscall: string): string {
  if (/^(open|read|scandir|stat|lstat|access)/.test(syscall)) return 'use';
  if (/^(mkdir)/.test(syscall)) return 'create the folder';
  return 'write';
}

/** Runs `act` on `path` (or what it promises); an I/O condition becomes a `FileError` naming the path. */
export function onFile<T>(path: string, doing: string, act: () => T): T {
  const named = (error: unknown) => asUserError(error, path, doing) ?? error;
  try {
    const result = act();
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      throw named(error);
    }) as T;
  } catch (error) {
    throw named(error);
  }
}
