import { providerIds, type Config } from '../schema/config.js';
import { isAbsolute, normalize, sep } from 'node:path';
import { parseDate } from '../model/time.js';
import { checkContracts } from './contract-checks.js';

/**
 * What the config schema cannot say alone: dates that do not exist (`2007-02-30`), a list that
 * names something twice, a letter signer customers may not see, a document naming an incident
 * the knowledge base does not have. Each is an error located at the value in the config.
 */
export type ConfigReport = (ruleId: string, message: string, path: PropertyKey[]) => void;

/** `knownIds`: the incident ids of the knowledge base (file names), when known. */
export function checkConfig(config: Config, report: ConfigReport, knownIds?: ReadonlySet<string>): void {
  checkDate(config.as_of, ['as_of'], report);
  for (const key of ['severities', 'categories', 'services'] as const) checkUnique(config[key], [key], report);
  checkUnique(providerIds(config), ['providers'], report);
  checkContracts(config, report);
  const owners = new Map(config.owners.map((o) => [o.id, o]));
  const checkSigner = (signer: string | undefined, path: PropertyKey[]) => {
    const owner = signer === undefined ? undefined : owners.get(signer);
    if (owner && !owner.public) {
      report('owner-known', `letter signer "${owner.id}" is not public (public: true in the owners directory), so no letter could be signed by them`, path);
    }
  };
  checkSigner(config.letter.signer, ['letter', 'signer']);
  config.documents.forEach((d, i) => {
    const at = (key: string): PropertyKey[] => ['documents', i, key];
    if (d.type === 'letter') {
      checkSigner(d.signer, at('signer'));
      checkDate(d.date, at('date'), report);
    } else {
      for (const key of ['since', 'until', 'meeting'] as const) checkDate(d[key], at(key), report);
      if (d.notes !== undefined && leavesRoot(d.notes)) {
        report('field-value', `packet "${d.name}": notes file ${d.notes} is outside the knowledge base; name a file inside it, relative to the root`, at('notes'));
      }
    }
    for (const key of ['incidents', 'include'] as const) {
      const ids = (d as { incidents?: readonly string[]; include?: readonly string[] })[key];
      if (!ids || !knownIds) continue;
      ids.forEach((id, n) => {
        if (!knownIds.has(id)) report('related-exists', `${d.type} "${d.name}" names incident "${id}", which is not in incidents/`, [...at(key), n]);
      });
    }
  });
}

/** Whether a path relative to the root points outside it. */
function leavesRoot(path: string): boolean {
  const normal = normalize(path);
  return isAbsolute(path) || normal === '..' || normal.startsWith(`..${sep}`);
}

function checkDate(value: string | undefined, path: PropertyKey[], report: ConfigReport): void {
  if (value !== undefined && !parseDate(value)) report('field-value', `\`${String(path.at(-1))}\` ${value} is not a date of the calendar`, path);
}

function checkUnique(values: readonly string[], path: PropertyKey[], report: ConfigReport): void {
  const seen = new Set<string>();
  values.forEach((value, n) => {
    if (seen.has(value)) report('duplicate-id', `"${value}" is listed twice in \`${String(path[0])}\``, [...path, n]);
    seen.add(value);
  });
}
