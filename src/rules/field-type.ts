import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const fieldType: Rule = {
  id: 'field-type',
  severity: 'error',
  description: 'A field has the wrong type: text where a list is expected, a number where text is, and so on.',
  stage: 'schema',
  examples: {
    ok: [{ name: 'right types', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'services as text, customers affected as text',
        files: kb((t) => replaceLine(replaceLine(t, 13, '  summary: Customers could not read mail.\n  customers_affected: many'), 6, 'services: webmail')),
        expect: [
          `${BASE_PATH}:6:11: error \`services\` must be a list, not the text "webmail" [field-type]`,
          `${BASE_PATH}:14:23: error \`impact.customers_affected\` must be a number, not the text "many" [field-type]`,
        ],
      },
      {
        name: 'front-matter that is a list',
        files: kb(undefined, { 'incidents/list.md': '---\n- id: list\n---\n' }),
        expect: ['incidents/list.md:2:1: error front-matter must be a mapping of fields [field-type]'],
      },
    ],
  },
};
