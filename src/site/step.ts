import type { BuildStep, BuildStepResult } from '../build/steps.js';
import type { CommandContext } from '../commands/context.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { buildSite, type SiteBuild } from './build.js';
import { hash } from './state.js';

/**
 * The site from the knowledge-base build: what changed since the previous site build is read
 * from the database (see `build.ts`), full incidents only for the incident pages rendered again.
 */
export async function buildSiteFromKnowledgeBase(ctx: CommandContext, kb: BuiltKnowledgeBase): Promise<SiteBuild> {
  const db = kb.openDb();
  try {
    const meta = new Map(db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
    return await buildSite({
      root: ctx.root,
      out: ctx.out,
      config: kb.config,
      today: kb.today,
      db,
      dbPath: kb.dbPath,
      stateKey: hash(...['tool_version', 'schema_version', 'config_digest'].map((k) => meta.get(k) ?? '')),
      load: (ids) => kb.incidents(ids),
      source: kb.incidentSource,
    });
  } finally {
    db.close();
  }
}

/** `postmortem build`: the site, after the letters and packets. */
export const siteBuildStep: BuildStep = {
  name: 'site',
  async run(ctx, built): Promise<BuildStepResult> {
    const result = await buildSiteFromKnowledgeBase(ctx, built);
    const notes = [
      `${result.rendered.length} of ${result.files.length} files rendered again` +
        (result.deleted.length ? `, ${result.deleted.length} deleted` : '') +
        '; open site/index.html',
    ];
    return { written: result.written, unchanged: result.unchanged, problems: [], notes };
  },
};
