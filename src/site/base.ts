import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { TOOL_VERSION } from '../db/cache-key.js';
import { DEFAULT_TEMPLATES } from '../paths.js';
import { configText } from '../schema/config.js';
import { SEARCH_TERMS_SCRIPT } from '../search/terms.js';

/**
 * What every page of the site depends on — the templates and assets, the config, the tool
 * version — and the digest the site's keys are made with. Kept apart from the site build so
 * that a build with nothing to do (`done.ts`) loads no more than this.
 */

/** The site's folder under the output folder. */
export const SITE_DIR = 'site';
/** Bump when the shape of the pages changes in a way templates do not show. */
export const SITE_FORMAT = 'site-2';

/**
 * A digest of some strings, each followed by \u0000: many parts are joined into one update
 * (10,000 small updates cost tens of milliseconds), a few are given one by one (joining a big
 * text first — the manifest, 0.8 MB at 10,000 incidents — costs ten times the hashing). The same
 * digest either way.
 */
export function hash(...parts: string[]): string {
  const digest = createHash('sha256');
  if (parts.length > 16) digest.update(`${parts.join('\u0000')}\u0000`);
  else for (const part of parts) digest.update(part).update('\u0000');
  return digest.digest('hex').slice(0, 32);
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => byName(a.name, b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** The site's templates and assets: the knowledge base's own `templates/site/` files override the defaults by name. */
function siteTemplateFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const base of [join(DEFAULT_TEMPLATES, 'site'), join(root, 'templates', 'site')]) {
    for (const f of filesUnder(base)) files.set(relative(base, f).split(sep).join('/'), f);
  }
  return files;
}

/** What every page depends on, as a digest, and the template files by name. Cheap (a few small files). */
export interface SiteBase {
  base: string;
  templateFiles: Map<string, string>;
}

export function siteBase(root: string, config: object): SiteBase {
  const templateFiles = siteTemplateFiles(root);
  const templatesDigest = hash(...[...templateFiles].map(([name, file]) => `${name}\u0000${readFileSync(file, 'utf8')}`));
  // the search term script too: every shard's terms come from it
  return { base: hash(SITE_FORMAT, TOOL_VERSION, SEARCH_TERMS_SCRIPT, templatesDigest, configText(config)), templateFiles };
}
