import { join, relative } from 'node:path';
import { updateKnowledgeBase } from '../db/knowledge-base.js';
import { SITE_DIR } from '../site/base.js';
import type { SiteBuildResult } from '../site/build.js';
import { buildSiteFromKnowledgeBase } from '../site/step.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface SiteOptions {
  /** Database path (default `<out>/postmortems.db`). */
  db?: string;
}

export interface SiteResult extends CommandResult {
  site: SiteBuildResult;
  /** Incidents on the site. */
  incidents: number;
}

/**
 * `postmortem site`: brings the database up to date, then `<out>/site/` (incrementally).
 * Incidents with errors are left out and reported as a count; exit 1 when there are any.
 */
export async function runSite(ctx: CommandContext, options: SiteOptions = {}): Promise<SiteResult> {
  const kb = await updateKnowledgeBase(ctx, { dbPath: options.db });
  const { incidents, summariesMs, ...site } = await buildSiteFromKnowledgeBase(ctx, kb);
  if (process.env.POSTMORTEM_TIMINGS) {
    const t = { summaries: summariesMs, ...site.timings };
    ctx.stderr.write(
      `site timings (ms): ${Object.entries(t)
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(', ')}\n`,
    );
  }
  const { errors } = kb.report;
  const indexFile = join(ctx.out, SITE_DIR, 'index.html');
  const index = relative(process.cwd(), indexFile).startsWith('..') ? indexFile : relative(process.cwd(), indexFile);
  ctx.stdout.write(
    `Site: ${incidents} incidents; ${site.rendered.length} of ${site.files.length} files rendered, ` +
      `${site.written.length} written${site.deleted.length ? `, ${site.deleted.length} deleted` : ''}. Open ${index}\n`,
  );
  if (errors > 0) {
    ctx.stderr.write(
      `${errors} error${errors === 1 ? '' : 's'} in the knowledge base: incidents with errors are not on the site. Run "postmortem check" for details.\n`,
    );
  }
  return { exitCode: errors > 0 ? 1 : 0, site, incidents: incidents };
}

export const siteCommand = (env: CliEnv): CommandBody => ({
  builder: (y) => y.option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(await runSite(env.context(argv), { db: argv.db as string | undefined }));
  },
});
