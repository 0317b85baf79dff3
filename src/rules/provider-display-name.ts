import type { Rule } from './rule.js';
import { providerIds } from '../schema/config.js';
import { titleCase } from '../format/names.js';
import { BASE_CONFIG, BASE_PATH, kb } from './fixtures.js';

export const providerDisplayName: Rule = {
  id: 'provider-display-name',
  severity: 'warning',
  description:
    'A provider listed in the config (`providers`) without a display name (`provider_names`); documents would show its id title-cased.',
  stage: 'incident',
  checkIncident({ incident, config, report, source }) {
    const known = providerIds(config);
    const listed = Array.isArray((source.data as { provider?: unknown }).provider);
    incident.providers.forEach((p, i) => {
      if (known.includes(p) && !config.provider_names.has(p)) {
        report(
          `provider "${p}" has no display name in the config \`provider_names\`; documents show "${titleCase(p)}" (add e.g. \`provider_names: {${p}: ${titleCase(p)}}\`)`,
          listed ? ['provider', i] : ['provider'],
        );
      }
    });
  },
  examples: {
    ok: [
      {
        name: 'provider with a display name',
        files: kb((t) => t.replace('started:', 'provider: rackspace\nstarted:')),
        expect: [],
      },
      { name: 'no provider', files: kb(), expect: [] },
    ],
    notOk: [
      {
        name: 'listed provider without a display name',
        files: kb((t) => t.replace('started:', 'provider: rackspace\nstarted:'), {
          'postmortem.config.yaml': BASE_CONFIG.replace('provider_names: {rackspace: Rackspace}\n', ''),
        }),
        expect: [
          `${BASE_PATH}:8:11: warning provider "rackspace" has no display name in the config \`provider_names\`; documents show "Rackspace" (add e.g. \`provider_names: {rackspace: Rackspace}\`) [provider-display-name]`,
        ],
      },
    ],
  },
};
