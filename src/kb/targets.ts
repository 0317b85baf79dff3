import { statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { UserError } from '../commands/context.js';
import { shownPath } from '../output/file-error.js';
import { INCIDENTS_DIR } from './files.js';

/**
 * The folders the user names (`--root`, `--out`, `--db`), checked before anything is read or
 * written: a mistyped root is an error (never created), and no output goes into `incidents/`,
 * where the next `check` would read it as incidents.
 */

/** The knowledge-base root must be an existing folder. */
export function requireRoot(root: string): void {
  refuseNul(root, '--root');
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new UserError(
      `the knowledge-base root ${shownPath(root)} does not exist`,
      'Check --root, or create a knowledge base there with: postmortem init <folder>',
    );
  }
  if (!isDir)
    throw new UserError(
      `the knowledge-base root ${shownPath(root)} is a file, not a folder`,
      'Point --root at the folder that holds postmortem.config.yaml and incidents/.',
    );
}

/** Whether `path` is `folder` or inside it. */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** An output (the `--out` folder, the `--db` file) may not be inside the incident folder. */
export function refuseInsideIncidents(root: string, path: string, option: string): void {
  refuseNul(path, option);
  if (isInside(path, join(root, INCIDENTS_DIR))) {
    throw new UserError(
      `${option} ${shownPath(path)} is inside ${INCIDENTS_DIR}/, where the next check would read the output as incidents`,
      `Choose a place outside ${INCIDENTS_DIR}/ (the default output folder is <root>/out).`,
    );
  }
}

/** No file system takes a NUL character in a path (Node refuses it with an internal error). */
export function refuseNul(path: string, option: string): void {
  if (path.includes('\u0000'))
    throw new UserError(
      `${option} ${shownPath(path)} contains a NUL character, which no path may hold`,
      `Check the value given to ${option}.`,
    );
}

/** The root exists, and the output folder is not inside `incidents/`. */
export function checkTargets(root: string, out: string): void {
  requireRoot(root);
  refuseInsideIncidents(root, out, '--out');
}
