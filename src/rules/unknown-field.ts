import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const unknownField: Rule = {
  id: 'unknown-field',
  severity: 'warning',
  description: 'A field the format does not define (a typo, usually); the rest of the incident is still read.',
  stage: 'schema',
  examples: {
    ok: [{ name: 'known fields only', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'misspelt field',
        files: kb((t) => replaceLine(t, 7, 'location: [dulles-va]')),
        expect: [`${BASE_PATH}:7:1: warning unknown field \`location\` (did you mean \`locations\`?) [unknown-field]`],
      },
      {
        name: 'unknown nested field and __proto__',
        files: kb((t) =>
          replaceLine(
            replaceLine(t, 13, '  summary: Customers could not read mail.\n  duration: 85'),
            6,
            'services: [webmail]\n__proto__: {polluted: true}',
          ),
        ),
        expect: [
          `${BASE_PATH}:7:1: warning unknown field \`__proto__\`; to keep a fact that has no field, put it under \`extra:\` [unknown-field]`,
          `${BASE_PATH}:15:3: warning unknown field \`impact.duration\`; to keep a fact that has no field, put it under \`extra:\` [unknown-field]`,
        ],
      },
    ],
  },
};
