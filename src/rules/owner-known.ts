import type { Rule } from './rule.js';
import { providerIds } from '../schema/config.js';
import { PROVIDER_OWNER_PREFIX } from '../schema/incident.js';
import { didYouMean } from './nearest.js';
import { BASE_PATH, kb } from './fixtures.js';

export const ownerKnown: Rule = {
  id: 'owner-known',
  severity: 'error',
  description:
    'Remediation owners, the commander, authors and reviewers are ids from the owners directory in the config; a remediation may instead be owned by a configured provider, `provider:<id>`.',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    const providers = providerIds(config);
    const ids = config.owners.map((o) => o.id);
    const known = new Set(ids);
    const check = (id: string, path: PropertyKey[]) => {
      if (config.owners.length > 0 && !known.has(id)) {
        report(`owner "${id}" is not in the owners directory (postmortem.config.yaml \`owners\`)${didYouMean(id, ids)}`, path);
      }
    };
    incident.remediations.forEach((r, i) => {
      const path = ['remediations', i, 'owner'];
      if (!r.owner.startsWith(PROVIDER_OWNER_PREFIX)) return check(r.owner, path);
      const provider = r.owner.slice(PROVIDER_OWNER_PREFIX.length);
      if (!providers.includes(provider)) {
        report(
          `owner "${r.owner}" names a provider not in the config \`providers\` (${providers.join(', ') || 'none'})${didYouMean(provider, providers)}`,
          path,
        );
      }
    });
    if (incident.owners.commander) check(incident.owners.commander, ['owners', 'commander']);
    incident.owners.authors.forEach((a, i) => check(a, ['owners', 'authors', i]));
    incident.owners.reviewers.forEach((a, i) => check(a, ['owners', 'reviewers', i]));
  },
  examples: {
    ok: [
      { name: 'known owners', files: kb((t) => t.replace('authors: [bill]', 'authors: [bill, dana]')), expect: [] },
      { name: 'a remediation owned by a provider', files: kb((t) => t.replace('owner: bill', 'owner: provider:rackspace')), expect: [] },
    ],
    notOk: [
      {
        name: 'unknown remediation owner and author',
        files: kb((t) => t.replace('owner: bill', 'owner: william').replace('authors: [bill]', 'authors: [bill, zoe]')),
        expect: [
          `${BASE_PATH}:22:68: error owner "william" is not in the owners directory (postmortem.config.yaml \`owners\`) [owner-known]`,
          `${BASE_PATH}:24:19: error owner "zoe" is not in the owners directory (postmortem.config.yaml \`owners\`) [owner-known]`,
        ],
      },
      {
        name: 'near misses suggest the id',
        files: kb((t) => t.replace('owner: bill', 'owner: provider:rackspac').replace('authors: [bill]', 'authors: [dan]')),
        expect: [
          `${BASE_PATH}:22:68: error owner "provider:rackspac" names a provider not in the config \`providers\` (rackspace) (did you mean "rackspace"?) [owner-known]`,
          `${BASE_PATH}:24:13: error owner "dan" is not in the owners directory (postmortem.config.yaml \`owners\`) (did you mean "dana"?) [owner-known]`,
        ],
      },
    ],
  },
};
