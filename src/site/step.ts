import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildStep, BuildStepResult } from '../build/steps.js';
import type { CommandContext } from '../commands/context.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { SITE_DIR, siteBase } from './base.js';
import type { SiteBuild } from './build.js';
import { databaseKey, databaseStamp, finishedSite, LISTING_SQL, listingKey, stateKeyOf, type ListingTexts } from './done.js';
import { byId, MANIFEST_FILE } from './manifest.js';

/** Every file of the site, from its manifest; undefined when it cannot be read. */
function manifestFiles(siteDir: string): string[] | undefined {
  try {
    return Object.keys((JSON.parse(readFileSync(join(siteDir, MANIFEST_FILE), 'utf8')) as { pages: object }).pages).sort(byId);
  } catch {
    return undefined;
  }
}

/**
 * A build with nothing to do: every file of the site unchanged, as many as the record of the
 * finished build counted. Their list is read from the manifest only when asked (the build
 * prints only their count): the record's stamp of the manifest is the one it has.
 */
function nothingToDo(siteDir: string, finished: { files: number; incidents: number }): SiteBuild {
  const timings = { model: 0, load: 0, render: 0, write: 0, wait: 0 };
  let files: string[] | undefined;
  return {
    written: [],
    rendered: [],
    deleted: [],
    get files() {
      files ??= manifestFiles(siteDir) ?? [];
      return files;
    },
    unchanged: finished.files,
    pieces: { rendered: 0, copied: 0 },
    timings,
    incidents: finished.incidents,
    summariesMs: 0,
    upToDate: true,
  };
}

/** How many files the site has, without listing them (`files` of a build with nothing to do is read when asked). */
const fileCount = (site: SiteBuild) => site.unchanged + site.written.length;

/**
 * The site from the knowledge-base build: what changed since the previous site build is read
 * from the database (see `build.ts`), full incidents only for the incident pages rendered again.
 * When the record of the previous build says nothing changed (`done.ts`), that is all: the site
 * build's code is not even loaded.
 */
export async function buildSiteFromKnowledgeBase(ctx: CommandContext, kb: BuiltKnowledgeBase): Promise<SiteBuild> {
  const siteDir = join(ctx.out, SITE_DIR);
  const base = siteBase(ctx.root, kb.config);
  // one connection for the record's database key and the build: the listing is read once
  let db: ReturnType<BuiltKnowledgeBase['openDb']> | undefined;
  const open = () => (db ??= kb.openDb());
  let listing: { texts: ListingTexts; key: string; stamp: ReturnType<typeof databaseStamp> } | undefined;
  try {
    const finished = finishedSite({
      siteDir,
      dbPath: kb.dbPath,
      base: base.base,
      today: kb.today.toString(),
      databaseKey: () => {
        const stamp = databaseStamp(kb.dbPath); // before the database is opened (see build.ts)
        const texts = open().prepare(LISTING_SQL).raw().get() as ListingTexts;
        listing = { texts, key: listingKey(texts), stamp }; // the key hashed once (the build needs it too)
        return databaseKey(stateKeyOf(open()), listing.key);
      },
    });
    if (finished) return nothingToDo(siteDir, finished);
    const { buildSite } = await import('./build.js');
    return await buildSite({
      root: ctx.root,
      out: ctx.out,
      config: kb.config,
      today: kb.today,
      db: open(),
      dbPath: kb.dbPath,
      stateKey: stateKeyOf(open()),
      listing,
      load: (ids) => kb.incidents(ids),
      source: kb.incidentSource,
      base,
    });
  } finally {
    db?.close();
  }
}

/** `postmortem build`: the site, after the letters and packets. */
export const siteBuildStep: BuildStep = {
  name: 'site',
  async run(ctx, built): Promise<BuildStepResult> {
    const result = await buildSiteFromKnowledgeBase(ctx, built);
    const notes = [
      `${result.rendered.length} of ${fileCount(result)} files rendered again` +
        (result.deleted.length ? `, ${result.deleted.length} deleted` : '') +
        '; open site/index.html',
    ];
    return { written: result.written, unchanged: result.unchanged, problems: [], notes };
  },
};
