import type { BuildStep, BuildStepResult } from '../build/steps.js';
import type { CommandContext } from '../commands/context.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { join } from 'node:path';
import { buildSite, buildSiteQuick, SITE_DIR, siteBase, type SiteBuildResult } from './build.js';
import { incidentLinks } from './similar.js';
import { readSiteSummaries } from './summary-cache.js';

/**
 * The site from the knowledge-base build: summaries from the database (only those whose file
 * changed since the previous build), full incidents only where needed. When only write-ups
 * changed (or files moved), a quick build renders just their pages and search shards.
 */
export async function buildSiteFromKnowledgeBase(ctx: CommandContext, kb: BuiltKnowledgeBase): Promise<SiteBuildResult & { incidents: number; summariesMs: number }> {
  let started = performance.now();
  let summariesMs = 0;
  const siteDir = join(ctx.out, SITE_DIR);
  const at = { base: siteBase(ctx.root, kb.config).base, today: kb.today.toString() };
  const read = <T>(f: (db: ReturnType<typeof kb.openDb>) => T): T => {
    const db = kb.openDb();
    try {
      return f(db);
    } finally {
      db.close();
    }
  };
  const load = (ids: readonly string[]) => kb.incidents(ids);
  const first = read((db) => readSiteSummaries(db, siteDir, { ...at, quick: true }));
  summariesMs += performance.now() - started;
  if (first.kind === 'quick') {
    const result = await buildSiteQuick({
      root: ctx.root, out: ctx.out,
      input: { config: kb.config, today: kb.today, incidents: first.incidents, links: first.links, serviceNames: first.serviceNames, load },
    }, first.scope);
    if (result) {
      started = performance.now();
      first.save();
      summariesMs += performance.now() - started;
      return { ...result, incidents: first.scope.all.length, summariesMs };
    }
  }
  // a full build; also when the site on disk is not what the last build left
  started = performance.now();
  const full = first.kind === 'full' ? first : read((db) => readSiteSummaries(db, siteDir, { ...at, quick: false }));
  const { incidents, summaryDigests } = full;
  // links kept from the previous build when what they depend on did not change
  const links = full.links ?? incidentLinks(incidents);
  summariesMs += performance.now() - started;
  const result = await buildSite({
    root: ctx.root, out: ctx.out,
    input: { config: kb.config, today: kb.today, incidents, summaryDigests, links, load },
  });
  started = performance.now();
  full.save(links);
  // reading the summaries and keeping them for the next build
  summariesMs += performance.now() - started;
  return { ...result, incidents: incidents.length, summariesMs };
}

/** `postmortem build`: the site, after the letters and packets. */
export const siteBuildStep: BuildStep = {
  name: 'site',
  async run(ctx, built): Promise<BuildStepResult> {
    const result = await buildSiteFromKnowledgeBase(ctx, built);
    const notes = [`${result.rendered.length} of ${result.files.length} files rendered again`
      + (result.deleted.length ? `, ${result.deleted.length} deleted` : '') + '; open site/index.html'];
    return { written: result.written, unchanged: result.unchanged, problems: [], notes };
  },
};
