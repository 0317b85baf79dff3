import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const requiredField: Rule = {
  id: 'required-field',
  severity: 'error',
  description: 'A required field is missing, empty, or a required list has no items.',
  stage: 'schema',
  examples: {
    ok: [
      { name: 'all required fields', files: kb(), expect: [] },
      {
        name: 'a draft without `started` (imported history with no known start)',
        files: kb((t) => t.replace('status: final', 'status: draft').replace('started: 2007-06-04T09:10:00-04:00\n', '')),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'no `started` in a record that is not a draft',
        files: kb((t) => t.replace('started: 2007-06-04T09:10:00-04:00\n', '')),
        expect: [`${BASE_PATH}:1:1: error missing required field \`started\` [required-field]`],
      },
      {
        name: 'missing title',
        files: kb((t) => t.replace('title: Load balancer overload\n', '')),
        expect: [`${BASE_PATH}:1:1: error missing required field \`title\` [required-field]`],
      },
      {
        name: 'missing nested field and empty list',
        files: kb((t) => replaceLine(replaceLine(t, 16, '  # summary to be written'), 6, 'services: []')),
        expect: [
          `${BASE_PATH}:6:11: error \`services\` must list at least 1 item [required-field]`,
          `${BASE_PATH}:14:1: error missing required field \`root_cause.summary\` [required-field]`,
        ],
      },
    ],
  },
};
