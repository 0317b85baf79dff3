import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const fieldType: Rule = {
  id: 'field-type',
  severity: 'error',
  description: 'A field has the wrong type: text where a list is expected, a number where text is, and so on.',
  stage: 'schema',
  examples: {
    ok: [
      { name: 'right types', files: kb(), expect: [] },
      {
        name: 'two root causes, two providers',
        files: kb((t) =>
          replaceLine(
            replaceLine(
              t,
              14,
              'provider: [rackspace, akamai]\nroot_cause:\n  - {category: capacity, summary: A traffic surge overloaded lb1.}\n  - {category: process, summary: Nobody forecast the surge.}',
            ),
            15,
            '',
          ).replace('  summary: A traffic surge overloaded lb1.\n', ''),
        ),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'services as text, customers affected as text',
        files: kb((t) =>
          replaceLine(replaceLine(t, 13, '  summary: Customers could not read mail.\n  customers_affected: many'), 6, 'services: webmail'),
        ),
        expect: [
          `${BASE_PATH}:6:11: error \`services\` must be a list, not the text "webmail" [field-type]`,
          `${BASE_PATH}:14:23: error \`impact.customers_affected\` must be a number, not the text "many" [field-type]`,
        ],
      },
      {
        name: 'root causes as a list of text, a provider as a mapping',
        files: kb((t) =>
          replaceLine(
            replaceLine(replaceLine(t, 16, '  - Nobody forecast the surge.'), 15, '  - A traffic surge overloaded lb1.'),
            7,
            'locations: [dulles-va]\nprovider: {id: rackspace}',
          ),
        ),
        expect: [
          `${BASE_PATH}:8:11: error \`provider\` must be text or a list, not a mapping [field-type]`,
          `${BASE_PATH}:16:5: error \`root_cause[0]\` must be a mapping, not the text "A traffic surge overloaded lb1."; write it as {category: <a category>, summary: "A traffic surge overloaded lb1."} [field-type]`,
          `${BASE_PATH}:17:5: error \`root_cause[1]\` must be a mapping, not the text "Nobody forecast the surge."; write it as {category: <a category>, summary: "Nobody forecast the surge."} [field-type]`,
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
