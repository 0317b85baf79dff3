import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../output/write-file.js';
import { asUserError } from '../output/file-error.js';

/** The folder under `<out>` that holds one calendar per owner, team and provider. */
export const CALENDARS_DIR = 'calendars';

const OWN_FILE = /^(?:owner|team|provider)-.+\.ics$/;

/**
 * Writes the calendars to `<out>/calendars/` (atomically, only files whose bytes changed) and
 * deletes calendars of an earlier run that no longer exist (only files named as this tool names them).
 */
export function writeCalendars(out: string, calendars: readonly { name: string; text: string }[]): { path: string; changed: boolean }[] {
  const dir = join(out, CALENDARS_DIR);
  const written = calendars.map(({ name, text }) => {
    const path = join(dir, `${name}.ics`);
    try {
      return { path, changed: writeFileAtomic(path, text) };
    } catch (error) {
      throw asUserError(error, path, 'write the calendar') ?? error;
    }
  });
  const keep = new Set(calendars.map((c) => `${c.name}.ics`));
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    if (OWN_FILE.test(file) && !keep.has(file)) rmSync(join(dir, file), { force: true });
  }
  return written;
}
