import type { BuildStep, BuildStepResult } from '../build/steps.js';
import { documentPosition } from '../build/document-position.js';
import { asUserError } from '../output/file-error.js';
import { CONFIG_FILE } from '../kb/config.js';
import { documentsOfType } from '../schema/config.js';


/**
 * `postmortem build`: every `type: letter` entry of `documents:` in the config. A letter that
 * cannot be written is a located problem; the letters written before it stay.
 */
export const letterBuildStep: BuildStep = {
  name: 'letters',
  async run(ctx, built): Promise<BuildStepResult> {
    const result: BuildStepResult = { written: [], unchanged: 0, problems: [], notes: [] };
    const specs = documentsOfType(built.config, 'letter');
    if (specs.length === 0) return result;
    const { produceLetter } = await import('./document.js');
    const kb = { root: ctx.root, config: built.config, incidents: built.incidents(), problems: built.problems };
    for (const { spec, index } of specs) {
      try {
        const outcome = await produceLetter({
          kb,
          out: ctx.out,
          request: {
            ids: spec.incidents,
            name: spec.name,
            signer: spec.signer,
            audience: spec.audience,
            formats: spec.formats,
            includeDrafts: spec.include_drafts,
            date: spec.date,
          },
        });
        for (const file of outcome.files) {
          if (file.changed) result.written.push(file.path);
          else result.unchanged += 1;
        }
        result.notes.push(...outcome.notes);
      } catch (caught) {
        const error = asUserError(caught);
        if (!error) throw caught;
        result.problems.push({
          file: CONFIG_FILE,
          ...documentPosition(kb.root, index),
          severity: 'error',
          ruleId: 'letter',
          message: `letter "${spec.name}": ${error.message}${error.hint ? ` (${error.hint})` : ''}`,
        });
      }
    }
    return result;
  },
};
