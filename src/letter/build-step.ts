import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildStep, BuildStepResult } from '../build/steps.js';
import { documentKeys, FinishedDocuments, incidentRecords } from '../build/document-key.js';
import { documentPosition } from '../build/document-position.js';
import { asUserError } from '../output/file-error.js';
import { CONFIG_FILE } from '../kb/config.js';
import { chromiumAvailable } from '../render/pdf.js';
import type { Incident } from '../model/incident.js';
import { documentsOfType } from '../schema/config.js';
import { LetterSettingError } from './setting-error.js';
import { LETTERS_DIR } from './formats.js';
import { promisesFile } from './promises.js';

const WARNING = 'warning: ';

/** The followed letter's promises as written (a follow-up changes with them); empty when missing. */
function readOutput(out: string, name: string): string {
  try {
    return readFileSync(join(out, LETTERS_DIR, promisesFile(name)), 'utf8');
  } catch {
    return '';
  }
}

/**
 * `postmortem build`: every `type: letter` entry of `documents:` in the config. A letter that
 * cannot be written is a located problem; the letters written before it stay. A letter whose
 * inputs did not change since it was written (`document-key.ts`) is not rendered again.
 */
export const letterBuildStep: BuildStep = {
  name: 'letters',
  async run(ctx, built): Promise<BuildStepResult> {
    const result: BuildStepResult = { written: [], unchanged: 0, problems: [], notes: [] };
    const specs = documentsOfType(built.config, 'letter');
    if (specs.length === 0) return result;
    const finished = new FinishedDocuments(ctx.out, 'letters');
    let incidents: Incident[] | undefined; // read from the parse cache only when a letter is rendered
    const kb = {
      root: ctx.root,
      config: built.config,
      problems: built.problems,
      get incidents() {
        return (incidents ??= built.incidents());
      },
    };
    let rendered = 0;
    /** Notes go to the build's notes; warnings (kept among a letter's notes, so a reused letter says them again) become problems at its entry. */
    const absorb = (said: readonly string[], name: string, index: number) => {
      for (const text of said) {
        if (!text.startsWith(WARNING)) result.notes.push(text);
        else
          result.problems.push({
            file: CONFIG_FILE,
            ...documentPosition(kb.root, index),
            severity: 'warning',
            ruleId: 'letter',
            message: `letter "${name}": ${text.slice(WARNING.length)}`,
          });
      }
    };
    const keyOf = documentKeys(ctx.root, built, 'letter');
    const records = incidentRecords(built);
    for (const { spec, index } of specs) {
      const key = keyOf({
        spec,
        records: records(spec.incidents),
        files: spec.notes === undefined ? [] : [spec.notes],
        facts: [String(chromiumAvailable()), spec.follows === undefined ? '' : readOutput(ctx.out, spec.follows)],
      });
      const replay = { unchanged: 0, notes: [] as string[] };
      if (finished.reuse(key, replay)) {
        result.unchanged += replay.unchanged;
        absorb(replay.notes, spec.name, index);
        continue;
      }
      rendered += 1;
      try {
        const { produceLetter } = await import('./document.js');
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
            notes: spec.notes,
            followUp: spec.follows,
          },
        });
        for (const file of outcome.files) {
          if (file.changed) result.written.push(file.path);
          else result.unchanged += 1;
        }
        const said = [...outcome.notes, ...outcome.warnings.map((w) => `${WARNING}${w}`)];
        absorb(said, spec.name, index);
        finished.record(
          key,
          outcome.files.map((f) => f.path),
          said,
        );
      } catch (caught) {
        const error = asUserError(caught);
        if (!error) throw caught;
        result.problems.push({
          file: CONFIG_FILE,
          ...documentPosition(kb.root, index, error instanceof LetterSettingError ? error.key : undefined),
          severity: 'error',
          ruleId: 'letter',
          message: `letter "${spec.name}": ${error.message}${error.hint ? ` (${error.hint})` : ''}`,
        });
      }
    }
    finished.save();
    result.notes.push(`${rendered} of ${specs.length} rendered again`);
    return result;
  },
};
