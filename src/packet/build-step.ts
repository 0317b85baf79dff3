import type { BuildStep, BuildStepResult } from '../build/steps.js';
import { documentPosition } from '../build/document-position.js';
import { asUserError } from '../output/file-error.js';
import { CONFIG_FILE } from '../kb/config.js';
import { documentsOfType } from '../schema/config.js';
import { buildPacket } from './build.js';
import { requestFromDocument } from './spec.js';


/**
 * `postmortem build`: every `type: packet` entry of `documents:` in the config. A packet that
 * cannot be written is a problem located at its entry; the files of earlier builds stay.
 */
export const packetBuildStep: BuildStep = {
  name: 'packets',
  async run(ctx, built): Promise<BuildStepResult> {
    const result: BuildStepResult = { written: [], unchanged: 0, problems: [], notes: [] };
    const specs = documentsOfType(built.config, 'packet');
    for (const { spec, index } of specs) {
      try {
        const packet = await buildPacket(ctx, built, requestFromDocument(spec));
        result.written.push(...packet.written);
        result.unchanged += packet.unchanged;
        result.notes.push(...packet.notes);
      } catch (caught) {
        const error = asUserError(caught);
        if (!error) throw caught;
        const key = /^Notes file/.test(error.message) ? 'notes' : undefined;
        result.problems.push({
          file: CONFIG_FILE,
          ...documentPosition(ctx.root, index, key),
          severity: 'error',
          ruleId: 'packet',
          message: `packet "${spec.name}": ${error.message}${error.hint ? ` (${error.hint})` : ''}`,
        });
      }
    }
    return result;
  },
};
