import { readdirSync, statSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Problem } from '../problems.js';

export const INCIDENTS_DIR = 'incidents';

/** The rule id of what the scan of the incident folders reports. */
export const SCAN_RULE = 'incident-files';

/** Path relative to the root with forward slashes, as every message shows it. */
export function relativePath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** What a scan of the incident folders found: the files, and what it could not take (never skipped silently). */
export interface IncidentFiles {
  files: string[];
  problems: Problem[];
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of the path is a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return Object.hasOwn(REASONS, code) ? REASONS[code]! : (error as Error).message;
}

class Scan {
  /** Files found, relative to the root. */
  readonly found: string[] = [];
  readonly problems: Problem[] = [];

  constructor(private readonly root: string) {}

  report(path: string, severity: Problem['severity'], message: string): void {
    this.problems.push({ file: relativePath(this.root, path), line: 1, column: 1, severity, ruleId: SCAN_RULE, message });
  }

  /** `rel`: the folder's path relative to the root, as shown (one join per file, not a `relative` per file). */
  walk(dir: string, rel: string): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      this.report(dir, 'error', `cannot read this folder (${reasonOf(error)}); the incidents in it are left out`);
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const shown = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) this.walk(join(dir, entry.name), shown);
      else if (entry.isSymbolicLink()) {
        this.report(
          join(dir, entry.name),
          'warning',
          'symbolic link not followed (incidents must be files inside incidents/); replace it with the file it points to, or remove it',
        );
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) this.found.push(shown);
    }
  }

  start(path: string, named: boolean): void {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch (error) {
      if (named)
        this.found.push(relativePath(this.root, path)); // reported as unreadable by the reader
      else
        this.report(
          path,
          'error',
          `no ${INCIDENTS_DIR}/ folder here (${reasonOf(error)}); incidents are files ${INCIDENTS_DIR}/<id>.md under the root: check --root, or run "postmortem new <title>"`,
        );
      return;
    }
    if (isDir) this.walk(path, relativePath(this.root, path));
    else if (named) this.found.push(relativePath(this.root, path));
    else
      this.report(
        path,
        'error',
        `${INCIDENTS_DIR} is a file, not a folder; incidents are files ${INCIDENTS_DIR}/<id>.md: move it away and make ${INCIDENTS_DIR}/ a folder`,
      );
  }
}

/** Incident files under `<root>/incidents` (or under the given paths), relative to the root, sorted, and the problems found on the way. */
export function scanIncidentFiles(root: string, paths?: readonly string[], cwd = process.cwd()): IncidentFiles {
  const scan = new Scan(root);
  if (paths && paths.length > 0) for (const p of paths) scan.start(isAbsolute(p) ? p : resolve(cwd, p), true);
  else scan.start(join(root, INCIDENTS_DIR), false);
  return { files: [...new Set(scan.found)].sort(), problems: scan.problems };
}

/** The incident ids the files' names give (an incident's id is its file name without `.md`). */
export function idsOfFiles(files: readonly string[]): Set<string> {
  return new Set(
    files.map((f) => {
      const name = f.slice(f.lastIndexOf('/') + 1);
      return name.toLowerCase().endsWith('.md') ? name.slice(0, -3) : name;
    }),
  );
}

/** What the config's checks ask of the incident ids: whether one is there. */
export type KnownIds = Pick<ReadonlySet<string>, 'has'>;

/** The ids of `files` (`idsOfFiles`) made on first use: a config that names no incident makes no set of every file. */
export function knownIdsOf(files: readonly string[]): KnownIds {
  let ids: Set<string> | undefined;
  return { has: (id) => (ids ??= idsOfFiles(files)).has(id) };
}

/** Incident files under `<root>/incidents` (or under the given paths), relative to the root, sorted. */
export function listIncidentFiles(root: string, paths?: readonly string[], cwd = process.cwd()): string[] {
  return scanIncidentFiles(root, paths, cwd).files;
}
