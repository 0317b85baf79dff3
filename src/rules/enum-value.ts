import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const enumValue: Rule = {
  id: 'enum-value',
  severity: 'error',
  description: 'A field limited to a set of values (status, severity, category, kinds, statuses) has another value.',
  stage: 'schema',
  examples: {
    ok: [{ name: 'known values', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'unknown severity and category',
        files: kb((t) => replaceLine(replaceLine(t, 5, 'severity: SEV9'), 15, '  category: gremlins')),
        expect: [
          `${BASE_PATH}:5:11: error \`severity\` must be one of SEV1, SEV2, SEV3, SEV4, unrated; got the text "SEV9" [enum-value]`,
          `${BASE_PATH}:15:13: error \`root_cause.category\` must be one of capacity, change, config, software, hardware, network, dependency, security, process, unknown; got the text "gremlins" [enum-value]`,
        ],
      },
      {
        name: 'unknown timeline kind in the body',
        files: kb((t) => `${t}\n## Timeline\n\n- 09:20 — [panic] Paged everyone.\n`),
        expect: [
          `${BASE_PATH}:32:1: error timeline entry kind must be one of precursor, trigger, detection, action, mitigation, resolution, communication, note, follow-up; got "panic" [enum-value]`,
        ],
      },
    ],
  },
};
