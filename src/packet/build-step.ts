import type { BuildStep, BuildStepResult } from '../build/steps.js';
import { documentKeys, FinishedDocuments, incidentRecords } from '../build/document-key.js';
import { documentPosition } from '../build/document-position.js';
import { asUserError } from '../output/file-error.js';
import { CONFIG_FILE } from '../kb/config.js';
import { chromiumAvailable } from '../render/pdf.js';
import { documentsOfType } from '../schema/config.js';
import type { History } from '../history/history.js';
import { buildStamp } from './git.js';

/**
 * What a packet's build stamp (`git.ts`: HEAD's short hash and date) is made from, for its key:
 * HEAD as the history read it, without running git again; read from git only when the history
 * did not (a shallow clone). The abbreviated hash git prints for one commit is taken to stay the same.
 */
function stampFact(root: string, history: History): string {
  if (history.source === 'git') return `head ${history.head}`;
  if (history.source === 'shallow') return buildStamp(root).text;
  return buildStamp(root, false).text;
}

/**
 * `postmortem build`: every `type: packet` entry of `documents:` in the config. A packet that
 * cannot be written is a problem located at its entry; the files of earlier builds stay. A packet
 * whose inputs did not change since it was written (`document-key.ts`) is not rendered again; its
 * numbers and trends come from every incident, so every incident record is in its key.
 */
export const packetBuildStep: BuildStep = {
  name: 'packets',
  async run(ctx, built): Promise<BuildStepResult> {
    const result: BuildStepResult = { written: [], unchanged: 0, problems: [], notes: [] };
    const specs = documentsOfType(built.config, 'packet');
    if (specs.length === 0) return result;
    const finished = new FinishedDocuments(ctx.out, 'packets');
    const records = incidentRecords(built)();
    // The history of incidents/ decides what a packet shows as of its date and since its previous review.
    const facts = [stampFact(ctx.root, built.history), built.history.key, String(chromiumAvailable())];
    // A packet reads its previous review's notes too ("Since our last review"): every packet's notes are in each key.
    const notes = specs.flatMap(({ spec }) => (spec.notes ? [spec.notes] : []));
    let rendered = 0;
    const keyOf = documentKeys(ctx.root, built, 'packet');
    for (const { spec, index } of specs) {
      const key = keyOf({ spec, records, files: notes, facts });
      if (finished.reuse(key, result)) continue;
      rendered += 1;
      try {
        const [{ writePacket }, { requestFromDocument }] = await Promise.all([import('./build.js'), import('./spec.js')]);
        const packet = await writePacket(ctx, built, requestFromDocument(spec));
        result.written.push(...packet.written);
        result.unchanged += packet.unchanged;
        result.notes.push(...packet.notes);
        finished.record(key, packet.files, packet.notes);
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
    finished.save();
    result.notes.push(`${rendered} of ${specs.length} rendered again`);
    return result;
  },
};
