import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, DEFAULT_CONFIG, type Config } from '../schema/config.js';
import { ONCE } from '../schema/jit.js';
import type { Problem } from '../problems.js';
import { readYaml } from '../source/yaml.js';
import { locate } from '../source/locate.js';
import { flattenUnions, schemaProblems, withoutUnknownKeys } from '../model/schema-issues.js';
import { isValidTimeZone } from '../model/time.js';
import { checkConfig } from './config-checks.js';
import { onFile } from '../output/file-error.js';
import type { KnownIds } from './files.js';

export const CONFIG_FILE = 'postmortem.config.yaml';

export interface LoadedConfig {
  config: Config;
  problems: Problem[];
  /** Raw text of the config file ('' when there is none), for digests. */
  text: string;
}

/**
 * Reads `postmortem.config.yaml` (optional). Problems are located like any other; when the
 * file cannot be used, the defaults are, so incidents can still be checked. `knownIds`: the
 * knowledge base's incident ids, to check the documents' incidents against.
 */
export function loadConfig(root: string, knownIds?: KnownIds): LoadedConfig {
  const path = join(root, CONFIG_FILE);
  if (!existsSync(path)) return { config: DEFAULT_CONFIG, problems: [], text: '' };
  const text = onFile(path, 'read the config', () => readFileSync(path, 'utf8'));
  return parseConfig(text, CONFIG_FILE, knownIds, root);
}

/** `root`, when given, lets the checks see the files documents name (`notes:`). */
export function parseConfig(text: string, file = CONFIG_FILE, knownIds?: KnownIds, root?: string): LoadedConfig {
  const yaml = readYaml(file, text, 0);
  const problems = [...yaml.problems];
  if (yaml.problems.length > 0) return { config: DEFAULT_CONFIG, problems, text };
  const data = yaml.data ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, line: 1, column: 1, severity: 'error', ruleId: 'field-type', message: 'the config must be a mapping of keys' });
    return { config: DEFAULT_CONFIG, problems, text };
  }
  let result = configSchema.safeParse(data, ONCE);
  if (!result.success) {
    const issues = flattenUnions(result.error.issues);
    problems.push(...schemaProblems(file, issues, data, yaml.positions, 1, configSchema));
    if (!issues.every((i) => i.code === 'unrecognized_keys')) return { config: DEFAULT_CONFIG, problems, text };
    result = configSchema.safeParse(withoutUnknownKeys(data, issues), ONCE);
    if (!result.success) return { config: DEFAULT_CONFIG, problems, text };
  }
  let config = result.data;
  const at = (path: PropertyKey[]) => locate(yaml.positions, path);
  const report = (ruleId: string, message: string, path: PropertyKey[]) =>
    problems.push({ file, ...at(path), severity: 'error', ruleId, message });

  if (!isValidTimeZone(config.timezone)) {
    report(
      'field-value',
      `\`timezone\` "${config.timezone}" is not an IANA time zone such as America/New_York (UTC is used until it is fixed)`,
      ['timezone'],
    );
    // Every date is computed in this zone: an unusable one would fail each command, check included.
    config = { ...config, timezone: DEFAULT_CONFIG.timezone };
  }
  const ownerIds = new Map<string, number>();
  config.owners.forEach((o, i) => {
    if (ownerIds.has(o.id))
      report('duplicate-id', `owner id "${o.id}" is already used by owners[${ownerIds.get(o.id)}]`, ['owners', i, 'id']);
    else ownerIds.set(o.id, i);
  });
  if (config.letter.signer && !ownerIds.has(config.letter.signer)) {
    report('owner-known', `letter signer "${config.letter.signer}" is not in the owners directory`, ['letter', 'signer']);
  }
  config.documents.forEach((d, i) => {
    if (d.type === 'letter' && d.signer && !ownerIds.has(d.signer)) {
      report('owner-known', `letter signer "${d.signer}" is not in the owners directory`, ['documents', i, 'signer']);
    }
  });
  const names = new Set<string>();
  config.documents.forEach((d, i) => {
    const key = `${d.type}:${d.name}`;
    if (names.has(key)) report('duplicate-id', `document name "${d.name}" is used twice for a ${d.type}`, ['documents', i, 'name']);
    names.add(key);
  });
  checkConfig(config, report, knownIds, root);
  return { config, problems, text };
}
