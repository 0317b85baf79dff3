import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const unknownService: Rule = {
  id: 'unknown-service',
  severity: 'warning',
  description: 'A service not in the configured catalogue (`services`), often a typo.',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    if (config.services.length === 0) return;
    incident.services.forEach((s, i) => {
      if (!config.services.includes(s)) report(`service "${s}" is not in the catalogue (${config.services.join(', ')})`, ['services', i]);
    });
  },
  examples: {
    ok: [{ name: 'catalogued services', files: kb((t) => t.replace('services: [webmail]', 'services: [webmail, imap]')), expect: [] }],
    notOk: [
      {
        name: 'typo',
        files: kb((t) => t.replace('services: [webmail]', 'services: [webmail, imap4]')),
        expect: [`${BASE_PATH}:6:21: warning service "imap4" is not in the catalogue (webmail, pop, imap) [unknown-service]`],
      },
    ],
  },
};
