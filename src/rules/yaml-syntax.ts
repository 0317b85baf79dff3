import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const yamlSyntax: Rule = {
  id: 'yaml-syntax',
  severity: 'error',
  description: 'The front-matter must be well-formed YAML (YAML warnings count as errors).',
  stage: 'read',
  examples: {
    ok: [{ name: 'well-formed', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'unclosed flow sequence',
        files: kb((t) => replaceLine(t, 6, 'services: [webmail')),
        expect: [
          `${BASE_PATH}:7:1: error malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ] [yaml-syntax]`,
        ],
      },
      {
        name: 'a list as a mapping key',
        files: kb((t) => t.replace('owners:\n', '? [a, b]\n: c\nowners:\n')),
        expect: [`${BASE_PATH}:23:3: error malformed YAML: a mapping key must be a plain value, not a list or mapping [yaml-syntax]`],
      },
    ],
  },
};
