import type { BuildStep, BuildStepResult } from '../build/steps.js';
import { buildSite } from './build.js';

/** `postmortem build`: the site, after the letters and packets. */
export const siteBuildStep: BuildStep = {
  name: 'site',
  async run(ctx, built): Promise<BuildStepResult> {
    const result = buildSite({ root: ctx.root, out: ctx.out, input: { config: built.config, today: built.today, incidents: built.incidents() } });
    const notes = [`site: ${result.rendered.length} of ${result.files.length} pages rendered, ${result.written.length} files written`
      + (result.deleted.length ? `, ${result.deleted.length} deleted` : '') + ' → site/index.html'];
    return { written: result.written, unchanged: result.unchanged, problems: [], notes };
  },
};
