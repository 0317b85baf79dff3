import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const unknownLocation: Rule = {
  id: 'unknown-location',
  severity: 'warning',
  description: 'A location id without a display name in the config (`locations`); documents would show the raw id.',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    incident.locations.forEach((l, i) => {
      if (!config.locations.has(l)) report(`location "${l}" has no display name in the config \`locations\``, ['locations', i]);
    });
  },
  examples: {
    ok: [{ name: 'configured location', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'unconfigured location',
        files: kb((t) => t.replace('locations: [dulles-va]', 'locations: [dulles-va, ashburn]')),
        expect: [`${BASE_PATH}:7:24: warning location "ashburn" has no display name in the config \`locations\` [unknown-location]`],
      },
    ],
  },
};
