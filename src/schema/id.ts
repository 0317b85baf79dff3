import { UserError } from '../commands/context.js';

/**
 * The shape of every id that becomes a file name: incident ids (`incidents/<id>.md`), owner ids,
 * and the names of letters and packets (`--name`, `documents:`). Lowercase letters, digits,
 * ".", "_" and "-", starting with a letter or digit (so never "..", "/" or a hidden file), and
 * short enough that `<id>` plus an extension and a temp suffix fit in a file system's 255 bytes.
 */
export const ID_MAX_LENGTH = 200;
export const ID_PATTERN = new RegExp(`^[a-z0-9][a-z0-9._-]{0,${ID_MAX_LENGTH - 1}}$`);
export const ID_RULE = `lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, at most ${ID_MAX_LENGTH} characters`;

/** Throws a user error unless `value` (given as `what`, e.g. `--id`) is a valid id. */
export function requireId(what: string, value: string): void {
  if (!ID_PATTERN.test(value)) {
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    throw new UserError(`${what} ${shown} is not a valid id: it becomes a file name`, `Use ${ID_RULE}.`);
  }
}
