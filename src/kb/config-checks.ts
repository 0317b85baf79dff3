import { providerIds, type Config } from '../schema/config.js';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { parseDate } from '../model/time.js';
import { UNRATED } from '../schema/incident.js';
import { checkContracts } from './contract-checks.js';
import type { KnownIds } from './files.js';

/**
 * What the config schema cannot say alone: dates that do not exist (`2007-02-30`), a list that
 * names something twice, a letter signer customers may not see, a document naming an incident
 * the knowledge base does not have. Each is an error located at the value in the config.
 */
export type ConfigReport = (ruleId: string, message: string, path: PropertyKey[]) => void;

/** `knownIds`: the incident ids of the knowledge base (file names), when known. */
export function checkConfig(config: Config, report: ConfigReport, knownIds?: KnownIds, root?: string): void {
  checkDate(config.as_of, ['as_of'], report);
  for (const key of ['severities', 'categories', 'services'] as const) checkUnique(config[key], [key], report);
  config.severities.forEach((s, n) => {
    if (s === UNRATED)
      report('field-value', `"${UNRATED}" is reserved for records nobody has rated yet; name the severity otherwise`, ['severities', n]);
  });
  checkUnique(providerIds(config), ['providers'], report);
  checkContracts(config, report);
  const owners = new Map(config.owners.map((o) => [o.id, o]));
  const checkSigner = (signer: string | undefined, path: PropertyKey[]) => {
    const owner = signer === undefined ? undefined : owners.get(signer);
    if (owner && !owner.public) {
      report(
        'owner-known',
        `letter signer "${owner.id}" is not public (public: true in the owners directory), so no letter could be signed by them`,
        path,
      );
    }
  };
  checkSigner(config.letter.signer, ['letter', 'signer']);
  config.documents.forEach((d, i) => {
    const at = (key: string): PropertyKey[] => ['documents', i, key];
    if (d.type === 'letter') {
      checkSigner(d.signer, at('signer'));
      checkDate(d.date, at('date'), report);
      checkFollows(config.documents.slice(0, i), d.name, d.follows, at('follows'), report);
    } else {
      for (const key of ['since', 'until', 'meeting'] as const) checkDate(d[key], at(key), report);
    }
    checkNotesFile(`${d.type} "${d.name}"`, d.notes, root, at('notes'), report);
    for (const key of ['incidents', 'include'] as const) {
      const ids = (d as { incidents?: readonly string[]; include?: readonly string[] })[key];
      if (!ids || !knownIds) continue;
      ids.forEach((id, n) => {
        if (!knownIds.has(id))
          report('related-exists', `${d.type} "${d.name}" names incident "${id}", which is not in incidents/`, [...at(key), n]);
      });
    }
  });
}

/** A document's `notes:` file: inside the root, and (when the root is known) an existing file. */
function checkNotesFile(
  what: string,
  notes: string | undefined,
  root: string | undefined,
  path: PropertyKey[],
  report: ConfigReport,
): void {
  if (notes === undefined) return;
  const problem = notesFileProblem(notes, root);
  if (problem) report('field-value', `${what}: ${problem}`, path);
}

/** Why a `notes:` path cannot be read (outside the root, missing, not a file), or undefined. */
export function notesFileProblem(notes: string, root: string | undefined): string | undefined {
  if (leavesRoot(notes)) return `notes file ${notes} is outside the knowledge base; name a file inside it, relative to the root`;
  if (root === undefined) return undefined;
  const file = join(root, notes);
  if (!existsSync(file)) return `notes file ${notes} does not exist`;
  if (!statSync(file).isFile()) return `notes file ${notes} is not a file`;
  return undefined;
}

/** A letter's `follows:` names another letter under `documents:`. */
function checkFollows(
  earlier: Config['documents'],
  name: string,
  follows: string | undefined,
  path: PropertyKey[],
  report: ConfigReport,
): void {
  if (follows === undefined) return;
  if (follows === name) report('field-value', `letter "${name}" follows itself; name the earlier letter`, path);
  else if (!earlier.some((d) => d.type === 'letter' && d.name === follows)) {
    report('field-value', `letter "${name}" follows "${follows}", which is not a letter listed before it under documents:`, path);
  }
}

/** Whether a path relative to the root points outside it. */
function leavesRoot(path: string): boolean {
  const normal = normalize(path);
  return isAbsolute(path) || normal === '..' || normal.startsWith(`..${sep}`);
}

function checkDate(value: string | undefined, path: PropertyKey[], report: ConfigReport): void {
  if (value !== undefined && !parseDate(value))
    report('field-value', `\`${String(path.at(-1))}\` ${value} is not a date of the calendar`, path);
}

function checkUnique(values: readonly string[], path: PropertyKey[], report: ConfigReport): void {
  const seen = new Set<string>();
  values.forEach((value, n) => {
    if (seen.has(value)) report('duplicate-id', `"${value}" is listed twice in \`${String(path[0])}\``, [...path, n]);
    seen.add(value);
  });
}
