import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const fieldValue: Rule = {
  id: 'field-value',
  severity: 'error',
  description: 'A value of the right type is malformed or out of range: an id pattern, a date, a timestamp, a percentage.',
  stage: 'schema',
  examples: {
    ok: [{ name: 'well-formed values', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'bad timestamp, percentage over 100',
        files: kb((t) =>
          replaceLine(
            replaceLine(t, 13, '  summary: Customers could not read mail.\n  percent_resolved_at_mitigation: 120'),
            9,
            'detected: June 4th',
          ),
        ),
        expect: [
          `${BASE_PATH}:9:11: error \`detected\` must be an ISO 8601 timestamp such as 2007-06-04T09:10:00-04:00 [field-value]`,
          `${BASE_PATH}:14:35: error \`impact.percent_resolved_at_mitigation\` must be at most 100 [field-value]`,
        ],
      },
      {
        name: 'a date that does not exist',
        files: kb((t) => t.replace('due: 2007-06-30', 'due: 2007-06-31')),
        expect: [`${BASE_PATH}:22:79: error \`remediations[0].due\` 2007-06-31 is not a real date [field-value]`],
      },
    ],
  },
};
