import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const unknownProvider: Rule = {
  id: 'unknown-provider',
  severity: 'warning',
  description: 'A provider not listed in the config (`providers`), so provider reviews would miss it.',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    if (incident.provider && config.providers.length > 0 && !config.providers.includes(incident.provider)) {
      report(`provider "${incident.provider}" is not in the config \`providers\` (${config.providers.join(', ')})`, ['provider']);
    }
  },
  examples: {
    ok: [{ name: 'listed provider', files: kb((t) => t.replace('started:', 'provider: rackspace\nstarted:')), expect: [] }],
    notOk: [{
      name: 'misspelt provider',
      files: kb((t) => t.replace('started:', 'provider: rackspce\nstarted:')),
      expect: [`${BASE_PATH}:8:11: warning provider "rackspce" is not in the config \`providers\` (rackspace) [unknown-provider]`],
    }],
  },
};
