import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root (holds `templates/` and `schema/`), from `dist/` or `src/`. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The tool's default templates. */
export const DEFAULT_TEMPLATES = join(PACKAGE_ROOT, 'templates');

/**
 * A template by name: the knowledge base's own `templates/<name>` when it has one,
 * otherwise the tool's default.
 */
export function templatePath(root: string, name: string): string {
  const own = join(root, 'templates', name);
  return existsSync(own) ? own : join(DEFAULT_TEMPLATES, name);
}
