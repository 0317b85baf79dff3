import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const yamlDuplicateKey: Rule = {
  id: 'yaml-duplicate-key',
  severity: 'error',
  description: 'A key may appear only once in a YAML mapping.',
  stage: 'read',
  examples: {
    ok: [{ name: 'unique keys', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'severity twice',
        files: kb((t) => replaceLine(t, 7, 'severity: SEV2')),
        expect: [`${BASE_PATH}:7:1: error duplicate key in YAML mapping [yaml-duplicate-key]`],
      },
    ],
  },
};
