import type { BuildStep, BuildStepResult } from '../build/steps.js';
import type { CommandContext } from '../commands/context.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { join } from 'node:path';
import { buildSite, SITE_DIR, type SiteBuildResult } from './build.js';
import { readSiteSummaries } from './summary-cache.js';

/** The site from the knowledge-base build: summaries from the database, full incidents only where needed. */
export async function buildSiteFromKnowledgeBase(ctx: CommandContext, kb: BuiltKnowledgeBase): Promise<SiteBuildResult & { incidents: number; summariesMs: number }> {
  const started = performance.now();
  const db = kb.openDb();
  let summaries;
  try {
    summaries = readSiteSummaries(db, join(ctx.out, SITE_DIR));
  } finally {
    db.close();
  }
  const { incidents, summaryDigests, links } = summaries;
  const summariesMs = performance.now() - started;
  const result = await buildSite({
    root: ctx.root,
    out: ctx.out,
    input: { config: kb.config, today: kb.today, incidents, summaryDigests, ...(links ? { links } : {}), load: (ids) => kb.incidents(ids) },
  });
  summaries.save(result.links);
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
