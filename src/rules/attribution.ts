import type { Rule } from './rule.js';
import { providerIds } from '../schema/config.js';
import type { AttributionData } from '../schema/incident.js';
import { didYouMean } from './nearest.js';
import { BASE_PATH, kb } from './fixtures.js';

/** The attributions as written: the incident's and each window's, with their paths. */
function writtenAttributions(data: unknown): { value: AttributionData; path: PropertyKey[] }[] {
  const record = data as { attribution?: AttributionData; impact?: { windows?: { attribution?: AttributionData }[] } };
  const found: { value: AttributionData; path: PropertyKey[] }[] = [];
  if (record.attribution !== undefined) found.push({ value: record.attribution, path: ['attribution'] });
  (Array.isArray(record.impact?.windows) ? record.impact.windows : []).forEach((w, i) => {
    if (w?.attribution !== undefined) found.push({ value: w.attribution, path: ['impact', 'windows', i, 'attribution'] });
  });
  return found;
}

export const attribution: Rule = {
  id: 'attribution',
  severity: 'error',
  description:
    "An `attribution` whose provider is unknown, not among the incident's providers, or cannot be told (no or several providers).",
  stage: 'incident',
  checkIncident({ incident, config, report, source }) {
    const known = providerIds(config);
    const listed = incident.providers;
    for (const { value, path } of writtenAttributions(source.data)) {
      const written = typeof value === 'string' ? { cause: value, provider: undefined } : value;
      const where = path.length === 1 ? 'attribution' : `\`impact.windows[${String(path[2])}].attribution\``;
      if (written.provider !== undefined) {
        const at = [...path, 'provider'];
        if (known.length > 0 && !known.includes(written.provider)) {
          report(
            `${where} names provider "${written.provider}", which is not in the config \`providers\` (${known.join(', ')})${didYouMean(written.provider, known)}`,
            at,
          );
        } else if (written.cause !== 'us' && !listed.includes(written.provider)) {
          report(
            `${where} names provider "${written.provider}", but the incident's \`provider\` ${listed.length ? `lists only ${listed.join(', ')}` : 'is not set'}; add it there`,
            at,
          );
        }
      } else if (written.cause === 'provider' && listed.length !== 1) {
        report(
          `${where} is \`provider\` but the incident lists ${listed.length ? `several providers (${listed.join(', ')})` : 'no `provider`'}; write {cause: provider, provider: <id>}${listed.length ? '' : ' and list the provider in `provider`'}`,
          path,
        );
      }
    }
  },
  examples: {
    ok: [
      {
        name: 'shorthand with the one provider',
        files: kb((t) => t.replace('started:', 'provider: rackspace\nattribution: provider\nstarted:')),
        expect: [],
      },
      { name: 'ours, no provider needed', files: kb((t) => t.replace('started:', 'attribution: us\nstarted:')), expect: [] },
      {
        name: 'a window of its own, with who fixed it',
        files: kb((t) =>
          t
            .replace('started:', 'provider: rackspace\nattribution: us\nstarted:')
            .replace(
              '  summary: Customers could not read mail.',
              '  summary: Customers could not read mail.\n  windows:\n    - {from: 2007-06-04T09:10:00-04:00, to: 2007-06-04T10:55:00-04:00, attribution: {cause: provider, provider: rackspace, fixed_by: us}}',
            ),
        ),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'unknown provider id',
        files: kb((t) => t.replace('started:', 'provider: rackspace\nattribution: {cause: provider, provider: rackspce}\nstarted:')),
        expect: [
          `${BASE_PATH}:9:42: error attribution names provider "rackspce", which is not in the config \`providers\` (rackspace) (did you mean "rackspace"?) [attribution]`,
        ],
      },
      {
        name: 'provider attribution on an incident without that provider',
        files: kb((t) => t.replace('started:', 'attribution: {cause: provider, provider: rackspace}\nstarted:')),
        expect: [
          `${BASE_PATH}:8:42: error attribution names provider "rackspace", but the incident's \`provider\` is not set; add it there [attribution]`,
        ],
      },
      {
        name: 'shorthand without a provider',
        files: kb((t) => t.replace('started:', 'attribution: provider\nstarted:')),
        expect: [
          `${BASE_PATH}:8:14: error attribution is \`provider\` but the incident lists no \`provider\`; write {cause: provider, provider: <id>} and list the provider in \`provider\` [attribution]`,
        ],
      },
      {
        name: 'a window naming a provider the incident does not list',
        files: kb((t) =>
          t
            .replace('started:', 'attribution: us\nstarted:')
            .replace(
              '  summary: Customers could not read mail.',
              '  summary: Customers could not read mail.\n  windows:\n    - {from: 2007-06-04T09:10:00-04:00, attribution: {cause: provider, provider: rackspace}}',
            ),
        ),
        expect: [
          `${BASE_PATH}:16:82: error \`impact.windows[0].attribution\` names provider "rackspace", but the incident's \`provider\` is not set; add it there [attribution]`,
        ],
      },
    ],
  },
};
