import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The identity of a build of the tool: a digest of the bundles under `dist/` (`*.cjs`: what every
 * command and worker thread runs; the ES module chunks beside them are built from the same
 * sources, and an older build's chunks stay there), which `npm run build` writes to
 * `dist/build-id` (scripts/bundle.mjs). The tool version every cache and document key holds
 * (`TOOL_VERSION`, src/db/cache-key.ts) is the package's version with this id, so code changed
 * without a new version in package.json (a `git pull`, a local edit) renders every document and
 * page again and rebuilds the caches, instead of keeping what older code made (the site kept its
 * pages after the category pages' text changed). The bundles name no absolute path, so the same
 * commit built anywhere gives the same id.
 */
export function buildIdOf(dist: string): string {
  const hash = createHash('sha256');
  for (const file of bundlesIn(dist))
    hash
      .update(`${file}\u0000`)
      .update(readFileSync(join(dist, file)))
      .update('\u0000');
  return hash.digest('hex').slice(0, 16);
}

/** The file that holds the id, in `dist/`. */
export const BUILD_ID_FILE = 'build-id';

/** The `.cjs` bundles in a folder (not below it), sorted. */
function bundlesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.cjs'))
    .map((e) => e.name)
    .sort();
}
