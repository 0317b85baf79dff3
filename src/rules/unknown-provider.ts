import type { Rule } from './rule.js';
import { providerIds } from '../schema/config.js';
import { didYouMean } from './nearest.js';
import { BASE_CONFIG, BASE_PATH, kb } from './fixtures.js';

export const unknownProvider: Rule = {
  id: 'unknown-provider',
  severity: 'warning',
  description: 'A provider not listed in the config (`providers`), so provider reviews would miss it.',
  stage: 'incident',
  checkIncident({ incident, config, report, source }) {
    const known = providerIds(config);
    if (known.length === 0) return;
    const listed = Array.isArray((source.data as { provider?: unknown }).provider);
    incident.providers.forEach((p, i) => {
      if (!known.includes(p))
        report(
          `provider "${p}" is not in the config \`providers\` (${known.join(', ')})${didYouMean(p, known)}`,
          listed ? ['provider', i] : ['provider'],
        );
    });
  },
  examples: {
    ok: [
      { name: 'listed provider', files: kb((t) => t.replace('started:', 'provider: rackspace\nstarted:')), expect: [] },
      {
        name: 'a list of providers, one with a kind',
        files: kb((t) => t.replace('started:', 'provider: [rackspace, akamai]\nstarted:'), {
          'postmortem.config.yaml': BASE_CONFIG.replace('providers: [rackspace]', 'providers: [rackspace, {id: akamai, kind: vendor}]'),
        }),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'misspelt provider',
        files: kb((t) => t.replace('started:', 'provider: rackspce\nstarted:')),
        expect: [
          `${BASE_PATH}:8:11: warning provider "rackspce" is not in the config \`providers\` (rackspace) (did you mean "rackspace"?) [unknown-provider]`,
        ],
      },
      {
        name: 'unknown provider in a list',
        files: kb((t) => t.replace('started:', 'provider: [rackspace, cloudflare]\nstarted:')),
        expect: [`${BASE_PATH}:8:23: warning provider "cloudflare" is not in the config \`providers\` (rackspace) [unknown-provider]`],
      },
    ],
  },
};
