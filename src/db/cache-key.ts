import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Temporal } from '../model/time.js';
import { BUILD_ID_FILE } from '../build-id.js';
import { PACKAGE_ROOT } from '../paths.js';
import { configText, type Config } from '../schema/config.js';
import { digestOf, SOURCE_FORMAT } from '../source/read.js';
import { SCHEMA_VERSION } from './schema.js';

/**
 * What the build's caches are kept for: the tool version, the parse format, the database
 * schema and the config. Small on purpose: `check` reads the caches too (`kb/check-files.ts`)
 * and loads this without the database build.
 */
export const TOOL_VERSION: string = toolVersionAt(PACKAGE_ROOT);

/**
 * The tool's version: package.json's, with the build's id (`dist/build-id`, src/build-id.ts)
 * when there is one, e.g. `0.1.0+3f2a…`: code changed under the same version is another tool.
 */
export function toolVersionAt(packageRoot: string): string {
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // not installed as a package: the id alone tells builds apart
  }
  try {
    return `${version}+${readFileSync(join(packageRoot, 'dist', BUILD_ID_FILE), 'utf8').trim()}`;
  } catch {
    return version;
  }
}

/** The database's file name in the output folder (unless `--db` names another). */
export const DB_FILE = 'postmortems.db';

/** The parse cache that sits next to a database. */
export function cachePathFor(dbPath: string): string {
  return join(dirname(dbPath), `.${basename(dbPath)}.cache`);
}

/** The parse cache's version: its parses are valid only for this tool, format, schema and file size limit. */
export function cacheVersionOf(config: Config): string {
  return `${TOOL_VERSION}/${SOURCE_FORMAT}/${SCHEMA_VERSION}/${config.validation.max_file_kb}`;
}

/** The config's digest: its text as written and as read. */
export function configDigestOf(configFileText: string, config: Config): string {
  return digestOf(`${configFileText}\u0000${configText(config)}`);
}

/** How a per-file check result is stored (`standInJson` in `cache.ts`; its problems apart): one of another form is not read. */
const CHECK_FORMAT = 'stand-ins-2';

/** What a per-file check result is kept for (see `ParseCache.checks`). */
export function checkContextOf(cacheVersion: string, configDigest: string, today: Temporal.PlainDate): string {
  return `${cacheVersion}/${CHECK_FORMAT}/${configDigest}/${today.toString()}`;
}
