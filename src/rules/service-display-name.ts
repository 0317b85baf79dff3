import type { Rule } from './rule.js';
import { titleCase } from '../format/names.js';
import { BASE_CONFIG, BASE_PATH, kb } from './fixtures.js';

const NAMES = 'service_names: {webmail: Webmail, pop: POP, imap: IMAP}\n';

export const serviceDisplayName: Rule = {
  id: 'service-display-name',
  severity: 'warning',
  description: 'A catalogued service (`services`) without a display name (`service_names`); documents would show its id title-cased.',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    incident.services.forEach((s, i) => {
      if (config.services.includes(s) && !config.service_names.has(s)) {
        report(
          `service "${s}" has no display name in the config \`service_names\`; documents show "${titleCase(s)}" (add e.g. \`service_names: {${s}: ${titleCase(s)}}\`)`,
          ['services', i],
        );
      }
    });
  },
  examples: {
    ok: [
      { name: 'services with display names', files: kb((t) => t.replace('services: [webmail]', 'services: [webmail, imap]')), expect: [] },
      {
        name: 'a service outside the catalogue (unknown-service reports it)',
        files: kb((t) => t.replace('services: [webmail]', 'services: [webmail, imap4]')),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'catalogued service without a display name',
        files: kb((t) => t.replace('services: [webmail]', 'services: [webmail, imap]'), {
          'postmortem.config.yaml': BASE_CONFIG.replace(NAMES, 'service_names: {webmail: Webmail}\n'),
        }),
        expect: [
          `${BASE_PATH}:6:21: warning service "imap" has no display name in the config \`service_names\`; documents show "Imap" (add e.g. \`service_names: {imap: Imap}\`) [service-display-name]`,
        ],
      },
    ],
  },
};
