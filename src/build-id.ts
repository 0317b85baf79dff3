import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The identity of a build of the tool: a digest of every script under `dist/` (what tsc and the
 * bundler wrote), which `npm run build` writes to `dist/build-id` (scripts/bundle.mjs). The tool
 * version every cache and document key holds (`TOOL_VERSION`, src/db/cache-key.ts) is the
 * package's version with this id, so code changed without a new version in package.json (a
 * `git pull`, a local edit) renders every document and page again and rebuilds the caches,
 * instead of keeping what older code made (the site kept its pages after the category pages'
 * text changed). The same files give the same id, so a clean clone's build matches another's.
 */
export function buildIdOf(dist: string): string {
  const hash = createHash('sha256');
  for (const file of scriptsUnder(dist))
    hash
      .update(`${file}\u0000`)
      .update(readFileSync(join(dist, file)))
      .update('\u0000');
  return hash.digest('hex').slice(0, 16);
}

/** The file that holds the id, in `dist/`. */
export const BUILD_ID_FILE = 'build-id';

/** The `.js` and `.cjs` files under a folder, by path relative to it with `/`, sorted. */
function scriptsUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) =>
      e.isDirectory() ? scriptsUnder(join(dir, e.name), `${prefix}${e.name}/`) : /\.c?js$/.test(e.name) ? [`${prefix}${e.name}`] : [],
    );
}
